"""Tone: hype and clickbait words, substitutions, superlatives, exclamation marks, ALL CAPS.

Vale-like rules from the desk profile: *existence* rules (any hype word or
superlative is a warning) and *substitution* rules (suggest the calmer word).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from stories.checks.finding import Finding, all_pieces
from stories.checks.structure import shouted_spans
from stories.checks.quotes import quote_spans
from stories.checks.text import source_index
from stories.model import Briefing
from stories.profile import Profile


@lru_cache(maxsize=32)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive regex for a word list; phrases match across any whitespace."""
    if not words:
        return None
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word.strip().replace("’", "'"))
        escaped = escaped.replace("'", "['’]").replace(r"\ ", r"\s+")
        parts.append(escaped)
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


_EXCLAIM = re.compile(r"!+")


# "!" is shouting anywhere, and an error where a reader meets the story first.
_LOUD_SECTIONS = ("headline", "summary")


def check(briefing: Briefing, profile: Profile, source_text: str | None = None) -> list[Finding]:
    """Findings about the voice of the briefing (``source_text`` lends its own acronyms)."""
    rules = profile.tone
    hype = _pattern(rules.hype)
    superlatives = _pattern(rules.superlatives)
    subs = {k.lower().replace("’", "'"): v for k, v in rules.substitutions.items()}
    substitutions = _pattern(tuple(rules.substitutions))
    found: list[Finding] = []
    exclamations = 0
    acronyms = frozenset(rules.acronyms) | (source_index(source_text).capitalised if source_text else frozenset())
    for section, text, item in all_pieces(briefing, profile):
        # Words inside a quotation are the source's words, not the desk's voice
        # (traceability checks them); a headline gets no such allowance for hype.
        quoted = quote_spans(text)
        headline = section.key == "headline"

        def voiced(matches: Iterator[re.Match[str]], spans: list[tuple[int, int]] = quoted) -> Iterator[re.Match[str]]:
            return (m for m in matches if not any(s <= m.start() < e for s, e in spans))

        if hype:
            severity = "error" if headline else "warning"
            for m in voiced(hype.finditer(text), [] if headline else quoted):
                found.append(Finding("tone.hype", section.key, severity, f"{m.group()!r} is hype: say what happened instead", m.start(), m.end(), item))
        if superlatives:
            for m in voiced(superlatives.finditer(text)):
                found.append(Finding("tone.superlative", section.key, "warning", f"{m.group()!r} is a superlative: can the source back it?", m.start(), m.end(), item))
        if substitutions:
            for m in voiced(substitutions.finditer(text)):
                key = " ".join(m.group().lower().replace("’", "'").split())
                better = subs.get(key, "")
                found.append(Finding("tone.substitution", section.key, "warning", f"{m.group()!r} reads calmer as {better!r}", m.start(), m.end(), item))
        for m in voiced(_EXCLAIM.finditer(text)):
            exclamations += 1
            if exclamations > rules.max_exclamations:
                severity = "error" if section.key in _LOUD_SECTIONS else "warning"
                found.append(Finding("tone.exclamation", section.key, severity, "Exclamation mark: let the facts carry the feeling", m.start(), m.end(), item))
        for start, end in shouted_spans(text, acronyms):
            if any(s <= start < e for s, e in quoted):
                continue
            severity = "error" if headline else "warning"
            found.append(Finding("tone.caps", section.key, severity, f"ALL CAPS reads as shouting: {text[start:end]!r} (add real acronyms to [tone] acronyms)", start, end, item))
    return found
