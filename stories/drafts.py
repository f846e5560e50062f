"""Drafts: briefings being written, one TOML file each, saved atomically.

A draft file is the story file (``stories.codec.render``) followed by a
``[draft]`` table: the queue item it came from, the story it revises (if any),
where the editor's cursor was, and the source text the checks use, so a draft
can be checked and published with no network. A kill at any moment leaves
either the previous file or the new one (``atomic_write``), never half of one.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from stories.codec import StoryFileError, loads, render, toml_datetime, toml_multiline, toml_string
from stories.fsutil import atomic_write
from stories.model import Briefing, utcnow
from stories.profile import Profile, load_profile

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Draft:
    """A briefing being written, with what it needs to be checked and published offline."""

    key: str
    briefing: Briefing
    source_text: str = ""
    item_id: str = ""
    revises: str = ""
    focus: str = ""
    cursor: tuple[int, int] = (0, 0)
    saved: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """What to call the draft in a list: its headline, else its source's title."""
        if self.briefing.headline.strip():
            return self.briefing.headline.strip()
        if self.briefing.source is not None and self.briefing.source.title:
            return self.briefing.source.title
        return "(untitled draft)"


def draft_key(text: str) -> str:
    """A file-name-safe draft key (item ids and story ids pass through unchanged)."""
    key = _UNSAFE.sub("-", text).strip("-.")
    return key[:120] or "draft"


class DraftStore:
    """The drafts folder: ``save`` / ``load`` / ``list`` / ``delete``, one file per draft."""

    def __init__(self, folder: Path | str, profile: Profile | None = None) -> None:
        self.folder = Path(folder)
        self.profile = profile or load_profile(None)

    def path(self, key: str) -> Path:
        """Where the draft with this key lives."""
        return self.folder / f"{draft_key(key)}.toml"

    def dumps(self, draft: Draft) -> str:
        """The file text of a draft."""
        lines = [
            render(draft.briefing, self.profile).rstrip("\n"),
            "",
            "[draft]",
            f"key = {toml_string(draft.key)}",
            f"item_id = {toml_string(draft.item_id)}",
            f"revises = {toml_string(draft.revises)}",
            f"focus = {toml_string(draft.focus)}",
            f"cursor = [{int(draft.cursor[0])}, {int(draft.cursor[1])}]",
        ]
        if draft.saved is not None:
            lines.append(f"saved = {toml_datetime(draft.saved)}")
        lines.append(f"source_text = {toml_multiline(draft.source_text)}")
        return "\n".join(lines) + "\n"

    def save(self, draft: Draft) -> Path:
        """Write the draft atomically; never refused, however incomplete."""
        draft.saved = datetime.now(timezone.utc)
        path = self.path(draft.key)
        atomic_write(path, self.dumps(draft))
        return path

    def loads(self, text: str, path: str = "<draft>") -> Draft:
        """A draft from its file text; StoryFileError if it is broken."""
        briefing = loads(text, self.profile, path)
        try:
            meta = tomllib.loads(text).get("draft", {})
        except tomllib.TOMLDecodeError as exc:  # loads above already parsed it; kept for safety
            raise StoryFileError(path, None, f"not valid TOML: {exc}") from None
        if not isinstance(meta, dict):
            raise StoryFileError(path, None, "[draft] must be a table")
        cursor = meta.get("cursor", [0, 0])
        if not (isinstance(cursor, list) and len(cursor) == 2 and all(isinstance(c, int) for c in cursor)):
            cursor = [0, 0]
        saved = meta.get("saved")
        # A multi-line string opens with a newline that TOML drops; nothing else is touched.
        return Draft(
            key=str(meta.get("key") or Path(path).stem),
            briefing=briefing,
            source_text=str(meta.get("source_text", "")),
            item_id=str(meta.get("item_id", "")),
            revises=str(meta.get("revises", "")),
            focus=str(meta.get("focus", "")),
            cursor=(cursor[0], cursor[1]),
            saved=saved if isinstance(saved, datetime) else None,
        )

    def load(self, key: str) -> Draft | None:
        """The draft with this key, or None if there is none."""
        path = self.path(key)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoryFileError(str(path), None, f"cannot be read: {exc}") from None
        return self.loads(text, str(path))

    def list(self) -> list[Draft]:
        """The unfinished drafts, most recently saved first (broken files are skipped)."""
        drafts: list[Draft] = []
        if not self.folder.is_dir():
            return drafts
        for path in self.folder.glob("*.toml"):
            try:
                drafts.append(self.loads(path.read_text("utf-8"), str(path)))
            except (StoryFileError, OSError, UnicodeDecodeError):
                continue
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        drafts.sort(key=lambda d: d.saved or epoch, reverse=True)
        return drafts

    def problems(self) -> list[str]:
        """Draft files that cannot be read, each with the reason (for a notification)."""
        found = []
        if not self.folder.is_dir():
            return found
        for path in sorted(self.folder.glob("*.toml")):
            try:
                self.loads(path.read_text("utf-8"), str(path))
            except (StoryFileError, OSError, UnicodeDecodeError) as exc:
                found.append(str(exc))
        return found

    def delete(self, key: str) -> None:
        """Forget a draft (after it is published or thrown away)."""
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass


def new_briefing(profile: Profile) -> Briefing:
    """An empty briefing with every section of the profile (list sections get their minimum of blank items)."""
    sections: dict[str, str | list[str]] = {}
    for section in profile.sections:
        if section.kind == "list":
            sections[section.key] = [""] * max(1, section.min_items or 1)
        else:
            sections[section.key] = ""
    now = utcnow()
    return Briefing(sections=sections, created=now, updated=now)
