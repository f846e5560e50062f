"""Small modal dialogs: confirm, ask for a reason, pick from a list."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y or Enter confirms, n or Escape declines."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
    ]

    def __init__(self, title: str, lines: Sequence[Content | str] = (), yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.lines = list(lines)
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"), classes="dialog-title", markup=False)
            if self.lines:
                body = Content("\n").join(line if isinstance(line, Content) else Content(line) for line in self.lines)
                yield Static(body, classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ReasonScreen(ModalScreen[str | None]):
    """Ask for a short reason (dismissing an item); Enter accepts, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason.cancel")]

    def __init__(self, title: str, subject: str, placeholder: str = "reason") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.subject = subject
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.title_text, "bold"), classes="dialog-title", markup=False)
            yield Static(Content(self.subject), classes="dialog-body", markup=False)
            yield Input(placeholder=self.placeholder, id="reason")
            yield Static(Content.styled("Enter to confirm · Escape to cancel", "$text-muted"), markup=False)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickScreen(ModalScreen[str | None]):
    """Pick one of a list of (id, label) rows; Enter picks, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, rows: Sequence[tuple[str, Content | str]], empty: str = "Nothing to show.") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.rows = list(rows)
        self.empty = empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Static(Content.styled(self.title_text, "bold"), classes="dialog-title", markup=False)
            if self.rows:
                yield OptionList(
                    *(Option(label if isinstance(label, Content) else Content(label), id=key) for key, label in self.rows),
                    id="pick-list",
                    markup=False,
                )
            else:
                yield Static(Content(self.empty), markup=False)
            yield Static(Content.styled("Enter to open · Escape to close", "$text-muted"), markup=False)

    def on_mount(self) -> None:
        if self.rows:
            self.query_one("#pick-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#pick-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PasteSourceScreen(ModalScreen[str | None]):
    """Paste an item's source text by hand (a paywalled or offline page); ctrl+s keeps it, Escape cancels."""

    DEFAULT_CSS = "PasteSourceScreen #paste-source { height: 12; }"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="paste_source.cancel"),
        Binding("ctrl+s", "keep", "Use this text", id="paste_source.keep", priority=True),
    ]

    def __init__(self, subject: str) -> None:
        super().__init__(classes="dialog-screen")
        self.subject = subject

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical(classes="dialog dialog-wide"):
            yield Static(Content.styled("Paste the source text", "bold"), classes="dialog-title", markup=False)
            yield Static(Content(self.subject), classes="dialog-body", markup=False)
            yield TextArea(id="paste-source", soft_wrap=True, show_line_numbers=False)
            yield Static(Content.styled("The checks use this text, recorded as pasted by you · ctrl+s to keep · Escape to cancel", "$text-muted"), markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Use this text (ctrl+s)", id="keep", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        from textual.widgets import TextArea

        self.query_one("#paste-source", TextArea).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "keep":
            self.action_keep()
        else:
            self.dismiss(None)

    def action_keep(self) -> None:
        from textual.widgets import TextArea

        text = self.query_one("#paste-source", TextArea).text
        self.dismiss(text if text.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
