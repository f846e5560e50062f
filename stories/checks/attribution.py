"""Attribution: a source block is present, its address is a real http(s) URL, and it
matches the queue item the briefing came from."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from stories.checks.finding import Finding
from stories.model import Briefing, SourceRef
from stories.profile import Profile

_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$|^localhost$|^\d{1,3}(?:\.\d{1,3}){3}$|^\[[0-9a-f:.]+\]$")
_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f<>\"]")


def url_problem(url: str) -> str | None:
    """Why this is not a well-formed http(s) address, or None if it is one."""
    if not url.strip():
        return "The source has no address: copy it from the queue item"
    if _BAD_CHARS.search(url):
        return f"The source address {url!r} has spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        return f"The source address {url!r} is not a well-formed URL"
    del port
    if parts.scheme.lower() not in ("http", "https"):
        scheme = parts.scheme or "no scheme"
        return f"The source address must start with http:// or https://, not {scheme + ':' if parts.scheme else scheme}"
    host = (parts.hostname or "").lower().rstrip(".")
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")  # bücher.example → xn--bcher-kva.example
        except UnicodeError:
            host = ""
    if not host or not _HOST.match(host):
        return f"The source address {url!r} has no valid host name"
    if parts.username or parts.password:
        return "The source address must not carry a user name or password"
    return None


def check(briefing: Briefing, profile: Profile, queue_source: SourceRef | None = None) -> list[Finding]:
    """Findings about where the briefing says it came from."""
    source = briefing.source
    if source is None or source.is_empty():
        return [Finding("attribution.missing", "source", "error", "No source block: a briefing must say where it came from")]
    found: list[Finding] = []
    problem = url_problem(source.url)
    if problem:
        found.append(Finding("attribution.url", "source", "error", problem, 0, len(source.url)))
    if not source.name.strip():
        found.append(Finding("attribution.name", "source", "error", "The source has no name"))
    elif profile.sources and source.name not in {s.name for s in profile.sources}:
        found.append(Finding("attribution.name", "source", "warning", f"{source.name!r} is not one of the desk's sources"))
    if not source.feed.strip():
        found.append(Finding("attribution.feed", "source", "warning", "The source has no feed or category"))
    if not source.title.strip():
        found.append(Finding("attribution.title", "source", "warning", "The source item has no title"))
    if source.published is None:
        found.append(Finding("attribution.published", "source", "info", "The source item has no publication date"))
    if queue_source is not None:
        for key in ("url", "name", "title", "guid", "feed"):
            mine, theirs = getattr(source, key), getattr(queue_source, key)
            if theirs and mine != theirs:
                found.append(
                    Finding(
                        "attribution.mismatch",
                        "source",
                        "error",
                        f"The source {key} {mine!r} differs from the queue item's {theirs!r}: copy the source block, do not type it",
                    )
                )
    return found
