"""Messages the widgets and workers send upward: small and named for what happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class DraftEdited(Message):
    """The editor's text changed (a keystroke, a paste, a key point moved)."""


@dataclass
class FindingChosen(Message):
    """The editor chose a finding in the checks panel: move the cursor to it."""

    finding: Any


@dataclass
class ChecksDone(Message):
    """A check run finished for the draft of this generation."""

    generation: int
    findings: list[Any]
    marks: list[tuple[int, int, str]]


@dataclass
class DraftSaved(Message):
    """An autosave finished."""

    generation: int
    error: str = ""


@dataclass
class WorkProgress(Message):
    """Progress of background work (fetch, sync), shown in the status line."""

    text: str

    def can_replace(self, message: Message) -> bool:
        # A burst of progress messages collapses to the newest.
        return isinstance(message, WorkProgress)


@dataclass
class WorkDone(Message):
    """Background work ended: ``text`` is what the editor is told; ``error`` marks a failure."""

    kind: str
    text: str
    error: bool = False
    result: Any = None


@dataclass
class RepoStatusChanged(Message):
    """New branch / ahead / behind / remote facts for the status line."""

    status: Any
