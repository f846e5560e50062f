"""Helpers for the fault tests: a real small disk that fills up, a pipe named like a story, the real CLI."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "256k") -> Iterator[Path]:
    """A real tmpfs of ``size`` mounted at ``folder`` (the test skips with the reason when mounting is not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs for the full-disk case: {done.stderr.strip() or 'mount failed'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write a filler file until the disk is full; delete it to give the space back."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as handle:
        block = b"\0" * 4096
        while True:
            try:
                handle.write(block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
    # Smaller writes take the last few bytes, so not even a tiny file fits.
    with open(folder / "filler-tail.bin", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0")
        except OSError:
            pass
    return filler


def free(folder: Path) -> None:
    """Give the space taken by ``fill`` back."""
    for name in ("filler.bin", "filler-tail.bin"):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


def make_fifo(path: Path) -> Path:
    """A named pipe at ``path`` that nobody ever writes to: reading it would wait for ever."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def briefdesk(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh interpreter (-P: a content repo's stories/ folder must not shadow the package)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    return subprocess.run([sys.executable, "-P", "-m", "tui.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def nested_arrays(depth: int) -> str:
    """A TOML value of arrays nested ``depth`` deep."""
    return "[" * depth + "]" * depth
