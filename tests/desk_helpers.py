"""Helpers for the app tests: a demo desk in a temp folder, and a briefing written for a demo item."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tui.app import BriefDeskApp

# Written by hand against the demo item "Volunteers replant 12,000 oyster shells to
# rebuild a river reef" (stories/demo_feeds/green_shoots.rss): every number and the
# quote are in its text, nothing is copied word for word beyond the quote.
OYSTER_FILTER = "oyster"
OYSTER = {
    "headline": "Volunteers return 12,000 oyster shells to rebuild a river reef",
    "summary": (
        "Over two weekends, people living by the Marlow estuary laid 12,000 recycled oyster shells on the riverbed, "
        "giving young oysters a place to settle on a reef that had nearly disappeared."
    ),
    "key_points": [
        "Volunteers returned 12,000 recycled shells to the estuary",
        "The shells came from 31 local restaurants",
        "Divers will look at the new beds in April",
    ],
    "what_happened": (
        "In November, 146 volunteers spent two weekends on the Marlow estuary putting 12,000 recycled oyster shells "
        "back on the riverbed. Over eighteen months the shells were gathered from 31 local restaurants, then dried "
        "in the sun before they were returned. The estuary trust wants to bring back a reef that was almost gone by "
        "the 1990s. \"Every shell is a place for a young oyster to settle,\" said Dana Whitfield, who leads the "
        "project. On a trial patch laid in 2024, a survey found 340 live oysters per square metre."
    ),
    "why_it_feels_good": (
        "One grown oyster can clean about 190 litres of water a day, so a living reef may help the river stay "
        "clear and give fish somewhere to shelter. Neighbours, school classes and a rowing club did the work "
        "together, turning restaurant leftovers into a home for new life."
    ),
    "watch_next": (
        "The trust says it cannot yet call the reef a success and wants to see how the beds fare over several "
        "summers. Divers are due to inspect them in April, and a second round of shell collection with more "
        "restaurants starts in January."
    ),
}


def demo_app(folder: Path, **kwargs) -> BriefDeskApp:
    """The app on a fresh demo desk (content repo, queue with the sample feeds, drafts) under ``folder``."""
    from tui.commands.demo import prepare

    repo, queue_path, drafts_dir, sources = prepare(folder)
    return BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=drafts_dir, sources=sources, **kwargs)


def git(repo: Path, *args: str) -> str:
    """Run git in the content repo and return its output."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _typing_settled(screen) -> bool:
    # The open draft's newest words are saved and checked (or no draft is open).
    from tui.screens.main import MainScreen

    if not isinstance(screen, MainScreen) or screen.draft is None:
        return True
    return screen.saved_generation >= screen.generation and screen.checked_generation >= screen.generation


async def settle(pilot) -> None:
    """Let debounce timers fire and background workers finish, then let the UI catch up.

    On a busy machine the quiet-time timer can fire late: wait for the typing
    to be saved and checked (a condition, bounded), not for a fixed time.
    """
    await pilot.pause(0.45)
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if _typing_settled(pilot.app.screen):
            return
        await pilot.pause(0.05)


async def write(pilot, text: str) -> None:
    """Write ``text`` where the cursor is: all but the last word as a terminal paste, the last word typed."""
    from textual import events

    head, _, tail = text.rpartition(" ")
    if head:
        pilot.app.post_message(events.Paste(head + " "))  # as the terminal driver sends it
        await pilot.pause()
    await pilot.press(*tail)


async def run_command(pilot, title: str) -> None:
    """Open the command palette, type a command's title, wait for it to be found, and run it."""
    import asyncio

    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*title)
    for _ in range(200):
        await asyncio.sleep(0.02)
        found = pilot.app.screen.query(CommandList)
        if found and found.first().option_count and str(found.first().get_option_at_index(0).prompt).startswith(title):
            break
    await pilot.press("enter")
