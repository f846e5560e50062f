"""A small host app and a sample briefing for the tests of the preview, history and help screens."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from stories.model import Briefing, SourceRef
from themes import install_themes

SUMMARY = (
    "A genetic treatment first developed for cancer has sent lupus patients into remission, "
    "offering new hope for people living with this autoimmune disorder."
)
WHAT_HAPPENED = (
    "Researchers at University College London Hospital completed a clinical trial of CAR T-cell "
    "therapy on nine patients with lupus nephritis, a complication of lupus that affects the kidneys.\n\n"
    "Out of the nine participants, five who received a lower dose of the modified cells went into "
    "remission within three months. These remissions lasted throughout the 11-month study period."
)
WHY = (
    "Lupus has long been managed only by treatments that suppress symptoms. This approach resets the "
    "immune system itself, which could free patients from the cycle of disease attacks."
)
WATCH = (
    "Larger and longer-term studies are underway to confirm the safety and lasting effect of the "
    "therapy. Until they report, this remains an early result worth following."
)


FULL_WHAT_HAPPENED = (
    "Researchers at University College London Hospital completed a clinical trial using CAR T-cell therapy "
    "on nine patients with lupus nephritis, a serious complication of lupus affecting the kidneys. This approach, "
    "first used in cancer treatment, involves extracting a patient's T cells and modifying them to better target "
    "disease-causing parts of the immune system.\n\n"
    "Out of the nine participants, five who received a lower dose of the modified cells went into remission within "
    "three months. These remissions have lasted throughout the 11-month study period, a significant step in lupus care."
)
FULL_WHY = (
    "Lupus is an autoimmune disease where the immune system mistakenly attacks healthy tissue, causing severe symptoms "
    "and organ damage. Until now it has been managed only by treatments that suppress symptoms. This approach resets the "
    "immune system itself, which could free patients from the chronic cycle of disease attacks."
)
FULL_WATCH = (
    "Larger and longer-term studies are underway to confirm the safety and lasting effect of CAR T-cell therapy for lupus. "
    "Until they report, patients and advocates can follow this early result and the research that comes next."
)
SOURCE_TEXT = (
    "Genetic treatment sends lupus into remission. A trial at University College London Hospital treated nine patients "
    "with lupus nephritis using CAR T-cell therapy. Five patients on a lower dose went into remission within three months "
    "and stayed in remission through the 11-month study."
)


def publishable_briefing(**changes: Any) -> Briefing:
    """A briefing the checks let through (warnings at most), with nothing related yet."""
    return sample_briefing(
        what_happened=FULL_WHAT_HAPPENED,
        why_it_feels_good=FULL_WHY,
        watch_next=FULL_WATCH,
        related=[],
        **changes,
    )


def sample_briefing(**changes: Any) -> Briefing:
    """A complete briefing in the house format, like the seed example."""
    briefing = Briefing(
        id="genetic-therapy-sends-lupus-into-remission",
        status="draft",
        sections={
            "headline": "Genetic therapy sends lupus patients into lasting remission",
            "summary": SUMMARY,
            "key_points": [
                "CAR T-cell therapy aims to reset the immune system.",
                "Five lupus patients achieved remission in a UK clinical trial.",
                "Treatment could lead to long-term cures for autoimmune diseases.",
            ],
            "what_happened": WHAT_HAPPENED,
            "why_it_feels_good": WHY,
            "watch_next": WATCH,
        },
        topics=["health"],
        related=["river-otters-return-to-the-thames"],
        created=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc),
        updated=datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc),
        source=SourceRef(
            name="Good News Network",
            feed="Earth",
            format="HTML",
            url="https://news.example.org/lupus-remission",
            title="Genetic treatment sends lupus into remission",
            published=datetime(2026, 11, 19, 8, 0, tzinfo=timezone.utc),
            guid="https://news.example.org/?p=1",
        ),
    )
    for key, value in changes.items():
        if key in briefing.sections or key in ("headline", "summary", "key_points", "what_happened", "why_it_feels_good", "watch_next"):
            briefing.sections[key] = value
        else:
            setattr(briefing, key, value)
    return briefing


class BelowScreen(Screen[None]):
    """Stands in for the main screen: a few bindings of its own for the help screen to list."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save draft", id="host.save"),
        Binding("p", "preview", "Preview", id="host.preview"),
        Binding("ctrl+j", "publish", "Publish", id="host.publish"),
        Binding("x", "hidden", "Hidden helper", show=False, id="host.hidden"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("The desk")
        yield Footer()

    def action_save(self) -> None:
        self.notify("saved")

    def action_preview(self) -> None:
        pass

    def action_publish(self) -> None:
        pass

    def action_hidden(self) -> None:
        pass


class HostApp(App[None]):
    """Pushes one screen over a stand-in main screen, with the bundled themes installed."""

    BINDINGS = [
        Binding("f1", "help", "Keys", id="app.help"),
        Binding("ctrl+r", "sync", "Sync", id="app.sync"),
    ]

    def __init__(self, make_screen: Any = None, theme: str | None = "briefdesk-dark", extra_theme_dirs: tuple = ()) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.wanted_theme = theme
        self.extra_theme_dirs = extra_theme_dirs
        self.theme_problems: list[str] = []

    def on_mount(self) -> None:
        self.theme_problems = install_themes(self, self.wanted_theme, self.extra_theme_dirs)
        for problem in self.theme_problems:
            self.notify(problem, title="Theme", severity="warning", timeout=30)
        self.push_screen(BelowScreen())
        if self.make_screen is not None:
            self.push_screen(self.make_screen())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_sync(self) -> None:
        pass


def screen_text(app: App[Any]) -> str:
    """What the terminal shows right now, as plain text lines (for asserts a user would make by eye)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


OTTERS = dict(
    id="river-otters-return-to-a-restored-city-river",
    headline="River otters return to a restored city river after decades",
    summary=(
        "Otters have been seen again on a city river that was cleaned up over the last twenty years, "
        "a sign that patient restoration work can bring wildlife home."
    ),
)


def build_content_repo(root: Any, monkeypatch: Any, hostile_headline: str | None = None) -> Any:
    """A real content repo: one story published by one editor and revised by another, at fixed times.

    Commit dates are pinned through the environment so the history (and its
    snapshots) reads the same on every run.
    """
    from stories.repo import ContentRepo, Editor

    import stories.repo

    def at(stamp: str) -> None:
        # The story file's "updated" comes from the repo's clock; pin it too so
        # the commits (and their ids) are the same on every run.
        moment = datetime.fromisoformat(stamp)
        monkeypatch.setattr(stories.repo, "utcnow", lambda: moment)
        monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
        monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)

    at("2026-11-20T08:00:00+00:00")
    repo = ContentRepo.init(root)
    at("2026-11-20T09:30:00+00:00")
    first = publishable_briefing()
    if hostile_headline is not None:
        first.sections["headline"] = hostile_headline
    repo.publish(first, SOURCE_TEXT, Editor("Ada Editor", "ada@example.org"))
    at("2026-11-21T14:05:00+00:00")
    revised = repo.story(first.id)
    revised.sections["what_happened"] = revised.text("what_happened").replace("a serious complication", "a complication")
    points = revised.items("key_points")
    points[1] = "Five of nine lupus patients reached remission in a UK trial."
    revised.sections["key_points"] = points
    repo.publish(revised, SOURCE_TEXT, Editor("Ben Reviewer", "ben@example.org"))
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    return repo


def build_fixed_content_repo(root: Any) -> Any:
    """A content repo made with plain git, the same bytes on every run, opened with ContentRepo.

    For snapshots: its commit ids depend only on the story file format, not on
    what the checks or the publish step write into commit messages, so other
    parts of the desk can change without moving these pictures. Same story,
    editors and times as ``build_content_repo``.
    """
    import os
    import subprocess
    from pathlib import Path

    from stories import codec
    from stories.profile import load_profile
    from stories.repo import ContentRepo

    root = Path(root)
    root.mkdir(parents=True)
    profile = load_profile(None)

    def git(*args: str, who: tuple[str, str] = ("Test Editor", "editor@example.org"), when: str = "") -> None:
        env = dict(os.environ)
        env.update(
            GIT_AUTHOR_NAME=who[0], GIT_AUTHOR_EMAIL=who[1], GIT_COMMITTER_NAME=who[0], GIT_COMMITTER_EMAIL=who[1],
            GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when,
        )
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    def commit(subject: str, body: str, who: tuple[str, str], when: str) -> None:
        git("add", "-A")
        git("commit", "-q", "-m", subject, "-m", body, who=who, when=when)

    git("init", "-q", "-b", "main")
    (root / "desk.toml").write_text('[desk]\nname = "Happy Read Daily"\n', encoding="utf-8")
    commit("Start the content repo", "", ("Test Editor", "editor@example.org"), "2026-11-20T08:00:00+00:00")

    story = publishable_briefing(status="published")
    path = root / "stories" / "2026" / f"{story.id}.toml"
    path.parent.mkdir(parents=True)
    trailers = f"Story-Id: {story.id}\nSource-URL: {story.source.url}\nChecks: all passed, 1 warning"
    path.write_text(codec.render(story, profile), encoding="utf-8")
    commit(f"Publish: {story.headline}", f"From Good News Network: {story.source.title}\n\n{trailers}", ("Ada Editor", "ada@example.org"), "2026-11-20T09:30:00+00:00")

    story.sections["what_happened"] = story.text("what_happened").replace("a serious complication", "a complication")
    points = story.items("key_points")
    points[1] = "Five of nine lupus patients reached remission in a UK trial."
    story.sections["key_points"] = points
    path.write_text(codec.update(path.read_text(encoding="utf-8"), story, profile), encoding="utf-8")
    commit(f"Revise: {story.headline}", f"From Good News Network: {story.source.title}\n\n{trailers}", ("Ben Reviewer", "ben@example.org"), "2026-11-21T14:05:00+00:00")
    return ContentRepo.open(root)
