"""Quotations of a draft, and where (or whether) the source says them.

A quotation matches the source modulo curly/straight marks, case, whitespace,
punctuation, digits for small number words, and omissions marked with an
ellipsis or [brackets]. One that does not is either a *misquote* (the nearest
source passage and the words that differ are shown, aligned with rapidfuzz)
or a *splice*: two separate passages joined with no ellipsis between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stories.checks.text import SourceIndex, tokens

# Double quotes pair up, also across a single line break (a wrapped quotation
# is one quotation) but never across a blank line; single curly quotes only
# around words, so the apostrophe in "don’t" neither opens nor closes one.
_QUOTE = re.compile(
    r"[“\"„«]((?:[^“”\"«»\n]|\n(?![ \t]*\n))+?)[”\"»]"
    r"|(?<![\w])‘((?:[^‘’\n]|\n(?![ \t]*\n)|’(?=\w))+?)’(?!\w)"
)
_OMISSION = re.compile(r"\.\s?\.\s?\.|…|\[[^\]]*\]")


@dataclass(frozen=True)
class Quote:
    """A quoted passage of the draft: its span (with the marks) and its pieces between omissions."""

    start: int
    end: int
    inner: str
    fragments: tuple[tuple[str, ...], ...]

    @property
    def word_count(self) -> int:
        """Words quoted, omissions left out."""
        return sum(len(f) for f in self.fragments)


def quotes(text: str) -> list[Quote]:
    """The quoted passages of a draft text."""
    found = []
    for m in _QUOTE.finditer(text):
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        fragments = tuple(f for f in (tuple(tokens(part)) for part in _OMISSION.split(inner)) if f)
        if fragments:
            found.append(Quote(m.start(), m.end(), inner, fragments))
    return found


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the quotations in a text, quotation marks included."""
    return [m.span() for m in _QUOTE.finditer(text)]


def locate(index: SourceIndex, quote: Quote) -> list[tuple[int, int]] | None:
    """Word ranges of the source holding the quote's fragments in order, or None."""
    ranges = []
    start = 0
    for fragment in quote.fragments:
        hit = index.find(list(fragment), start)
        if hit is None and start:
            hit = index.find(list(fragment))  # out of order still counts as quoted
        if hit is None:
            return None
        ranges.append(hit)
        start = hit[1] if hit[1] < len(index.words) else start
    return ranges


@dataclass(frozen=True)
class Misquote:
    """Why a quotation is not the source's: the nearest passage and the words that differ."""

    splice: bool
    nearest: str  # the source passage, as the source writes it
    source_start: int
    source_end: int
    changed: tuple[tuple[str, str], ...]  # (the draft's words, the source's words)

    def describe(self) -> str:
        """The finding's message body."""
        if self.splice:
            return f"joins two separate passages of the source with no ellipsis (…) between them: “{_short(self.nearest)}”"
        if not self.nearest:
            return "is not in the source"
        if not self.changed:
            return f"is not in the source; nearest: “{_short(self.nearest)}”"
        diffs = "; ".join(f"“{mine or '—'}” where the source has “{theirs or '—'}”" for mine, theirs in self.changed[:3])
        return f"differs from the source: {diffs}. The source says: “{_short(self.nearest)}”"


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(index: SourceIndex, quote: Quote) -> Misquote:
    """How an untraceable quotation differs from the nearest passage of the source."""
    words = [w for fragment in quote.fragments for w in fragment]
    splice = _splice(index, words) if len(quote.fragments) == 1 else None
    if splice is not None:
        (a0, a1), (b0, b1) = splice
        nearest = index.text[index.spans[a0][0] : index.spans[a1 - 1][1]] + " … " + index.text[index.spans[b0][0] : index.spans[b1 - 1][1]]
        return Misquote(True, nearest, index.spans[a0][0], index.spans[b1 - 1][1], ())
    if not index.words:
        return Misquote(False, "", 0, 0, ())
    from rapidfuzz import fuzz  # only for a quote that is not the source's: most checks never need it
    from rapidfuzz.distance import Levenshtein

    needle = " " + " ".join(words) + " "
    alignment = fuzz.partial_ratio_alignment(needle, index.joined)
    if alignment is None or alignment.score < 70:  # nothing like it: an invented quote, not a misquote
        return Misquote(False, "", 0, 0, ())
    # A word of slack each side, then trim the source words the quote does not reach.
    origin = max(0, index.word_at(alignment.dest_start) - 1)
    stop = min(len(index.words), max(origin + 1, index.word_at(max(alignment.dest_start, alignment.dest_end - 1))) + 2)
    ops = Levenshtein.opcodes(words, index.words[origin:stop]).as_list()
    while ops and ops[0][0] == "insert":
        ops = ops[1:]
    while ops and ops[-1][0] == "insert":
        ops = ops[:-1]
    if not ops:
        return Misquote(False, "", 0, 0, ())
    first, last = origin + ops[0][3], origin + ops[-1][4]
    changed = tuple(
        (" ".join(words[i1:i2]), " ".join(index.words[origin + j1 : origin + j2])) for tag, i1, i2, j1, j2 in ops if tag != "equal"
    )
    start, end = index.spans[first][0], index.spans[last - 1][1]
    return Misquote(False, index.text[start:end], start, end, changed)


def _splice(index: SourceIndex, words: list[str]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Two source passages that the quotation joins without an omission mark, if it is one."""
    for cut in range(2, len(words) - 1):
        head = index.find(words[:cut])
        if head is None:
            return None  # the start itself is not the source's: a misquote, not a splice
        tail = index.find(words[cut:])
        if tail is not None and tail[0] != head[1]:
            return head, tail
    return None
