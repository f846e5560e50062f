"""Find published stories by headline, text, topic and date, and mark what colleagues brought in.

Headlines and dates come from the content repo's story index; words in the
body and topics are found by ``git grep`` over the committed tree (git's own
search, no second index to drift). What the last sync brought in is the tree
difference of the branch's last ``briefdesk: sync`` move, so marking it costs
O(change), not O(stories).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from stories.team.gitrun import GitHandle

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SYNC_MESSAGE = "briefdesk: sync"


@dataclass(frozen=True)
class StoryHit:
    """One published story in the browser: id, headline, path, when it was last updated, and if it is new here."""

    id: str
    headline: str
    path: str
    updated: datetime | None
    source_url: str = ""
    new_since_sync: bool = False


@dataclass(frozen=True)
class StoryQuery:
    """What the editor searches for: words (all must appear), a topic, a date range; dates also as words."""

    words: tuple[str, ...] = ()
    topic: str = ""
    since: date | None = None
    until: date | None = None


def parse_query(text: str, topic: str = "", since: date | None = None, until: date | None = None) -> StoryQuery:
    """Split a search box into words and date prefixes (``2026``, ``2026-11``, ``2026-11-24``)."""
    words = tuple(w for w in text.split() if w)
    return StoryQuery(words, topic.strip().lower(), since, until)


def find_stories(repo: object, query: StoryQuery, rev: str = "HEAD") -> list[StoryHit]:
    """Published stories at ``rev`` matching ``query``, newest first. ``repo`` is an open ``ContentRepo``."""
    handle = GitHandle(repo.root)  # type: ignore[attr-defined]
    try:
        rows = repo.published(rev)  # type: ignore[attr-defined]
        dates = [w for w in query.words if _DATE.match(w)]
        words = [w for w in query.words if not _DATE.match(w)]
        paths: set[str] | None = None
        if words:
            paths = _grep(handle, rev, words)
            for row in rows:  # a word may sit in the id (the file name) without being in the text
                if all(w.lower() in row.id for w in words):
                    paths.add(row.path)
        if query.topic:
            topical = _grep_topic(handle, rev, query.topic) if _TOPIC.match(query.topic) else set()
            paths = topical if paths is None else paths & topical
        fresh = _new_since_sync(handle)
        hits = []
        for row in rows:
            if paths is not None and row.path not in paths:
                continue
            day = row.updated.date() if row.updated else None
            if dates and not (day and any(day.isoformat().startswith(d) for d in dates)):
                continue
            if query.since and not (day and day >= query.since):
                continue
            if query.until and not (day and day <= query.until):
                continue
            hits.append(StoryHit(row.id, row.headline, row.path, row.updated, row.source_url, row.path in fresh))
    finally:
        handle.close()
    return sorted(hits, key=lambda h: (h.updated is not None, h.updated, h.id), reverse=True)


def _grep(handle: GitHandle, rev: str, words: list[str]) -> set[str]:
    args = ["grep", "-l", "-i", "-F", "--all-match"]
    for word in words:
        args += ["-e", word]
    out = handle.run(*args, rev, "--", "stories/").stdout
    return {line.split(":", 1)[1] for line in out.splitlines() if ":" in line}


def _grep_topic(handle: GitHandle, rev: str, topic: str) -> set[str]:
    out = handle.run("grep", "-l", "-E", "-e", f'^topics = \\[.*"{topic}"', rev, "--", "stories/").stdout
    return {line.split(":", 1)[1] for line in out.splitlines() if ":" in line}


def _new_since_sync(handle: GitHandle) -> set[str]:
    """Story paths the branch's last sync brought in from the remote."""
    branch = handle.run("symbolic-ref", "--quiet", "HEAD").stdout.strip()
    if not branch:
        return set()
    out = handle.run("reflog", "show", "--format=%H%x1f%gs", "-n", "50", branch).stdout.splitlines()
    for number, line in enumerate(out):
        sha, _, subject = line.partition("\x1f")
        if subject == SYNC_MESSAGE and number + 1 < len(out):
            before = out[number + 1].partition("\x1f")[0]
            changed = handle.run("diff", "--name-only", "--no-renames", before, sha, "--", "stories/").stdout
            return set(changed.split())
    return set()
