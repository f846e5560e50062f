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
from stories.checks.traceability import quote_spans
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


def check(briefing: Briefing, profile: Profile) -> list[Finding]:
    """Findings about the voice of the briefing."""
    rules = profile.tone
    hype = _pattern(rules.hype)
    superlatives = _pattern(rules.superlatives)
    subs = {k.lower().replace("’", "'"): v for k, v in rules.substitutions.items()}
    substitutions = _pattern(tuple(rules.substitutions))
    found: list[Finding] = []
    exclamations = 0
    for section, text, item in all_pieces(briefing, profile):
        # Words inside a quotation are the source's words, not the desk's voice
        # (traceability checks them); a headline gets no such allowance.
        quoted = [] if section.key == "headline" else quote_spans(text)

        def voiced(matches: Iterator[re.Match[str]]) -> Iterator[re.Match[str]]:
            return (m for m in matches if not any(s <= m.start() < e for s, e in quoted))

        if hype:
            for m in voiced(hype.finditer(text)):
                found.append(Finding("tone.hype", section.key, "warning", f"{m.group()!r} is hype: say what happened instead", m.start(), m.end(), item))
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
                found.append(Finding("tone.exclamation", section.key, "warning", "Exclamation mark: let the facts carry the feeling", m.start(), m.end(), item))
        if section.key != "headline" and section.kind != "line":
            # Headlines get the stricter structure.headline rule for capitals.
            for start, end in shouted_spans(text):
                found.append(Finding("tone.caps", section.key, "warning", f"ALL CAPS reads as shouting: {text[start:end]!r}", start, end, item))
    return found
