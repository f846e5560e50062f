"""The merge screen through Pilot: mine, theirs or an edit for each section both editors changed."""

from __future__ import annotations

import asyncio

from screens_host import HostApp, screen_text

from repo_helpers import make_briefing
from stories.team.merge import merge_story
from tui.screens.merge import MergeScreen

OURS_WATCH = "Ours: the county will survey again in spring."
THEIRS_WATCH = "Theirs: the spring survey will tell if they bred [@click=app.quit]x[/]."


def _clash():
    base = make_briefing()
    p = base.items("key_points")
    ours = make_briefing(watch_next=OURS_WATCH, headline="Our new headline about the Millbrook otters, long enough", key_points=["Ours: " + p[0], p[1], p[2]])
    theirs = make_briefing(watch_next=THEIRS_WATCH, key_points=["Theirs: " + p[0], p[1], p[2]])
    return merge_story(base, ours, theirs)


def test_each_section_is_settled_by_mine_theirs_or_an_edit() -> None:
    asyncio.run(_settle())


async def _settle() -> None:
    result = _clash()
    assert [c.key for c in result.conflicts] == ["key_points", "watch_next"]
    settled = []
    app = HostApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(MergeScreen(result, {"key_points": "Key points", "watch_next": "What to watch next"}, theirs_name="Ben Okoro"), settled.append)
        await pilot.pause()
        text = screen_text(app)
        assert "2 section(s) changed both here and by Ben Okoro; 2 to settle" in text
        assert "Ours: Camera traps" in text and "Theirs: Camera traps" in text

        await pilot.press("ctrl+s")  # not yet: nothing is lost by an early save
        await pilot.pause()
        assert settled == [] and isinstance(app.screen, MergeScreen)

        await pilot.press("t")  # key points: theirs; the cursor moves on to the next section
        await pilot.pause()
        assert "[@click=app.quit]x[/]" in screen_text(app)  # hostile text shows literally
        await pilot.press("e")  # edit watch_next, starting from mine
        await pilot.pause()
        await pilot.press("end", *" Both agree.")
        await pilot.press("ctrl+s")  # keeps the edit
        await pilot.pause()
        assert "all settled" in screen_text(app)
        await pilot.press("ctrl+s")  # saves the merge
        await pilot.pause()
    story = settled[0]
    assert story.items("key_points")[0].startswith("Theirs: ")
    assert story.text("watch_next") == OURS_WATCH + " Both agree."
    assert story.headline.startswith("Our new headline")  # the clean part of the merge is kept


def test_escape_leaves_without_merging() -> None:
    asyncio.run(_escape())


async def _escape() -> None:
    settled = []
    app = HostApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(MergeScreen(_clash()), settled.append)
        await pilot.pause()
        await pilot.press("m", "escape")
        await pilot.pause()
    assert settled == [None]
