"""The article text beside the feed text, and which of them the checks use.

The ``articles`` table of the queue database holds, per queue item, the main
text of its article page (fetched) or a text an editor pasted (paywalled or
offline pages), with where it came from and when. ``source_text_for`` is the
one answer to "what is this item's source text": the pasted text, else the
article, else what the feed carried, with a note when the article is missing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from stories import clean
from stories.queue import QueueStore
from stories.sources.extract import Article, needs_article

ORIGINS = ("feed", "article", "pasted")

_COLUMNS = "origin, text, url, canonical_url, title, author, date, site, pasted_by, fetched_at, etag, last_modified, error, attempted_at"


@dataclass(frozen=True)
class SourceText:
    """The text the checks use for a queue item, and where it came from.

    ``origin`` is "feed", "article" or "pasted"; ``fetched_at`` is when that
    text was fetched or pasted; ``metadata`` holds the article's title,
    author, date, site and canonical URL (and who pasted a pasted text);
    ``note`` says, in words, why a thin item still shows its feed text.
    """

    text: str
    origin: str
    fetched_at: datetime | None
    url: str
    metadata: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class StoredArticle:
    """One row of the articles table."""

    item_id: str
    origin: str
    text: str
    url: str
    canonical_url: str
    metadata: dict[str, str]
    pasted_by: str
    fetched_at: datetime | None
    etag: str
    last_modified: str
    error: str
    attempted_at: datetime | None


def _ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc).replace(microsecond=0)


def stored_article(store: QueueStore, item_id: str) -> StoredArticle | None:
    """The stored article (or pasted text) of an item, with its last error; None if never tried."""
    rows = store.query(f"SELECT {_COLUMNS} FROM articles WHERE item_id = ?", (item_id,))
    if not rows:
        return None
    origin, text, url, canonical, title, author, date, site, pasted_by, fetched, etag, lm, error, attempted = rows[0]
    metadata = {key: value for key, value in (("title", title), ("author", author), ("date", date), ("site", site)) if value}
    if canonical:
        metadata["canonical_url"] = canonical
    return StoredArticle(item_id, origin, text, url, canonical, metadata, pasted_by, _ts(fetched), etag, lm, error, _ts(attempted))


def save_article(store: QueueStore, item_id: str, article: Article, etag: str = "", last_modified: str = "") -> None:
    """Store a fetched article for an item (replacing an earlier fetch, but never a pasted text)."""
    now = time.time()
    meta = article.metadata
    with store.transaction() as db:
        db.execute(
            f"INSERT INTO articles(item_id, {_COLUMNS}) VALUES (?, 'article', ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, '', ?) "
            "ON CONFLICT(item_id) DO UPDATE SET origin = excluded.origin, text = excluded.text, url = excluded.url, "
            "canonical_url = excluded.canonical_url, title = excluded.title, author = excluded.author, date = excluded.date, "
            "site = excluded.site, pasted_by = '', fetched_at = excluded.fetched_at, etag = excluded.etag, "
            "last_modified = excluded.last_modified, error = '', attempted_at = excluded.attempted_at WHERE articles.origin != 'pasted'",
            (item_id, article.text, article.url, article.canonical_url, meta.get("title", ""), meta.get("author", ""),
             meta.get("date", ""), meta.get("site", ""), now, etag, last_modified, now),
        )


def save_unchanged(store: QueueStore, item_id: str) -> None:
    """The page answered 304 Not Modified: the stored article stands, as of now."""
    now = time.time()
    with store.transaction() as db:
        db.execute("UPDATE articles SET fetched_at = ?, attempted_at = ?, error = '' WHERE item_id = ?", (now, now, item_id))


def save_article_error(store: QueueStore, item_id: str, url: str, message: str) -> None:
    """Remember why an item's article could not be fetched; an article fetched before is kept."""
    now = time.time()
    message = clean.clean_line(message, 300)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO articles(item_id, origin, url, error, attempted_at) VALUES (?, 'article', ?, ?, ?) "
            "ON CONFLICT(item_id) DO UPDATE SET error = excluded.error, attempted_at = excluded.attempted_at",
            (item_id, url, message, now),
        )


def save_pasted(store: QueueStore, item_id: str, text: str, editor_name: str) -> None:
    """Store text an editor pasted as the item's source (origin "pasted", by that editor); KeyError for an unknown item."""
    if store.item(item_id) is None:
        raise KeyError(item_id)
    now = time.time()
    body = clean.clean_text(text, limit=clean.BODY_MAX)
    editor = clean.clean_line(editor_name, clean.NAME_MAX)
    with store.transaction() as db:
        db.execute(
            f"INSERT INTO articles(item_id, {_COLUMNS}) VALUES (?, 'pasted', ?, '', '', '', '', '', '', ?, ?, '', '', '', ?) "
            "ON CONFLICT(item_id) DO UPDATE SET origin = 'pasted', text = excluded.text, pasted_by = excluded.pasted_by, "
            "fetched_at = excluded.fetched_at, error = '', attempted_at = excluded.attempted_at",
            (item_id, body, editor, now, now),
        )


def source_text_for(store: QueueStore, item_id: str, short_words: int = 150) -> SourceText:
    """The text the checks use for an item: pasted, else the article, else the feed's; KeyError for an unknown item.

    The text starts with the item's title and a blank line, as the feed text
    always has. ``short_words`` is the desk's ``short_source_words``: a feed
    text shorter than that, with no article, gets a note saying so.
    """
    item = store.item(item_id)
    if item is None:
        raise KeyError(item_id)
    stored = stored_article(store, item_id)
    if stored is not None and stored.text:
        metadata = dict(stored.metadata)
        if stored.origin == "pasted" and stored.pasted_by:
            metadata["pasted_by"] = stored.pasted_by
        note = ""
        if stored.error:
            note = f"The last fetch of the article failed ({stored.error}); this is the text fetched before."
        return SourceText(f"{item.title}\n\n{stored.text}".strip(), stored.origin, stored.fetched_at, stored.url or item.link, metadata, note)
    feed_text = store.source_text(item_id)
    note = ""
    if stored is not None and stored.error:
        note = f"The article could not be fetched: {stored.error}"
    elif item.link and needs_article(feed_text, "auto", short_words):
        note = "The article has not been fetched yet; this is what the feed carried."
    return SourceText(feed_text, "feed", item.fetched_at, item.link, {}, note)
