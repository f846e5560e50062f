"""Autosave that never drops typing: a draft that could not be written is tried again until it is."""

from __future__ import annotations

import threading
from pathlib import Path

from stories.drafts import Draft, DraftSaveError, DraftStore


class AutosaveRetry:
    """Autosave that never drops text: a draft that failed to save is tried again until it is written.

    The app calls ``save(draft)`` from its autosave worker; on DraftSaveError
    it shows the words and sets a timer for ``delay`` seconds that calls
    ``retry()``. ``unsaved`` says whether quitting now would lose text.
    """

    def __init__(self, store: DraftStore, first: float = 1.0, longest: float = 30.0) -> None:
        self.store = store
        self.first = first
        self.longest = longest
        self.delay = first
        self.error: DraftSaveError | None = None
        self._pending: dict[str, Draft] = {}
        self._lock = threading.Lock()

    @property
    def unsaved(self) -> bool:
        """True while some draft is waiting to be written."""
        return bool(self._pending)

    def pending(self) -> list[Draft]:
        """The drafts waiting to be written (the newest text of each)."""
        return list(self._pending.values())

    def save(self, draft: Draft) -> Path:
        """Save now; on failure keep the draft as pending (replacing an older text of the same draft) and raise."""
        with self._lock:
            return self._attempt(draft)

    def retry(self) -> list[Path]:
        """Write every pending draft again: the paths written; DraftSaveError if one still fails (it stays pending)."""
        with self._lock:
            written = []
            for draft in list(self._pending.values()):
                written.append(self._attempt(draft))
            return written

    def _attempt(self, draft: Draft) -> Path:
        try:
            path = self.store.save(draft)
        except DraftSaveError as exc:
            if self._pending:
                self.delay = min(self.delay * 2, self.longest)  # back off while the disk stays full
            self._pending[draft.key] = draft
            self.error = exc
            raise
        self._pending.pop(draft.key, None)
        if not self._pending:
            self.error, self.delay = None, self.first
        return path
