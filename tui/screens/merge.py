"""The merge screen: settle, section by section, what two editors changed both ways.

It shows the clashes of a ``MergeResult`` (``stories.team.merge``) one per
row; for the chosen one, mine and theirs side by side (stacked at 80
columns). ``m`` takes mine, ``t`` takes theirs, ``e`` edits either into a
new text. ``ctrl+s`` (when every section is settled) closes the screen with
the settled story; ``escape`` closes it with None, and nothing is lost: the
caller still holds both versions. Story text may carry feed text, so all of
it is shown through ``Content``, never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui.screens.preview import safe

if TYPE_CHECKING:
    from stories.model import Briefing
    from stories.team.merge import FieldValue, MergeResult, SectionConflict


def as_text(value: FieldValue) -> str:
    """A section value as the editor reads and edits it: one key point per line."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(value)
    if not isinstance(value, str):  # a source block
        return "\n".join(f"{k}: {v}" for k, v in vars(value).items() if v)
    return value


def from_text(text: str, like: FieldValue) -> FieldValue:
    """An edited text back as a value of the same kind as ``like`` (a list: one item per non-empty line)."""
    if isinstance(like, list):
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text.strip()


class MergeScreen(Screen["Briefing | None"]):
    """Mine, theirs or an edit for every section both editors changed."""

    DEFAULT_CSS = """
    MergeScreen { background: $background; }
    MergeScreen #merge-banner { height: auto; padding: 0 1; background: $panel; color: $foreground; }
    MergeScreen #merge-sections { height: auto; max-height: 30%; border: round $border-blurred; background: $surface; }
    MergeScreen #merge-sections:focus { border: round $border; }
    MergeScreen #merge-sides { height: 1fr; layout: vertical; }
    MergeScreen.-wide #merge-sides { layout: horizontal; }
    MergeScreen .merge-side { height: 1fr; border: round $border-blurred; background: $surface; padding: 0 1; }
    MergeScreen .merge-side.-chosen { border: round $success; }
    MergeScreen #merge-edit { height: 1fr; display: none; }
    MergeScreen.-editing #merge-edit { display: block; }
    MergeScreen.-editing #merge-sides { display: none; }
    """

    BINDINGS = [
        Binding("m", "take('mine')", "Mine", id="merge.mine"),
        Binding("t", "take('theirs')", "Theirs", id="merge.theirs"),
        Binding("e", "edit", "Edit", id="merge.edit"),
        Binding("ctrl+s", "done", "Save merge", id="merge.done"),
        Binding("escape", "cancel", "Cancel", id="merge.cancel"),
    ]

    WIDE = 120

    def __init__(self, result: MergeResult, labels: dict[str, str] | None = None, *, theirs_name: str = "theirs") -> None:
        super().__init__()
        self.result = result
        self.labels = labels or {}
        self.theirs_name = theirs_name
        #: What the editor settled, by section key: the value and how (mine / theirs / edited).
        self.choices: dict[str, tuple[FieldValue, str]] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="merge-banner")
        yield OptionList(*self._rows(), id="merge-sections")
        with Horizontal(id="merge-sides"):
            with VerticalScroll(classes="merge-side", id="merge-mine") as mine:
                mine.border_title = Content("Mine (m)")
                yield Static(id="merge-mine-text")
            with VerticalScroll(classes="merge-side", id="merge-theirs") as theirs:
                who = "Theirs" if self.theirs_name == "theirs" else self.theirs_name
                theirs.border_title = safe(f"{who} (t)")  # a colleague's name is never markup
                yield Static(id="merge-theirs-text")
        with Vertical(id="merge-edit"):
            yield Static(Content("Edit the section, then ctrl+s to keep it (escape: back without keeping)"))
            yield TextArea(id="merge-editor")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width >= self.WIDE, "-wide")
        self._refresh_banner()
        self.query_one("#merge-sections", OptionList).highlighted = 0
        self.query_one("#merge-sections", OptionList).focus()
        self._show(0)

    # -- what is on screen --------------------------------------------------

    def _label(self, conflict: SectionConflict) -> str:
        return self.labels.get(conflict.key, conflict.key.replace("_", " ").capitalize())

    def _rows(self) -> list[Option]:
        rows = []
        for conflict in self.result.conflicts:
            how = self.choices[conflict.key][1] if conflict.key in self.choices else "to settle"
            rows.append(Option(Content.assemble(safe(self._label(conflict)), ("  · " + how, "$foreground-muted"))))
        return rows

    def _refresh_banner(self) -> None:
        left = len(self.result.conflicts) - len(self.choices)
        text = (
            f"{len(self.result.conflicts)} section(s) changed both here and by {self.theirs_name}; "
            + (f"{left} to settle" if left else "all settled: ctrl+s saves the merge")
        )
        self.query_one("#merge-banner", Static).update(Content(text))

    def _current(self) -> int:
        index = self.query_one("#merge-sections", OptionList).highlighted
        return index if index is not None else 0

    def _show(self, index: int) -> None:
        if not self.result.conflicts:
            return
        conflict = self.result.conflicts[index]
        self.query_one("#merge-mine-text", Static).update(safe(as_text(conflict.ours) or "(removed)"))
        self.query_one("#merge-theirs-text", Static).update(safe(as_text(conflict.theirs) or "(removed)"))
        how = self.choices.get(conflict.key, (None, ""))[1]
        self.query_one("#merge-mine").set_class(how == "mine", "-chosen")
        self.query_one("#merge-theirs").set_class(how == "theirs", "-chosen")

    def _relist(self) -> None:
        sections = self.query_one("#merge-sections", OptionList)
        index = self._current()
        sections.clear_options()
        sections.add_options(self._rows())
        sections.highlighted = index
        self._refresh_banner()
        self._show(index)

    @on(OptionList.OptionHighlighted, "#merge-sections")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    # -- actions ------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """True while the edit box is open."""
        return self.has_class("-editing")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.editing and action in ("take", "edit"):
            return False  # typing m, t or e goes into the edit box
        return True

    def action_take(self, side: str) -> None:
        """Settle the highlighted section with mine or theirs, and move to the next one."""
        if not self.result.conflicts:
            return
        conflict = self.result.conflicts[self._current()]
        self.choices[conflict.key] = (conflict.ours if side == "mine" else conflict.theirs, side)
        self._relist()
        self._next()

    def _next(self) -> None:
        for number, conflict in enumerate(self.result.conflicts):
            if conflict.key not in self.choices:
                self.query_one("#merge-sections", OptionList).highlighted = number
                return

    def action_edit(self) -> None:
        """Open the highlighted section in an edit box, starting from the current choice (else mine)."""
        if not self.result.conflicts:
            return
        conflict = self.result.conflicts[self._current()]
        start = self.choices.get(conflict.key, (conflict.ours, ""))[0]
        editor = self.query_one("#merge-editor", TextArea)
        editor.load_text(as_text(start))
        self.add_class("-editing")
        editor.focus()

    def action_done(self) -> None:
        """Keep an open edit; else, with every section settled, close with the settled story."""
        if self.editing:
            conflict = self.result.conflicts[self._current()]
            text = self.query_one("#merge-editor", TextArea).text
            self.choices[conflict.key] = (from_text(text, conflict.ours if conflict.ours is not None else conflict.theirs), "edited")
            self.remove_class("-editing")
            self.query_one("#merge-sections", OptionList).focus()
            self._relist()
            self._next()
            return
        left = [self._label(c) for c in self.result.conflicts if c.key not in self.choices]
        if left:
            self.notify(Content(f"Still to settle: {', '.join(left)} (m mine, t theirs, e edit)"), severity="warning")
            return
        self.dismiss(self.result.resolved({key: value for key, (value, _) in self.choices.items()}))

    def action_cancel(self) -> None:
        """Close an open edit; else leave without merging (both versions stay as they were)."""
        if self.editing:
            self.remove_class("-editing")
            self.query_one("#merge-sections", OptionList).focus()
            return
        self.dismiss(None)
