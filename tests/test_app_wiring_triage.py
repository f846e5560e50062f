"""Issue 13 points that live in the main screen: the briefing's source beside the writing, focus, and triage."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

from textual.widgets import Input

from desk_helpers import OYSTER_FILTER, demo_app, run_command, settle
from screens_host import screen_text
from tui.screens.dialogs import ConfirmScreen, PickScreen, ReasonScreen
from tui.widgets.queue import ITEM_PREFIX, QueueList

ROOT = Path(__file__).resolve().parents[1]
OYSTER_URL = "https://greenshoots.example.org/2026/11/oyster-reef-replanted"


def _messages(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def _rows(app) -> list[str]:
    return [str(row.prompt) for row in app.screen.query_one("#queue-list", QueueList).options]


async def _until(pilot, condition, tries: int = 300) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def _start_oyster(pilot) -> str:
    await pilot.press("slash", *OYSTER_FILTER, "enter", "enter")
    await settle(pilot)
    return pilot.app.screen.draft.item_id


def _run(scenario, tmp_path: Path, size=(160, 48)) -> None:
    async def go() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(go())


def test_13_01_the_briefings_own_source_stays_in_view_while_writing_at_80x24(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        await _start_oyster(pilot)
        assert app.screen.pane == "editor"
        shown = screen_text(app)
        # The Briefing tab shows the headline field and, below it, the source it is written from.
        assert "Headline" in shown and OYSTER_URL in shown
        assert "Volunteers on the Marlow estuary returned 12,000" in shown
        box = app.screen.query_one("#editor-source-scroll")
        assert 0 < box.region.height <= 8 and box.region.bottom <= 23  # a third of the screen at most, above the status line
        # Highlighting another queue item does not swap the source under the writing.
        await pilot.press("f2", "escape", "down", "f3")
        await pilot.pause()
        assert app.screen.queue_pane.option_list.highlighted_id != ITEM_PREFIX + app.screen.draft.item_id
        assert "Volunteers on the Marlow estuary returned 12,000" in screen_text(app)

    _run(scenario, tmp_path, size=(80, 24))


def test_13_01_a_source_address_is_never_broken_mid_word(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        await _start_oyster(pilot)
        lines = screen_text(app).splitlines()
        assert any(OYSTER_URL in line for line in lines)  # whole, under the editor
        # In the narrow queue pane it is cut with an ellipsis, never wrapped onto a second line.
        assert not any("oyster-reef-replanted" in line and "greenshoots" not in line for line in lines), "\n".join(lines)
        assert not any(re.match(r"^│ ?26/11/", line) for line in lines)

    _run(scenario, tmp_path)


def test_13_04_the_unfocused_queue_shows_its_row_and_tab_skips_the_source(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        await _start_oyster(pilot)
        queue = app.screen.queue_pane.option_list
        assert not queue.has_focus
        row = queue.highlighted - queue.scroll_offset.y
        other = row + 1 if row + 1 < queue.size.height else row - 1
        chosen = [seg for seg in queue.render_line(row) if seg.text.strip()]
        plain = [seg for seg in queue.render_line(other) if seg.text.strip()]
        assert any(seg.style and seg.style.bold for seg in chosen[1:2]), chosen
        assert {str(seg.style.bgcolor) for seg in chosen} != {str(seg.style.bgcolor) for seg in plain}
        # Tab goes round the fields and lists, never into a source view.
        queue.focus()
        seen = set()
        for _ in range(40):
            await pilot.press("tab")
            seen.add(app.focused.id if app.focused is not None else None)
        assert "source-scroll" not in seen and "editor-source-scroll" not in seen, seen
        assert "sec-headline" in seen and "queue-list" in seen

    _run(scenario, tmp_path)


def test_13_10_a_dismissal_needs_a_reason(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        await pilot.press("slash", *OYSTER_FILTER, "enter")
        item_id = app.screen.queue_pane.option_list.highlighted_id[len(ITEM_PREFIX) :]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")  # no reason given
        await pilot.pause()
        assert app.queue.item(item_id).state == "new"
        assert isinstance(app.screen, ReasonScreen)  # asked again
        assert any("needs a reason" in m for m in _messages(app))
        await pilot.press(*"covered yesterday", "enter")
        await settle(pilot)
        stored = app.queue.item(item_id)
        assert (stored.state, stored.dismissed_reason) == ("dismissed", "covered yesterday")

    _run(scenario, tmp_path)


def test_13_11_dismissing_an_item_with_a_draft_asks_and_keeps_the_draft(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        item_id = await _start_oyster(pilot)
        await pilot.press(*"Oyster shells go back")
        await settle(pilot)
        key = app.screen.draft.key
        await pilot.press("escape", "d")
        await pilot.pause()
        await pilot.press(*"duplicate", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.queue.item(item_id).state == "drafting"
        assert app.drafts.load(key) is not None and app.screen.draft is not None
        assert app.screen.query_one("#sec-headline").value == "Oyster shells go back"
        # Confirmed: dismissed, and the draft goes with it.
        app.screen.queue_pane.highlight(ITEM_PREFIX + item_id)
        await pilot.press("d", *"duplicate", "enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.queue.item(item_id).state == "dismissed"
        assert app.drafts.load(key) is None and app.screen.draft is None

    _run(scenario, tmp_path)


def test_13_12_release_throw_away_and_restore_without_dismissing(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        item_id = await _start_oyster(pilot)
        key = app.screen.draft.key
        await pilot.press("escape")
        app.screen.queue_pane.highlight(ITEM_PREFIX + item_id)
        await run_command(pilot, "Release claim")  # the palette has it too (r)
        await settle(pilot)
        assert app.queue.item(item_id).state == "new"
        assert app.drafts.load(key) is not None  # releasing keeps the words
        assert any("Released" in m and "draft is kept" in m for m in _messages(app))
        # x throws the highlighted row's draft away (asked first); the item stays in the queue.
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.drafts.load(key) is None and app.screen.draft is None
        assert app.queue.item(item_id).state == "new"
        # Dismiss it, then bring it back with u.
        app.screen.queue_pane.highlight(ITEM_PREFIX + item_id)
        await pilot.press("d", *"not good news", "enter")
        await settle(pilot)
        assert app.queue.item(item_id).state == "dismissed"
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert app.queue.item(item_id).state == "new"
        assert any("oyster" in row.lower() for row in _rows(app))

    _run(scenario, tmp_path)


def test_13_13_escape_clears_the_filter_and_an_empty_result_says_so(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        everything = len(_rows(app))
        await pilot.press("slash", *"zzqx")
        await pilot.pause()
        assert not _rows(app)
        assert "Nothing in the queue matches 'zzqx'" in str(app.screen.queue_pane.query_one("#source-text").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#queue-filter", Input).value == ""
        assert len(_rows(app)) == everything and app.focused.id == "queue-list"
        # From the list, Escape clears a filter too.
        await pilot.press("slash", *OYSTER_FILTER, "enter")
        assert len(_rows(app)) < everything
        await pilot.press("escape")
        await pilot.pause()
        assert len(_rows(app)) == everything

    _run(scenario, tmp_path)


def test_13_14_the_app_and_the_cli_give_an_item_the_same_age(tmp_path: Path) -> None:
    import sqlite3
    import time

    from tui.app import BriefDeskApp
    from tui.commands.demo import prepare

    repo, queue_path, drafts_dir, sources = prepare(tmp_path)
    # An item from over three years ago, and one from 30 hours ago (rooftop gardens): where the two age styles used to part.
    with sqlite3.connect(queue_path) as db:
        db.execute("UPDATE items SET published = ? WHERE title LIKE '%oyster%'", (time.time() - 1226 * 86400,))
        db.execute("UPDATE items SET published = ? WHERE title LIKE '%rooftop%'", (time.time() - 30 * 3600,))

    def cli_ages(text: str) -> list[str]:
        env = {**os.environ, "BRIEFDESK_DATA_DIR": str(queue_path.parent), "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "tui.cli", "queue", text], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        return [line.split()[2] for line in done.stdout.splitlines() if line[:1] not in (" ", "")]

    async def scenario() -> None:
        app = BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=drafts_dir, sources=sources)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            for text in (OYSTER_FILTER, "rooftop"):
                ages = cli_ages(text)
                if not ages:
                    continue
                await pilot.press("escape", "slash", *text, "enter")
                await pilot.pause()
                rows = _rows(app)
                assert len(rows) == len(ages), (rows, ages)
                assert sorted(r.rsplit(" ", 1)[-1] for r in rows) == sorted(ages), (rows, ages)
            assert "1226d" in cli_ages(OYSTER_FILTER)

    asyncio.run(scenario())


def test_13_01_the_queue_takes_the_rows_it_has_and_the_source_the_rest(tmp_path: Path) -> None:
    async def scenario(app, pilot) -> None:
        await pilot.press("slash", *OYSTER_FILTER, "enter")
        await pilot.pause()
        assert len(_rows(app)) == 1
        listing = app.screen.query_one("#queue-list").region
        source = app.screen.query_one("#source-scroll").region
        assert listing.height == 1
        assert source.height >= 15, source  # not 5 lines under an empty list
        assert "Volunteers on the Marlow estuary returned 12,000" in screen_text(app)

    _run(scenario, tmp_path, size=(80, 24))
