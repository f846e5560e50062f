"""Quit never waits on the network (issue 14 #4): a git fetch or push that hangs is ended, not waited out."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from stories.repo.handle import plain_git, run_git, stop_network_git


def _hanging_remote(tmp_path: Path) -> Path:
    """A repository whose remote never answers: git's ext:: transport runs a command that only sleeps."""
    repo = tmp_path / "clone"
    run_git(plain_git(tmp_path), ["init", "-q", str(repo)])
    run_git(plain_git(repo), ["config", "protocol.ext.allow", "always"])
    run_git(plain_git(repo), ["remote", "add", "origin", "ext::sleep 600"])
    return repo


def test_a_hanging_fetch_is_ended_when_the_desk_quits(tmp_path: Path) -> None:
    repo = _hanging_remote(tmp_path)
    result: dict[str, object] = {}

    def fetch() -> None:
        result["run"] = run_git(plain_git(repo), ["fetch", "origin"], timeout=600)

    worker = threading.Thread(target=fetch)
    worker.start()
    deadline = time.monotonic() + 60
    while stop_network_git() == 0 and time.monotonic() < deadline:  # the fetch has started once one is ended
        time.sleep(0.05)
    worker.join(60)
    assert not worker.is_alive(), "the fetch was still waiting on the remote"
    assert result["run"].returncode != 0  # ended, not finished: no ref moved
    assert run_git(plain_git(repo), ["rev-parse", "--verify", "-q", "refs/remotes/origin/main"]).returncode != 0


def test_local_git_commands_are_never_ended(tmp_path: Path) -> None:
    repo = _hanging_remote(tmp_path)
    assert stop_network_git() == 0  # nothing talks to a remote: nothing to end
    assert run_git(plain_git(repo), ["status", "--porcelain"]).returncode == 0


def test_quitting_the_app_stops_its_fetches_and_syncs(tmp_path: Path) -> None:
    import asyncio

    from desk_helpers import demo_app, settle

    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert not app.network_stop.is_set()
            await pilot.press("ctrl+q")
            await pilot.pause()
        assert app.network_stop.is_set()  # what a fetch worker watches, and git's remote commands were ended

    asyncio.run(scenario())
