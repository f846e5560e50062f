"""Snapshots of the main screen at 80x24 and 160x48, with hostile titles in the queue.

The queue is read from a real SQLite queue fed a real RSS document; the clock
the queue's ages are counted from is pinned, cursors do not blink, and the
developer's own config never leaks in (``isolated_home``). Update with
``pytest tests/test_snapshots_main.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from stories.profile import Source
from stories.queue import QueueStore, ingest_bytes
from stories.repo import ContentRepo
from tui.app import BriefDeskApp
from tui.widgets.queue import QueueList

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
HOSTILE = [
    ("[/]", "Mon, 23 Nov 2026 09:00:00 +0000"),
    ("[@click=app.quit]x", "Tue, 24 Nov 2026 07:00:00 +0000"),
    ("[Sponsor] Community garden doubles its harvest", "Tue, 24 Nov 2026 09:00:00 +0000"),
    ("\x1b[31mRed alert\x1b[0m escape codes stay out of the terminal", "Tue, 24 Nov 2026 10:00:00 +0000"),
    ("[b]not bold[/b] and [link=https://example.org]no link[/link]", "Wed, 25 Nov 2026 06:00:00 +0000"),
    ("Volunteers plant 2,600 trees along the Millbrook", "Wed, 25 Nov 2026 11:00:00 +0000"),
]
SOURCE = Source(name="[red]Hostile[/red] Wire", url="https://wire.example.org/feed.xml", category="community", format="HTML")


def _rss() -> bytes:
    items = []
    for number, (title, date) in enumerate(HOSTILE):
        esc = title.replace("&", "&amp;").replace("<", "&lt;")
        esc = esc.replace("\x1b", "&#27;")
        items.append(
            f"<item><title>{esc}</title><link>https://wire.example.org/{number}</link><guid>wire-{number}</guid>"
            f"<pubDate>{date}</pubDate><description>Story {number}: [i]markup[/i] in a body, "
            f"a quote &quot;[@click=app.bell]ring&quot; and 40% more.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        "<link>https://wire.example.org/</link>" + "".join(items) + "</channel></rss>"
    ).encode()


def hostile_app(folder: Path) -> BriefDeskApp:
    repo = ContentRepo.init(folder / "content")
    store = QueueStore(folder / "desk.db")
    ingest_bytes(store, SOURCE, _rss())
    store.close()
    return BriefDeskApp(repo=repo, queue_path=folder / "desk.db", drafts_dir=folder / "drafts", clock=lambda: NOW)


async def still(pilot) -> None:
    """Workers done, cursors not blinking, the save time fresh: the same picture every run."""
    await pilot.pause(0.1)
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    status = pilot.app.screen.query_one("#status")
    if status.saved_at is not None:
        status.set(saved_at=time.monotonic())
    await pilot.pause()


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_queue_with_hostile_titles(snap_compare, tmp_path, size):
    assert snap_compare(hostile_app(tmp_path), terminal_size=size, run_before=still)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_briefing_started_from_a_hostile_item(snap_compare, tmp_path, size):
    async def start(pilot) -> None:
        await still(pilot)
        await pilot.press("down", "n")
        await still(pilot)

    assert snap_compare(hostile_app(tmp_path), terminal_size=size, run_before=start)


def test_hostile_titles_show_literally_and_do_nothing(tmp_path):
    async def run() -> None:
        app = hostile_app(tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await still(pilot)
            rows = [str(option.prompt) for option in app.screen.query_one("#queue-list", QueueList).options]
            assert any(row.startswith("● [/]") for row in rows)
            assert any("[@click=app.quit]x" in row for row in rows)
            assert any("[Sponsor] Community garden" in row for row in rows)
            assert not any("\x1b" in row for row in rows)
            # Clicking the hostile row selects it; it does not quit the app.
            click_row = next(i for i, row in enumerate(rows) if "[@click=app.quit]x" in row)
            app.screen.query_one("#queue-list", QueueList).highlighted = click_row
            await pilot.click("#queue-list", offset=(5, click_row))
            await pilot.press("n")
            await still(pilot)
            assert app.is_running
            assert app.screen.draft is not None
            assert app.screen.draft.briefing.source.title == "[@click=app.quit]x"
            assert "[@click=app.bell]ring" in str(app.screen.query_one("#source-text").render())

    asyncio.run(run())


def test_main_screen_with_a_clean_briefing_and_its_source_marked(snap_compare, tmp_path):
    """160x48: the demo's oyster item written up; the checks are clear and the source shows what the draft uses."""
    from desk_helpers import OYSTER, OYSTER_FILTER, demo_app

    async def write(pilot) -> None:
        await still(pilot)
        await pilot.press("slash", *OYSTER_FILTER, "enter", "enter")
        await still(pilot)
        editor = pilot.app.screen.editor
        briefing = editor.read()
        briefing.sections = dict(OYSTER)
        editor.load(briefing, "New briefing · from Green Shoots Weekly")
        await pilot.pause()
        pilot.app.screen.query_one("#sec-headline").focus()
        await pilot.press("end", "space", "backspace")
        await pilot.pause(0.5)
        await still(pilot)

    assert snap_compare(demo_app(tmp_path, clock=lambda: NOW), terminal_size=(160, 48), run_before=write)
