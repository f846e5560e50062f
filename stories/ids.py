"""Story ids: safe, readable file names derived from the headline."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

MAX_ID = 60
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_VALID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def slugify(headline: str) -> str:
    """An id from a headline: ASCII lowercase letters, digits and hyphens, never empty."""
    ascii_text = unicodedata.normalize("NFKD", headline).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_ID:
        cut = slug[:MAX_ID]
        # Cut at a word boundary when one is close, so ids do not end mid-word.
        slug = cut.rsplit("-", 1)[0] if "-" in cut[MAX_ID // 2 :] else cut
        slug = slug.strip("-")
    if not slug:
        slug = "story"
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-story"
    return slug


def unique_id(headline: str, taken: Container[str]) -> str:
    """``slugify(headline)``, with a numeric suffix if that id is already taken."""
    base = slugify(headline)
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: MAX_ID - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def is_valid_id(story_id: str) -> bool:
    """True for an id that is safe as a file name in the content repo."""
    return bool(_VALID.match(story_id)) and story_id not in _WINDOWS_RESERVED
