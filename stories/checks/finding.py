"""One thing a check found, and small helpers the check families share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from stories.model import Briefing, Waiver
from stories.profile import Profile, Section

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """A check result: which check, where (section, character span, list item), how bad, and why.

    ``start``/``end`` index ``briefing.text(section)``, or item ``item`` of a
    list section when ``item`` is set (the source URL for ``section="source"``).
    A waived finding keeps its message, carries its ``waiver``, and counts as
    ``info``; ``waived_from`` is the severity it had.
    """

    check: str
    section: str
    severity: Severity
    message: str
    start: int = 0
    end: int = 0
    item: int | None = None
    waiver: Waiver | None = None
    waived_from: str = ""


def finding_text(briefing: Briefing, finding: Finding) -> str:
    """The text a finding is about (what a waiver of it records), "" when it has no span."""
    if finding.section == "source":
        whole = briefing.source.url if briefing.source else ""
    elif finding.item is not None:
        items = briefing.items(finding.section)
        whole = items[finding.item] if finding.item < len(items) else ""
    else:
        whole = briefing.text(finding.section)
    return whole[finding.start : finding.end]


WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def word_count(text: str) -> int:
    """Words as a reader counts them ("11-month" and "patient’s" are one word each)."""
    return sum(1 for _ in WORD.finditer(text))


def pieces(briefing: Briefing, section: Section) -> Iterator[tuple[str, int | None]]:
    """The texts of a section to check: each item of a list section, or the whole text."""
    if section.kind == "list":
        for number, item in enumerate(briefing.items(section.key)):
            yield item, number
    else:
        yield briefing.text(section.key), None


def all_pieces(briefing: Briefing, profile: Profile) -> Iterator[tuple[Section, str, int | None]]:
    """Every (section, text, item) of the briefing, in the profile's order."""
    for section in profile.sections:
        for text, item in pieces(briefing, section):
            if text:
                yield section, text, item
