"""Messages: every notification of this session, newest first, in full."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.messagelog import LoggedMessage

SEVERITY = {"error": ("✗ error", "bold $text-error"), "warning": ("⚠ warning", "bold $text-warning"), "information": ("• note", "$text-muted")}


def render_messages(entries: list[LoggedMessage]) -> Content:
    """The log, newest first: time, severity (in words, not only colour), title, then the whole message."""
    if not entries:
        return Content.styled("No messages yet in this session.", "$text-muted")
    blocks: list[Content] = []
    for entry in reversed(entries):
        word, style = SEVERITY.get(entry.severity, (entry.severity, "bold"))
        head = Content.assemble((entry.when.strftime("%H:%M:%S") + "  ", "$text-muted"), (word, style))
        if entry.title:
            head = Content.assemble(head, "  ", Content.styled(entry.title, "bold"))
        # The desk passes markup=False for anything that came from a feed or a repo.
        body = Content.from_markup(entry.message) if entry.markup else Content(entry.message)
        blocks.append(Content.assemble(head, "\n", body))
    return Content("\n\n").join(blocks)


class MessagesScreen(ModalScreen[None]):
    """The session's messages; escape closes."""

    DEFAULT_CSS = """
    MessagesScreen { align: center middle; background: $background 60%; }
    MessagesScreen #messages-panel {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $primary;
        border-title-color: $primary;
        border-subtitle-color: $foreground-muted;
        background: $surface;
    }
    MessagesScreen #messages-scroll { height: 1fr; padding: 0 1; }
    MessagesScreen #messages-text { width: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="messages.close"),
        Binding("q", "close", "Close", show=False, id="messages.close_q"),
        Binding("j", "scroll_down", "Down", show=False, id="messages.scroll_down"),
        Binding("k", "scroll_up", "Up", show=False, id="messages.scroll_up"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="messages-panel") as panel:
            panel.border_title = "Messages"
            panel.border_subtitle = "newest first · escape closes"
            with VerticalScroll(id="messages-scroll"):
                yield Static(id="messages-text", markup=False)

    def on_mount(self) -> None:
        self.refresh_messages()
        self.query_one("#messages-scroll").focus()

    def refresh_messages(self) -> None:
        """Read the log again."""
        entries = list(getattr(self.app, "message_log", []))
        self.query_one("#messages-text", Static).update(render_messages(entries))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#messages-scroll", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#messages-scroll", VerticalScroll).scroll_up(animate=False)
