"""One app instance per draft: a lock file naming the process and host that have the draft open.

A second instance that finds a live holder opens the draft read-only and says
who has it. A lock left by a process that is gone (same host, dead pid), or a
lock file that cannot be read, is taken over: a crash never locks a draft for good.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from stories.fsutil import atomic_write, read_regular_text


@dataclass(frozen=True)
class LockHolder:
    """Who has a draft open: a process on a host, since a time."""

    pid: int
    host: str
    since: str = ""

    def describe(self) -> str:
        """In an editor's words, for the read-only notice."""
        here = "this computer" if self.host == socket.gethostname() else self.host
        since = f" since {self.since}" if self.since else ""
        return f"another Briefing Desk (process {self.pid} on {here}){since}"

    def gone(self) -> bool:
        """True when the holder is a process on this host that no longer runs (or the file named nobody)."""
        if self.pid <= 0:
            return True
        if self.host != socket.gethostname():
            return False  # cannot be told from here: trust it
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


class DraftLock:
    """This instance's hold on one draft; ``release`` (or leaving a ``with`` block) lets it go."""

    def __init__(self, path: Path, token: str, on_release: Callable[[], None] | None = None) -> None:
        self.path = path
        self.token = token
        self._on_release = on_release

    def release(self) -> None:
        """Remove the lock file if it is still this instance's."""
        found = _read(self.path)
        if found is not None and found[1] == self.token:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
        if self._on_release is not None:
            self._on_release()
            self._on_release = None

    def __enter__(self) -> DraftLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def take(path: Path, on_release: Callable[[], None] | None = None) -> DraftLock | None:
    """Hold the lock at ``path``; None when a live instance holds it. OSError if it cannot be written (a full disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    token = os.urandom(8).hex()
    since = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": since, "token": token})
    # Two instances may check and take over at the same moment: one at a time per folder.
    with open(path.parent / ".locks", "a") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        found = _read(path)
        if found is not None and not found[0].gone():
            return None
        atomic_write(path, body)
    return DraftLock(path, token, on_release)


def holder(path: Path) -> LockHolder | None:
    """The live instance holding the lock at ``path``, or None (no lock, or its process is gone)."""
    found = _read(path)
    if found is None or found[0].gone():
        return None
    return found[0]


def _read(path: Path) -> tuple[LockHolder, str] | None:
    """The holder and token in a lock file; None if there is none; a gone holder if it cannot be read."""
    try:
        data = json.loads(read_regular_text(path, 4096))
        return LockHolder(pid=int(data["pid"]), host=str(data["host"]), since=str(data.get("since", ""))), str(data.get("token", ""))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return LockHolder(pid=0, host=socket.gethostname()), ""  # half-written by a killed instance: free to take
