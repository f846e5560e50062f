"""A small host app and a sample briefing for the tests of the preview, history and help screens."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from stories.codec import read_story
from stories.model import Briefing
from stories.profile import load_profile
from themes import install_themes

DATA = Path(__file__).parent / "data"
STORY_ID = "lab-grown-skin-patch-heals-stubborn-leg-ulcers-in-a-small"
SOURCE_TEXT = (DATA / "skin-patch-source.txt").read_text("utf-8")
"""The source the sample story was written from (the team's own test text)."""

# The revision the second editor makes in the sample repos: one key point and
# one word of "What happened" change, so the diff has words out and words in.
KEY_POINT_BEFORE = "Seven of nine volunteers healed fully within three months."
KEY_POINT_AFTER = "Seven of nine patients healed fully within three months."
WORD_BEFORE = "took a tiny sample"
WORD_AFTER = "took a small sample"
LONG_AUTHOR = "Maximiliane Featherstonehaugh-Worthington"


def _story() -> Briefing:
    return read_story(DATA / "skin-patch-story.toml", load_profile(None))


def publishable_briefing(**changes: Any) -> Briefing:
    """The sample story as it passes the checks, with nothing related yet."""
    return _with_changes(_story(), **{"status": "draft", "related": [], **changes})


def sample_briefing(**changes: Any) -> Briefing:
    """A complete draft in the house format: the sample story with one related story."""
    return _with_changes(_story(), **{"status": "draft", "related": ["river-otters-return-to-the-thames"], **changes})


def _with_changes(briefing: Briefing, **changes: Any) -> Briefing:
    for key, value in changes.items():
        if key in briefing.sections or key in ("headline", "summary", "key_points", "what_happened", "why_it_feels_good", "watch_next"):
            briefing.sections[key] = value
        else:
            setattr(briefing, key, value)
    return briefing


def revise(briefing: Briefing) -> None:
    """The second editor's changes (see KEY_POINT_BEFORE / WORD_BEFORE)."""
    what = briefing.text("what_happened")
    assert WORD_BEFORE in what
    briefing.sections["what_happened"] = what.replace(WORD_BEFORE, WORD_AFTER)
    points = briefing.items("key_points")
    assert points[1] == KEY_POINT_BEFORE
    points[1] = KEY_POINT_AFTER
    briefing.sections["key_points"] = points


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
    revise(revised)
    repo.publish(revised, SOURCE_TEXT, Editor("Ben Reviewer", "ben@example.org"))
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    return repo


def build_fixed_content_repo(root: Any) -> Any:
    """A content repo made with plain git, the same bytes on every run, opened with ContentRepo.

    For snapshots: its commit ids depend only on the story file format, not on
    what the checks or the publish step write into commit messages, so other
    parts of the desk can change without moving these pictures. Same story,
    editors and times as ``build_content_repo``, except that the repo was set
    up by someone with a long name (``LONG_AUTHOR``), to show it cut short.
    """
    import os
    import subprocess

    from stories import codec
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
    commit("Start the content repo", "", (LONG_AUTHOR, "setup@example.org"), "2026-11-20T08:00:00+00:00")

    story = publishable_briefing(status="published")
    path = root / "stories" / "2026" / f"{story.id}.toml"
    path.parent.mkdir(parents=True)
    trailers = f"Story-Id: {story.id}\nSource-URL: {story.source.url}\nChecks: all passed"
    path.write_text(codec.render(story, profile), encoding="utf-8")
    commit(f"Publish: {story.headline}", f"From {story.source.name}: {story.source.title}\n\n{trailers}", ("Ada Editor", "ada@example.org"), "2026-11-20T09:30:00+00:00")

    revise(story)
    path.write_text(codec.update(path.read_text(encoding="utf-8"), story, profile), encoding="utf-8")
    commit(f"Revise: {story.headline}", f"From {story.source.name}: {story.source.title}\n\n{trailers}", ("Ben Reviewer", "ben@example.org"), "2026-11-21T14:05:00+00:00")
    return ContentRepo.open(root)
