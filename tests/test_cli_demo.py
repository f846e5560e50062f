"""Issue 13 point 23: the demo says it is throwaway, asks before ctrl+q throws it away, and a killed demo leaves nothing behind."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from test_crash import Terminal


def _demo_folders(temp: Path) -> list[Path]:
    return sorted(temp.glob("briefdesk-demo-*"))


def _until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        time.sleep(0.05)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_13_23_a_killed_demo_is_cleaned_up_and_ctrl_q_asks(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24", "TMPDIR": str(temp)}
    env.pop("TEXTUAL", None)

    first = Terminal([sys.executable, "-m", "tui.cli", "demo"], env)
    try:
        first.wait_for("filter the queue")
        first.wait_for("throwaway")  # said as it opens
    finally:
        first.kill()
    killed = _demo_folders(temp)
    assert len(killed) == 1 and killed[0].name.startswith(f"briefdesk-demo-{first.pid}-")

    second = Terminal([sys.executable, "-m", "tui.cli", "demo"], env)
    try:
        second.wait_for("filter the queue")
        assert not killed[0].exists(), "the next demo removes the killed one's folder"
        (running,) = _demo_folders(temp)
        second.send(b"\x11")  # ctrl+q
        second.wait_for("Quit the demo and throw it away?")
        assert running.exists()
        second.send(b"y")
        _until(lambda: os.waitpid(second.pid, os.WNOHANG)[0] != 0, "the demo did not quit after y")
        assert not running.exists()
    finally:
        try:
            second.kill()
        except ProcessLookupError:
            pass


def test_13_23_ctrl_q_in_the_demo_asks_first(tmp_path: Path) -> None:
    import asyncio

    from desk_helpers import demo_app, settle
    from tui.screens.dialogs import ConfirmScreen

    async def scenario() -> None:
        app = demo_app(tmp_path, demo=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert any("throwaway" in m.message for m in app.message_log)
            assert app.screen.query_one("#status").build().plain.startswith("demo ")
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await pilot.pause()
            assert app.is_running and not isinstance(app.screen, ConfirmScreen)
            await pilot.press("ctrl+q", "y")
            await pilot.pause()
            assert not app.is_running

    asyncio.run(scenario())

    async def kept() -> None:
        app = demo_app(tmp_path / "kept", demo=True)
        app.demo_kept = True  # briefdesk demo --keep: nothing is thrown away, so nothing to ask
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not app.is_running

    asyncio.run(kept())


def test_13_23_a_running_demo_is_left_alone(tmp_path: Path) -> None:
    from tui.commands.demo import remove_stale_demos

    mine = tmp_path / f"briefdesk-demo-{os.getpid()}-abc"
    mine.mkdir()
    other = tmp_path / "briefdesk-demo-notapid"
    other.mkdir()
    assert remove_stale_demos(tmp_path) == []
    assert mine.exists() and other.exists()
