"""The index of published stories, kept up to date by what changed, never by reading every story.

It holds what the repository checks ask about: story id, headline and the
canonical source URL, for one ``stories/`` tree at a time, in SQLite at
``<git dir>/briefdesk-index.sqlite``. Moving it to another tree (a publish, a
pull) reads only the files ``git diff-tree`` names between the tree it holds
and the new one; only a first build (or a jump of thousands of files) lists
the whole tree, and reads those blobs in one pipelined ``git cat-file
--batch`` call. Lookups by id or URL are indexed queries, so a publish or a
check of one story never walks all stories.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import tomllib
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from stories.checks.repository import canonical_url
from stories.model import PublishedStory

if TYPE_CHECKING:
    from stories.repo.handle import GitHandle

INDEX_NAME = "briefdesk-index.sqlite"
OLD_CACHE = "briefdesk-index.tsv"
STORIES_DIR = "stories"
SCHEMA_VERSION = "2"
FEW = 32
"""Up to this many blobs are read one by one through the open cat-file; more in one batch call."""
BIG_JUMP = 2000
"""More changed files than this between two trees: one full listing is cheaper than the diff."""

# What one blob says: (story id, headline, source url, updated ISO text, status).
BlobFacts = tuple[str, str, str, str, str]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    path TEXT PRIMARY KEY, blob TEXT NOT NULL, id TEXT NOT NULL, headline TEXT NOT NULL,
    url TEXT NOT NULL, canonical TEXT NOT NULL, updated TEXT NOT NULL, status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_by_id ON stories (id);
CREATE INDEX IF NOT EXISTS stories_by_canonical ON stories (canonical);
"""

_KEY_LINE = re.compile(r"^(id|headline|status|updated|url)[ \t]*=[ \t]*(.+?)[ \t]*$", re.M)
_PLAIN_STRING = re.compile(r'^"[^"\\\x00-\x1f]*"$')
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")


def _value(raw: str) -> object:
    if _PLAIN_STRING.match(raw):
        return raw[1:-1]
    if _DATETIME.match(raw):
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return tomllib.loads(f"v = {raw}")["v"]


def _fast_facts(text: str, fallback_id: str) -> BlobFacts | None:
    """The facts read from the few lines that hold them, for files laid out as the codec writes them.

    Parsing 50,000 whole files with tomllib takes many seconds; the keys the
    index needs sit before the first multi-line string and in the final
    ``[source]`` table. Anything unusual returns None and gets a full parse.
    """
    cut = min((i for i in (text.find('"""'), text.find("'''")) if i >= 0), default=len(text))
    head = text[:cut]
    if "\n[" in head or head.startswith("["):
        return None
    source_at = text.rfind("\n[source]\n")
    if source_at < cut and source_at != -1:
        return None
    tail = text[source_at + 10 :] if source_at != -1 else ""
    if '"""' in tail or "'''" in tail or "\n[" in tail:
        return None
    found: dict[str, str] = {}
    for match in _KEY_LINE.finditer(head):
        if match.group(1) != "url":
            found.setdefault(match.group(1), match.group(2))
    url_match = next((m for m in _KEY_LINE.finditer(tail) if m.group(1) == "url"), None)
    try:
        story_id = _value(found["id"]) if "id" in found else fallback_id
        headline = _value(found["headline"]) if "headline" in found else ""
        status = _value(found["status"]) if "status" in found else ""
        updated = _value(found["updated"]) if "updated" in found else None
        url = _value(url_match.group(2)) if url_match else ""
    except (tomllib.TOMLDecodeError, KeyError):
        return None
    if not all(isinstance(v, str) for v in (story_id, headline, status, url)):
        return None
    if updated is not None and not isinstance(updated, datetime):
        return None
    return (story_id, headline, url, updated.isoformat() if updated else "", status)  # type: ignore[union-attr]


def blob_facts(text: str, fallback_id: str) -> BlobFacts:
    """The index facts of one story file's text (a broken file keeps its file name as id)."""
    fast = _fast_facts(text, fallback_id)
    if fast is not None:
        return fast
    return _full_facts(text, fallback_id)


def _full_facts(text: str, fallback_id: str) -> BlobFacts:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return (fallback_id, "", "", "", "broken")
    story_id = data.get("id") if isinstance(data.get("id"), str) else fallback_id
    headline = data.get("headline") if isinstance(data.get("headline"), str) else ""
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    url = source.get("url") if isinstance(source.get("url"), str) else ""
    updated = data.get("updated")
    updated_text = updated.isoformat() if isinstance(updated, datetime) else ""
    status = data.get("status") if isinstance(data.get("status"), str) else ""
    return (story_id, headline, url, updated_text, status)


def _parse_time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _canonical(url: str) -> str:
    return canonical_url(url) if url.strip() else ""


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".toml")


class StoryIndex:
    """Published stories of one ``stories/`` tree, kept in ``<git dir>/briefdesk-index.sqlite``.

    Call ``at(tree)`` to bring it to a tree (cheap when it is there already or
    close by); the lookups then answer for that tree.
    """

    def __init__(self, git_dir: Path, git: GitHandle) -> None:
        self.path = git_dir / INDEX_NAME
        self._git = git
        self._db: sqlite3.Connection | None = None
        self._tree: str | None = None  # the tree the rows describe ("" for no stories folder)
        self._rows: list[PublishedStory] | None = None  # every published row of _tree, read once

    # -- storage ------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        try:
            db = self._open(self.path)
        except sqlite3.DatabaseError:
            # A damaged or foreign file: it only ever holds what the repo says, so build it again.
            with contextlib.suppress(OSError):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            try:
                db = self._open(self.path)
            except sqlite3.DatabaseError:
                db = self._open(Path(":memory:"))
        except OSError:
            db = self._open(Path(":memory:"))  # a read-only git folder: an index for this run only
        self._db = db
        return db

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # it can always be rebuilt from the repo
            db.executescript(_SCHEMA)
            version = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if version is None or version[0] != SCHEMA_VERSION:
                db.executescript("BEGIN; DELETE FROM stories; DELETE FROM meta;")
                db.execute("INSERT INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        """Close the index file (it opens again when asked)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _stored_tree(self, db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key='tree'").fetchone()
        return row[0] if row else None

    # -- moving to a tree -----------------------------------------------------

    def at(self, stories_tree: str | None) -> StoryIndex:
        """Bring the index to this ``stories/`` tree (None: there is none) and return it."""
        wanted = stories_tree or ""
        if wanted == self._tree and self._stored_tree(self._connect()) == wanted:
            return self  # another process may have moved the file meanwhile: asked, not assumed
        try:
            self._move(self._connect(), wanted)
        except sqlite3.OperationalError:
            # A full disk or a file locked for long: an index in memory for this run keeps answers right.
            self.close()
            self._db = self._open(Path(":memory:"))
            self._move(self._db, wanted)
        self._tree = wanted
        self._rows = None
        return self

    def _move(self, db: sqlite3.Connection, wanted: str) -> None:
        db.execute("BEGIN IMMEDIATE")  # two processes never interleave their updates
        try:
            stored = self._stored_tree(db)
            if stored != wanted:
                if stored is None or not self._diff(db, stored, wanted):
                    self._rebuild(db, wanted)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('tree', ?)", (wanted,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _rebuild(self, db: sqlite3.Connection, tree: str) -> None:
        with contextlib.suppress(OSError):
            self.path.with_name(OLD_CACHE).unlink(missing_ok=True)  # the cache of earlier versions, now unused
        db.execute("DELETE FROM stories")
        if not tree:
            return
        paths: dict[str, str] = {}
        for entry in self._run("ls-tree", "-r", "-z", tree).split(b"\0"):
            meta, _, name = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) != 3 or parts[1] != b"blob":
                continue
            path = f"{STORIES_DIR}/{name.decode('utf-8', 'surrogateescape')}"
            if path.endswith(".toml"):
                paths[path] = parts[2].decode()
        self._store(db, paths)

    def _diff(self, db: sqlite3.Connection, old: str, new: str) -> bool:
        """Apply what changed from ``old`` to ``new``; False when a full listing is the better way."""
        if not old or not new:
            return False
        try:
            out = self._run("diff-tree", "-r", "-z", "--no-renames", old, new)
        except RuntimeError:
            return False  # the old tree is gone (a pruned repo): list the new one
        fields = out.split(b"\0")
        changed: dict[str, str | None] = {}
        for meta, name in zip(fields[0::2], fields[1::2]):
            parts = meta.lstrip(b":").split()
            if len(parts) != 5:
                return False
            path = f"{STORIES_DIR}/{name.decode('utf-8', 'surrogateescape')}"
            if path.endswith(".toml"):
                changed[path] = None if parts[4] == b"D" else parts[3].decode()
        if len(changed) > BIG_JUMP:
            return False
        gone = [(path,) for path, sha in changed.items() if sha is None]
        db.executemany("DELETE FROM stories WHERE path = ?", gone)
        self._store(db, {path: sha for path, sha in changed.items() if sha is not None})
        return True

    def _store(self, db: sqlite3.Connection, paths: dict[str, str]) -> None:
        """Read these blobs (path -> blob id) and write their rows."""
        facts = self._read_blobs(paths)
        db.executemany(
            "INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((path, sha, *self._row(facts[path])) for path, sha in paths.items() if path in facts),
        )

    @staticmethod
    def _row(facts: BlobFacts) -> tuple[str, str, str, str, str, str]:
        story_id, headline, url, updated, status = facts
        return story_id, headline, url, _canonical(url), updated, status

    def _run(self, *args: str, input: bytes | None = None) -> bytes:
        result = self._git.run(*args, input=input, text=False)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or f"git {args[0]} failed")
        return result.stdout

    def _read_blobs(self, paths: dict[str, str]) -> dict[str, BlobFacts]:
        """Facts of the blobs (path -> blob id), read in one ``git cat-file --batch`` call."""
        if not paths:
            return {}
        if len(paths) <= FEW:
            # A publish or a pull of a few stories: the repo's long-lived cat-file, no new process.
            found = {}
            for path, sha in paths.items():
                read = self._git.object(sha)
                if read is not None and read[1] == "blob":
                    found[path] = blob_facts(read[2].decode("utf-8", "replace"), _stem(path))
            return found
        items = list(paths.items())
        out = self._run("cat-file", "--batch", input="".join(f"{sha}\n" for _, sha in items).encode())
        result: dict[str, BlobFacts] = {}
        pos = 0
        for path, _sha in items:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue
            size = int(header[2])
            data = out[pos : pos + size]
            pos += size + 1
            result[path] = blob_facts(data.decode("utf-8", "replace"), _stem(path))
        return result

    def note(self, before: str | None, after: str, changes: dict[str, tuple[str, str]]) -> None:
        """Record a commit we made ourselves (path -> (blob id, text)) without asking git again.

        ``before`` and ``after`` are the ``stories/`` trees of the parent and the new commit.
        """
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                if self._stored_tree(db) != (before or ""):
                    db.execute("ROLLBACK")
                    self._tree = None  # not the tree it holds: the next read moves it by diff
                    return
                db.executemany(
                    "INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    ((path, sha, *self._row(blob_facts(text, _stem(path)))) for path, (sha, text) in changes.items()),
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES ('tree', ?)", (after,))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError:
            self._tree = None
            return
        self._tree = after
        self._rows = None

    # -- lookups (for the tree ``at`` last brought it to) ----------------------

    def _published(self, where: str, args: Iterable[object]) -> list[PublishedStory]:
        db = self._connect()
        rows = db.execute(
            f"SELECT id, headline, url, path, updated FROM stories WHERE status = 'published' AND {where}", tuple(args)
        ).fetchall()
        return [PublishedStory(i, h, u, p, _parse_time(t)) for i, h, u, p, t in rows]

    def stories(self) -> list[PublishedStory]:
        """Every published story (in no promised order); a copy, read from the file once per tree."""
        if self._rows is None:
            self._rows = self._published("1", ())
        return list(self._rows)

    def by_id(self, story_id: str) -> PublishedStory | None:
        """The published story with this id, or None."""
        found = self._published("id = ? ORDER BY path LIMIT 1", (story_id,))
        return found[0] if found else None

    def exists(self, story_id: str) -> bool:
        """True when a story with this id is published."""
        return self.by_id(story_id) is not None

    def by_url(self, url: str) -> list[PublishedStory]:
        """The published stories whose source URL is this page (compared in canonical form)."""
        canonical = _canonical(url)
        if not canonical:
            return []
        return self._published("canonical = ? ORDER BY path", (canonical,))
