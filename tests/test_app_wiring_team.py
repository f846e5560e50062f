"""Issue 12 in the app: a colleague's claim shows in the queue after the background desk sync; the Stories
browser and the Review screen open from their keys; a reviewer's note shows on the story when it is opened."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desk_helpers import settle
from repo_helpers import make_briefing
from stories.queue import QueueStore, load_demo
from stories.repo import ContentRepo, Editor
from stories.team.state import CHANGES_REQUESTED, DeskState
from team_helpers import publish, team_of_two
from tui.app import BriefDeskApp
from tui.config import Config
from tui.widgets.queue import QueueList

BEN = Editor("Ben Okoro", "ben@desk.example")


def _queue(path: Path) -> Path:
    with QueueStore(path) as store:
        load_demo(store)
    return path


def _rows(app) -> list[str]:
    return [str(row.prompt) for row in app.screen.query_one("#queue-list", QueueList).options]


async def _until(pilot, condition, tries: int = 400) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def _ana_app(tmp_path: Path, clone: Path, **kwargs) -> BriefDeskApp:
    config = Config(editor_name="Ana Lima", editor_email="ana@desk.example")
    return BriefDeskApp(repo=ContentRepo.open(clone), queue_path=_queue(tmp_path / "ana.db"), drafts_dir=tmp_path / "ana-drafts", config=config, **kwargs)


def test_a_colleagues_claim_shows_in_the_queue_after_the_background_sync(tmp_path: Path) -> None:
    ana, ben, _remote = team_of_two(tmp_path)
    # Ben's machine fetched the same feeds (same ids) and claimed an item, shared through the content repo.
    with QueueStore(_queue(tmp_path / "ben.db")) as store:
        item = store.items()[0]
    with DeskState(ben.clone) as state:
        state.claim(item.id, BEN)
        assert state.push().state == "synced"

    async def scenario() -> None:
        later = lambda: datetime.now(timezone.utc) + timedelta(minutes=5)  # noqa: E731 - Ana opens the desk 5 minutes on
        app = _ana_app(tmp_path, ana.clone, clock=later)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            # Nobody pressed sync: the desk shared its state in the background once it saw the remote.
            assert await _until(pilot, lambda: any("claimed by Ben Okoro · 5m" in row for row in _rows(app))), _rows(app)
            row = next(r for r in _rows(app) if "claimed by Ben Okoro" in r)
            assert " ".join(item.title.split())[:30] in row
            assert app.queue.item(item.id).claimed_by == "Ben Okoro"

    asyncio.run(scenario())


def test_stories_browser_opens_a_story_for_revision_with_the_reviewers_note(tmp_path: Path) -> None:
    ana, ben, _remote = team_of_two(tmp_path)
    publish(ana, make_briefing())
    story_id = "otters-return-to-the-millbrook"
    with DeskState(ben.clone) as state:
        state.record_review(story_id, BEN, CHANGES_REQUESTED, "Name the volunteer group in the summary.")
        assert state.push().state == "synced"

    async def scenario() -> None:
        app = _ana_app(tmp_path, ana.clone)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("b")
            assert await _until(pilot, lambda: type(app.screen).__name__ == "StoriesScreen")
            assert await _until(pilot, lambda: "1 story" in str(app.screen.query_one("#stories-count").render()))
            await pilot.press("down", "enter")
            await settle(pilot)
            screen = app.screen
            assert type(screen).__name__ == "MainScreen" and screen.draft is not None
            assert screen.draft.revises == story_id
            # The note Ben recorded in git shows on the story, naming him.
            assert await _until(pilot, lambda: any(n.title == "Changes requested by Ben Okoro" for n in app._notifications))
            note = next(n for n in app._notifications if n.title == "Changes requested by Ben Okoro")
            assert note.message == "Name the volunteer group in the summary."
            assert "changes requested by Ben Okoro" in str(screen.query_one("#editor-pane").border_subtitle)

            # The Review screen opens from its key, and Escape comes back to the desk.
            await pilot.press("escape", "v")
            assert await _until(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
            await pilot.press("escape")
            assert await _until(pilot, lambda: type(app.screen).__name__ == "MainScreen")

    asyncio.run(scenario())


def test_claims_and_dismissals_made_in_the_app_reach_a_colleague(tmp_path: Path) -> None:
    ana, ben, _remote = team_of_two(tmp_path)

    def bens_view() -> dict:
        with DeskState(ben.clone) as state:
            state.fetch(editor=BEN)
            return state.entries()

    async def scenario() -> None:
        app = _ana_app(tmp_path, ana.clone)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"oyster", "enter", "enter")
            await settle(pilot)
            claimed = app.screen.draft.item_id
            assert await _until(pilot, lambda: claimed in bens_view(), tries=200)
            entry = bens_view()[claimed]
            assert (entry.state, entry.name) == ("claimed", "Ana Lima")
            # Dismiss another item with a reason: dismissed for everyone.
            await pilot.press("escape", "escape", "slash", *"rooftop", "enter")
            other = app.screen.queue_pane.option_list.highlighted_id[2:]
            await pilot.press("d", *"covered by the council page", "enter")
            await settle(pilot)
            assert await _until(pilot, lambda: other in bens_view() and bens_view()[other].state == "dismissed", tries=200)
            assert bens_view()[other].reason == "covered by the council page"

    asyncio.run(scenario())
