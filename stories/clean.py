"""Cleaning untrusted feed text: plain text, no control characters, escapes or bidi overrides.

Everything a feed sends is untrusted. What leaves this module is plain text that
is safe to print on a terminal and to store: HTML reduced to paragraphs, entities
decoded, terminal escape sequences (CSI, OSC, DCS …), C0/C1 controls, NUL and
bidirectional overrides removed, links absolute and http(s) only, dates within
sane bounds, and every field capped to a sane length.
"""

from __future__ import annotations

import html
import re
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TITLE_MAX = 300
SUMMARY_MAX = 600
BODY_MAX = 200_000
LINK_MAX = 2_048
NAME_MAX = 200
GUID_MAX = 1_024

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=2)

# Terminal escape sequences, 7-bit and 8-bit forms. An OSC/DCS without its
# terminator swallows text up to the next control character, which is fine:
# the point is that nothing of it reaches a terminal as a command.
_ESCAPES = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?                              # CSI
    | \x9b[0-?]*[ -/]*[@-~]?                                # 8-bit CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])               # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?                 # ... up to BEL or ST
    | \x1b[ -/]*[0-~]?                                      # any other ESC sequence
    """,
    re.VERBOSE,
)

_DROP = dict.fromkeys(
    [c for c in range(0x00, 0x20) if c not in (0x09, 0x0A)]  # C0 except tab and newline
    + [0x7F]  # DEL
    + list(range(0x80, 0xA0))  # C1
    + list(range(0x202A, 0x202F))  # LRE RLE PDF LRO RLO
    + list(range(0x2066, 0x206A))  # LRI RLI FSI PDI
    + [0x200E, 0x200F, 0x061C]  # LRM RLM ALM
    + [0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB, 0xFFFE, 0xFFFF]
    + list(range(0xD800, 0xE000)),  # lone surrogates cannot be stored as UTF-8
    None,
)
_DROP[0x09] = " "
_DROP[0x0D] = "\n"
_DROP[0x2028] = "\n"
_DROP[0x2029] = "\n\n"

_NEEDS_ESCAPE_PASS = re.compile(r"[\x1b\x90-\x9f]")
# Everything _DROP touches; most text has none of it, and a search is far
# cheaper than a translate through a table of two thousand entries.
_NEEDS_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: object, limit: int | None = None) -> str:
    """Plain, printable text: escapes and controls removed, spaces tidied, paragraphs kept."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if limit is not None and len(text) > limit * 4 + 1024:
        # A giant field is cut before the work, so cleaning stays linear and cheap.
        text = text[: limit * 4 + 1024]
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if _NEEDS_ESCAPE_PASS.search(text):
        text = _ESCAPES.sub("", text)
    if "\t" in text:
        text = text.replace("\t", " ")
    if _NEEDS_DROP.search(text):
        text = text.translate(_DROP)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
    if limit is not None and len(text) > limit:
        text = _cut(text, limit)
    return text


def clean_line(text: object, limit: int = NAME_MAX) -> str:
    """One line of clean text (titles, names, categories): newlines become spaces."""
    text = clean_text(text, limit=limit * 2)
    if "\n" in text:
        text = _SPACES.sub(" ", text.replace("\n", " "))
    if len(text) > limit:
        text = _cut(text, limit)
    return text


def _cut(text: str, limit: int) -> str:
    # Cut at a word boundary when one is near, and say so with an ellipsis.
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def html_to_text(markup: object, limit: int | None = None) -> str:
    """Plain text from an HTML fragment: paragraphs kept, scripts and styles dropped, entities decoded.

    The markup is read by a real HTML parser (``stories.sources.html``), then
    cleaned here like every other untrusted text.
    """
    from stories.sources.html import markup_text

    if markup is None:
        return ""
    text = markup if isinstance(markup, str) else str(markup)
    if limit is not None and len(text) > limit * 8 + 4096:
        text = text[: limit * 8 + 4096]
    if "<" in text:
        text = markup_text(text)
    elif "&" in text:
        text = html.unescape(text)
    return clean_text(text, limit=limit)


def terminal_safe(text: str) -> str:
    """``text`` with nothing a terminal would obey: escape sequences, controls and bidi overrides go.

    Unlike ``clean_text`` it keeps the layout as written (tabs, spaces, blank
    lines): it is for text an editor typed or pasted, shown back as it is.
    """
    if not text:
        return ""
    if _NEEDS_ESCAPE_PASS.search(text):
        text = _ESCAPES.sub("", text)
    if _NEEDS_DROP.search(text):
        text = text.translate(_TERMINAL_DROP)
    return text


# What terminal_safe drops: _DROP's characters, but tabs and newlines stay.
_TERMINAL_DROP = {code: None for code in _DROP if code not in (0x09, 0x0A)}


def plain_text(value: object, limit: int | None = None) -> str:
    """Text that may still hold entities (a "plain" field some feeds escape twice)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if "&" in text:
        text = html.unescape(text)
    return clean_text(text, limit=limit)


def first_words(text: str, words: int = 10, limit: int = 80) -> str:
    """A title made from the first words of a text, for untitled items."""
    head = text.split()[: words + 1]
    if not head:
        return ""
    title = " ".join(head[:words])
    if len(head) > words or len(title) > limit:
        title = _cut(title, limit) if len(title) > limit else title + "…"
    return title


# -- links -------------------------------------------------------------------

_BAD_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f\"<>\\^`{|}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_link(link: object, base: str = "") -> str:
    """An absolute, well-formed http(s) link, or "" if the link is not one."""
    if not isinstance(link, str):
        return ""
    link = link.strip()
    if not link or len(link) > LINK_MAX or _BAD_IN_URL.search(link):
        return ""
    if base and not link.lower().startswith(("http://", "https://")):
        try:
            link = urljoin(base, link)
        except ValueError:
            return ""
    try:
        parts = urlsplit(link)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    if "@" in parts.netloc:
        # user:info@host is how spoofed links hide the real host.
        return ""
    host = parts.hostname
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return ""
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    if ":" in ascii_host and not ascii_host.startswith("["):
        netloc = f"[{ascii_host}]" + (f":{port}" if port is not None else "")
    result = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, parts.fragment))
    if len(result) > LINK_MAX or _BAD_IN_URL.search(result):
        return ""
    return result


_TRACKING = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|_hsenc|_hsmi|mkt_tok|ref_src|oly_anon_id|oly_enc_id|vero_id|__s|s_cid|cmpid|ncid|sr_share|at_medium|at_campaign)$",
    re.IGNORECASE,
)


def strip_tracking(link: str) -> str:
    """The link without tracking parameters (utm_*, fbclid, gclid …); everything else kept."""
    if "?" not in link:
        return link
    try:
        parts = urlsplit(link)
    except ValueError:
        return link
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _TRACKING.match(k)]
    if len(kept) == len(pairs):
        return link
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def canonical_link(link: str) -> str:
    """The link without tracking parameters, fragment and default port, for deduplication."""
    if not link:
        return ""
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if port is not None and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = parts.query
    if query:
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKING.match(k)]
        query = urlencode(pairs)
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    # http and https of the same page are the same story.
    return urlunsplit(("https", host, path, query, ""))


# -- dates -------------------------------------------------------------------

_EPOCH = re.compile(r"^\s*(\d{9,10})(?:\.\d+)?\s*$")
_OFFSET = re.compile(r"\d\d:\d\d(?::\d\d)?\s*(?:GMT|UTC)?\s*[+-](\d\d):?(\d\d)\s*$", re.IGNORECASE)


def clean_date(parsed: time.struct_time | tuple | None, raw: object = None, now: datetime | None = None) -> datetime | None:
    """A UTC datetime within 1990 .. now + 2 days, or None; an epoch string is read as one."""
    now = now or datetime.now(timezone.utc)
    when: datetime | None = None
    if isinstance(raw, str):
        offset = _OFFSET.search(raw)
        if offset and (int(offset.group(1)) > 14 or int(offset.group(2)) > 59):
            # No place on earth is 25 hours from UTC: the date is made up.
            return None
        match = _EPOCH.match(raw)
        if match:
            try:
                when = datetime.fromtimestamp(int(match.group(1)), timezone.utc)
            except (OverflowError, OSError, ValueError):
                when = None
    if when is None and parsed:
        try:
            when = datetime(*tuple(parsed)[:6], tzinfo=timezone.utc)
        except (TypeError, ValueError, OverflowError):
            when = None
    if when is None or when < EARLIEST or when > now + FUTURE_SLACK:
        return None
    return when.replace(microsecond=0)
