"""Issue 13 point 18: the status line says "not synced yet", then the truth, and notices a sync on the command line."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

from desk_helpers import demo_app, git, settle
from tui.widgets.status import StatusLine

ROOT = Path(__file__).resolve().parents[1]


def status(app) -> str:
    return app.screen.query_one("#status", StatusLine).build().plain


async def until(pilot, condition, what: str, ticks: int = 200) -> None:
    """Let the app run until ``condition()`` holds (the status line redraws once a second)."""
    for _ in range(ticks):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(what)


def test_13_18_not_synced_yet_then_a_command_line_sync_shows(tmp_path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    moved: list[StatusLine.RemoteMoved] = []

    def hook(message) -> None:
        if isinstance(message, StatusLine.RemoteMoved) and message not in moved:
            moved.append(message)

    async def scenario() -> None:
        app = demo_app(tmp_path)
        content = tmp_path / "content"
        git(content, "remote", "add", "origin", str(remote))  # reachable, but nothing has talked to it
        async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
            await settle(pilot)
            line = status(app)
            assert "not synced yet" in line and "offline" not in line
            # A colleague's habit: sync from the shell while the desk is open.
            done = subprocess.run(
                [sys.executable, "-m", "tui.cli", "sync", "--repo", str(content)], cwd=ROOT, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, done.stderr
            await until(pilot, lambda: "synced " in status(app) and "not synced" not in status(app), f"the status line kept {status(app)!r}")
            assert "offline" not in status(app)
            assert moved, "the screen is told to read ahead/behind again"

    asyncio.run(scenario())


def test_13_18_a_repo_synced_before_says_when(tmp_path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))

    async def scenario() -> None:
        app = demo_app(tmp_path)
        content = tmp_path / "content"
        git(content, "remote", "add", "origin", str(remote))
        git(content, "push", "-q", "-u", "origin", "main")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = status(app)
            assert re.search(r"synced (just now|\d+s ago)", line), line
            assert "offline" not in line and "not synced yet" not in line

    asyncio.run(scenario())
