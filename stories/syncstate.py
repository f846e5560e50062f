"""When a content repo last talked to its remote, read from git's own files (no network).

A sync from the command line (``briefdesk sync``, or plain ``git pull``)
writes ``FETCH_HEAD`` and moves the remote-tracking refs, whose reflogs git
keeps; the newest of those times is when this checkout last heard from its
remote. The status line uses it to say "synced 5m ago" instead of guessing
"offline".
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=16)
def _common_dir(root: str) -> Path | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--git-common-dir"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    path = Path(out.stdout.strip())
    return path if path.is_absolute() else Path(root) / path


def last_remote_contact(root: Path | str) -> float | None:
    """The time (seconds since the epoch) of the last fetch or push of the repo at ``root``, or None if never."""
    common = _common_dir(str(root))
    if common is None:
        return None
    paths = [common / "FETCH_HEAD"]
    logs = common / "logs" / "refs" / "remotes"
    try:
        if logs.is_dir():
            paths.extend(p for p in logs.rglob("*") if p.is_file())
    except OSError:
        pass
    times = []
    for path in paths:
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            continue
    return max(times) if times else None
