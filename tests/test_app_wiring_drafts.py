"""Issue 14 #2 in the app: one desk per draft (a second opens it read-only), autosave retried on a full disk, no quiet quit."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from desk_helpers import OYSTER_FILTER, settle
from faults_helpers import fill, free, small_disk
from tui.app import BriefDeskApp
from tui.commands.demo import prepare
from tui.screens.dialogs import ConfirmScreen


def _messages(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def _open_oyster(pilot) -> None:
    await pilot.press("slash", *OYSTER_FILTER, "enter", "enter")
    await settle(pilot)


async def _until(pilot, condition, tries: int = 300) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def test_a_second_desk_on_the_same_draft_opens_it_read_only_and_names_the_first(tmp_path: Path) -> None:
    async def scenario() -> None:
        repo, queue_path, drafts_dir, sources = prepare(tmp_path)
        first = BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=drafts_dir, sources=sources)
        async with first.run_test(size=(160, 48)) as one:
            await settle(one)
            await _open_oyster(one)
            await one.press(*"Oyster shells go back")
            await settle(one)
            key = first.screen.draft.key
            saved = drafts_dir / f"{key}.toml"
            before = saved.read_text("utf-8")
            assert "Oyster shells go back" in before

            second = BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=drafts_dir, sources=sources)
            async with second.run_test(size=(160, 48)) as two:
                await settle(two)  # the newest draft comes back on start
                assert second.screen.draft is not None and second.screen.draft.key == key
                assert second.screen.read_only
                told = [m for m in _messages(second) if m.startswith("Read-only:")]
                assert told and f"process {os.getpid()} on this computer" in told[0], _messages(second)
                assert "read-only" in second.screen.query_one("#status").build().plain
                # Nothing typed or published here can land on the first desk's words.
                await two.press("ctrl+o")
                await settle(two)
                assert saved.read_text("utf-8") == before
                assert not list((tmp_path / "content").glob("stories/*/*.toml"))

            # The first desk goes on writing; after it quits the draft is free for the next desk.
            await one.press(*" to the river")
            await settle(one)
            assert "Oyster shells go back to the river" in saved.read_text("utf-8")
            await one.press("ctrl+q")
        assert first.drafts.holder(key) is None and not first.drafts.lock_path(key).exists()

    asyncio.run(scenario())


def test_a_full_disk_keeps_the_typing_retries_until_saved_and_quit_asks_first(tmp_path: Path) -> None:
    async def scenario(disk: Path) -> None:
        repo, queue_path, _, sources = prepare(tmp_path)
        drafts_dir = disk / "drafts"
        app = BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=drafts_dir, sources=sources)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await _open_oyster(pilot)
            key = app.screen.draft.key
            saved = drafts_dir / f"{key}.toml"
            fill(disk)
            await pilot.press(*"Words typed on a full disk")
            await pilot.pause(0.45)
            assert await _until(pilot, lambda: any(m.startswith("Autosave: The disk is full") for m in _messages(app))), _messages(app)
            assert "Words typed on a full disk" not in saved.read_text("utf-8")
            assert "unsaved" in app.screen.query_one("#status").build().plain

            # ctrl+q asks, and "Keep writing" keeps the desk and the words.
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await pilot.pause()
            assert app.screen.query_one("#sec-headline").value.startswith("Words typed on a full disk")

            # Space returns: the retry timer writes the words without another keystroke.
            free(disk)
            assert await _until(pilot, lambda: "Words typed on a full disk" in saved.read_text("utf-8"))
            assert await _until(pilot, lambda: any(m == "Autosave: The draft is saved again." for m in _messages(app)))
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen)  # everything is written: no question
        assert not app.drafts.lock_path(key).exists()

    with small_disk(tmp_path / "disk", "256k") as disk:
        asyncio.run(scenario(disk))
