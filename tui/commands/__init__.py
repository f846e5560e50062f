"""One module per ``briefdesk`` subcommand: ``HELP``, ``configure(parser)``, ``run(args)``.

Every command ends with one of these exit codes (the README's "Exit codes"):
0 ok, 1 the checks refused, 2 bad input or usage, 3 the environment (git,
disk, network), 4 a bug in briefdesk (the traceback goes to a log file, never
to the editor's terminal).
"""

from __future__ import annotations

import errno
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

OK = 0
REFUSED = 1
BAD_INPUT = 2
ENVIRONMENT = 3
BUG = 4


class CommandError(Exception):
    """A command cannot go on: ``briefdesk`` prints ``briefdesk: <message>`` and exits with ``code``."""

    def __init__(self, message: str, code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def safe_line(text: object, limit: int = 2000) -> str:
    """Text from a repo or a feed made safe for one terminal line: no escape sequences, no control characters."""
    from stories.clean import clean_line

    return clean_line(text, limit)


def safe_text(text: object, limit: int = 2000) -> str:
    """Several lines made safe like ``safe_line``, each keeping its indent (for findings and notes)."""
    lines = []
    for line in str(text).split("\n"):
        indent = line[: len(line) - len(line.lstrip(" "))]
        lines.append(indent + safe_line(line, limit))
    return "\n".join(lines)


def _loaded(module: str, name: str) -> type | None:
    # An exception can only be an instance of a class whose module is loaded:
    # looking there keeps ``briefdesk check`` from importing git or sqlite3 to fail.
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) else None


_BAD_INPUT = (
    ("tui.config", "ConfigError"),
    ("stories.profile", "ProfileError"),
    ("stories.codec", "StoryFileError"),
    ("stories.fsutil", "FileReadError"),
    ("stories.sources.opml", "OpmlError"),
    ("stories.queue", "QueueError"),  # a queue file the desk cannot use, like a damaged story file
    ("tomllib", "TOMLDecodeError"),
)
_ENVIRONMENT = (
    ("stories.repo", "RepoError"),
    ("stories.repo.handle", "GitUnavailable"),
    ("httpx", "HTTPError"),
)
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def classify(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and the one-line message for an exception a command let through; None for a bug."""
    if isinstance(exc, CommandError):
        return exc.code, str(exc)
    refused = _loaded("stories.repo", "PublishRefused")
    if refused is not None and isinstance(exc, refused):
        return REFUSED, str(exc)
    repo_error = _loaded("stories.repo", "RepoError")
    profile_error = _loaded("stories.profile", "ProfileError")
    if repo_error and profile_error and isinstance(exc, repo_error) and isinstance(exc.__context__, profile_error):
        return BAD_INPUT, str(exc)  # the repo cannot be used because of its desk.toml: bad input, not git
    for module, name in _BAD_INPUT:
        kind = _loaded(module, name)
        if kind is not None and isinstance(exc, kind):
            return BAD_INPUT, str(exc)
    database = _loaded("sqlite3", "Error")
    if database is not None and isinstance(exc, database):
        return ENVIRONMENT, f"the queue database (desk.db) failed: {exc}"
    for module, name in _ENVIRONMENT:
        kind = _loaded(module, name)
        if kind is not None and isinstance(exc, kind):
            return ENVIRONMENT, str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return BAD_INPUT, f"a file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        if exc.errno in _DISK_FULL:
            return ENVIRONMENT, f"{where}the disk is full; free some space and run the command again"
        return ENVIRONMENT, f"{where}{exc.strerror or exc}"
    return None


def report_bug(exc: BaseException, argv: list[str] | None = None) -> int:
    """Write the traceback to a log file under the data folder, print one line naming it, and return BUG."""
    summary = safe_line(f"{type(exc).__name__}: {exc}", 300)
    where = _write_log(exc, sys.argv[1:] if argv is None else argv)
    print(f"briefdesk: something went wrong that should not have ({summary}); this is a bug.", file=sys.stderr)
    print(f"briefdesk: the details are in {where}" if isinstance(where, Path) else f"briefdesk: the details could not be written ({where})", file=sys.stderr)
    return BUG


def _write_log(exc: BaseException, argv: list[str]) -> Path | str:
    from tui import locations

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = f"briefdesk {' '.join(argv)}\n{stamp}\n\n" + "".join(traceback.format_exception(exc))
    try:
        folder = locations.data_dir() / "logs"
    except Exception as problem:  # noqa: BLE001 - the data folder itself may be what is broken
        return f"no data folder: {problem}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}.log"
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
        return path
    except OSError as problem:
        return problem.strerror or str(problem)


def open_queue(path=None):
    """The queue database (default: the user's); CommandError if the file is damaged or unwritable."""
    from stories.queue import QueueError, QueueStore
    from tui import locations

    try:
        return QueueStore(path or locations.queue_db())
    except QueueError as exc:
        raise CommandError(str(exc)) from None
