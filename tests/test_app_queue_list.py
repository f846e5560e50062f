"""The queue list with a long queue: the keys move through every row, and only the rows on screen are read."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desk_helpers import settle
from stories.sources.feeds import FeedEntry, ParsedFeed, entry_key
from stories.profile import Source
from stories.queue import QueueStore
from stories.repo import ContentRepo
from tui.app import BriefDeskApp
from tui.widgets.queue import FIRST_ROWS, ITEM_PREFIX, QueueList

COUNT = 1_000


def long_queue(path: Path) -> list[str]:
    """A real queue of COUNT items, newest first; returns their titles in queue order."""
    start = datetime(2026, 11, 25, tzinfo=timezone.utc)
    source = Source(name="Town Ledger", url="https://ledger.example.org/rss", category="community", format="HTML")
    entries = []
    for n in range(COUNT):
        title = f"{'Garden' if n % 2 else 'River'} story number {n}"
        entries.append(FeedEntry(entry_key(f"g-{n}", "", title, ""), f"g-{n}", title, f"https://ledger.example.org/{n}", "",
                                 "A short summary.", f"Body of story {n}.", start - timedelta(minutes=n)))
    with QueueStore(path) as store:
        store.add_entries(source, ParsedFeed(title="Town Ledger", kind="rss", entries=entries))
        return [item.title for item in store.items()]


def test_keys_walk_a_long_queue_and_only_rows_on_screen_are_read(tmp_path: Path) -> None:
    titles = long_queue(tmp_path / "desk.db")
    repo = ContentRepo.init(tmp_path / "content")

    async def scenario() -> None:
        app = BriefDeskApp(repo=repo, queue_path=tmp_path / "desk.db", drafts_dir=tmp_path / "drafts")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            queue = app.screen.query_one("#queue-list", QueueList)
            assert app.screen.queue_pane.shown_count == COUNT
            # The first screen shows the newest item, read with its neighbours, not all 1,000.
            assert titles[0] in str(app.screen.queue_pane.query_one("#source-text").render())
            assert len(queue._items) < COUNT // 2
            await pilot.press("end")
            await pilot.pause()
            assert queue.highlighted_id is not None
            last = app.queue.item(queue.highlighted_id[len(ITEM_PREFIX) :])
            assert last.title == titles[-1]
            assert titles[-1] in str(app.screen.queue_pane.query_one("#source-text").render())
            await pilot.press("home", "down", "down", "pagedown")
            await pilot.pause()
            assert queue.highlighted is not None and queue.highlighted > 2
            # Dismissing the row with the cursor leaves the cursor where it was, on the next item.
            row = queue.highlighted
            await pilot.press("d")
            await pilot.pause()
            await pilot.press(*"not our beat", "enter")
            await settle(pilot)
            assert queue.highlighted == row and queue.highlighted_id == ITEM_PREFIX + app.queue.item_ids(hide=("dismissed",))[row]
            assert app.screen.queue_pane.shown_count == COUNT - 1
            # A filter matching more rows than the first screenful lists all of them once the rest arrives.
            await pilot.press("slash", *"garden")
            await settle(pilot)
            gardens = [t for t in titles if "Garden" in t]
            assert len(gardens) - 1 > FIRST_ROWS
            assert app.screen.queue_pane.shown_count >= len(gardens) - 1  # all of them, less the one dismissed if it was one
            assert all("Garden" in row.prompt.plain for row in queue.options)

    asyncio.run(scenario())
