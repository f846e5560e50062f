"""Spelling: the words of a text that neither the dictionary nor the desk's house list knows.

The dictionary is pyspellchecker's English word list (pure Python, word
frequencies from a large corpus, kept up to date). The publication writes
British English, which that list often spells the American way, so a British
form ("neighbours", "organisation", "centre") is accepted when its American
form is known. Names and house terms go into the house dictionary,
``[spelling] words`` in desk.toml, which every editor shares through the
content repo.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Letters only: numbers ("11-month", "2026") are the traceability check's business.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_BRITISH = (
    ("isation", "ization"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"), ("yse", "yze"),
    ("our", "or"), ("ours", "ors"), ("tre", "ter"), ("tres", "ters"), ("ogue", "og"), ("mme", "m"),
    ("lled", "led"), ("lling", "ling"), ("ence", "ense"), ("eable", "able"),
)
_LOAD = threading.Lock()


@dataclass(frozen=True)
class Misspelling:
    """A word the dictionary does not know, with its span in the text."""

    word: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _dictionary():
    from spellchecker import SpellChecker  # loads a 1 MB word list: only when spelling is first checked

    return SpellChecker(language="en")


def dictionary():
    """The shared English dictionary (loaded once, thread-safe)."""
    with _LOAD:
        return _dictionary()


def _normal(word: str) -> str:
    word = word.replace("’", "'").lower()
    return word[:-2] if word.endswith("'s") else word


def _known_american(word: str, known: set[str]) -> bool:
    for british, american in _BRITISH:
        if word.endswith(british) and word[: -len(british)] + american in known:
            return True
    return False


def misspellings(text: str, house_words: Iterable[str] = (), also_known: Iterable[str] = ()) -> list[Misspelling]:
    """Unknown words of ``text``, in order; ``also_known`` adds words accepted for this text only (e.g. its source's)."""
    matches = [m for m in _WORD.finditer(text) if not (m.group().isupper() and len(m.group()) > 1)]  # acronyms: UK, UCLH
    if not matches:
        return []
    accepted = {_normal(w) for w in house_words} | {_normal(w) for w in also_known}
    candidates = {_normal(m.group()) for m in matches} - accepted
    checker = dictionary()
    unknown = set(checker.unknown(candidates))
    if unknown:
        known = set(checker.known(_american_forms(unknown)))
        unknown = {word for word in unknown if not _known_american(word, known)}
    return [Misspelling(m.group(), m.start(), m.end()) for m in matches if _normal(m.group()) in unknown]


def _american_forms(words: Iterable[str]) -> set[str]:
    forms = set()
    for word in words:
        for british, american in _BRITISH:
            if word.endswith(british):
                forms.add(word[: -len(british)] + american)
    return forms


def suggestion(word: str) -> str:
    """The dictionary's best guess at what ``word`` was meant to be ("" when it has none)."""
    return dictionary().correction(_normal(word)) or ""


def source_words(text: str) -> set[str]:
    """The words of a source text: names spelled as the source spells them are not misspellings."""
    return {_normal(m.group()) for m in _WORD.finditer(text)}


def add_house_word(desk_toml: Path, word: str) -> bool:
    """Add ``word`` to ``[spelling] words`` in desk.toml (comments kept); False if it was there already."""
    import tomlkit

    from stories.fsutil import atomic_write

    path = Path(desk_toml)
    document = tomlkit.parse(path.read_text("utf-8")) if path.exists() else tomlkit.document()
    spelling = document.get("spelling")
    if spelling is None:
        spelling = tomlkit.table()
        document["spelling"] = spelling
    words = spelling.get("words")
    if words is None:
        words = tomlkit.array()
        spelling["words"] = words
    if any(_normal(str(existing)) == _normal(word) for existing in words):
        return False
    words.append(word)
    atomic_write(path, tomlkit.dumps(document))
    return True
