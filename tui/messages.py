"""Messages the widgets and workers send upward: one per event, named for what happened, carrying core types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from stories.checks.copying import SectionCopy
from stories.checks.finding import Finding
from stories.desk import Published
from stories.index import PublishedStory
from stories.queue import SourceItem
from stories.repo import RepoStatus, SyncResult

if TYPE_CHECKING:  # the fetch machinery (HTTP, parsing) loads with the first fetch, not at start-up
    from stories.sources.fetch import FetchSummary


@dataclass
class DraftEdited(Message):
    """The editor's text changed (a keystroke, a paste, a key point moved)."""


@dataclass
class FindingChosen(Message):
    """The editor chose a finding in the checks panel: move the cursor to it."""

    finding: Finding


@dataclass
class ChecksDone(Message):
    """A check run finished for the draft of this generation."""

    generation: int
    findings: list[Finding]
    marks: list[tuple[int, int, str]]
    meters: list[SectionCopy] = field(default_factory=list)


@dataclass
class DraftSaved(Message):
    """An autosave finished; ``moved`` is the queue item when the save moved it on to drafting."""

    generation: int
    error: str = ""
    moved: SourceItem | None = None


@dataclass
class WorkProgress(Message):
    """Progress of background work (fetch, sync), shown in the status line."""

    text: str

    def can_replace(self, message: Message) -> bool:
        # A burst of progress messages collapses to the newest.
        return isinstance(message, WorkProgress)


@dataclass
class PublishDone(Message):
    """A briefing was committed to the content repo; its item and draft are updated."""

    published: Published


@dataclass
class PublishFailed(Message):
    """A publish did not happen: refused by the checks (``findings``) or by the repo; ``text`` says why."""

    text: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class FetchDone(Message):
    """A fetch of the desk's sources ended; ``summary`` is None when it stopped before any source."""

    text: str
    error: bool = False
    summary: FetchSummary | None = None


@dataclass
class SyncDone(Message):
    """A sync with the remote ended; ``result`` is None when it failed before git answered."""

    text: str
    error: bool = False
    result: SyncResult | None = None


@dataclass
class PublishedLoaded(Message):
    """The published-story index was read (the repository checks use it)."""

    stories: list[PublishedStory]


@dataclass
class QueueListed(Message):
    """The whole listing for a filter arrived (the first screenful was shown before it)."""

    listing: int
    item_ids: list[str]


@dataclass
class RepoStatusChanged(Message):
    """New branch / ahead / behind / remote facts for the status line."""

    status: RepoStatus


@dataclass
class DeskStateSynced(Message):
    """The shared desk state (colleagues' claims, dismissals, review notes) was synced into the queue."""

    state: str


@dataclass
class ReviewNoteFound(Message):
    """A reviewer asked for changes on the story just opened (their name and note, as recorded in git)."""

    story_id: str
    reviewer: str
    note: str


@dataclass
class ArticleFetched(Message):
    """A fetch of an item's article page finished: ``problem`` is "" or what went wrong, in words."""

    item_id: str
    problem: str
