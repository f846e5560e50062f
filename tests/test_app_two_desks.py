"""Two app instances on one queue, and a damaged queue file: the editor is told, nothing is put back, no traceback."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from desk_helpers import OYSTER_FILTER, demo_app, settle
from stories.queue import QueueStore
from stories.repo import ContentRepo
from tui.app import BriefDeskApp
from tui.widgets.queue import ITEM_PREFIX, QueueList


def _messages(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def test_an_item_dismissed_in_another_instance_is_not_claimed_back(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *OYSTER_FILTER, "enter")
            await settle(pilot)
            listed = app.screen.query_one("#queue-list", QueueList).highlighted_id
            assert listed is not None and listed.startswith(ITEM_PREFIX)
            item_id = listed[len(ITEM_PREFIX) :]
            # The other instance (its own connection to the same file) dismisses the item meanwhile.
            with QueueStore(tmp_path / "desk.db") as other:
                other.dismiss(item_id, "covered by a colleague")
            await pilot.press("n")
            await settle(pilot)
            assert app.screen.draft is None  # no briefing was started
            stored = app.queue.item(item_id)
            assert (stored.state, stored.claimed_by, stored.dismissed_reason) == ("dismissed", "", "covered by a colleague")
            assert any("dismissed (covered by a colleague)" in m for m in _messages(app)), _messages(app)
            # The row this instance still showed is gone now that it knows.
            assert listed not in [row.id for row in app.screen.query_one("#queue-list", QueueList).options]

    asyncio.run(scenario())


def test_a_dismissal_from_a_stale_row_does_not_override_a_colleagues_claim(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *OYSTER_FILTER, "enter")
            await settle(pilot)
            item_id = app.screen.query_one("#queue-list", QueueList).highlighted_id[len(ITEM_PREFIX) :]
            with QueueStore(tmp_path / "desk.db") as other:
                other.claim(item_id, "Another Editor")
            await pilot.press("d")
            await pilot.pause()
            await pilot.press(*"not our beat", "enter")
            await settle(pilot)
            stored = app.queue.item(item_id)
            assert (stored.state, stored.claimed_by) == ("claimed", "Another Editor")
            assert any("claimed by Another Editor" in m for m in _messages(app)), _messages(app)

    asyncio.run(scenario())


def test_a_queue_with_damaged_pages_is_named_at_start_not_a_crash(tmp_path: Path) -> None:
    app = demo_app(tmp_path)  # builds the queue with the sample feeds
    app.queue.close()
    path = tmp_path / "desk.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    with open(path, "r+b") as handle:
        for number in range(2, pages - 1):
            handle.seek(number * page)
            handle.write(b"\xa5" * page)

    async def scenario() -> None:
        damaged = BriefDeskApp(repo=ContentRepo.open(tmp_path / "content"), queue_path=path, drafts_dir=tmp_path / "drafts")
        async with damaged.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert damaged.is_running
            messages = _messages(damaged)
            assert any("not a usable queue database" in m and "move it aside" in m for m in messages), messages
            assert damaged.screen.queue_pane.shown_count == 0

    asyncio.run(scenario())
