"""Snapshots of the briefing editor at 80x24 (issue 13): long lines wrap, nothing is cut off.

The demo desk with the queue's clock pinned, cursors not blinking and the
save time fresh (``still`` from the main-screen snapshots). Update with
``pytest tests/test_snapshots_editor.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from textual import events

from desk_helpers import demo_app
from test_snapshots_main import NOW, still

LONG_HEADLINE = "Volunteers replant twelve thousand oyster shells to rebuild a lost reef in the estuary"
LONG_POINT = "Volunteers from three small villages carried recycled shells by hand across the muddy flats every weekend"


def test_editor_wraps_a_long_headline_and_key_point_at_80x24(snap_compare, tmp_path) -> None:
    async def write(pilot) -> None:
        await still(pilot)
        await pilot.press("n")
        await still(pilot)
        pilot.app.post_message(events.Paste(LONG_HEADLINE))
        await pilot.pause()
        await pilot.press("tab", "tab")  # summary, then the first key point
        pilot.app.post_message(events.Paste(LONG_POINT))
        await pilot.pause()
        await pilot.press("ctrl+home")  # the start of the key points: the headline stays in view above
        await still(pilot)

    assert snap_compare(demo_app(tmp_path, clock=lambda: NOW), terminal_size=(80, 24), run_before=write)


def test_editor_with_the_source_block_below_it_at_80x24(snap_compare, tmp_path) -> None:
    """The bottom of the form: topics, related stories and the source block copied from the queue item.

    The source *text* pane sits in the Queue tab at 80 columns; putting it under
    the editor is the main screen's layout (not this widget's) and is not done here.
    """

    async def to_the_source(pilot) -> None:
        await still(pilot)
        await pilot.press("n")
        await still(pilot)
        pilot.app.screen.query_one("#sec-related").focus()
        await still(pilot)

    assert snap_compare(demo_app(tmp_path, clock=lambda: NOW), terminal_size=(80, 24), run_before=to_the_source)
