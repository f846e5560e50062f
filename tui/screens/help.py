"""Help: the keys that work right now on the screen below, and everywhere in the app.

The list is read from Textual's active bindings of the screen under this one,
so it follows remapped keys (``set_keymap``) and hides actions that are
switched off; nothing is typed out twice.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GROUP = "bold $secondary"
KEY = "bold $accent"
DISABLED = "$foreground-disabled"
ID = "$foreground-muted"


def _group_title(node: DOMNode, below: Screen | None) -> str:
    from textual.app import App

    title = getattr(node, "BINDING_GROUP_TITLE", None)
    if title:
        return str(title)
    if isinstance(node, App):
        return "Everywhere"
    if node is below:
        return "On this screen"
    name = node.id or type(node).__name__
    return f"In {name.replace('-', ' ').replace('_', ' ')}"


def binding_rows(below: Screen, app_key_display) -> list[tuple[str, list[tuple[str, str, str, bool]]]]:
    """The active bindings of ``below``, grouped: (group title, [(keys, description, id, enabled)])."""
    groups: dict[int, tuple[str, list[tuple[str, str, str, bool]]]] = {}
    order: list[int] = []
    by_action: dict[tuple[int, str], int] = {}
    ranks: dict[int, int] = {}
    active: dict[str, ActiveBinding] = below.active_bindings
    for key, (node, binding, enabled, _tooltip) in active.items():
        if binding.system or not binding.description:
            continue
        ident = id(node)
        if ident not in groups:
            groups[ident] = (_group_title(node, below), [])
            order.append(ident)
            ranks[ident] = 0 if node is below else 1 if node is below.app else 2
        rows = groups[ident][1]
        keys = app_key_display(binding)
        # One row per action: "ctrl+j" and "ctrl+enter" for publish share a line.
        slot = by_action.get((ident, binding.action))
        if slot is not None:
            old_keys, description, binding_id, was_enabled = rows[slot]
            if keys not in old_keys.split(" / "):
                rows[slot] = (f"{old_keys} / {keys}", description, binding_id, was_enabled or enabled)
            continue
        by_action[(ident, binding.action)] = len(rows)
        rows.append((keys, binding.description, binding.id or "", enabled))

    for ident in order:
        # The desk's own actions (they have ids) before Textual's generic ones.
        groups[ident][1].sort(key=lambda row: not row[2])

    # The screen's own actions first, then the app's, then the focused widget's.
    return [groups[ident] for ident in sorted(order, key=ranks.__getitem__)]


def render_help(groups: list[tuple[str, list[tuple[str, str, str, bool]]]]) -> Content:
    """The key list as Content: a group heading, then key, description and binding id per line."""
    if not groups:
        return Content.styled("No keys are active here.", ID)
    width = min(22, max((len(keys) for _title, rows in groups for keys, *_ in rows), default=8))
    blocks: list[Content] = []
    for title, rows in groups:
        lines = [Content.styled(title, GROUP)]
        for keys, description, binding_id, enabled in rows:
            # Each column carries its own trailing gap, so no run starts with
            # blanks (some SVG renderers drop those, and columns would touch).
            line = Content.assemble(
                "  ",
                (f"{keys:<{width}}  ", KEY if enabled else DISABLED),
                (f"{description}  " if binding_id else description, "" if enabled else DISABLED),
            )
            if binding_id:
                line = Content.assemble(line, (f"({binding_id})", ID))
            lines.append(line)
        blocks.append(Content("\n").join(lines))
    return Content("\n\n").join(blocks)


class HelpScreen(ModalScreen[None]):
    """Every key that works on the screen below, with what it does; escape or F1 closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    HelpScreen #help-panel {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $primary;
        border-title-color: $primary;
        border-subtitle-color: $foreground-muted;
        background: $surface;
    }
    HelpScreen #help-scroll {
        height: 1fr;
        padding: 0 1;
    }
    HelpScreen #help-keys {
        width: 1fr;
        color: $foreground;
    }
    HelpScreen #help-note {
        height: auto;
        padding: 0 1;
        color: $foreground-muted;
        border-top: solid $panel;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("f1", "close", "Close", show=False, id="help.close_f1"),
        Binding("q", "close", "Close", show=False, id="help.close_q"),
        Binding("j", "scroll_down", "Down", show=False, id="help.scroll_down"),
        Binding("k", "scroll_up", "Up", show=False, id="help.scroll_up"),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.below: Screen | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="help-panel") as panel:
            panel.border_title = "Keys"
            panel.border_subtitle = "escape closes"
            with VerticalScroll(id="help-scroll"):
                yield Static(id="help-keys")
            yield Static(
                Content(
                    "Every action is also in the command palette (ctrl+p). "
                    "Remap a key in the config file's [keys] table: binding id = \"key\"."
                ),
                id="help-note",
            )

    def on_mount(self) -> None:
        stack = self.app.screen_stack
        self.below = stack[-2] if len(stack) > 1 and stack[-1] is self else None
        self.refresh_keys()
        self.query_one("#help-scroll").focus()

    def refresh_keys(self) -> None:
        """Read the bindings of the screen below again (after a keymap change, say)."""
        groups = binding_rows(self.below, self.app.get_key_display) if self.below is not None else []
        self.query_one("#help-keys", Static).update(render_help(groups))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).scroll_up(animate=False)
