"""Commit messages: the one place that writes a publish message and reads its trailers back.

A message reads ``Publish: <headline>`` (or ``Revise: …``) and ends with
trailers: ``Story-Id:``, ``Source-URL:``, ``Checks:`` and ``Editor:``. They are
read back with git's own ``%(trailers:key=…,valueonly)`` format, never parsed
here by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from stories.checks import Finding, trailer_counts
from stories.model import Briefing
from stories.repo.identity import Editor

_US = "\x1f"
_RS = "\x1e"


@dataclass(frozen=True)
class CommitInfo:
    """One commit of the content repo, as the history screen shows it."""

    sha: str
    short: str
    author: str
    email: str
    date: datetime
    subject: str
    body: str
    story_id: str
    #: The ``Checks:`` trailer ("12 passed, 1 warning"), empty when the commit has none.
    checks: str = ""
    #: The body without its trailer block: what the editor wrote beyond the subject.
    note: str = ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render(action: str, story: Briefing, findings: Sequence[Finding], editor: Editor) -> str:
    """``Publish: <headline>`` (``Revise:`` for a revision) and trailers git reads with ``%(trailers)``."""
    verb = "Revise" if action == "revise" else "Publish"
    url = story.source.url if story.source else ""
    lines = [f"{verb}: {_one_line(story.headline)}", ""]
    if story.source and story.source.name:
        lines += [f"From {_one_line(story.source.name)}: {_one_line(story.source.title) or url}", ""]
    lines += [
        f"Story-Id: {story.id}",
        f"Source-URL: {_one_line(url) or '(none)'}",
        f"Checks: {trailer_counts(findings).text()}",
        f"Editor: {_one_line(editor.name)} <{_one_line(editor.email)}>",
    ]
    return "\n".join(lines) + "\n"


STORY_IDS_FORMAT = "%(trailers:key=Story-Id,valueonly,separator=%x2C)"
"""``git log --format`` for the Story-Id trailers of each commit, comma-separated on one line."""

LOG_FORMAT = _US.join([
    "%H", "%h", "%an", "%ae", "%aI", "%s", "%b", STORY_IDS_FORMAT,
    "%(trailers:key=Checks,valueonly,separator=%x1D)", "%(trailers)",
]) + _RS
"""``git log --format`` whose output ``read_log`` turns into CommitInfo rows."""


def read_log(out: str) -> list[CommitInfo]:
    """The commits of ``git log --format=LOG_FORMAT`` output, in its order."""
    result = []
    for record in out.split(_RS):
        record = record.strip("\n")
        if not record:
            continue
        parts = record.split(_US)
        if len(parts) != 10:
            continue
        sha, short, author, email, date, subject, body, ids, checks, trailers = parts
        body = body.strip()
        note = body
        block = trailers.strip()
        if block and note.endswith(block):
            note = note[: -len(block)].strip()
        result.append(CommitInfo(
            sha, short, author, email, datetime.fromisoformat(date), subject, body,
            ids.split(",")[0].strip(), checks.split("\x1d")[0].strip(), note,
        ))
    return result


def story_ids(out: str) -> set[str]:
    """The story ids of ``git log --format=STORY_IDS_FORMAT`` output."""
    return {i.strip() for line in out.splitlines() for i in line.split(",") if i.strip()}
