"""The incoming-source queue: clean, deduplicated feed items and their states, in SQLite.

One database file (WAL mode) is shared by every app instance and a cron
``briefdesk fetch``; writers wait for each other (busy timeout, immediate
transactions) instead of failing with "database is locked".

States: ``new → claimed → drafting → published``, or ``dismissed`` with a
reason. Items are never deleted by a fetch, so a dismissed item never comes
back.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stories import clean
from stories.sources.feeds import FeedError, ParsedFeed, item_id, parse_feed
from stories.model import SourceRef
from stories.profile import Source

if TYPE_CHECKING:
    from stories.sources.fetch import FetchProgress, FetchSummary

STATES: tuple[str, ...] = ("new", "claimed", "drafting", "published", "dismissed")
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 60_000


class QueueError(Exception):
    """The queue database cannot be used (damaged, not a database, not writable), in plain words.

    ``problem`` is the same without the file's name, for a line that already names the source.
    """

    def __init__(self, message: str, problem: str = "") -> None:
        super().__init__(message)
        self.problem = problem or message


class StateChanged(Exception):
    """An item is no longer in the state a change expected (another editor or app instance moved it)."""

    def __init__(self, item: "SourceItem", expected: tuple[str, ...]) -> None:
        self.item = item
        self.expected = expected
        who = f" by {item.claimed_by}" if item.state in ("claimed", "drafting") and item.claimed_by else ""
        super().__init__(f"{item.title or item.id!r} was {item.state}{who} meanwhile")


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One story in the queue, as read (body text via ``QueueStore.source_text``); change it through the store."""

    id: str
    title: str
    link: str
    summary: str
    published: datetime | None
    guid: str
    sources: list[str]
    category: str
    format: str
    feed_title: str
    state: str = "new"
    claimed_by: str = ""
    claimed_at: datetime | None = None
    dismissed_reason: str = ""
    fetched_at: datetime | None = None

    @property
    def source(self) -> str:
        """The first source that carried it."""
        return self.sources[0] if self.sources else ""

    @property
    def when(self) -> datetime | None:
        """Published time, else when it was first fetched (what the queue sorts by)."""
        return self.published or self.fetched_at


@dataclass(slots=True)
class SourceStatus:
    """What the queue knows about one source's fetching."""

    url: str
    name: str
    category: str
    format: str
    feed_title: str
    etag: str
    last_modified: str
    body_hash: str
    last_attempt: datetime | None
    last_success: datetime | None
    last_error: str
    failures: int
    retry_after: datetime | None
    content_error: str = ""  # the stored validators point at a body that could not be read


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    guid TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    canon TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    published REAL,
    fetched_at REAL NOT NULL,
    sort_time REAL NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    feed_title TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL DEFAULT 'new',
    claimed_by TEXT NOT NULL DEFAULT '',
    claimed_at REAL,
    dismissed_reason TEXT NOT NULL DEFAULT '',
    search TEXT NOT NULL DEFAULT '',
    published_at REAL
);
-- Bodies live apart so that listing and filtering never read them.
CREATE TABLE IF NOT EXISTS bodies (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_canon ON items(canon) WHERE canon != '';
CREATE INDEX IF NOT EXISTS items_sort ON items(sort_time DESC);
CREATE INDEX IF NOT EXISTS items_state ON items(state);
-- The queue's listing reads ids in order from this index alone (100,000 rows in ~40 ms).
CREATE INDEX IF NOT EXISTS items_listing ON items(sort_time DESC, id, state);
CREATE TABLE IF NOT EXISTS item_sources (
    item_id TEXT NOT NULL,
    source_url TEXT NOT NULL,
    source_name TEXT NOT NULL,
    PRIMARY KEY (item_id, source_url)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS item_sources_name ON item_sources(source_name);
CREATE TABLE IF NOT EXISTS item_aliases (alias TEXT PRIMARY KEY, item_id TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    feed_title TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    body_hash TEXT NOT NULL DEFAULT '',
    last_attempt REAL,
    last_success REAL,
    last_error TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,
    retry_after REAL,
    content_error TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
-- The article page behind an item (or a text an editor pasted): see stories.sources.articles.
CREATE TABLE IF NOT EXISTS articles (
    item_id TEXT PRIMARY KEY,
    origin TEXT NOT NULL DEFAULT 'article',
    text TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    canonical_url TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    site TEXT NOT NULL DEFAULT '',
    pasted_by TEXT NOT NULL DEFAULT '',
    fetched_at REAL,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    attempted_at REAL
) WITHOUT ROWID;
"""

_ITEM_COLUMNS = "id, title, link, summary, published, guid, sources, category, format, feed_title, state, claimed_by, claimed_at, dismissed_reason, fetched_at"


def queue_problem(exc: sqlite3.Error) -> str:
    """Why the queue database refused, in words that do not mislead (the one place that words SQLite's faults)."""
    text = str(exc)
    if "full" in text.lower():
        return "The disk that holds the queue is full; nothing was lost. Free some space and fetch again."
    if "readonly" in text or "read-only" in text or "attempt to write" in text:
        # Nothing is wrong with the queue itself: moving it aside would throw it away.
        return f"The queue database is read-only here ({text}); give this user write permission on the file and its folder (do not move it aside: it holds the queue)."
    if "unable to open" in text:
        # SQLite says this of a read-only folder too (it cannot make the WAL files there).
        return f"The queue database cannot be opened for writing ({text}); check that the file and its folder exist and are not read-only for this user."
    if "locked" in text or "busy" in text:
        return f"The queue database stayed busy in another program ({text}); try again in a moment."
    return f"not a usable queue database ({text}); move it aside and run `briefdesk fetch` to build a new one."


def _explain(path: Path | str, exc: sqlite3.DatabaseError) -> str:
    """What is wrong with the queue file, and what to do, in an editor's words."""
    return f"{path}: {queue_problem(exc)}"


def _listing(
    columns: str, text: str, state: str | Iterable[str] | None, source: str | None,
    max_age: timedelta | float | None, limit: int | None, hide: Iterable[str],
) -> tuple[str, list[Any]]:
    """The one filtered, newest-first query of the queue, for whichever columns a caller reads."""
    where, params = _where(text, state, source, max_age, hide)
    sql = f"SELECT {columns} FROM items{where} ORDER BY sort_time DESC, id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, list(params)


def _ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def _row_item(row: Sequence[Any], names: dict[str, list[str]] | None = None) -> SourceItem:
    (iid, title, link, summary, published, guid, sources, category, fmt, feed_title, state, claimed_by, claimed_at, reason, fetched_at) = row
    if names is not None:
        # Most items share a source list: decode each distinct one once.
        parsed = names.get(sources)
        if parsed is None:
            parsed = names[sources] = json.loads(sources)
        source_names = list(parsed)
    else:
        source_names = json.loads(sources)
    return SourceItem(
        iid,
        title,
        link,
        summary,
        None if published is None else datetime.fromtimestamp(published, timezone.utc),
        guid,
        source_names,
        category,
        fmt,
        feed_title,
        state,
        claimed_by,
        None if claimed_at is None else datetime.fromtimestamp(claimed_at, timezone.utc),
        reason,
        None if fetched_at is None else datetime.fromtimestamp(fetched_at, timezone.utc),
    )


def _search_text(title: str, names: Iterable[str], category: str, feed_title: str) -> str:
    return " ".join((title, *names, category, feed_title)).casefold()


def _where(
    text: str,
    state: str | Iterable[str] | None,
    source: str | None,
    max_age: timedelta | float | None,
    hide: Iterable[str],
) -> tuple[str, list[Any]]:
    # The one queue filter: the ``search`` column holds the title, source
    # names, category and feed title, casefolded at ingest; the state is
    # matched as a word too ("claimed", "published").
    clauses: list[str] = []
    params: list[Any] = []
    for word in clean.clean_line(text, 200).casefold().split() if text else []:
        clauses.append("instr(search || ' ' || state, ?) > 0")
        params.append(word)
    states = None if not state else ([state] if isinstance(state, str) else list(state))
    if states:
        clauses.append(f"state IN ({','.join('?' * len(states))})")
        params.extend(states)
    hidden = list(hide)
    if hidden:
        clauses.append(f"state NOT IN ({','.join('?' * len(hidden))})")
        params.extend(hidden)
    if source is not None:
        clauses.append("id IN (SELECT item_id FROM item_sources WHERE source_url = ? OR source_name = ?)")
        params.extend((source, source))
    if max_age is not None:
        seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else float(max_age)
        # A published item's age is since it was published, not since the feed dated it.
        clauses.append("(CASE WHEN state = 'published' AND published_at IS NOT NULL THEN published_at ELSE sort_time END) >= ?")
        params.append(time.time() - seconds)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _worth_merging(canon: str) -> bool:
    # A link to a site's front page is not a story: feeds that point every item
    # at their home page must not collapse into one entry.
    if not canon:
        return False
    path = canon.split("://", 1)[-1].partition("/")[2]
    return bool(path.split("?", 1)[0].strip("/")) or "?" in canon


class QueueStore:
    """The queue database (SQLite, WAL mode); safe to share between processes and threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise QueueError(f"{path}: the queue database cannot be opened ({exc})") from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._retry(lambda: self._db.execute("PRAGMA journal_mode = WAL"))
            self._db.execute("PRAGMA synchronous = NORMAL")
            script = f"BEGIN IMMEDIATE;{_SCHEMA}INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '{SCHEMA_VERSION}');COMMIT;"
            self._retry(lambda: self._db.executescript(script))
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise QueueError(_explain(path, exc), queue_problem(exc)) from None

    def _migrate(self) -> None:
        """Add the columns a queue made by an older version lacks (``published_at``: when it was published here)."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(items)")}
        if "published_at" not in columns:
            def add() -> None:
                self._db.execute("BEGIN IMMEDIATE")  # "locked" here is retried; nothing to roll back yet
                try:
                    # Another process may have added it meanwhile.
                    if "published_at" not in {row[1] for row in self._db.execute("PRAGMA table_info(items)")}:
                        self._db.execute("ALTER TABLE items ADD COLUMN published_at REAL")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            self._retry(add)

    # -- plumbing ---------------------------------------------------------

    @staticmethod
    def _retry(action: Callable[[], Any]) -> Any:
        # Switching to WAL needs a moment alone with the file; a second process
        # doing the same at the same instant is told "locked" without waiting.
        for _attempt in range(200):
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.05)
        return action()

    class _Tx:
        def __init__(self, store: "QueueStore") -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            try:
                self.store._retry(lambda: self.store._db.execute("BEGIN IMMEDIATE"))
            except sqlite3.DatabaseError as exc:
                self.store._lock.release()
                raise QueueError(_explain(self.store.path, exc), queue_problem(exc)) from None
            except BaseException:
                self.store._lock.release()
                raise
            return self.store._db

        def __exit__(self, kind, value, tb) -> None:
            try:
                if kind is None:
                    try:
                        self.store._retry(lambda: self.store._db.execute("COMMIT"))
                    except sqlite3.DatabaseError as exc:
                        raise QueueError(_explain(self.store.path, exc), queue_problem(exc)) from None
                else:
                    try:
                        self.store._db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # the statement that failed may have ended the transaction already
                    if isinstance(value, sqlite3.DatabaseError):
                        # Damage found mid-way (a bad page deep in the file) is said in words too.
                        raise QueueError(_explain(self.store.path, value), queue_problem(value)) from None
            finally:
                self.store._lock.release()

    def _write(self) -> "QueueStore._Tx":
        # BEGIN IMMEDIATE takes the write lock up front, so two writers queue
        # behind the busy timeout instead of deadlocking on a lock upgrade.
        return QueueStore._Tx(self)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise QueueError(_explain(self.path, exc), queue_problem(exc)) from None

    def transaction(self) -> "QueueStore._Tx":
        """A write transaction (``with store.transaction() as db``) for the core's other tables (articles)."""
        return self._write()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of one read-only query (for the core's other tables)."""
        return self._read(sql, params)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> "QueueStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------

    def items(
        self,
        text: str = "",
        state: str | Iterable[str] | None = None,
        source: str | None = None,
        max_age: timedelta | float | None = None,
        limit: int | None = None,
        hide: Iterable[str] = (),
    ) -> list[SourceItem]:
        """Queue items, newest first, filtered as ``item_ids`` filters them."""
        sql, params = _listing(_ITEM_COLUMNS, text, state, source, max_age, limit, hide)
        names: dict[str, list[str]] = {}
        return [_row_item(row, names) for row in self._read(sql, params)]

    def item_ids(
        self,
        text: str = "",
        state: str | Iterable[str] | None = None,
        source: str | None = None,
        max_age: timedelta | float | None = None,
        limit: int | None = None,
        hide: Iterable[str] = (),
    ) -> list[str]:
        """Ids of the matching items, newest first: the light listing a long queue is shown from.

        This is the desk's one queue filter (the app's and ``briefdesk queue
        TEXT``): every word of ``text`` must appear in the title, a source name,
        the category, the feed title or the state; then state(s), source name or
        URL, age; ``hide`` leaves states out (the app hides dismissed items).
        """
        sql, params = _listing("id", text, state, source, max_age, limit, hide)
        return [row[0] for row in self._read(sql, params)]

    def items_by_id(self, ids: Sequence[str]) -> dict[str, SourceItem]:
        """The items with these ids (the rows a list is about to draw), by id; unknown ids are left out."""
        found: dict[str, SourceItem] = {}
        names: dict[str, list[str]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            rows = self._read(f"SELECT {_ITEM_COLUMNS} FROM items WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            for row in rows:
                found[row[0]] = _row_item(row, names)
        return found

    def item(self, id: str) -> SourceItem | None:
        """One item by id, or None."""
        rows = self._read(f"SELECT {_ITEM_COLUMNS} FROM items WHERE id = ?", (id,))
        return _row_item(rows[0]) if rows else None

    def source_text(self, id: str) -> str:
        """The plain text the checks use: the title, a blank line, then the body."""
        rows = self._read("SELECT i.title, b.body, i.summary FROM items i LEFT JOIN bodies b ON b.id = i.id WHERE i.id = ?", (id,))
        if not rows:
            return ""
        title, body, summary = rows[0]
        return f"{title}\n\n{body or summary}".strip()

    def source_ref(self, id: str) -> SourceRef:
        """The attribution block of an item, copied into a briefing's source."""
        item = self.item(id)
        if item is None:
            raise KeyError(id)
        return SourceRef(
            name=item.source,
            feed=item.category,
            format=item.format,
            url=item.link,
            title=item.title,
            published=item.published,
            guid=item.guid,
        )

    def count(self, state: str | None = None) -> int:
        """How many items (in one state, or all)."""
        if state:
            return self._read("SELECT count(*) FROM items WHERE state = ?", (state,))[0][0]
        return self._read("SELECT count(*) FROM items")[0][0]

    def source_names(self) -> list[str]:
        """Names of every source that has brought items, sorted."""
        return [row[0] for row in self._read("SELECT DISTINCT source_name FROM item_sources ORDER BY source_name")]

    # -- states -----------------------------------------------------------
    #
    # Every change is compare-and-set on the stored state (UPDATE … WHERE
    # state IN expected): a second app instance working from an old listing
    # cannot put back a claim on an item this one dismissed meanwhile.

    def claim(self, id: str, editor: str, force: bool = False, since: float | None = None) -> SourceItem:
        """Mark an item as taken by an editor: from new, or a claim of their own; ``force`` takes over another's.

        ``since`` is when the claim was made (a colleague's, from the shared
        desk state); now when not given.

        StateChanged when it was dismissed or published, or is claimed by
        someone else (without ``force``), meanwhile.
        """
        name = clean.clean_line(editor or "", clean.NAME_MAX)
        mine = "" if force else " AND (state = 'new' OR claimed_by = ?)"
        params: tuple[Any, ...] = (name, time.time() if since is None else since, id) + (() if force else (name,))
        with self._write() as db:
            changed = db.execute(
                f"UPDATE items SET state = 'claimed', claimed_by = ?, claimed_at = ?, dismissed_reason = '' "
                f"WHERE id = ? AND state IN ('new', 'claimed', 'drafting'){mine}",
                params,
            ).rowcount
        return self._changed(id, changed, ("new",) if not force else ("new", "claimed", "drafting"))

    def set_state(self, id: str, state: str, expected: Iterable[str] | None = None) -> SourceItem:
        """Move an item to a state; with ``expected``, only from one of those states (else StateChanged)."""
        if state not in STATES:
            raise ValueError(f"unknown queue state {state!r} (one of: {', '.join(STATES)})")
        return self._set(id, state, expected)

    def dismiss(self, id: str, reason: str = "", expected: Iterable[str] | None = None) -> SourceItem:
        """Dismiss an item with a reason; it never comes back on later fetches."""
        return self._set(id, "dismissed", expected, dismissed_reason=clean.clean_line(reason, 500))

    def _set(self, id: str, state: str, expected: Iterable[str] | None, **extra: Any) -> SourceItem:
        columns = {"state": state, **extra}
        if state == "published":
            columns["published_at"] = time.time()
        if state == "new":
            columns.update(claimed_by="", claimed_at=None, dismissed_reason="")
        assignments = ", ".join(f"{name} = ?" for name in columns)
        guard, wanted = "", tuple(expected) if expected is not None else ()
        if expected is not None:
            guard = f" AND state IN ({','.join('?' * len(wanted))})" if wanted else " AND 0"
        with self._write() as db:
            changed = db.execute(f"UPDATE items SET {assignments} WHERE id = ?{guard}", (*columns.values(), id, *wanted)).rowcount
        return self._changed(id, changed, wanted)

    def _changed(self, id: str, changed: int, expected: tuple[str, ...]) -> SourceItem:
        item = self.item(id)
        if item is None:
            raise KeyError(id)
        if not changed:
            raise StateChanged(item, expected)
        return item

    def mark_published(self, urls: Iterable[str]) -> int:
        """Mark as published every item whose link is one of these (the content repo's index)."""
        canons = {clean.canonical_link(clean.clean_link(url)) for url in urls}
        canons.discard("")
        if not canons:
            return 0
        changed = 0
        with self._write() as db:
            pending = list(canons)
            for start in range(0, len(pending), 500):
                chunk = pending[start : start + 500]
                changed += db.execute(
                    f"UPDATE items SET state = 'published', published_at = ? WHERE state != 'published' AND canon IN ({','.join('?' * len(chunk))})",
                    (time.time(), *chunk),
                ).rowcount
        return changed

    # -- sources and fetch state -----------------------------------------

    def source_status(self, url: str) -> SourceStatus | None:
        """The fetch state of one source, by its URL."""
        rows = self._read("SELECT url, name, category, format, feed_title, etag, last_modified, body_hash, last_attempt, last_success, last_error, failures, retry_after, content_error FROM sources WHERE url = ?", (url,))
        return self._status(rows[0]) if rows else None

    def sources_status(self) -> list[SourceStatus]:
        """The fetch state of every source the queue has seen, by name."""
        rows = self._read("SELECT url, name, category, format, feed_title, etag, last_modified, body_hash, last_attempt, last_success, last_error, failures, retry_after, content_error FROM sources ORDER BY name, url")
        return [self._status(row) for row in rows]

    @staticmethod
    def _status(row: Sequence[Any]) -> SourceStatus:
        url, name, category, fmt, feed_title, etag, lm, body_hash, attempt, success, error, failures, retry, content_error = row
        return SourceStatus(url, name, category, fmt, feed_title, etag, lm, body_hash, _ts(attempt), _ts(success), error, failures, _ts(retry), content_error)

    def _upsert_source(self, db: sqlite3.Connection, source: Source) -> None:
        db.execute(
            "INSERT INTO sources(url, name, category, format) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET name = excluded.name, category = excluded.category, format = excluded.format",
            (source.url, clean.clean_line(source.name), clean.clean_line(source.category), clean.clean_line(source.format)),
        )

    def record_success(self, source: Source, etag: str = "", last_modified: str = "", body_hash: str = "", feed_title: str | None = None) -> None:
        """Remember a good fetch: validators for the next conditional GET, errors cleared."""
        with self._write() as db:
            self._upsert_source(db, source)
            self._success(db, source, etag, last_modified, body_hash, feed_title)

    def record_failure(
        self,
        source: Source,
        message: str,
        backoff: Callable[[int], float] | None = None,
        content: tuple[str, str, str] | None = None,
        retry_after: float | None = None,
    ) -> SourceStatus:
        """Remember a failed fetch in words; after repeated failures the source waits before the next try.

        ``content`` = (etag, last_modified, body_hash) when the site answered but
        the feed itself could not be read: an unchanged broken feed is then
        reported again without parsing it again. ``retry_after`` (seconds) is
        the wait the site itself asked for.
        """
        with self._write() as db:
            self._upsert_source(db, source)
            self._failure(db, source, message, backoff, content, retry_after)
        status = self.source_status(source.url)
        assert status is not None
        return status

    def record_fetch(
        self,
        source: Source,
        *,
        parsed: ParsedFeed | None = None,
        validators: tuple[str, str, str] = ("", "", ""),
        error: str = "",
        content_error: bool = False,
        retry_after: float | None = None,
    ) -> list[str]:
        """Record one source's fetch in ONE transaction: its entries (if any), then its success or failure.

        ``validators`` = (etag, last_modified, body_hash), stored as given (the
        fetcher keeps only what it would send back verbatim). With ``error``
        the fetch failed; ``content_error`` says the site answered but its
        body could not be used (the validators are kept, so an unchanged
        broken feed is not parsed again). Returns the ids of items new to the
        queue.
        """
        etag, last_modified, body_hash = validators
        new_ids: list[str] = []
        with self._write() as db:
            self._upsert_source(db, source)
            if parsed is not None:
                new_ids = self._add_entries(db, source, parsed)
            if error:
                self._failure(db, source, error, None, validators if content_error else None, retry_after)
            else:
                self._success(db, source, etag, last_modified, body_hash, parsed.title if parsed is not None else None)
        return new_ids

    @staticmethod
    def _success(db: sqlite3.Connection, source: Source, etag: str, last_modified: str, body_hash: str, feed_title: str | None) -> None:
        now = time.time()
        db.execute(
            "UPDATE sources SET etag = ?, last_modified = ?, body_hash = ?, last_attempt = ?, last_success = ?, last_error = '', failures = 0, retry_after = NULL, content_error = ''"
            + (", feed_title = ?" if feed_title is not None else "")
            + " WHERE url = ?",
            (etag, last_modified, body_hash, now, now, *((feed_title,) if feed_title is not None else ()), source.url),
        )

    @staticmethod
    def _failure(
        db: sqlite3.Connection,
        source: Source,
        message: str,
        backoff: Callable[[int], float] | None,
        content: tuple[str, str, str] | None,
        retry_after: float | None,
    ) -> None:
        now = time.time()
        message = clean.clean_line(message, 500)
        failures = db.execute("SELECT failures FROM sources WHERE url = ?", (source.url,)).fetchone()[0] + 1
        wait = (backoff or default_backoff)(failures)
        if retry_after:
            wait = max(wait, retry_after)
        db.execute(
            "UPDATE sources SET last_attempt = ?, last_error = ?, failures = ?, retry_after = ? WHERE url = ?",
            (now, message, failures, now + wait if wait > 0 else None, source.url),
        )
        if content is not None:
            etag, last_modified, body_hash = content
            db.execute(
                "UPDATE sources SET etag = ?, last_modified = ?, body_hash = ?, content_error = ? WHERE url = ?",
                (etag, last_modified, body_hash, message, source.url),
            )

    # -- ingest -----------------------------------------------------------

    def add_entries(self, source: Source, parsed: ParsedFeed) -> int:
        """Store a parsed feed's entries for a source; returns how many were new to the queue.

        The same story in two feeds (same id, or same canonical link from another
        source) becomes one entry listing both sources. Entries already in the
        queue keep their state: a dismissed item stays dismissed.
        """
        with self._write() as db:
            self._upsert_source(db, source)
            return len(self._add_entries(db, source, parsed))

    def _add_entries(self, db: sqlite3.Connection, source: Source, parsed: ParsedFeed) -> list[str]:
        now = time.time()
        name = clean.clean_line(source.name) or source.url
        category = clean.clean_line(source.category)
        fmt = clean.clean_line(source.format)
        feed_title = parsed.title
        entries = [(item_id(entry.key, source.url), entry) for entry in parsed.entries]
        new_ids: list[str] = []
        ids = [iid for iid, _ in entries]
        existing: set[str] = set()
        alias_of: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            existing.update(row[0] for row in db.execute(f"SELECT id FROM items WHERE id IN ({marks})", chunk))
            alias_of.update(db.execute(f"SELECT alias, item_id FROM item_aliases WHERE alias IN ({marks})", chunk).fetchall())
        # Same story under another id: merge by canonical link, but only
        # from a different source (one feed's distinct guids stay distinct).
        by_canon: dict[str, str] = {}
        wanted = list({entry.canon for iid, entry in entries if iid not in existing and iid not in alias_of and _worth_merging(entry.canon)})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for iid, canon in db.execute(
                f"SELECT id, canon FROM items WHERE canon IN ({','.join('?' * len(chunk))}) "
                "AND id NOT IN (SELECT item_id FROM item_sources WHERE source_url = ?)",
                (*chunk, source.url),
            ):
                by_canon.setdefault(canon, iid)
        inserts = []
        bodies: list[tuple[str, str]] = []
        aliases: list[tuple[str, str]] = []
        links: list[tuple[str, str, str]] = []
        touched: set[str] = set()
        for iid, entry in entries:
            if iid in alias_of:
                iid = alias_of[iid]
            elif iid not in existing:
                merged = by_canon.get(entry.canon)
                if merged is not None:
                    # Remember the merge, so later fetches find the same entry
                    # (and a dismissal sticks) without matching links again.
                    aliases.append((iid, merged))
                    iid = merged
                else:
                    published = entry.published.timestamp() if entry.published else None
                    inserts.append(
                        (iid, entry.guid, entry.title, entry.link, entry.canon, entry.summary, published, now,
                         published if published is not None else now, category, fmt, feed_title, json.dumps([name]),
                         _search_text(entry.title, (name,), category, feed_title))
                    )
                    bodies.append((iid, entry.body))
                    existing.add(iid)
                    links.append((iid, source.url, name))
                    continue
            links.append((iid, source.url, name))
            touched.add(iid)
        if aliases:
            db.executemany("INSERT OR IGNORE INTO item_aliases(alias, item_id) VALUES (?, ?)", aliases)
        if inserts:
            db.executemany(
                "INSERT OR IGNORE INTO items(id, guid, title, link, canon, summary, published, fetched_at, sort_time, category, format, feed_title, sources, search) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                inserts,
            )
            new_ids = [row[0] for row in inserts]
            db.executemany("INSERT OR IGNORE INTO bodies(id, body) VALUES (?, ?)", bodies)
        before = db.total_changes
        db.executemany("INSERT OR IGNORE INTO item_sources(item_id, source_url, source_name) VALUES (?, ?, ?)", links)
        if touched and db.total_changes - before > len(inserts):
            self._refresh_sources(db, touched)
        db.execute("UPDATE sources SET feed_title = ? WHERE url = ?", (feed_title, source.url))
        return new_ids

    @staticmethod
    def _refresh_sources(db: sqlite3.Connection, ids: set[str]) -> None:
        # Keep the denormalised source list (shown in every queue row) in step.
        pending = list(ids)
        for start in range(0, len(pending), 500):
            chunk = pending[start : start + 500]
            rows = db.execute(
                f"SELECT i.id, i.title, i.category, i.feed_title, i.sources, s.source_name FROM items i JOIN item_sources s ON s.item_id = i.id "
                f"WHERE i.id IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            grouped: dict[str, tuple[str, str, str, list[str]]] = {}
            for iid, title, category, feed_title, names, source_name in rows:
                entry = grouped.setdefault(iid, (title, category, feed_title, json.loads(names)))
                if source_name not in entry[3]:
                    entry[3].append(source_name)
            for iid, (title, category, feed_title, names) in grouped.items():
                db.execute(
                    "UPDATE items SET sources = ?, search = ? WHERE id = ?",
                    (json.dumps(names), _search_text(title, names, category, feed_title), iid),
                )


def default_backoff(failures: int) -> float:
    """Seconds a source waits after this many failures in a row: none for the first two, then 15 min doubling to a day."""
    if failures < 3:
        return 0.0
    return float(min(15 * 60 * 2 ** (failures - 3), 24 * 3600))


def ingest_bytes(store: QueueStore, source: Source, data: bytes, headers: dict[str, str] | None = None) -> int:
    """Parse feed bytes from a source and add its entries to the queue; returns the new count (FeedError if unusable)."""
    parsed = parse_feed(data, source.url, headers)
    return store.add_entries(source, parsed)


def fetch_sources(
    store: QueueStore,
    sources: Sequence[Source],
    progress: Callable[["FetchProgress"], None] | None = None,
    **options: Any,
) -> "FetchSummary":
    """Fetch every source into the queue (see ``stories.sources.fetch.fetch_sources``)."""
    from stories.sources.fetch import fetch_sources as run

    return run(store, sources, progress=progress, **options)


# -- the bundled demo feeds --------------------------------------------------


def _demo_entries() -> list[dict[str, str]]:
    text = resources.files("stories").joinpath("demo_feeds/sources.toml").read_text("utf-8")
    return tomllib.loads(text)["sources"]


def demo_sources() -> list[Source]:
    """The sources of the bundled sample feeds (what ``briefdesk demo`` puts in desk.toml)."""
    return [Source(name=e["name"], url=e["url"], category=e.get("category", ""), format=e.get("format", "")) for e in _demo_entries()]


def load_demo(store: QueueStore) -> int:
    """Load the bundled sample feeds into the queue without network; returns how many items were new."""
    folder = resources.files("stories").joinpath("demo_feeds")
    new = 0
    for entry, source in zip(_demo_entries(), demo_sources()):
        data = folder.joinpath(entry["file"]).read_bytes()
        try:
            parsed = parse_feed(data, source.url, {})
        except FeedError as exc:  # a broken bundled file is a bug, but never a crash
            store.record_failure(source, str(exc))
            continue
        new += store.add_entries(source, parsed)
        store.record_success(source, feed_title=parsed.title)
    return new
