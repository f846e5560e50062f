"""Copying as a measure: how much of a section comes from the source, and its longest run.

The way churnalism and plagiarism detectors do it: the source is cut into
shingles of ``SHINGLE`` consecutive words; every shingle of the draft (outside
quotation marks) that the source also has marks its words as shared. Shared
stretches that line up with the same passage of the source, with at most
``copy_gap_words`` changed words between them, make one *run*: a near-verbatim
copy with a word or two changed is still one run.

We write the shingle index ourselves (a dict of word 4-grams, built once per
source text) because what the desk needs is spans: which words of the draft,
and which of the source, so both can be highlighted. copydetect compares whole
code files through a code tokenizer, and datasketch's MinHash estimates the
similarity of whole documents; neither says where the copied run is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stories.checks.text import SHINGLE, TOKEN, SourceIndex, norm


@dataclass(frozen=True)
class Run:
    """A stretch of the draft that comes from the source."""

    start: int  # character span in the draft text
    end: int
    words: int  # draft words from first to last shared word
    shared: int  # of those, words the source has in the same order
    source_start: int  # character span in the source text
    source_end: int

    @property
    def reworded(self) -> bool:
        """True when a word or more was changed inside the run."""
        return self.shared < self.words


@dataclass(frozen=True)
class SectionCopy:
    """The copy meter of one section (or list item): share from the source and the longest run."""

    section: str
    item: int | None
    words: int
    shared: int
    longest: Run | None

    @property
    def share(self) -> float:
        """The part of the section's words that come from the source (0 to 1)."""
        return self.shared / self.words if self.words else 0.0


def _unquoted(text: str, spans: list[tuple[int, int]]) -> Iterator[list[re.Match[str]]]:
    """The draft's words outside quotation marks, as runs that no quotation interrupts."""
    cursor = 0
    for start, end in [*spans, (len(text), len(text))]:
        yield list(TOKEN.finditer(text, cursor, start))
        cursor = end


def _segments(words: list[str], index: SourceIndex) -> list[tuple[int, int, int, int]]:
    """Exactly shared stretches: (draft first, draft end, source first, source end) in word indexes."""
    found: list[tuple[int, int, int, int]] = []
    shingles = index.shingles
    current: list[int] | None = None  # [d0, d1, s0, s1]
    last_i = last_p = -2
    for i in range(len(words) - SHINGLE + 1):
        places = shingles.get(tuple(words[i : i + SHINGLE]))
        if not places:
            continue
        if current is not None and i == last_i + 1 and last_p + 1 in places:
            last_i, last_p = i, last_p + 1
            current[1], current[3] = i + SHINGLE, last_p + SHINGLE
            continue
        if current is not None:
            found.append((current[0], current[1], current[2], current[3]))
        place = places[0]
        if current is not None:
            # the same passage of the source, a little further on, when it has this shingle
            after = [p for p in places if current[3] <= p <= current[3] + SHINGLE + 4]
            place = after[0] if after else place
        current = [i, i + SHINGLE, place, place + SHINGLE]
        last_i, last_p = i, place
    if current is not None:
        found.append((current[0], current[1], current[2], current[3]))
    return found


def runs(text: str, quote_spans: list[tuple[int, int]], index: SourceIndex, gap: int) -> list[Run]:
    """Every run of the draft text shared with the source, near-verbatim stretches joined up."""
    result: list[Run] = []
    for matches in _unquoted(text, quote_spans):
        if len(matches) < SHINGLE:
            continue
        words = [norm(m.group()) for m in matches]
        joined: list[list[int]] = []  # [d0, d1, s0, s1, shared]
        for d0, d1, s0, s1 in _segments(words, index):
            if joined:
                last = joined[-1]
                draft_gap, source_gap = d0 - last[1], s0 - last[3]
                if d0 < last[1]:
                    # overlapping stretches of the draft: keep the longer
                    if d1 - d0 > last[1] - last[0]:
                        joined[-1] = [d0, d1, s0, s1, d1 - d0]
                    continue
                # A changed word hides the SHINGLE - 1 shingles around it too, so a
                # gap of ``gap`` changed words can leave a few more unshingled.
                if draft_gap <= gap + SHINGLE - 1 and 0 <= source_gap and abs(source_gap - draft_gap) <= gap:
                    last[1], last[3], last[4] = d1, s1, last[4] + (d1 - d0)
                    continue
            joined.append([d0, d1, s0, s1, d1 - d0])
        for d0, d1, s0, s1, shared in joined:
            result.append(
                Run(matches[d0].start(), matches[d1 - 1].end(), d1 - d0, shared, index.spans[s0][0], index.spans[min(s1, len(index.spans)) - 1][1])
            )
    return result


def meter(section: str, item: int | None, text: str, found: list[Run], minimum: int) -> SectionCopy:
    """The copy meter of one section from its runs; runs shorter than ``minimum`` words are ordinary phrases."""
    words = sum(1 for _ in TOKEN.finditer(text))
    counted = [run for run in found if run.words >= minimum]
    longest = max(found, key=lambda run: run.words, default=None)
    return SectionCopy(section, item, words, sum(run.shared for run in counted), longest)
