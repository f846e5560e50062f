"""Words, sentences and the index of a source text that the traceability checks share.

Everything derived from a source text is computed once per text (cached on
the text itself), so re-checking a draft on every keystroke is cheap.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

# Small numbers read the same in words and digits ("nine" = "9"), so a quote or
# a copied run that swaps one for the other still matches the source.
_SMALL_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
}  # fmt: skip

_STOP = frozenset(
    """about above after again against also among and another any around because been before being below between
    both but could does doing down during each every from further have having here into itself just more most
    much only other over same should some such than that their theirs them then there these they this those
    through under until very were what when where which while will with would your said says told year years
    people percent cent number some many""".split()
) | frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
    billion first second third fourth fifth sixth seventh eighth ninth tenth half dozen""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])|\n\s*\n")


def norm(token: str) -> str:
    """A word as the checks compare it: lowercase, straight apostrophe, small numbers as digits."""
    word = token.lower().replace("’", "'")
    return _SMALL_WORDS.get(word, word)


def tokens(text: str) -> list[str]:
    """Words of a text, normalised (see ``norm``)."""
    return [norm(m.group()) for m in TOKEN.finditer(text)]


def stem(word: str) -> str:
    """A crude stem, enough to see that "healed" and "healing" talk about the same thing."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in ("ingly", "ings", "ing", "edly", "ed", "es", "s", "ly"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:6]


@lru_cache(maxsize=4096)  # a draft's sentences repeat from one keystroke to the next
def content_stems(text: str) -> frozenset[str]:
    """Stems of the words of a text that carry meaning (no stop words, no short words, no digits)."""
    return frozenset(stem(m.group()) for m in TOKEN.finditer(text) if len(m.group()) >= 4 and not m.group()[0].isdigit() and m.group().lower() not in _STOP)


def sentence_bounds(text: str) -> list[int]:
    """The start offsets of the sentences of a text (the first is 0)."""
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text))]


def sentence_of(bounds: list[int], position: int) -> int:
    """Which sentence (index into ``bounds``) holds this character offset."""
    return max(0, bisect_right(bounds, position) - 1)


SHINGLE = 4  # words per shingle: short enough to survive a changed word every few words


@dataclass
class SourceIndex:
    """What the checks need from a source text, computed once per text."""

    text: str
    words: list[str]
    spans: list[tuple[int, int]]
    joined: str  # " w1 w2 … wn "
    offsets: list[int]  # where each word starts in ``joined``
    sentences: list[int]  # sentence start offsets in ``text``
    shingles: dict[tuple[str, ...], list[int]] = field(default_factory=dict)  # shingle -> word positions
    _stems: dict[int, frozenset[str]] = field(default_factory=dict)
    _caps: frozenset[str] | None = None
    _postings: dict[str, list[int]] | None = None

    def find(self, words: list[str], start: int = 0) -> tuple[int, int] | None:
        """The word indexes [i, j) where this word sequence first occurs at or after word ``start``, or None."""
        if not words:
            return None
        begin = self.offsets[start] - 1 if start < len(self.offsets) else len(self.joined)
        position = self.joined.find(" " + " ".join(words) + " ", begin)
        if position < 0:
            return None
        first = bisect_left(self.offsets, position + 1)
        return first, first + len(words)

    def word_at(self, offset: int) -> int:
        """The index of the word at or after a character offset of ``joined``."""
        return min(len(self.words) - 1, bisect_left(self.offsets, offset)) if self.words else 0

    def stems_near(self, position: int) -> frozenset[str]:
        """Content stems of the sentence holding this character offset and of the ones either side."""
        return self._sentence_stems(sentence_of(self.sentences, position))

    def _scores(self, stems: frozenset[str]) -> Counter[int]:
        """Per sentence window, how many of these stems it has (through an inverted index of stems)."""
        if self._postings is None:
            postings: dict[str, list[int]] = {}
            for number in range(len(self.sentences)):
                for item in self._sentence_stems(number):
                    postings.setdefault(item, []).append(number)
            self._postings = postings
        postings = self._postings
        return Counter(n for item in stems for n in postings.get(item, ()))

    def best_overlap(self, stems: frozenset[str]) -> int:
        """The most content stems any sentence of the source (with the ones either side) shares with these."""
        return max(self._scores(stems).values(), default=0)

    def best_sentences(self, stems: frozenset[str], minimum: int = 2) -> list[tuple[int, int]]:
        """Character spans of the source sentences (with the ones either side) that share most stems with these."""
        scores = self._scores(stems)
        best = max(scores.values(), default=0)
        if best < minimum:
            return []
        ends = [*self.sentences[2:], len(self.text), len(self.text)]
        return [(self.sentences[max(0, n - 1)], ends[n]) for n, score in sorted(scores.items()) if score == best]

    def _sentence_stems(self, number: int) -> frozenset[str]:
        if number not in self._stems:
            start = self.sentences[max(0, number - 1)]
            end = self.sentences[number + 2] if number + 2 < len(self.sentences) else len(self.text)
            self._stems[number] = content_stems(self.text[start:end])
        return self._stems[number]

    @property
    def capitalised(self) -> frozenset[str]:
        """Words the source itself writes in capitals (its acronyms and names)."""
        if self._caps is None:
            self._caps = frozenset(m.group() for m in re.finditer(r"\b[A-Z][A-Z0-9&]+\b", self.text))
        return self._caps


@lru_cache(maxsize=16)
def source_index(text: str) -> SourceIndex:
    """The (cached) index of a source text."""
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    offsets: list[int] = []
    position = 1
    for m in TOKEN.finditer(text):
        word = norm(m.group())
        words.append(word)
        spans.append(m.span())
        offsets.append(position)
        position += len(word) + 1
    shingles: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(words) - SHINGLE + 1):
        shingles.setdefault(tuple(words[i : i + SHINGLE]), []).append(i)
    return SourceIndex(text, words, spans, " " + " ".join(words) + " ", offsets, sentence_bounds(text), shingles)
