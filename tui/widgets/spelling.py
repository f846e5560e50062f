"""The spelling line under a section: the words the dictionary does not know, as you type."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from stories.spelling import Misspelling


class SpellingChecked(Message):
    """Unknown words per section key (a list section: all its points' words, in order)."""

    def __init__(self, generation: int, found: dict[str, list[Misspelling]]) -> None:
        super().__init__()
        self.generation = generation
        self.found = found


class SpellingLine(Static):
    """``Spelling? Milbrook · recieve  (F7 adds the word at the cursor to the house dictionary)``; hidden when all is known."""

    DEFAULT_CSS = """
    SpellingLine { height: auto; display: none; }
    SpellingLine.-found { display: block; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Content(""), markup=False, **kwargs)
        self.words: list[str] = []

    def show(self, found: list[Misspelling], key: str = "F7") -> None:
        """Show these unknown words (each once, in the order they appear)."""
        words = list(dict.fromkeys(miss.word for miss in found))
        self.words = words
        self.set_class(bool(words), "-found")
        if not words:
            self.update(Content(""))
            return
        listed = words[:6] + (["…"] if len(words) > 6 else [])
        parts: list[Any] = [("Spelling? ", "bold $text-warning")]
        for index, word in enumerate(listed):
            if index:
                parts.append((" · ", "$text-muted"))
            parts.append((word, "underline"))  # typed text: a Content span, never markup
        parts.append((f"  ({key} adds the word at the cursor to the house dictionary)", "$text-muted"))
        self.update(Content.assemble(*parts))
