"""Repository: the same source already published, related stories that do not exist."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from stories.checks.finding import Finding
from stories.ids import is_valid_id
from stories.model import Briefing, PublishedStory
from stories.profile import Profile

_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


@lru_cache(maxsize=131_072)  # one entry per published story: re-checks on each keystroke stay cheap
def canonical_url(url: str) -> str:
    """A URL reduced to what identifies the page: no fragment, tracking tags, case or trailing slash."""
    try:
        parts = urlsplit(url.strip())
        port_number = parts.port
    except ValueError:
        return url.strip()
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)])
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{port_number}" if port_number and port_number not in (80, 443) else ""
    path = parts.path.rstrip("/") or "/"
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    return urlunsplit((scheme, host + port, path, query, ""))


def check(briefing: Briefing, profile: Profile, published: Sequence[PublishedStory]) -> list[Finding]:
    """Findings that need the content repo's published stories."""
    found: list[Finding] = []
    url = briefing.source.url if briefing.source else ""
    if url.strip():
        mine = canonical_url(url)
        for story in published:
            if story.id != briefing.id and story.source_url and canonical_url(story.source_url) == mine:
                found.append(
                    Finding(
                        "repository.duplicate",
                        "source",
                        "error",
                        f"This source is already published as {story.id!r} ({story.headline}): revise that story instead, or waive this with a reason",
                        0,
                        len(url),
                    )
                )
    ids = {story.id for story in published}
    seen: set[str] = set()
    for number, related in enumerate(briefing.related):
        span = (0, len(related), number)
        if related in seen:
            found.append(Finding("repository.related", "related", "warning", f"Related story {related!r} is listed twice", *span))
        elif related == briefing.id:
            found.append(Finding("repository.related", "related", "error", "A story cannot be related to itself", *span))
        elif not is_valid_id(related):
            found.append(Finding("repository.related", "related", "error", f"{related!r} is not a story id", *span))
        elif related not in ids:
            found.append(Finding("repository.related", "related", "error", f"Related story {related!r} is not published in this content repo", *span))
        seen.add(related)
    return found
