"""From the bytes of a feed to clean queue entries.

feedparser is only ever given bytes (never a URL or a path), and documents that
declare XML entities are refused before it sees them. JSON Feed, which
feedparser does not read, is parsed here. Every text field leaves this module
cleaned (see ``stories.clean``).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from stories import clean

#: The most items taken from one feed in one fetch (the newest ones); a feed of
#: 60,000 items would otherwise fill memory and the queue for nothing.
MAX_ITEMS = 2_000


class FeedError(Exception):
    """A feed that cannot be used; the message is in words an editor understands.

    ``parser_runs`` says whether feedparser ran before the feed was refused
    (fetch summaries count parses, so an unchanged feed is seen to cost none).
    """

    def __init__(self, message: str, parser_runs: int = 0) -> None:
        super().__init__(message)
        self.parser_runs = parser_runs


@dataclass
class FeedEntry:
    """One clean entry of a feed, before it meets the queue."""

    key: str  # the identity used for the queue id (see entry_key)
    guid: str
    title: str
    link: str
    canon: str  # canonical link, for deduplication across feeds
    summary: str
    body: str
    published: datetime | None


@dataclass
class ParsedFeed:
    """A parsed feed: its title, its kind and its clean entries (duplicates removed)."""

    title: str = ""
    kind: str = ""
    entries: list[FeedEntry] = field(default_factory=list)
    duplicates: int = 0
    # What the links depended on when they were made absolute: "" (nothing,
    # every link was absolute), "origin" (only links like "/a/b", which need
    # the scheme and host of the feed's address) or "address" (links like
    # "a/b", which need its path too).
    link_base: str = ""
    # How many times feedparser ran for this parse (0 for JSON Feed).
    parser_runs: int = 0
    # Entries beyond the per-feed cap, left out (the oldest ones).
    left_out: int = 0
    _keys: set[str] = field(default_factory=set, repr=False)

    def add(self, entry: FeedEntry) -> None:
        """Keep ``entry`` unless an entry with its identity is already here (then count it)."""
        if entry.key in self._keys:
            self.duplicates += 1
            return
        self._keys.add(entry.key)
        self.entries.append(entry)

    @property
    def relative_links(self) -> bool:
        """True if some link was made absolute against the feed's address."""
        return bool(self.link_base)

    def note_link(self, raw: object) -> None:
        """Remember what a raw link needs from the feed's address to become absolute."""
        if self.link_base == "address" or not isinstance(raw, str):
            return
        raw = raw.strip()
        if raw.lower().startswith(("http://", "https://")) or not raw:
            return
        self.link_base = "origin" if raw.startswith("/") else "address"


_MARKERS = tuple(
    tuple(word.encode(codec) for word in ("<!DOCTYPE", "<!ENTITY", "]>"))
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
)


def declares_entities(data: bytes) -> bool:
    """True if the document's DOCTYPE declares entities (entity-expansion bombs, XXE)."""
    for doctype, entity, subset_end in _MARKERS:
        start = data.find(doctype)
        if start < 0:
            continue
        # The internal subset ends with "]>"; a bomb hides its entities inside it.
        end = data.find(subset_end, start)
        if data.find(entity, start, len(data) if end < 0 else end + 2) >= 0:
            return True
    return False


def parse_feed(data: bytes, url: str, headers: dict[str, str] | None = None, max_items: int = MAX_ITEMS) -> ParsedFeed:
    """Parse feed bytes fetched from ``url`` into clean entries; FeedError when it is not a usable feed.

    At most ``max_items`` entries are kept, the newest by date (undated ones
    in feed order after them); ``ParsedFeed.left_out`` counts the rest.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_feed takes the bytes of a feed")
    if not data.strip():
        raise FeedError("The feed is empty (the site sent nothing).")
    if declares_entities(data):
        raise FeedError("The feed declares XML entities, a known way to attack readers; it was not read.")
    base = (headers or {}).get("content-location") or url
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _parse_json_feed(bytes(data), base, max_items)
    return _parse_xml_feed(bytes(data), url, base, headers or {}, max_items)


def _newest(entries: list, max_items: int, when) -> tuple[list, int]:
    # Keep the newest entries of an oversized feed, in their feed order.
    if len(entries) <= max_items:
        return entries, 0
    order = sorted(range(len(entries)), key=lambda n: (when(entries[n]) is None, -(when(entries[n]) or 0), n))
    kept = sorted(order[:max_items])
    return [entries[n] for n in kept], len(entries) - max_items


def _parse_xml_feed(data: bytes, url: str, base: str, headers: dict[str, str], max_items: int) -> ParsedFeed:
    import feedparser

    # The HTML of an entry only ever becomes plain text here (html_to_text
    # drops scripts, styles and every tag), so feedparser's own HTML sanitizer
    # and relative-URI rewriting inside HTML are skipped: they would cost about
    # a third of the parse for nothing an editor sees. Entry links are made
    # absolute below, against xml:base (which feedparser applies) or the feed's
    # address.
    response_headers = {}
    if headers.get("content-type"):
        response_headers["content-type"] = headers["content-type"]
    parsed = feedparser.parse(data, response_headers=response_headers, sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    version = parsed.get("version") or ""
    if not entries:
        if parsed.get("bozo") and not version:
            raise FeedError(_not_a_feed(data, parsed.get("bozo_exception")), parser_runs=1)
        if not version:
            raise FeedError(_not_a_feed(data, None), parser_runs=1)
    feed = parsed.get("feed") or {}
    result = ParsedFeed(title=clean.clean_line(feed.get("title", ""), clean.NAME_MAX), kind=version, parser_runs=1)
    entries, result.left_out = _newest(entries, max_items, _raw_time)
    for raw in entries:
        entry = _entry_from_feedparser(raw, base)
        if entry.link:
            result.note_link(raw.get("link", ""))
        result.add(entry)
    return result


def _raw_time(raw: dict) -> float | None:
    stamp = dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")
    try:
        return calendar.timegm(stamp) if stamp else None
    except (TypeError, ValueError, OverflowError):
        return None


def _not_a_feed(data: bytes, exc: object) -> str:
    sample = data[:2048].lower()
    if b"<html" in sample or b"<!doctype html" in sample:
        return "This address sent a web page, not a feed (the site may be blocking readers, or the feed moved)."
    if exc is not None:
        where = ""
        get_line = getattr(exc, "getLineNumber", None)
        if callable(get_line):
            try:
                where = f" near line {int(get_line())}"
            except Exception:
                where = ""
        return f"The feed could not be read: it is not well-formed XML{where}."
    return "The address sent something that is not a feed."


def _as_text(kind: str, value: object, limit: int) -> str:
    if "html" in kind or "xml" in kind:
        return clean.html_to_text(value, limit=limit)
    return clean.plain_text(value, limit=limit)


def _text_of(detail: object, value: object, limit: int) -> str:
    kind = ""
    if isinstance(detail, dict):
        kind = str(detail.get("type") or "")
    return _as_text(kind, value, limit)


def _entry_from_feedparser(raw: dict, base: str) -> FeedEntry:
    # The longest of the entry's contents and its summary is the body; each is
    # read as HTML or as plain text according to its declared type.
    candidates: list[tuple[str, str]] = []
    for content in raw.get("content") or []:
        if isinstance(content, dict) and isinstance(content.get("value"), str):
            candidates.append((str(content.get("type") or "text/html"), content["value"]))
    summary_raw = raw.get("summary", "")
    summary_detail = raw.get("summary_detail") or {}
    summary_type = str(summary_detail.get("type") or "text/html") if isinstance(summary_detail, dict) else "text/html"
    if not isinstance(summary_raw, str):
        summary_raw = ""
    body_type, body_raw = max(candidates, key=lambda c: len(c[1])) if candidates else ("text/html", "")
    if len(summary_raw) > len(body_raw):
        body_type, body_raw = summary_type, summary_raw
    body = _as_text(body_type, body_raw, clean.BODY_MAX)
    summary = body if body_raw is summary_raw else _as_text(summary_type, summary_raw, clean.SUMMARY_MAX * 2)
    if len(summary) > clean.SUMMARY_MAX:
        summary = clean.clean_text(summary, limit=clean.SUMMARY_MAX)

    title = _text_of(raw.get("title_detail"), raw.get("title", ""), clean.TITLE_MAX * 2)
    title = clean.clean_line(title, clean.TITLE_MAX)
    if not title:
        title = clean.first_words(body or summary) or "(untitled)"

    link = clean.clean_link(raw.get("link", ""), base)
    if not link:
        for candidate in raw.get("links") or []:
            if isinstance(candidate, dict) and candidate.get("rel", "alternate") == "alternate":
                link = clean.clean_link(candidate.get("href", ""), base)
                if link:
                    break
    guid = raw.get("id", "")
    guid = guid.strip() if isinstance(guid, str) else ""
    guid = clean.clean_line(guid, clean.GUID_MAX) if guid else ""

    # dict.get, not FeedParserDict.get: its updated->published fallback warns.
    raw_date = dict.get(raw, "published") or dict.get(raw, "updated") or ""
    published = clean.clean_date(dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed"), raw_date)
    link = clean.strip_tracking(link)
    canon = clean.canonical_link(link)
    return FeedEntry(
        key=entry_key(guid, canon, title, raw_date if isinstance(raw_date, str) else ""),
        guid=guid,
        title=title,
        link=link,
        canon=canon,
        summary=summary,
        body=body,
        published=published,
    )


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def entry_key(guid: str, canon: str, title: str, date: str) -> str:
    """The identity of an entry: its guid, else its canonical link, else its title and date."""
    if guid:
        return "guid:" + guid
    if canon:
        return "link:" + canon
    return "text:" + title + "\n" + date.strip()


def item_id(key: str, feed_url: str) -> str:
    """The queue id of an entry: a hash of its identity, stable across fetches.

    A guid that is a URI (http:, tag:, urn:) names the story everywhere; a bare
    one ("1234") only means something inside its own feed, so it is scoped by
    the feed's address.
    """
    if key.startswith("guid:") and not _SCHEME.match(key[5:]):
        key = feed_url + "\n" + key
    elif key.startswith("text:"):
        key = feed_url + "\n" + key
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:20]


def _parse_json_feed(data: bytes, base: str, max_items: int = MAX_ITEMS) -> ParsedFeed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FeedError("The address sent something that is not a feed (broken JSON).") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedError("The address sent JSON that is not a JSON Feed.")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("The JSON Feed has no list of items.")
    feed_base = doc.get("home_page_url") if isinstance(doc.get("home_page_url"), str) else ""
    result = ParsedFeed(title=clean.clean_line(doc.get("title", ""), clean.NAME_MAX), kind="json" + str(doc.get("version", ""))[-3:].replace("/", ""))
    items, result.left_out = _newest([raw for raw in items if isinstance(raw, dict)], max_items, _json_time)
    for raw in items:
        body_html = raw.get("content_html") if isinstance(raw.get("content_html"), str) else ""
        body = clean.html_to_text(body_html, limit=clean.BODY_MAX) if body_html else clean.clean_text(raw.get("content_text") if isinstance(raw.get("content_text"), str) else "", limit=clean.BODY_MAX)
        summary_raw = raw.get("summary") if isinstance(raw.get("summary"), str) else ""
        summary = clean.plain_text(summary_raw, limit=clean.SUMMARY_MAX) if summary_raw else clean.clean_text(body, limit=clean.SUMMARY_MAX)
        title = clean.clean_line(clean.plain_text(raw.get("title") if isinstance(raw.get("title"), str) else "", limit=clean.TITLE_MAX * 2), clean.TITLE_MAX)
        if not title:
            title = clean.first_words(body or summary) or "(untitled)"
        raw_link = raw.get("url") if isinstance(raw.get("url"), str) else ""
        link = clean.clean_link(raw_link, feed_base or base)
        if link:
            result.note_link(raw_link)
        guid_raw = raw.get("id")
        guid = clean.clean_line(str(guid_raw).strip(), clean.GUID_MAX) if isinstance(guid_raw, (str, int)) else ""
        date_raw = raw.get("date_published") or raw.get("date_modified") or ""
        published = _iso_date(date_raw if isinstance(date_raw, str) else "")
        link = clean.strip_tracking(link)
        canon = clean.canonical_link(link)
        entry = FeedEntry(entry_key(guid, canon, title, date_raw if isinstance(date_raw, str) else ""), guid, title, link, canon, summary, body, published)
        result.add(entry)
    return result


def _json_time(raw: dict) -> float | None:
    date_raw = raw.get("date_published") or raw.get("date_modified") or ""
    when = _iso_date(date_raw) if isinstance(date_raw, str) else None
    return when.timestamp() if when else None


def _iso_date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return clean.clean_date(when.utctimetuple())
