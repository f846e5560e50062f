"""No lost revision, on two machines with one bare remote: the real CLI, real git, isolated homes.

Each test ends on what the team would see: the story file on the remote's
``main`` after both editors synced, and ``git fsck --full`` clean everywhere.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from repo_helpers import SOURCE_TEXT, assert_fsck_clean, make_briefing
from stories.codec import loads, render
from stories.desk import Desk, StaleDraft
from stories.drafts import Draft, DraftStore
from stories.model import Briefing
from stories.profile import load_profile
from stories.queue import QueueStore
from stories.repo import ContentRepo, Editor
from team_helpers import Machine, publish, team_of_two

STORY = "otters-return-to-the-millbrook"
PROFILE = load_profile(None)
ANA_SUMMARY = "Ana: a family of otters has settled on the lower Millbrook river, ten years after local volunteers began clearing rubbish and planting trees."
BEN_SUMMARY = "Ben: otters are back on the lower Millbrook river, after a decade of patient volunteer work to clear, replant and repair the whole river."
ANA_WATCH = str(make_briefing(STORY).sections["watch_next"]) + " Ana: the trust will publish its camera-trap counts in January."
BEN_HEADLINE = "Otters are back on the Millbrook after ten years of volunteer river repair"


def remote_story(remote: Path) -> Briefing:
    """The story as the remote's main branch holds it: what every colleague gets on their next sync."""
    path = _git(remote, "ls-tree", "-r", "--name-only", "main", "stories/").split()
    found = [p for p in path if p.endswith(f"/{STORY}.toml")]
    assert found, path
    return loads(_git(remote, "show", f"main:{found[0]}"), PROFILE)


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def checkout_file(machine: Machine) -> Path:
    """The story's file in the editor's checkout (where an editor edits it by hand)."""
    found = list((machine.clone / "stories").glob(f"*/{STORY}.toml"))
    assert len(found) == 1, found
    return found[0]


def edit_copy(machine: Machine, name: str, **sections: str) -> Path:
    """A copy of the checked-out story with some sections rewritten, as an editor would save it."""
    story = loads(checkout_file(machine).read_text("utf-8"), PROFILE)
    story.sections.update(sections)
    path = machine.home / "work" / f"{name}.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(render(story, PROFILE), "utf-8")
    path.with_name(f"{name}.source.txt").write_text(SOURCE_TEXT, "utf-8")
    return path


@contextlib.contextmanager
def desk_of(machine: Machine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """The editor's Desk service in this process, with the machine's home (git identity, config) and clone."""
    with monkeypatch.context() as env:
        for key, value in machine.env().items():
            env.setenv(key, value)
        repo = ContentRepo.open(machine.clone)
        queue = QueueStore(":memory:")
        try:
            yield Desk(repo, queue, DraftStore(machine.home / "drafts", repo.profile), repo.profile, machine.person.name, Editor(machine.person.name, machine.person.email))
        finally:
            queue.close()
            repo.close()


def sync(machine: Machine, ok: bool = True) -> str:
    done = machine.briefdesk("sync", ok=ok)
    return done.stdout + done.stderr


@pytest.fixture
def team(tmp_path: Path) -> tuple[Machine, Machine, Path]:
    """Ana published the otters story and both editors synced it."""
    ana, ben, remote = team_of_two(tmp_path)
    publish(ana, make_briefing(STORY))
    sync(ana)
    sync(ben)
    return ana, ben, remote


def next_second(story: Briefing) -> None:
    """Wait until the clock is past the second this story was stamped in, so the next publish stamps another.

    Two publishes in one second carry the same ``updated`` line, and git's
    line merge would then combine far-apart sections by itself; the section
    merge is what this waits to exercise.
    """
    from datetime import datetime, timezone

    assert story.updated is not None
    while datetime.now(timezone.utc).replace(microsecond=0) <= story.updated:
        time.sleep(0.02)


def assert_all_fsck_clean(*paths: Path) -> None:
    for path in paths:
        assert_fsck_clean(path)


def test_the_issue_scenario_a_republished_open_story_never_replaces_a_colleagues_sentence(team, monkeypatch) -> None:
    ana, ben, remote = team
    # 1. Ana and Ben revise the same story; Ana's open draft is published and stays open in her editor.
    with desk_of(ana, monkeypatch) as desk:
        draft = desk.revise(STORY)
        assert draft.started_from == ana.git("rev-parse", "HEAD").strip()
        draft.briefing.sections["summary"] = ANA_SUMMARY
        opened = desk.publish(draft).revision
        desk.drafts.save(opened)  # the open editor's draft, as the app keeps it
    ben.briefdesk("publish", str(edit_copy(ben, "ben", summary=BEN_SUMMARY)))
    ben_commit = ben.git("rev-parse", "HEAD").strip()
    sync(ben)  # Ben syncs first
    # 2. Ana's sync reports the same-section clash, names the section, and keeps her commit on conflict/….
    said = sync(ana, ok=False)
    assert "conflict" in said and STORY in said and "summary" in said
    kept = ana.git("for-each-ref", "--format=%(refname:short)", "refs/heads/conflict/").split()
    assert len(kept) == 1 and ANA_SUMMARY in ana.git("show", f"{kept[0]}:{checkout_file(ana).relative_to(ana.clone)}")
    # 3. Ana publishes the open story again: refused, naming Ben's commit and name.
    with desk_of(ana, monkeypatch) as desk:
        reopened = desk.drafts.load(opened.key)
        assert reopened is not None and reopened.started_from == opened.started_from  # survives a restart
        with pytest.raises(StaleDraft) as refused:
            desk.publish(reopened)
    message = str(refused.value)
    assert ben_commit[:8] in message and "Ben Okoro" in message and "summary" in message and "--force" in message
    assert [c.key for c in refused.value.stale.conflicts] == ["summary"]
    # The same draft through the command line is refused the same way (exit 1), and nothing is committed.
    before = ana.git("rev-parse", "HEAD")
    done = ana.briefdesk("publish", str(ana.home / "drafts" / f"{opened.key}.toml"), ok=False)
    assert done.returncode == 1 and ben_commit[:8] in done.stdout and "Ben Okoro" in done.stdout
    assert ana.git("rev-parse", "HEAD") == before
    sync(ana)
    sync(ben)
    assert remote_story(remote).text("summary") == BEN_SUMMARY  # Ben's sentence is still there
    assert loads(checkout_file(ben).read_text("utf-8"), PROFILE).text("summary") == BEN_SUMMARY
    assert_all_fsck_clean(ana.clone, ben.clone, remote)


def test_an_open_draft_of_another_section_is_merged_with_the_colleagues_revision(team, monkeypatch) -> None:
    ana, ben, remote = team
    with desk_of(ana, monkeypatch) as desk:
        draft = desk.revise(STORY)
        draft.briefing.sections["watch_next"] = ANA_WATCH
        desk.drafts.save(draft)
    ben.briefdesk("publish", str(edit_copy(ben, "ben", headline=BEN_HEADLINE)))
    ben_commit = ben.git("rev-parse", "HEAD").strip()
    sync(ben)
    sync(ana)  # a fast-forward: Ana had nothing new
    done = ana.briefdesk("publish", str(ana.home / "drafts" / f"{draft.key}.toml"))
    assert f"merged with Ben Okoro's revision {ben_commit[:8]}" in done.stdout
    sync(ana)
    sync(ben)
    on_remote = remote_story(remote)
    assert on_remote.headline == BEN_HEADLINE and on_remote.text("watch_next") == ANA_WATCH
    assert_all_fsck_clean(ana.clone, ben.clone, remote)


def test_edits_of_different_sections_by_two_editors_both_survive_sync(team) -> None:
    ana, ben, remote = team
    next_second(loads(checkout_file(ana).read_text("utf-8"), PROFILE))  # each of the three publishes stamps its own second
    ana.briefdesk("publish", str(edit_copy(ana, "ana", watch_next=ANA_WATCH)))
    next_second(loads(checkout_file(ana).read_text("utf-8"), PROFILE))
    ben.briefdesk("publish", str(edit_copy(ben, "ben", headline=BEN_HEADLINE, summary=BEN_SUMMARY)))
    sync(ben)
    said = sync(ana)  # git's line merge clashes on the two updated stamps; the section merge does not
    assert "conflict" not in said and f"combined both editors' changes to {STORY} by section" in said
    sync(ben)
    for story in (remote_story(remote), loads(checkout_file(ben).read_text("utf-8"), PROFILE), loads(checkout_file(ana).read_text("utf-8"), PROFILE)):
        assert story.headline == BEN_HEADLINE and story.text("summary") == BEN_SUMMARY and story.text("watch_next") == ANA_WATCH
    assert not ana.git("for-each-ref", "refs/heads/conflict/")
    # Both authors keep their own commit in the history.
    authors = ana.git("log", "--format=%an", "main", "--", str(checkout_file(ana).relative_to(ana.clone))).split("\n")
    assert "Ana Lima" in authors[0] and "Ben Okoro" in authors[1]
    assert ana.git("status", "--porcelain") == ""
    assert_all_fsck_clean(ana.clone, ben.clone, remote)


def test_a_same_section_clash_is_refused_never_silently_replaced(team) -> None:
    ana, ben, remote = team
    ana_file = edit_copy(ana, "ana", summary=ANA_SUMMARY)
    ana.briefdesk("publish", str(ana_file))
    ben.briefdesk("publish", str(edit_copy(ben, "ben", summary=BEN_SUMMARY)))
    ben_commit = ben.git("rev-parse", "HEAD").strip()
    sync(ben)
    said = sync(ana, ok=False)
    assert "conflict" in said and "same section (summary)" in said
    # Publishing the stale file again (its stamp is the version both started from) is refused, naming Ben.
    done = ana.briefdesk("publish", str(ana_file), ok=False)
    assert done.returncode == 1 and ben_commit[:8] in done.stdout and "Ben Okoro" in done.stdout
    sync(ana)
    sync(ben)
    assert remote_story(remote).text("summary") == BEN_SUMMARY
    assert_all_fsck_clean(ana.clone, ben.clone, remote)


def test_force_is_the_only_way_to_overwrite_and_it_says_so(team) -> None:
    ana, ben, remote = team
    ana_file = edit_copy(ana, "ana", summary=ANA_SUMMARY)
    ben.briefdesk("publish", str(edit_copy(ben, "ben", summary=BEN_SUMMARY)))
    ben_commit = ben.git("rev-parse", "HEAD").strip()
    sync(ben)
    sync(ana)
    refused = ana.briefdesk("publish", str(ana_file), ok=False)
    assert refused.returncode == 1 and "--force" in refused.stdout
    forced = ana.briefdesk("publish", str(ana_file), "--force")
    assert "--force" in forced.stdout and f"replaced {ben_commit[:8]} by Ben Okoro" in forced.stdout
    sync(ana)
    sync(ben)
    assert remote_story(remote).text("summary") == ANA_SUMMARY
    assert_all_fsck_clean(ana.clone, ben.clone, remote)


def test_a_draft_file_from_before_started_from_still_loads(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, PROFILE)
    text = store.dumps(Draft(key="story-x", briefing=make_briefing(STORY), revises=STORY, started_from="abc"))
    old = "\n".join(line for line in text.splitlines() if not line.startswith("started_from")) + "\n"
    loaded = store.loads(old)
    assert loaded.revises == STORY and loaded.started_from == ""
    assert store.loads(text).started_from == "abc"


def test_in_the_app_a_stale_publish_opens_the_merge_screen_and_publishes_the_settled_story(team, monkeypatch, tmp_path) -> None:
    import asyncio

    ana, ben, remote = team
    with desk_of(ana, monkeypatch) as desk:
        draft = desk.revise(STORY)
        draft.briefing.sections.update(summary=ANA_SUMMARY, watch_next=ANA_WATCH)
        desk.drafts.save(draft)
    ben.briefdesk("publish", str(edit_copy(ben, "ben", summary=BEN_SUMMARY, headline=BEN_HEADLINE)))
    ben_commit = ben.git("rev-parse", "HEAD").strip()
    sync(ben)
    sync(ana)  # Ana's draft is not committed: her checkout fast-forwards to Ben's revision
    with monkeypatch.context() as env:
        for key, value in ana.env().items():
            env.setenv(key, value)
        asyncio.run(_settle_in_the_app(ana, tmp_path / "ana-queue.db", ben_commit))
    published = loads(checkout_file(ana).read_text("utf-8"), PROFILE)
    assert published.headline == BEN_HEADLINE and published.text("watch_next") == ANA_WATCH  # the clean part of the merge
    assert published.text("summary") == ANA_SUMMARY  # the clash, settled by Ana choosing hers on the merge screen
    sync(ana)
    sync(ben)
    assert remote_story(remote).headline == BEN_HEADLINE and remote_story(remote).text("summary") == ANA_SUMMARY
    assert_all_fsck_clean(ana.clone, ben.clone, remote)


async def _settle_in_the_app(ana: Machine, queue_path: Path, ben_commit: str) -> None:
    from desk_helpers import settle
    from tui.app import BriefDeskApp
    from tui.config import Config
    from tui.screens.dialogs import ConfirmScreen
    from tui.screens.main import MainScreen
    from tui.screens.merge import MergeScreen

    repo = ContentRepo.open(ana.clone)
    config = Config(editor_name=ana.person.name, editor_email=ana.person.email)
    app = BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=ana.home / "drafts", config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        main.open_story(STORY)
        await settle(pilot)
        assert main.draft is not None and main.draft.started_from
        await pilot.press("ctrl+o")
        for _ in range(400):
            await pilot.pause(0.02)
            if isinstance(app.screen, ConfirmScreen):
                await pilot.press("enter")  # publish with the warnings
            if isinstance(app.screen, MergeScreen):
                break
        merge = app.screen
        assert isinstance(merge, MergeScreen), type(merge)
        assert [c.key for c in merge.result.conflicts] == ["summary"] and merge.theirs_name == "Ben Okoro"
        assert ana.git("rev-parse", "HEAD").strip() == ben_commit  # nothing published yet
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("ctrl+s")
        for _ in range(400):
            await pilot.pause(0.02)
            if ana.git("rev-parse", "HEAD").strip() != ben_commit:
                break
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and main.draft is not None
        assert main.draft.started_from == ana.git("rev-parse", "HEAD").strip()  # the open story goes on from Ana's settled commit
    repo.close()


def test_a_published_item_starts_a_revision_from_the_commit_its_story_stands_at(tmp_path: Path) -> None:
    from desk_helpers import OYSTER, OYSTER_FILTER
    from stories.queue import load_demo

    repo = ContentRepo.init(tmp_path / "content")
    with QueueStore(tmp_path / "desk.db") as queue:
        load_demo(queue)
        oyster = queue.items(text=OYSTER_FILTER)[0].id
        desk = Desk(repo, queue, DraftStore(tmp_path / "drafts", repo.profile), repo.profile, "Ana Lima", Editor("Ana Lima", "ana@desk.example"))
        draft = desk.start(oyster)
        assert draft.started_from == ""  # a new story: nothing to compare with
        draft.briefing.sections.update(OYSTER)
        published = desk.publish(draft)
        head = _git(repo.root, "rev-parse", "HEAD").strip()
        assert published.revision.started_from == head == published.result.commit  # the open story goes on from here
        again = desk.start(oyster)
        assert again.revises == published.story_id and again.started_from == head and again.briefing.headline == OYSTER["headline"]
    repo.close()


def test_an_editor_publishing_the_same_file_twice_is_not_refused_by_their_own_revision(team) -> None:
    ana, _ben, remote = team
    ana_file = edit_copy(ana, "ana", summary=ANA_SUMMARY)
    first = ana.briefdesk("publish", str(ana_file), "--force")
    assert "nothing was overwritten" in first.stdout  # --force says what it did, even when it did nothing
    story = loads(ana_file.read_text("utf-8"), PROFILE)
    story.sections["summary"] = ANA_SUMMARY.replace("Ana:", "Ana, again:")
    ana_file.write_text(render(story, PROFILE), "utf-8")
    done = ana.briefdesk("publish", str(ana_file))
    assert "Revised" in done.stdout and "merged" not in done.stdout
    sync(ana)
    assert remote_story(remote).text("summary").startswith("Ana, again:")
