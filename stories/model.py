"""The briefing and the source it came from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

Status = Literal["draft", "ready", "published"]
STATUSES: tuple[str, ...] = ("draft", "ready", "published")

SectionValue = str | list[str]
Origin = Literal["feed", "article", "pasted"]
ORIGINS: tuple[str, ...] = ("feed", "article", "pasted")


def utcnow() -> datetime:
    """The current time in UTC, to the second (story files hold no microseconds)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def content_hash(text: str) -> str:
    """The sha256 hex of a source text: its snapshot name in the content repo."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class SourceRef:
    """Where a briefing came from, copied from the queue item, never typed by hand."""

    name: str = ""
    feed: str = ""
    format: str = ""
    url: str = ""
    title: str = ""
    published: datetime | None = None
    guid: str = ""
    snapshot: str = ""
    # Where the text the checks used came from: the feed entry itself, the
    # article page fetched from its link, or text an editor pasted in.
    origin: Origin = "feed"
    fetched: str = ""  # when that text was taken (ISO 8601), "" if unknown

    def is_empty(self) -> bool:
        """True when nothing at all was filled in."""
        return not any((self.name, self.feed, self.format, self.url, self.title, self.guid, self.snapshot, self.fetched)) and self.published is None


@dataclass(frozen=True)
class Waiver:
    """An editor's recorded decision that one finding of one story does not apply.

    It names the check, the section and the exact text the finding was about:
    while that text is still there the finding stays waived; change the text
    and the finding comes back.
    """

    check: str
    section: str
    text: str
    by: str
    reason: str
    at: str = ""  # when it was waived (ISO 8601)


@dataclass
class Briefing:
    """One story. Its sections are keyed by the desk profile's section keys."""

    id: str = ""
    status: Status = "draft"
    sections: dict[str, SectionValue] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    created: datetime | None = None
    updated: datetime | None = None
    source: SourceRef | None = None
    waivers: list[Waiver] = field(default_factory=list)

    def text(self, key: str) -> str:
        """A section as plain text (list items joined by newlines); empty if absent."""
        value = self.sections.get(key, "")
        return "\n".join(value) if isinstance(value, list) else value

    def items(self, key: str) -> list[str]:
        """A list section's items; a text section as a one-item list."""
        value = self.sections.get(key, [])
        if isinstance(value, list):
            return list(value)
        return [value] if value else []

    @property
    def headline(self) -> str:
        """The headline section (key ``headline``)."""
        return self.text("headline")


@dataclass(frozen=True)
class PublishedStory:
    """One row of the content repo's index of published stories."""

    id: str
    headline: str
    source_url: str
    path: str
    updated: datetime | None = None
