"""A one-line field that wraps: the headline and each key point.

An ``Input`` scrolls sideways, so an 86-character headline shows as
"…rebuild…" at 80 columns, selects all of itself when Tab lands on it (the
next letter wipes it) and has no undo. This is a ``TextArea`` kept to one line:
it wraps to as many rows as the text needs, keeps the cursor where it was when
focused, and has TextArea's undo (ctrl+z) and redo (ctrl+y). It speaks the
small part of ``Input``'s API the desk uses: ``value`` and ``cursor_position``.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import EditResult, Location


def one_line(text: str) -> str:
    """Line breaks (from a paste) become spaces: a line field holds one line."""
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text


class LineArea(TextArea):
    """A single line of text that soft-wraps; Enter submits instead of breaking the line."""

    DEFAULT_CSS = """
    LineArea { height: auto; max-height: 8; }
    """

    BINDINGS = [
        # Priority: TextArea would insert a line break for Enter before ordinary bindings run.
        Binding("enter", "submit", "Submit", show=False, priority=True),
        Binding("ctrl+home", "section_start", "Start of section", id="section.start", show=False),
        Binding("ctrl+end", "section_end", "End of section", id="section.end", show=False),
    ]

    class Submitted(Message):
        """Enter was pressed in the field."""

        def __init__(self, line: "LineArea") -> None:
            super().__init__()
            self.line = line

        @property
        def control(self) -> "LineArea":
            return self.line

    def __init__(self, value: str = "", *, placeholder: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("compact", True)
        kwargs.setdefault("highlight_cursor_line", False)
        kwargs.setdefault("show_line_numbers", False)
        super().__init__(one_line(value), placeholder=placeholder, **kwargs)

    # -- the part of Input's API the desk uses -------------------------------------

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        if one_line(text) != self.text:
            self.load_text(text)

    @property
    def cursor_position(self) -> int:
        return self.cursor_location[1]

    @cursor_position.setter
    def cursor_position(self, column: int) -> None:
        self.cursor_location = (0, max(0, min(column, len(self.text))))

    def load_text(self, text: str) -> None:
        """Replace the text (no undo across it); the cursor goes to the end, as an Input's does."""
        super().load_text(one_line(text))
        self.move_cursor(self.document.end)

    # -- one line, always ------------------------------------------------------------

    def replace(self, insert: str, start: Location, end: Location, *, maintain_selection_offset: bool = True) -> EditResult:
        return super().replace(one_line(insert), start, end, maintain_selection_offset=maintain_selection_offset)

    def insert(self, text: str, location: Location | None = None, *, maintain_selection_offset: bool = True) -> EditResult:
        return super().insert(one_line(text), location, maintain_selection_offset=maintain_selection_offset)

    # -- actions -------------------------------------------------------------------

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))

    def action_section_start(self) -> None:
        self.move_cursor((0, 0))

    def action_section_end(self) -> None:
        self.move_cursor(self.document.end)
