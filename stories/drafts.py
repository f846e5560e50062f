"""Drafts: briefings being written, one TOML file each, saved atomically.

A draft file is the story file (``stories.codec.render``) followed by a
``[draft]`` table: the queue item it came from, the story it revises (if any)
and the commit that revision started from, where the editor's cursor was,
and the source text the checks use, so a draft
can be checked and published with no network. A kill at any moment leaves
either the previous file or the new one (``atomic_write``), never half of one.

Nothing an editor typed is thrown away: a draft file that cannot be read is
kept aside as ``<name>.damaged-<time>`` before anything is written in its
place; a save that fails says why (``DraftSaveError``) and
``stories.autosave.AutosaveRetry`` tries it again until space returns; a lock
file (``DraftStore.lock``, ``stories.draftlock``) tells a second app instance
that the draft is open elsewhere.
"""

from __future__ import annotations

import errno
import os
import re
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from stories import draftlock
from stories.codec import StoryFileError, loads, render, toml_datetime, toml_multiline, toml_string
from stories.draftlock import DraftLock, LockHolder
from stories.fsutil import FileReadError, atomic_write, read_regular_text
from stories.model import Briefing, utcnow
from stories.profile import Profile, load_profile

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")

DRAFT_LIMIT = 8 * 1024 * 1024
"""The largest draft file read: a briefing plus its source text, far under this."""


class DraftSaveError(OSError):
    """A draft that could not be written. ``str()`` says why in an editor's words; the text is still in memory."""

    def __init__(self, path: Path | str, code: int, words: str) -> None:
        super().__init__(code, words, str(path))
        self.path = Path(path)
        self.words = words

    def __str__(self) -> str:
        return self.words


def _save_words(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "The disk is full, so the draft could not be saved. Your text is kept and saved again as soon as space returns."
    if exc.errno == errno.EROFS:
        return "The drafts folder is on a read-only disk, so the draft could not be saved. Your text is kept; saving is tried again."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "There is no permission to write in the drafts folder, so the draft could not be saved. Your text is kept; saving is tried again."
    return f"The draft could not be saved ({exc.strerror or exc}). Your text is kept; saving is tried again."


@dataclass
class Draft:
    """A briefing being written, with what it needs to be checked and published offline."""

    key: str
    briefing: Briefing
    source_text: str = ""
    item_id: str = ""
    revises: str = ""
    #: The commit the story stood at when this draft of it started ("" for a new story or an older draft file):
    #: publishing checks what colleagues changed since (``stories.team.stale.guard_revision``).
    started_from: str = ""
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
        self._checked: set[str] = set()
        self._locks: dict[str, DraftLock] = {}
        self._guard = threading.Lock()

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
            f"started_from = {toml_string(draft.started_from)}",
            f"focus = {toml_string(draft.focus)}",
            f"cursor = [{int(draft.cursor[0])}, {int(draft.cursor[1])}]",
        ]
        if draft.saved is not None:
            lines.append(f"saved = {toml_datetime(draft.saved)}")
        lines.append(f"source_text = {toml_multiline(draft.source_text)}")
        return "\n".join(lines) + "\n"

    def save(self, draft: Draft) -> Path:
        """Write the draft atomically; never refused, however incomplete.

        The first write of a key keeps a damaged file there aside first, so a
        new draft never lands on text that could not be read. DraftSaveError
        (an OSError) says in words why the file could not be written, and is
        raised too when another live instance holds the draft's lock: the last
        writer never wins silently.
        """
        path = self.path(draft.key)
        other = self.holder(draft.key)
        if other is not None:
            raise DraftSaveError(path, errno.EBUSY, f"This draft is open in {other.describe()}, so it was not saved here over that one. Your text is kept.")
        if draft.key not in self._checked:
            self._keep_damaged_aside(path)
            self._checked.add(draft.key)
        saved = datetime.now(timezone.utc)
        previous, draft.saved = draft.saved, saved
        try:
            atomic_write(path, self.dumps(draft))
        except OSError as exc:
            draft.saved = previous
            raise DraftSaveError(path, exc.errno or errno.EIO, _save_words(exc)) from exc
        return path

    def loads(self, text: str, path: str = "<draft>") -> Draft:
        """A draft from its file text; StoryFileError if it is broken or cut short."""
        briefing = loads(text, self.profile, path, limit=DRAFT_LIMIT)
        try:
            meta = tomllib.loads(text).get("draft")
        except (tomllib.TOMLDecodeError, RecursionError) as exc:  # loads above already parsed it; kept for safety
            raise StoryFileError(path, None, f"not valid TOML: {exc}") from None
        if meta is None or (isinstance(meta, dict) and "source_text" not in meta):
            # Every save ends with the [draft] table and its source_text: without them the file was cut short.
            raise StoryFileError(path, None, "ends early: the [draft] table is missing or cut short (the file was truncated)")
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
            started_from=str(meta.get("started_from", "")),
            focus=str(meta.get("focus", "")),
            cursor=(cursor[0], cursor[1]),
            saved=saved if isinstance(saved, datetime) else None,
        )

    def read(self, path: Path) -> Draft:
        """The draft in one file; StoryFileError (never a hang) for a pipe, a huge file or broken text."""
        try:
            text = read_regular_text(path, DRAFT_LIMIT)
        except FileReadError as exc:
            raise StoryFileError(str(path), None, exc.problem) from None
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoryFileError(str(path), None, f"cannot be read: {exc.strerror or exc}") from None
        return self.loads(text, str(path))

    def load(self, key: str) -> Draft | None:
        """The draft with this key, or None if there is none; StoryFileError if it cannot be read."""
        try:
            return self.read(self.path(key))
        except FileNotFoundError:
            return None

    def list(self) -> list[Draft]:
        """The unfinished drafts, most recently saved first (broken files are skipped)."""
        drafts: list[Draft] = []
        if not self.folder.is_dir():
            return drafts
        for path in self.folder.glob("*.toml"):
            try:
                drafts.append(self.read(path))
            except (StoryFileError, OSError):
                continue
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        drafts.sort(key=lambda d: d.saved or epoch, reverse=True)
        return drafts

    def problems(self) -> list[str]:
        """Draft files that cannot be read, each with the reason (for a notification).

        A damaged draft is first kept aside as ``<name>.damaged-<time>``, so
        starting a new draft for the same item can never overwrite it.
        """
        found = []
        if not self.folder.is_dir():
            return found
        for path in sorted(self.folder.glob("*.toml")):
            try:
                self.read(path)
            except (StoryFileError, OSError) as exc:
                aside = self._set_aside(path) if _damaged(path) else None
                found.append(f"{exc}; kept as {aside.name}" if aside else str(exc))
        return found

    def _keep_damaged_aside(self, path: Path) -> Path | None:
        """If the file at ``path`` is a damaged draft, rename it aside and say where."""
        if not _damaged(path):
            return None
        try:
            self.read(path)
        except FileNotFoundError:
            return None
        except (StoryFileError, OSError):
            return self._set_aside(path)
        return None

    def _set_aside(self, path: Path) -> Path | None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.name}.damaged-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
        try:
            os.replace(path, aside)
        except OSError:
            return None
        return aside

    def damaged(self) -> list[Path]:
        """The draft files kept aside because they could not be read, oldest first."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.toml.damaged-*"))

    # -- one instance per draft ------------------------------------------------

    def lock_path(self, key: str) -> Path:
        """The lock file that says which instance has this draft open."""
        return self.folder / f".{draft_key(key)}.lock"

    def lock(self, key: str) -> DraftLock | None:
        """Hold this draft for this instance; None when another live instance holds it (open it read-only then).

        A lock of a process that is gone is taken over (see ``stories.draftlock``).
        OSError if the lock file cannot be written (a full disk).
        """
        with self._guard:
            if key in self._locks:
                return self._locks[key]
            lock = draftlock.take(self.lock_path(key), on_release=lambda: self._locks.pop(key, None))
            if lock is not None:
                self._locks[key] = lock
            return lock

    def holder(self, key: str) -> LockHolder | None:
        """Who else has this draft open (None when nobody, a gone process, or this instance)."""
        if key in self._locks:
            return None
        return draftlock.holder(self.lock_path(key))

    def release_all(self) -> None:
        """Let go of every draft this instance holds (on quit)."""
        for lock in list(self._locks.values()):
            lock.release()

    def delete(self, key: str) -> None:
        """Forget a draft (after it is published or thrown away)."""
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass


def _damaged(path: Path) -> bool:
    """A regular file that exists (a pipe or a folder is skipped, never renamed or read)."""
    try:
        return path.is_file() and not path.is_symlink()
    except OSError:
        return False


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
