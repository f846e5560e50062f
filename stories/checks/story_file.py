"""Checking a story file where it lives: its content repo, its source snapshot, its published neighbours.

``briefdesk check`` and CI call ``check_story``; the app calls ``run_checks``
with the draft it holds. Both end in the same engine (``stories.checks``), so
they give the same findings for the same story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stories.checks import Finding, finish, run_checks
from stories.checks.repository import canonical_url
from stories.codec import STORY_LIMIT
from stories.fsutil import FileReadError, read_regular_text
from stories.model import Briefing, PublishedStory, content_hash
from stories.profile import Profile

SNAPSHOT_LIMIT = 8 * 1024 * 1024  # a source snapshot: a long article, never a file that fills memory
_SNAPSHOT_NAME = re.compile(r"[0-9a-f]{64}")


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a desk.toml: the content repo root."""
    for folder in (start, *start.parents):
        if (folder / "desk.toml").is_file():
            return folder
    return None


def snapshot_text(root: Path | None, snapshot: str) -> tuple[str | None, Finding | None]:
    """The snapshot's text, and a finding that says why it is missing or wrong (or None)."""
    remedy = "fetch the article, or attach the source text"
    if not snapshot:
        return None, Finding("traceability.no_source", "source", "warning", f"The source block names no snapshot: quotes and numbers cannot be checked; {remedy}")
    if not _SNAPSHOT_NAME.fullmatch(snapshot):
        return None, Finding("traceability.snapshot", "source", "error", f"The snapshot {snapshot!r} is not a sha256 hex name")
    if root is None:
        return None, Finding("traceability.no_source", "source", "warning", "Not inside a content repo (no desk.toml above): the source snapshot cannot be found")
    path = root / "sources" / f"{snapshot}.txt"
    try:
        text = read_regular_text(path, SNAPSHOT_LIMIT)
    except FileNotFoundError:
        return None, Finding("traceability.no_source", "source", "warning", f"The source snapshot sources/{snapshot}.txt is not in the content repo")
    except (OSError, FileReadError) as exc:
        return None, Finding("traceability.no_source", "source", "warning", f"The source snapshot sources/{snapshot}.txt cannot be read: {exc}")
    if content_hash(text) != snapshot:
        return text, Finding("traceability.snapshot", "source", "warning", f"sources/{snapshot}.txt does not match its hash: it was edited after publishing")
    return text, None


def id_findings(briefing: Briefing, path: Path) -> list[Finding]:
    """The story id must be a safe file name, and the file's name."""
    from stories.ids import is_valid_id

    if not is_valid_id(briefing.id):
        return [Finding("structure.id", "headline", "error", f"The id {briefing.id!r} is not a safe file name (lowercase letters, digits, hyphens)")]
    if path.stem != briefing.id:
        return [Finding("structure.id", "headline", "warning", f"The file is named {path.name!r} but the story id is {briefing.id!r}")]
    return []


class PublishedNeighbours:
    """The published stories the repository checks need, per story, for one content repo root.

    This is the one place the checks ask for them. In a git repository they
    come from the repo's own index (``ContentRepo.relevant``), so checking one
    story never reads every story; a folder that is not a git repository (a
    plain copy, a CI artefact) is read file by file, once.
    """

    def __init__(self, root: Path, profile: Profile) -> None:
        from stories.repo import ContentRepo, RepoError

        self._scanned: list[PublishedStory] | None = None
        try:
            self._repo: ContentRepo | None = ContentRepo.open(root)
        except RepoError:
            self._repo = None
            self._scanned = _scan(root, profile)

    def of(self, briefing: Briefing) -> list[PublishedStory]:
        """Those with the same source, and the related ones."""
        if self._repo is not None:
            return self._repo.relevant(briefing)
        return relevant(self._scanned or [], briefing)

    def close(self) -> None:
        """Stop the repo's git helpers."""
        if self._repo is not None:
            self._repo.close()


def _scan(root: Path, profile: Profile) -> list[PublishedStory]:
    """The published stories in stories/**/*.toml of a folder (broken files skipped)."""
    from stories.codec import StoryFileError, loads

    found: list[PublishedStory] = []
    stories = root / "stories"
    if not stories.is_dir():
        return found
    for path in sorted(stories.rglob("*.toml")):
        try:
            briefing = loads(read_regular_text(path, STORY_LIMIT), profile, str(path))
        except (StoryFileError, OSError, FileReadError):
            continue
        if briefing.status == "published":
            url = briefing.source.url if briefing.source else ""
            found.append(PublishedStory(briefing.id, briefing.headline, url, path.relative_to(root).as_posix(), briefing.updated))
    return found


def relevant(published: list[PublishedStory], briefing: Briefing) -> list[PublishedStory]:
    """The published stories the repository checks can be about: the same source, or a related story.

    A cheap text test first (the URL's last path part), so 50,000 rows cost
    one pass of ``in`` rather than 50,000 URL parses.
    """
    url = briefing.source.url.strip() if briefing.source else ""
    related = set(briefing.related)
    mine = canonical_url(url) if url else ""
    tail = mine.rstrip("/").rsplit("/", 1)[-1].lower() if mine else ""
    result = []
    for row in published:
        if row.id in related:
            result.append(row)
        elif tail and row.source_url and tail in row.source_url.lower() and canonical_url(row.source_url) == mine:
            result.append(row)
    return result


@dataclass
class StoryCheck:
    """A story file's findings, with the briefing they are about."""

    briefing: Briefing
    findings: list[Finding]


def check_story(briefing: Briefing, path: Path, root: Path | None, profile: Profile, published: list[PublishedStory] | None) -> StoryCheck:
    """Every finding for a story file: the engine's, plus the file's own (id, snapshot)."""
    extra: list[Finding] = []
    source_text = None
    if briefing.source is not None and not briefing.source.is_empty():
        source_text, note = snapshot_text(root, briefing.source.snapshot)
        if note is not None:
            extra.append(note)
    extra.extend(id_findings(briefing, path))
    findings = run_checks(briefing, source_text, profile, relevant(published, briefing) if published is not None else None)
    if any(f.check in ("traceability.no_source", "traceability.snapshot") for f in extra):
        findings = [f for f in findings if f.check != "traceability.no_source"]
    return StoryCheck(briefing, finish(briefing, profile, extra) + findings)
