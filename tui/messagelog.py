"""The session's message log: every notification the desk showed, kept after its toast is gone.

A 12-line sync conflict vanishes from the corner after a few seconds; the
editor can read it again in the Messages screen (``ctrl+l`` or the palette).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LoggedMessage:
    """One notification as it was shown."""

    when: datetime
    title: str
    message: str
    severity: str
    markup: bool


class MessageLog:
    """Mix into the App (before ``App``): ``notify`` records each message, ``action_messages`` lists them."""

    MESSAGE_LOG_LIMIT = 500
    """The newest this many are kept: a day's work, without growing for ever."""

    def _message_log_lock(self) -> threading.Lock:
        lock = self.__dict__.get("_message_log_mutex")
        if lock is None:
            lock = self.__dict__.setdefault("_message_log_mutex", threading.Lock())
        return lock

    @property
    def message_log(self) -> list[LoggedMessage]:
        """The session's messages, oldest first."""
        with self._message_log_lock():
            return list(self.__dict__.get("_message_log_entries", []))

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None, markup: bool = True) -> None:
        """Show a notification (Textual's toast) and keep it in the log; thread-safe like ``App.notify``."""
        entry = LoggedMessage(datetime.now(), str(title), str(message), str(severity), markup)
        with self._message_log_lock():
            entries = self.__dict__.setdefault("_message_log_entries", [])
            entries.append(entry)
            del entries[: -self.MESSAGE_LOG_LIMIT]
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)  # type: ignore[misc]

    def action_messages(self) -> None:
        """Show the session's messages."""
        from tui.screens.messages import MessagesScreen

        if not isinstance(self.screen, MessagesScreen):  # type: ignore[attr-defined]
            self.push_screen(MessagesScreen())  # type: ignore[attr-defined]
