"""Small words about counts, shared by the app, the checks and the command line."""

from __future__ import annotations

import math

READING_WORDS_PER_MINUTE = 230
"""An adult's silent reading speed for plain news prose (studies put it at 200–260)."""


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``1 item``, ``2 items``, ``0 items``; pass ``plural_noun`` for irregular nouns (``1 story``, ``2 stories``)."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_noun or noun + 's'}"


def reading_time(words: int) -> str:
    """How long a reader takes over ``words`` words: ``1 min read``, ``3 min read`` (rounded up)."""
    if words <= 0:
        return "nothing to read yet"
    minutes = math.ceil(words / READING_WORDS_PER_MINUTE)
    return f"{minutes} min read"
