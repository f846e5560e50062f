"""Structure: required sections, word and character limits, key point count, headline form."""

from __future__ import annotations

import re

from stories.checks.finding import WORD, Finding, word_count
from stories.clean import terminal_safe
from stories.model import Briefing
from stories.profile import Profile, Section
from stories.text import plural

_CAPS_WORD = re.compile(r"(?<![\w'’-])[A-Z][A-Z'’\-]*[A-Z](?![\w'’-])")
_ROMAN = re.compile(r"^(?=[MDCLXVI])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def shouted_spans(text: str, acronyms: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of ALL CAPS words of any length that are not acronyms (the profile's, or ones the source writes so).

    Roman numerals (II, XIV) are names too; a word with a digit (COVID-19) never matches.
    """
    spans = []
    for match in _CAPS_WORD.finditer(text):
        word = match.group()
        bare = word.replace("’", "'").removesuffix("'S").strip("'-")
        if bare in acronyms or _ROMAN.match(bare) or all(len(part) == 1 or part in acronyms or _ROMAN.match(part) for part in bare.split("-") if part):
            continue
        spans.append(match.span())
    return spans


def _limits(section: Section, text: str, item: int | None, label: str) -> list[Finding]:
    found: list[Finding] = []
    span = (0, len(text))
    chars = len(text.strip())
    if section.min_chars is not None and chars < section.min_chars:
        found.append(Finding("structure.length", section.key, "error", f"{label} is {plural(chars, 'character')}; at least {section.min_chars}", *span, item))
    if section.max_chars is not None and chars > section.max_chars:
        found.append(
            Finding("structure.length", section.key, "error", f"{label} is {plural(chars, 'character')}; at most {section.max_chars}", section.max_chars, len(text), item)
        )
    if section.min_words is not None or section.max_words is not None:
        words = word_count(text)
        if section.min_words is not None and words < section.min_words:
            found.append(Finding("structure.length", section.key, "error", f"{label} is {plural(words, 'word')}; at least {section.min_words}", *span, item))
        if section.max_words is not None and words > section.max_words:
            cut = [m for m in WORD.finditer(text)][section.max_words].start()
            found.append(Finding("structure.length", section.key, "error", f"{label} is {plural(words, 'word')}; at most {section.max_words}", cut, len(text), item))
    return found


def _headline_form(section: Section, text: str) -> list[Finding]:
    found: list[Finding] = []
    stripped = text.rstrip()
    if stripped.endswith(".") and not stripped.endswith("..."):
        found.append(Finding("structure.headline", section.key, "error", f"{section.label} ends with a period", len(stripped) - 1, len(stripped)))
    if text != text.strip():
        found.append(Finding("structure.headline", section.key, "warning", f"{section.label} has spaces at the start or end", 0, len(text)))
    if "\n" in text:
        found.append(Finding("structure.headline", section.key, "error", f"{section.label} must be one line", text.index("\n"), len(text)))
    return found


def check(briefing: Briefing, profile: Profile) -> list[Finding]:
    """Findings about the shape of the briefing."""
    found: list[Finding] = []
    for section in profile.sections:
        text = briefing.text(section.key)
        found.extend(_controls(section, text))
        if not text.strip():
            if section.required:
                found.append(Finding("structure.required", section.key, "error", f"{section.label} is missing"))
            continue
        if section.kind == "list":
            items = briefing.items(section.key)
            count = sum(1 for i in items if i.strip())
            empty = len(items) - count
            want = _range(section.min_items, section.max_items)
            # An empty point already says what is missing ("Key points 3 is empty"): say it once.
            too_few = section.min_items is not None and count + empty < section.min_items
            if too_few or (section.max_items is not None and count > section.max_items):
                found.append(Finding("structure.items", section.key, "error", f"{section.label}: {plural(count, 'item')}; {want}", 0, len(text)))
            for number, item in enumerate(items):
                label = f"{section.label} {number + 1}"
                if not item.strip():
                    found.append(Finding("structure.required", section.key, "error", f"{label} is empty", 0, 0, number))
                    continue
                found.extend(_limits(section, item, number, label))
            continue
        found.extend(_limits(section, text, None, section.label))
        if section.kind == "line" or section.key == "headline":
            found.extend(_headline_form(section, text))
        if section.paragraphs is not None:
            paragraphs = [p for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
            if len(paragraphs) > section.paragraphs:
                want = "one paragraph" if section.paragraphs == 1 else f"at most {section.paragraphs} paragraphs"
                found.append(Finding("structure.paragraphs", section.key, "warning", f"{section.label} has {len(paragraphs)} paragraphs; {want}", 0, len(text)))
        if section.expects_any:
            if not _mentions_any(text, section.expects_any):
                examples = ", ".join(section.expects_any[:4])
                found.append(
                    Finding("structure.next_step", section.key, "warning", f"{section.label} has no caveat or next step (words like {examples})", 0, len(text))
                )
    found.extend(_topics(briefing, profile))
    return found


def _range(low: int | None, high: int | None) -> str:
    if low is not None and low == high:
        return f"exactly {low}"
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _mentions_any(text: str, words: tuple[str, ...]) -> bool:
    lowered = {m.group().lower().replace("’", "'") for m in WORD.finditer(text)}
    folded = " ".join(text.lower().split())
    return any((w.lower() in lowered) if " " not in w else (w.lower() in folded) for w in words)


def _topics(briefing: Briefing, profile: Profile) -> list[Finding]:
    found: list[Finding] = []
    if not briefing.topics:
        found.append(Finding("structure.topics", "topics", "warning", "No topic: pick one from the desk's list"))
    for number, topic in enumerate(briefing.topics):
        if profile.topics and topic not in profile.topics:
            found.append(
                Finding("structure.topics", "topics", "error", f"Topic {topic!r} is not one of the desk's topics ({', '.join(profile.topics)})", 0, len(topic), number)
            )
    return found


def _controls(section: Section, text: str) -> list[Finding]:
    """An error for control characters or terminal escape codes in a section: a reader's terminal would obey them."""
    if terminal_safe(text) == text:
        return []
    at = next((i for i, ch in enumerate(text) if terminal_safe(ch) != ch or ch == "\x1b"), 0)
    return [
        Finding(
            "structure.control", section.key, "error",
            f"{section.label} holds control characters or terminal escape codes (pasted from somewhere?); delete and retype that part",
            at, at + 1,
        )
    ]
