"""Traceability: what the briefing quotes, counts and copies must come from the source.

- every quotation, however short, appears in the source (``quotes``); a
  misquote names the nearest source passage and the words that differ, a
  splice of two passages without an ellipsis is called one;
- every number appears in the source with the same meaning (``numbers``):
  value, and what it counts (percent or count, currency, unit), in a sentence
  about the same thing; true arithmetic on the source's numbers counts too;
- copying is measured (``copying``): a shared name, title or clause is a
  warning, a long copied or lightly reworded passage an error.

On a thin source (a feed summary) nothing is relaxed: an untraceable quote or
number is still an error, and the message says how to give the checks more
to go on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from stories.checks.copying import SectionCopy, meter, runs
from stories.checks.finding import Finding, all_pieces
from stories.checks.numbers import Number, Reading, agree, numbers
from stories.checks.quotes import Quote, explain, locate, quote_spans, quotes
from stories.checks.text import SourceIndex, content_stems, sentence_bounds, sentence_of, source_index, tokens
from stories.model import Briefing
from stories.profile import Profile

__all__ = ["check", "copy_meters", "numbers", "quote_spans", "quotes", "source_index", "source_marks", "tokens", "Quote"]

REMEDY = "fetch the article, or attach the source text"
# Runs this long count toward a section's copied share: shorter ones are
# ordinary phrases ("at the end of") that any two texts share.
PHRASE_WORDS = 5


@dataclass(frozen=True)
class SourceNumbers:
    """The numbers of a source text, by value, computed once per text."""

    all: tuple[Number, ...]
    by_value: dict[float, tuple[Number, ...]]
    by_lead: dict[tuple[str, ...], tuple[Number, ...]]  # the two words before a number -> numbers


@lru_cache(maxsize=16)
def source_numbers(text: str) -> SourceNumbers:
    """The (cached) numbers of a source text."""
    found = numbers(text)
    by_value: dict[float, list[Number]] = defaultdict(list)
    for number in found:
        for reading in number.readings:
            by_value[reading.value].append(number)
    by_lead: dict[tuple[str, ...], list[Number]] = defaultdict(list)
    for number in found:
        lead = _lead_in(text, number)
        if lead:
            by_lead[lead].append(number)
    return SourceNumbers(tuple(found), {k: tuple(v) for k, v in by_value.items()}, {k: tuple(v) for k, v in by_lead.items()})


def _candidates(number: Number, source: SourceNumbers) -> list[Number]:
    seen: dict[int, Number] = {}
    for reading in number.readings:
        for theirs in source.by_value.get(reading.value, ()):
            seen.setdefault(theirs.start, theirs)
    return list(seen.values())


def _arithmetic(number: Number, near: list[Number]) -> bool:
    """True when the number is a sum, difference or share of two of the passage's numbers of the same kind."""
    operands = [n.readings[0] for n in near if n.readings[0].kind in ("count", "measure", "money")]
    for reading in number.readings:
        for i, a in enumerate(operands):
            for b in operands[i + 1 :]:
                if (a.kind, a.unit) != (b.kind, b.unit):
                    # an age and a span of years make another age ("since he was 62")
                    if {(a.kind, a.unit), (b.kind, b.unit)} == {("count", ""), ("measure", "year")} and reading.kind == "count":
                        if reading.value in (a.value + b.value, abs(a.value - b.value)):
                            return True
                    continue
                if reading.kind == "percent" and a.kind == "count":
                    if b.value and abs(reading.value - 100 * a.value / b.value) <= 0.5 or a.value and abs(reading.value - 100 * b.value / a.value) <= 0.5:
                        return True
                elif (reading.kind, reading.unit) == (a.kind, a.unit) and reading.value and reading.value in (a.value + b.value, abs(a.value - b.value)):
                    return True
    return False


def _is_year(number: Number) -> bool:
    reading = number.readings[0]
    return reading.kind == "count" and number.text.isdigit() and len(number.text) == 4 and 1800 <= reading.value <= 2100


def _lead_in(text: str, number: Number) -> tuple[str, ...]:
    """The two words before a number, when one of them carries meaning ("Kelbridge takes")."""
    words = tokens(text[max(0, number.start - 60) : number.start])[-2:]
    return tuple(words) if len(words) == 2 and content_stems(" ".join(words)) else ()


def _number_problem(number: Number, text: str, stems: frozenset[str], index: SourceIndex, source: SourceNumbers) -> str | None:
    """Why the source does not back this number, or None when it does."""
    lead = _lead_in(text, number)
    if lead:
        # The source says the same words before another number: the draft changed it.
        said = [
            theirs
            for theirs in source.by_lead.get(lead, ())
            if theirs.readings[0].kind == number.readings[0].kind and len(stems & index.stems_near(theirs.start)) >= 2
        ]
        if said and not any(agree(number, theirs) for theirs in said):
            return f"is not what the source says (“{_context(index.text, said[0])}”)"
    same_value = _candidates(number, source)
    agreeing = [theirs for theirs in same_value if agree(number, theirs)]
    if agreeing:
        if not stems:
            return None
        near = max(len(stems & index.stems_near(theirs.start)) for theirs in agreeing)
        if near >= 1 and not _is_year(number):
            return None
        # The source has this value only in sentences about other things, while
        # it does retell what this sentence says: another event's number. A year
        # must sit with what it dates (one event's year is often near another's).
        best = index.best_overlap(stems)
        if near >= 1 and (best < 3 or near * 2 >= best):
            return None
        if near == 0 and best < 2:
            return None
        return f"is in the source only about something else (“{_context(index.text, agreeing[0])}”)"
    # True arithmetic ("four of the nine did not" from "five of nine"): only on
    # the numbers of the passage this sentence retells, or any change would pass.
    passages = index.best_sentences(stems)
    near_numbers = [n for n in source.all if any(a <= n.start < b for a, b in passages)]
    if _arithmetic(number, near_numbers):
        return None
    if same_value:
        theirs = same_value[0]
        mine = _reading_for(number, theirs)
        return f"is {mine.describe()}, but the source has it as {_reading_for(theirs, None).describe()} (“{_context(index.text, theirs)}”)"
    return "is not in the source"


def _reading_for(number: Number, other: Number | None) -> Reading:
    if other is not None:
        for reading in number.readings:
            if any(reading.value == theirs.value for theirs in other.readings):
                return reading
    return number.readings[0]


def _context(text: str, number: Number, width: int = 40) -> str:
    start = max(0, number.start - width)
    end = min(len(text), number.end + width)
    snippet = " ".join(text[start:end].split())
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


def _sentence_stems(text: str) -> tuple[list[int], list[frozenset[str]]]:
    bounds = sentence_bounds(text)
    ends = [*bounds[1:], len(text)]
    return bounds, [content_stems(text[a:b]) for a, b in zip(bounds, ends)]


def check(briefing: Briefing, source_text: str | None, profile: Profile) -> list[Finding]:
    """Findings about quotes, numbers and copied runs that the source does not back."""
    if not source_text or not source_text.strip():
        return [Finding("traceability.no_source", "source", "warning", "No source text: quotes and numbers cannot be checked against the source")]
    index = source_index(source_text)
    source = source_numbers(source_text)
    found: list[Finding] = []
    short = bool(profile.short_source_words) and len(index.words) < profile.short_source_words
    remedy = ""
    if short:
        remedy = f" (the source is a {len(index.words)}-word summary: {REMEDY})"
        found.append(
            Finding(
                "traceability.short_source",
                "source",
                "warning",
                f"The source is only a summary ({len(index.words)} words): quotes and numbers it does not hold are errors; {REMEDY}",
            )
        )
    for section, text, item in all_pieces(briefing, profile):
        draft_quotes = quotes(text)
        spans = [(q.start, q.end) for q in draft_quotes]
        for quote in draft_quotes:
            if locate(index, quote) is None:
                shown = quote.inner if len(quote.inner) <= 60 else quote.inner[:57] + "…"
                why = explain(index, quote)
                found.append(Finding("traceability.quote", section.key, "error", f"Quotation “{' '.join(shown.split())}” {why.describe()}{remedy}", quote.start, quote.end, item))
        bounds, stems = _sentence_stems(text)
        for number in numbers(text):
            if number.bare_one or number.idiom or number.ratio_part or any(s <= number.start < e for s, e in spans):
                continue
            problem = _number_problem(number, text, stems[sentence_of(bounds, number.start)], index, source)
            if problem:
                found.append(Finding("traceability.number", section.key, "error", f'"{number.text}" {problem}{remedy}', number.start, number.end, item))
        found.extend(_copying(section.key, item, text, spans, index, profile))
    return found


def _copying(key: str, item: int | None, text: str, spans: list[tuple[int, int]], index: SourceIndex, profile: Profile) -> list[Finding]:
    found: list[Finding] = []
    shared = runs(text, spans, index, profile.copy_gap_words)
    errors = 0
    for run in shared:
        changed = f", {run.words - run.shared} of them changed" if run.reworded else ""
        # A long run is an error when most of it is the source's own words in
        # order; two shared clauses with the writer's own words between are not one passage.
        if profile.copy_error_words and run.words >= profile.copy_error_words and run.shared >= 0.8 * run.words:
            errors += 1
            message = f"{run.words} words copied from the source without quotation marks{changed}: quote them or say it in your own words"
            found.append(Finding("traceability.verbatim", key, "error", message, run.start, run.end, item))
        elif run.shared >= profile.verbatim_run_words:
            message = f"{run.words} words shared with the source{changed}: fine for a name or a factual clause, longer needs quotation marks"
            found.append(Finding("traceability.verbatim", key, "warning", message, run.start, run.end, item))
    copy = meter(key, item, text, shared, PHRASE_WORDS)
    if not errors and profile.copy_share_error and copy.words >= 30 and copy.share * 100 >= profile.copy_share_error:
        message = f"{round(copy.share * 100)}% of this section comes from the source in copied phrases: say it in your own words"
        found.append(Finding("traceability.copied_section", key, "error", message, 0, len(text), item))
    return found


def copy_meters(briefing: Briefing, source_text: str, profile: Profile) -> list[SectionCopy]:
    """The copy meter of every section: its share from the source and its longest run (draft and source spans)."""
    if not source_text:
        return []
    index = source_index(source_text)
    result = []
    for section, text, item in all_pieces(briefing, profile):
        result.append(meter(section.key, item, text, runs(text, quote_spans(text), index, profile.copy_gap_words), PHRASE_WORDS))
    return result


def source_marks(briefing: Briefing, source_text: str, profile: Profile | None = None) -> list[tuple[int, int, str]]:
    """Spans of ``source_text`` holding the quotes ("quote"), numbers ("number") and copied runs ("copy") the draft uses."""
    if not source_text:
        return []
    index = source_index(source_text)
    source = source_numbers(source_text)
    marks: set[tuple[int, int, str]] = set()
    texts: list[str] = []
    if profile is not None:
        texts = [text for _, text, _ in all_pieces(briefing, profile)]
    else:
        for value in briefing.sections.values():
            texts.extend(value if isinstance(value, list) else [value])
    minimum = profile.verbatim_run_words if profile is not None else 8
    gap = profile.copy_gap_words if profile is not None else 2
    for text in texts:
        for quote in quotes(text):
            for first, last in locate(index, quote) or ():
                marks.add((index.spans[first][0], index.spans[last - 1][1], "quote"))
        for number in numbers(text):
            if not number.bare_one:
                for theirs in _candidates(number, source):
                    if agree(number, theirs):
                        marks.add((theirs.start, theirs.end, "number"))
        for run in runs(text, quote_spans(text), index, gap):
            if run.words >= minimum:
                marks.add((run.source_start, run.source_end, "copy"))
    return sorted(marks)
