"""One queue filter: the app's queue pane and ``briefdesk queue TEXT`` show the same items for the same words."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from textual.widgets import Input

from desk_helpers import demo_app, settle
from tui.widgets.queue import ITEM_PREFIX, QueueList

ROOT = Path(__file__).resolve().parents[1]

# Words from titles, source names, categories, feed titles and states, alone and together.
FILTERS = ["oyster", "RIVER", "green shoots", "earth", "field notes wheat", "claimed", "new library", "published", "zzz nothing"]


def cli_ids(data_dir: Path, text: str) -> list[str]:
    env = {**os.environ, "BRIEFDESK_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "queue", *text.split(), "--format", "json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env, check=True,
    )
    # The app leaves dismissed items out of its list; the command line shows every state.
    return [row["id"] for row in json.loads(result.stdout) if row["state"] != "dismissed"]


def test_the_app_and_the_command_line_filter_the_queue_alike(tmp_path: Path) -> None:
    titles: dict[str, str] = {}

    async def scenario() -> dict[str, list[str]]:
        app = demo_app(tmp_path)
        shown: dict[str, list[str]] = {}
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            items = app.queue.items()
            titles.update((it.id, it.title.casefold()) for it in items)
            shown["everything"] = [it.id for it in items]
            app.desk.claim(items[0].id)
            app.desk.dismiss(next(it.id for it in items if "oyster" in it.title.lower()), "covered already")
            for text in FILTERS:
                app.screen.query_one("#queue-filter", Input).value = text
                await pilot.pause()
                rows = app.screen.query_one("#queue-list", QueueList).options
                shown[text] = [row.id[len(ITEM_PREFIX) :] for row in rows if row.id.startswith(ITEM_PREFIX)]
        return shown

    shown = asyncio.run(scenario())
    for text in FILTERS:
        assert shown[text] == cli_ids(tmp_path, text), text
    # The filter really narrowed, and by more than titles.
    assert shown["oyster"] == [] and len(shown["claimed"]) == 1 and shown["zzz nothing"] == []
    assert 0 < len(shown["earth"]) < len(shown["everything"]) and shown["RIVER"]
    # A source name matches items whose titles do not carry it.
    assert shown["green shoots"] and not any("green shoots" in titles[i] for i in shown["green shoots"])
