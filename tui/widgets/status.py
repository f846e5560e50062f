"""The status line: branch, ahead/behind, sync state, last save, check counts, background work.

Until a sync in this session has answered, the sync state comes from git's
own record of the last fetch or push (``stories.syncstate``): "synced 5m ago"
after a sync on the command line, "not synced yet" when there was none. It
says "offline" only when a sync or fetch found no network.
"""

from __future__ import annotations

import time
from typing import Any

from textual.binding import Binding
from textual.content import Content
from textual.dom import NoScreen
from textual.message import Message
from textual.widgets import Static
from stories.text import plural


def ago(seconds: float) -> str:
    """``2s ago``, ``3m ago``, ``1h ago``."""
    seconds = max(0, int(seconds))
    if seconds < 2:
        return "just now"
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    return f"{seconds // 3600}h ago"


class StatusLine(Static):
    """One line at the bottom of the main screen; refreshes itself every second.

    Posts :class:`StatusLine.RemoteMoved` when the repo's last contact with its
    remote changes behind the desk's back (a sync on the command line), so the
    screen can read ahead/behind again.
    """

    class RemoteMoved(Message):
        """The content repo fetched or pushed outside the app."""

    DEFAULT_CSS = """
    StatusLine { height: 1; width: 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Content(""), markup=False, **kwargs)
        self.branch = ""
        self.ahead = 0
        self.behind = 0
        self.online: bool | None = None
        self.has_remote = False
        self.saved_at: float | None = None
        self.unsaved = False
        self.has_draft = False
        self.note = ""
        self.errors = 0
        self.warnings = 0
        self.checked = False
        self.work = ""
        self.last_synced: float | None = None  # wall-clock seconds of the repo's last fetch or push

    def on_mount(self) -> None:
        self.last_synced = self._remote_contact()
        self.set_interval(1.0, self._tick)
        self.redraw()

    def _remote_contact(self) -> float | None:
        root = getattr(getattr(self.app, "repo", None), "root", None)
        if root is None:
            return None
        from stories.syncstate import last_remote_contact

        return last_remote_contact(root)

    def _tick(self) -> None:
        contact = self._remote_contact()
        if contact is not None and contact != self.last_synced:
            self.last_synced = contact
            self.post_message(self.RemoteMoved())
        self.redraw()

    def set(self, **values: Any) -> None:
        """Change some facts and redraw."""
        for name, value in values.items():
            setattr(self, name, value)
        self.redraw()

    def mark_saved(self) -> None:
        self.set(saved_at=time.monotonic(), unsaved=False)

    def build(self) -> Content:
        parts: list[Any] = []

        def sep() -> None:
            if parts:
                parts.append((" · ", "$text-muted"))

        if getattr(self.app, "demo", False) and not getattr(self.app, "demo_kept", False):
            parts.append(("demo", "bold reverse"))  # throwaway: said on every screen, not only at start
            parts.append(" ")
        if self.branch:
            parts.append((self.branch, "bold"))
            if self.ahead and self.has_remote:
                parts.append(f" ↑{self.ahead}")
            if self.behind and self.has_remote:
                parts.append(f" ↓{self.behind}")
        sep()
        if self.online:
            parts.append(("online", "$text-success"))
        elif self.online is None and not self.has_remote:
            # Nothing has tried the network and there is nowhere to push: say that, not "offline".
            parts.append(("no remote", "$text-muted"))
        elif self.online is None:
            # No sync in this session yet: say what git knows, never guess "offline".
            if self.last_synced is None:
                parts.append(("not synced yet", "$text-muted"))
            else:
                parts.append("synced " + ago(time.time() - self.last_synced))
        else:
            parts.append(("offline", "$text-muted"))
        if self.has_draft:
            sep()
            if self.unsaved:
                parts.append(("unsaved", "$text-warning"))
            elif self.saved_at is not None:
                parts.append("saved " + ago(time.monotonic() - self.saved_at))
            else:
                parts.append(self.note or "not changed")
            if self.checked:
                sep()
                if self.errors:
                    parts.append((plural(self.errors, "error"), "$text-error"))
                else:
                    parts.append(("0 errors", "$text-success"))
                parts.append(" ")
                parts.append((plural(self.warnings, "warning"), "$text-warning" if self.warnings else "$text-muted"))
        if self.work:
            sep()
            parts.append((self.work, "$text-accent"))
        left = Content.assemble(*parts)
        width = self.size.width or 80
        for text in self._hints():
            hint = Content.styled(text, "$text-muted")
            room = width - left.cell_length - hint.cell_length
            if room >= 2:
                return Content.assemble(left, " " * room, hint)
        return left.truncate(width, ellipsis=True)

    def _hints(self) -> list[str]:
        """What to press next, longest first, with the keys as the editor has mapped them."""
        keys = self._keys()

        def say(*pairs: tuple[str, str]) -> str:
            return " · ".join(f"{keys[binding_id]} {label}" for binding_id, label in pairs if binding_id in keys)

        next_step = (("desk.preview", "preview"), ("desk.publish", "publish")) if self.has_draft else (("desk.start", "briefing"),)
        always = (("app.command_palette", "commands"), ("app.help", "help"))
        return [say(*next_step, *always), say(*next_step, always[1]), say(*always), say(always[1])]

    def _keys(self) -> dict[str, str]:
        palette = Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette")
        keys: dict[str, str] = {"app.command_palette": self.app.get_key_display(palette)}
        try:
            bindings = self.screen.active_bindings.values()
        except NoScreen:
            return keys
        for active in bindings:
            binding = active.binding
            if binding.id and binding.id not in keys:
                keys[binding.id] = self.app.get_key_display(binding)
        return keys

    def redraw(self) -> None:
        self.update(self.build())

    def on_resize(self) -> None:
        self.redraw()
