"""The Review screen through Pilot, on real clones of a bare remote: request changes, then approve."""

from __future__ import annotations

import asyncio
from pathlib import Path

from screens_host import HostApp, screen_text

from repo_helpers import assert_fsck_clean, git, make_briefing
from stories.repo import Editor
from team_helpers import publish, team_of_two
from tui.screens.review import ReviewScreen

STORY = "otters-return-to-the-millbrook"
BEN = Editor("Ben Okoro", "ben@desk.example")


async def until(app: HostApp, pilot, condition, what: str) -> None:
    """Let workers finish and messages land until ``condition()`` holds (a bounded number of rounds, no clock)."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
    raise AssertionError(f"never happened: {what}\n{screen_text(app)}")


def test_review_screen_requests_changes_then_approves(tmp_path: Path) -> None:
    ana, ben, remote = team_of_two(tmp_path, branch_mode=True)
    publish(ana, make_briefing(STORY))
    ana.briefdesk("sync")
    asyncio.run(_review(ben.clone))
    log = git(remote, "log", "-1", "--format=%s%n%(trailers:key=Reviewed-by,valueonly)", "main")
    assert log.startswith("Approve: Otters return") and "Ben Okoro <ben@desk.example>" in log
    assert ana.json("review", "list", "--format", "json") == []  # approved: nothing waits any more
    desk_log = git(remote, "log", "--format=%an: %s", "refs/briefdesk/desk").splitlines()
    assert desk_log[:2] == [f"Ben Okoro: Review {STORY}: approved", f"Ben Okoro: Review {STORY}: changes-requested"]
    for path in (ana.clone, ben.clone, remote):
        assert_fsck_clean(path)


async def _review(clone: Path) -> None:
    app = HostApp(lambda: ReviewScreen(clone, BEN))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: "1 story waiting for review" in screen_text(app), "the list")
        await until(app, pilot, lambda: "Checks now: 0 error(s)" in screen_text(app), "the story's changes")
        text = screen_text(app)
        assert "Otters return to the Millbrook" in text and "new by Ana Lima" in text and "Headline" in text

        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"Name the counter", "enter")
        await until(app, pilot, lambda: "Changes requested by Ben Okoro: Name the counter" in screen_text(app), "the note shown")

        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await until(app, pilot, lambda: "0 stories waiting for review" in screen_text(app), "the approval")


def test_a_hostile_headline_shows_literally_and_the_app_keeps_running(tmp_path: Path) -> None:
    from team_helpers import push_hostile_branch

    ana, ben, _remote = team_of_two(tmp_path, branch_mode=True)
    push_hostile_branch(ana)
    asyncio.run(_hostile(ben.clone))


async def _hostile(clone: Path) -> None:
    app = HostApp(lambda: ReviewScreen(clone, BEN))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, pilot, lambda: "1 story waiting for review" in screen_text(app), "the list")
        await until(app, pilot, lambda: "Checks now:" in screen_text(app), "the story")
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text and "\x1b" not in text
        assert app.is_running and isinstance(app.screen, ReviewScreen)
