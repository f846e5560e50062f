"""The story browser through Pilot: search by headline, text and topic; Enter picks, h shows history."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from screens_host import HostApp, screen_text

from repo_helpers import SOURCE_TEXT, make_briefing
from stories.repo import ContentRepo, Editor
from tui.screens.stories import StoriesScreen, split_search

ANA = Editor("Ana Lima", "ana@desk.example")
BUS = "a-library-opens-in-an-old-town-bus"


async def until(app: HostApp, pilot, condition, what: str) -> None:
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
    raise AssertionError(f"never happened: {what}\n{screen_text(app)}")


def _repo(tmp_path: Path) -> ContentRepo:
    repo = ContentRepo.init(tmp_path / "content")
    repo.publish(make_briefing(), SOURCE_TEXT, ANA)
    bus = make_briefing(BUS, headline="A library opens in an old town bus for the whole [b]valley[/b]")
    bus.sections["what_happened"] = bus.text("what_happened").split(" \u201cWe used")[0]
    repo.publish(replace(bus, topics=["community"], source=replace(bus.source, url="https://wire.example.org/bus")), SOURCE_TEXT, ANA)
    return repo


def test_search_narrows_the_list_and_enter_picks_the_story(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    picked: list[str | None] = []
    asyncio.run(_pick(repo, picked))
    repo.close()
    assert picked == ["otters-return-to-the-millbrook"]


async def _pick(repo: ContentRepo, picked: list) -> None:
    app = HostApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(StoriesScreen(repo), picked.append)
        await until(app, pilot, lambda: "2 stories" in screen_text(app), "both stories")
        assert "[b]valley[/b]" in screen_text(app)  # a headline is never markup
        await pilot.press(*"topic:community")
        await until(app, pilot, lambda: "1 story" in screen_text(app), "the topic search")
        assert "old town bus" in screen_text(app) and "Otters return" not in screen_text(app)
        await pilot.press(*["backspace"] * len("topic:community"), *"Okafor")
        await until(app, pilot, lambda: "1 story" in screen_text(app) and "Otters return" in screen_text(app), "the text search")
        await pilot.press(*"zzz")
        await until(app, pilot, lambda: "No published story matches" in screen_text(app), "no match")
        await pilot.press("backspace", "backspace", "backspace", "down", "h")
        await until(app, pilot, lambda: type(app.screen).__name__ == "HistoryScreen", "the history")
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, StoriesScreen), "back from history")
        await pilot.press("enter")
        await pilot.pause()


def test_the_search_box_reads_a_topic() -> None:
    assert split_search("topic:earth otters river") == ("otters river", "earth")
    assert split_search("2026-11") == ("2026-11", "")
