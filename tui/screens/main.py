"""The main screen: queue, briefing editor and checks, side by side or as tabs.

The workflow itself (claim, start, save, publish, discard, dismiss, revise)
is the core's ``Desk``; this screen lays out the panes, routes messages and
shows what each step did. Blocking work runs in thread workers and reports
back with one typed message per event.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static, Tab, Tabs
from textual.worker import get_current_worker

from stories.checks.copying import SectionCopy
from stories.checks.finding import Finding
from stories.desk import Desk, DeskError, Published, Refused, StaleDraft, StoryMissing
from stories.drafts import Draft
from stories.model import Briefing, utcnow
from stories.queue import SourceItem
from stories.sources.articles import SourceText
from tui.messages import (
    ArticleFetched,
    ChecksDone,
    DeskStateSynced,
    DraftEdited,
    DraftSaved,
    FetchDone,
    FindingChosen,
    PublishDone,
    PublishedLoaded,
    PublishFailed,
    RepoStatusChanged,
    ReviewNoteFound,
    SyncDone,
    WorkProgress,
)
from tui.widgets.checks import ChecksPanel
from tui.widgets.editor import BriefingEditor, KeyPointInput, KeyPointList
from tui.widgets.queue import DRAFT_PREFIX, ITEM_PREFIX, QueuePane, source_content
from tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from stories.sources.fetch import FetchProgress
    from tui.app import BriefDeskApp

    from stories.draftlock import DraftLock  # noqa: I001 - apart from the lines above, which other work changes too

SETTLE_SECONDS = 0.3
"""Quiet time after the last keystroke before the draft is saved and checked."""
WIDE_COLUMNS = 120
"""At this width or more the three panes sit side by side; below it they are tabs."""
PANES = ("queue", "editor", "checks")
DESK_SYNC_SECONDS = 120.0
"""How often the shared desk state (colleagues' claims and dismissals) is synced in the background."""


class MainScreen(Screen[None]):
    """Queue · Briefing · Checks, and a status line."""

    BINDING_GROUP_TITLE = "Desk"
    AUTO_FOCUS = ""  # the desk decides: the queue, or the section a draft was left in

    BINDINGS = [
        Binding("n", "start", "Start / open briefing", id="desk.start"),
        Binding("d", "dismiss_item", "Dismiss item", id="desk.dismiss"),
        Binding("r", "release_item", "Release claim", id="desk.release"),
        Binding("u", "restore_item", "Restore dismissed", id="desk.restore"),
        Binding("x", "discard_draft", "Throw away draft", id="desk.discard"),
        Binding("slash", "filter", "Filter queue", id="desk.filter"),
        Binding("f", "fetch", "Fetch feeds", id="desk.fetch"),
        Binding("y", "sync", "Sync", id="desk.sync"),
        Binding("h", "history", "History", id="desk.history"),
        Binding("v", "review", "Review", id="desk.review"),
        Binding("b", "stories", "Stories", id="desk.stories"),
        Binding("ctrl+s", "save", "Save draft", id="desk.save", priority=True),
        Binding("ctrl+r", "preview", "Preview", id="desk.preview", priority=True),
        Binding("ctrl+o", "publish", "Publish", id="desk.publish", priority=True),
        Binding("f2", "show_pane('queue')", "Queue", id="desk.pane_queue"),
        Binding("f3", "show_pane('editor')", "Briefing", id="desk.pane_editor"),
        Binding("f4", "show_pane('checks')", "Checks", id="desk.pane_checks"),
        Binding("escape", "back_to_queue", "Back to queue", id="desk.back", show=False),
        Binding("a", "fetch_article", "Fetch article", id="desk.fetch_article"),
        Binding("P", "paste_source", "Paste source", id="desk.paste_source"),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.draft: Draft | None = None
        self.findings: list[Finding] = []
        self.marks: list[tuple[int, int, str]] = []
        self.generation = 0
        self.checked_generation = -1
        self.saved_generation = 0
        self._settle_timer: Timer | None = None
        self._save_lock = threading.Lock()
        self._share_lock = threading.Lock()  # one desk-state write at a time, in the order the steps were taken
        self._written_generation = 0
        self._shown_source: str | None = None
        self._switching = False
        self._publishing = False
        self._publish_generation = 0
        self._publish_key = ""
        self.pane = "queue"
        self.read_only = False
        """True while another live desk has the open draft: it is shown, never written here."""
        self._lock: DraftLock | None = None
        self._lock_key = ""
        self._told_read_only = False
        self._retry_timer: Timer | None = None
        self._failed_generation = 0
        self._save_error = ""

    @property
    def deskapp(self) -> "BriefDeskApp":
        return self.app  # type: ignore[return-value]

    @property
    def desk(self) -> Desk:
        """The workflow service every step goes through (the same one the command line uses)."""
        return self.deskapp.desk

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Tabs(Tab("Queue", id="tab-queue"), Tab("Briefing", id="tab-editor"), Tab("Checks", id="tab-checks"), id="pane-tabs")
        with Horizontal(id="panes"):
            queue = QueuePane(self.deskapp.queue, now=self.deskapp.now, me=self.deskapp.editor_name, id="queue-pane", classes="pane -shown")
            queue.border_title = "Queue  (/ filter)"
            yield queue
            with Vertical(id="editor-pane", classes="pane") as editor_pane:
                editor_pane.border_title = "Briefing"
                yield BriefingEditor(self.deskapp.profile, id="editor")
                # The open briefing's own source, under the writing at any width (the queue's pane previews items).
                yield Static(Content(""), id="editor-source-url", markup=False)
                with VerticalScroll(id="editor-source-scroll", can_focus=False):
                    yield Static(Content(""), id="editor-source", markup=False)
            checks = ChecksPanel(self.deskapp.profile, id="checks-pane", classes="pane")
            checks.border_title = "Checks"
            yield checks
        yield StatusLine(id="status")

    @property
    def queue_pane(self) -> QueuePane:
        return self.query_one(QueuePane)

    @property
    def editor(self) -> BriefingEditor:
        return self.query_one(BriefingEditor)

    @property
    def checks(self) -> ChecksPanel:
        return self.query_one(ChecksPanel)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def read_briefing(self) -> Briefing:
        """The briefing as it is in the form now, with the open draft's waivers (the form has no field for them)."""
        briefing = self.editor.read()
        if self.draft is not None:
            briefing.waivers = list(self.draft.briefing.waivers)
        return briefing

    def on_resize(self, event: Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < WIDE_COLUMNS
        self.set_class(narrow, "-narrow")
        self._show(self.pane)

    def _show(self, pane: str) -> None:
        self.pane = pane
        for name in PANES:
            self.query_one(f"#{name}-pane").set_class(name == pane, "-shown")
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{pane}":
            self._switching = True
            tabs.active = f"tab-{pane}"

    def action_show_pane(self, pane: str) -> None:
        """Show a pane (a tab when narrow) and put the cursor in it."""
        self._show(pane)
        self._focus_pane(pane)

    def _focus_pane(self, pane: str) -> None:
        if pane == "queue":
            self.queue_pane.option_list.focus()
        elif pane == "checks":
            self.query_one("#checks-list", OptionList).focus()
        else:
            if self.draft is None:
                self.editor.focus()
                return
            key, cursor = self.draft.focus or "", self.draft.cursor
            if not key or not self.editor.focus_section(key, cursor=cursor):
                self.editor.focus_section(self.deskapp.profile.sections[0].key)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        pane = (event.tab.id or "tab-queue")[4:]
        if self._switching:
            self._switching = False
            self.pane = pane
            return
        if pane != self.pane:
            self._show(pane)
            self._focus_pane(pane)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        node = event.widget
        while node is not None and node is not self:
            if node.id in ("queue-pane", "editor-pane", "checks-pane"):
                pane = node.id[:-5]
                if pane != self.pane:
                    self._show(pane)
                return
            node = node.parent

    # -- start up -------------------------------------------------------------

    def on_mount(self) -> None:
        self.query_one(Tabs).can_focus = False  # switched with F2/F3/F4 or the mouse; not a Tab stop
        self._apply_width(self.app.size.width)
        app = self.deskapp
        drafts = app.drafts.list()
        self.queue_pane.reload(drafts)
        self.status.set(branch="", online=None)  # unknown until a fetch or sync tries the network
        problems = app.drafts.problems()
        if problems:
            app.notify("Some drafts could not be read:\n" + "\n".join(problems[:3]), title="Drafts", severity="warning", markup=False)
        if drafts:
            # After a crash (or a quit) the newest draft comes back exactly as it was.
            self.call_after_refresh(self.open_draft, drafts[0], True)
            if len(drafts) > 1:
                app.notify(f"{len(drafts)} unfinished drafts are listed at the top of the queue.", title="Drafts")
        else:
            self.queue_pane.option_list.focus()
        self.call_after_refresh(self._first_frame_drawn)

    def on_unmount(self) -> None:
        self.release_drafts()  # however the desk ends, another desk may open these drafts for writing

    def _first_frame_drawn(self) -> None:
        # The repo's status and index are read once the queue is on screen, so they never delay it.
        self.deskapp.first_frame_drawn()
        self.refresh_repo_status()
        self._load_published()
        self.set_interval(DESK_SYNC_SECONDS, self.sync_desk_state)

    @work(thread=True, exclusive=True, group="published", exit_on_error=False)
    def _load_published(self) -> None:
        try:
            published = self.deskapp.repo.published()
        except Exception:  # an index problem must not stop the desk; checks just skip the repo family
            return
        self.post_message(PublishedLoaded(published))

    def on_published_loaded(self, message: PublishedLoaded) -> None:
        self.deskapp.published = message.stories
        self._schedule_checks()

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def refresh_repo_status(self) -> None:
        try:
            status = self.deskapp.repo.status()
        except Exception:
            return
        self.post_message(RepoStatusChanged(status))

    def on_repo_status_changed(self, message: RepoStatusChanged) -> None:
        status = message.status
        self.status.set(branch=status.branch or "", ahead=status.ahead, behind=status.behind, has_remote=status.has_remote)
        if status.has_remote:
            # The status is read at start and after every publish and sync: share the desk state then too.
            self.sync_desk_state()

    @work(thread=True, exclusive=True, group="desk-state", exit_on_error=False)
    def sync_desk_state(self) -> None:
        """Share claims and dismissals with colleagues through the content repo, and show theirs (never on the UI thread)."""
        from stories.queue import QueueStore
        from stories.team.queue_state import sync_desk_state

        app = self.deskapp
        if app.demo or app.desk.repo is None:
            return
        try:
            store = QueueStore(app.queue_path)  # this thread's own connection
            try:
                result = sync_desk_state(app.repo.root, store, app.desk.editor)
            finally:
                store.close()
        except Exception as exc:  # a background share must never stop the desk; the next one tries again
            self.post_message(DeskStateSynced("failed: " + str(exc)))
            return
        self.post_message(DeskStateSynced(result.state))

    @work(thread=True, group="desk-share", exit_on_error=False)
    def share_step(self, event: str, item_id: str, reason: str = "") -> None:
        """Write one queue step (claim, release, dismiss, restore) to the shared desk state and push it, in the background.

        A colleague's claim found on the remote is told, naming them; offline, the
        step stays in the local desk state and goes with the next sync.
        """
        from stories.team.gitrun import TeamError
        from stories.team.state import DeskState

        app = self.deskapp
        editor = app.desk.editor
        if app.demo or app.desk.repo is None or editor is None:
            return
        try:
            with self._share_lock, DeskState(app.repo.root) as state:
                state.fetch(editor=editor)  # a colleague's claim must be known before ours is written
                if event == "claim":
                    state.claim(item_id, editor)
                elif event == "release":
                    state.release(item_id, editor)
                elif event == "dismiss":
                    state.dismiss(item_id, editor, reason)
                elif event == "restore":
                    state.restore(item_id, editor)
                state.push(editor=editor)
        except TeamError as exc:
            self.app.call_from_thread(self.app.notify, f"Not shared with colleagues: {exc}", title="Desk", severity="warning", markup=False, timeout=12)
        except Exception as exc:  # never a traceback from a background share; the next sync carries the state
            self.app.call_from_thread(self.app.notify, f"Not shared with colleagues yet: {exc}", title="Desk", severity="warning", markup=False)

    def on_desk_state_synced(self, message: DeskStateSynced) -> None:
        if message.state.startswith("failed"):
            return
        self.queue_pane.refresh_rows()  # colleagues' claims and dismissals show in the rows
        if self.draft is not None:
            self._show_review_note(self.draft)

    # -- the queue --------------------------------------------------------------

    @on(QueuePane.ItemHighlighted)
    def _item_highlighted(self, event: QueuePane.ItemHighlighted) -> None:
        self._show_source_for(event.option_id)

    def _show_source_for(self, option_id: str | None) -> None:
        if option_id is None:
            return
        self._shown_source = option_id
        app = self.deskapp
        marks: list[tuple[int, int, str]] = []
        if option_id.startswith(DRAFT_PREFIX):
            key = option_id[len(DRAFT_PREFIX) :]
            draft = self.draft if self.draft and self.draft.key == key else app.drafts.load(key)
            if draft is None:
                return
            text = draft.source_text
            heading = self._source_heading(draft)
            if self.draft is not None and draft.key == self.draft.key:
                marks = self.marks
        else:
            item_id = option_id[len(ITEM_PREFIX) :]
            item = self.queue_pane.item(item_id)
            shown = self.desk.source(item_id)
            text = shown.text
            heading = origin_heading(source_origin_line(shown, self.deskapp.now()), item.link if item else "")
            if self.draft is not None and self.draft.item_id == item_id and self.draft.source_text == text:
                marks = self.marks
        self.queue_pane.show_source(text, marks, heading)

    @on(QueuePane.ItemChosen)
    def _item_chosen(self, event: QueuePane.ItemChosen) -> None:
        self._choose(event.option_id)

    def action_start(self) -> None:
        """Start a briefing from the highlighted item, or open its draft or published story."""
        option_id = self.queue_pane.option_list.highlighted_id
        if option_id is None:
            self.app.notify("The queue is empty: fetch feeds with f.", severity="warning")
            return
        self._choose(option_id)

    def _choose(self, option_id: str) -> None:
        app = self.deskapp
        if option_id.startswith(DRAFT_PREFIX):
            draft = app.drafts.load(option_id[len(DRAFT_PREFIX) :])
            if draft is not None:
                self.open_draft(draft, focus=True)
            return
        item_id = option_id[len(ITEM_PREFIX) :]
        item = app.queue.item(item_id)
        if item is None:
            app.notify("That item is no longer in the queue.", severity="warning")
            return
        existing = self._draft_for_item(item_id)
        if existing is not None:
            self.open_draft(existing, focus=True)
            return
        if item.state == "published":
            self.open_published(item)
            return
        self.start_briefing(item)

    def _draft_for_item(self, item_id: str) -> Draft | None:
        if self.draft is not None and self.draft.item_id == item_id:
            return self.draft
        return self.desk.draft_for(item_id)

    def start_briefing(self, item: SourceItem) -> None:
        """Claim an item and open a new briefing from it, with its source block and source text."""
        self.flush()
        try:
            draft = self.desk.start(item.id)
        except DeskError as exc:  # moved by a colleague or another instance meanwhile
            self.app.notify(str(exc), title="Queue", severity="warning", markup=False)
            self._refresh_item(item.id)
            return
        self._refresh_item(item.id)
        self.share_step("claim", item.id)
        self.queue_pane.set_drafts(self.deskapp.drafts.list())
        self.open_draft(draft, focus=True)
        self.status.mark_saved()

    def open_published(self, item: SourceItem) -> None:
        """Open the published story that came from this item, to revise it."""
        try:
            try:
                story_id = self.desk.story_for(item, self.deskapp.published)
            except StoryMissing:
                story_id = self.desk.story_for(item)  # published since the index was read
        except (DeskError, OSError) as exc:
            self.app.notify(str(exc), severity="warning", markup=False)
            return
        self.open_story(story_id, item_id=item.id)

    def open_story(self, story_id: str, item_id: str = "") -> None:
        """Open a published story for revision (its draft, if one is waiting)."""
        try:
            draft = self.desk.revise(story_id, item_id)
        except DeskError as exc:
            self.app.notify(str(exc), severity="error", markup=False)
            return
        self.flush()
        self.open_draft(draft, focus=True)

    def open_draft(self, draft: Draft, focus: bool = False) -> None:
        """Show a draft in the editor and check it."""
        if self.draft is not None and self.draft.key != draft.key:
            self.flush()
        self.draft = draft
        self.generation += 1
        self._written_generation = self.generation
        self.saved_generation = self.generation
        self._hold(draft)
        self.query_one("#editor-pane").border_subtitle = ""
        self._show_review_note(draft)
        source = draft.briefing.source
        origin = f" · from {source.name}" if source is not None and source.name else ""
        title = (f"Revising {draft.revises}" if draft.revises else "New briefing") + origin
        self.editor.load(draft.briefing, title)
        self.status.set(
            has_draft=True,
            unsaved=False,
            saved_at=time.monotonic() if draft.saved and not self.read_only else None,
            checked=False,
            note="read-only" if self.read_only else "published" if draft.revises and draft.saved is None else "",
        )
        self._shown_source = None
        self.queue_pane.show_source(draft.source_text, (), self._source_heading(draft))
        self.set_class(True, "-has-draft")
        self._show_draft_source(())
        self._run_checks(self.generation, draft.briefing, draft.source_text)
        if focus:
            # Let go of the focus before its pane is hidden, or Textual hands it to a neighbour.
            self.set_focus(None)
            self._show("editor")
            key, cursor = draft.focus, draft.cursor
            section_keys = self.deskapp.profile.keys

            def place(tries: int = 10) -> None:
                # The editor pane may have been hidden (a tab) a moment ago, and focus may
                # still be moving off the pane that was hidden: try until it lands.
                target = key if key in section_keys or key in ("topics", "related") else section_keys[0]
                if not self.editor.focus_section(target, cursor=cursor):
                    target = section_keys[0]
                    self.editor.focus_section(target)
                if tries:
                    self.set_timer(0.03, lambda: check(target, tries))

            def check(target: str, tries: int) -> None:
                control = self.editor.control_for(target)
                if self.draft is draft and control is not None and not self._focus_in(control.id or ""):
                    place(tries - 1)

            self.call_after_refresh(place)

    def _hold(self, draft: Draft) -> None:
        """Hold the draft for this desk; one another live desk has open is shown read-only, naming that desk."""
        drafts = self.deskapp.drafts
        if self._lock is not None and self._lock_key != draft.key:
            self._lock.release()  # one draft open at a time: the one left is free for another desk
            self._lock = None
        self._told_read_only = False
        try:
            lock = drafts.lock(draft.key)
        except OSError as exc:  # a full disk: the draft still opens, but another desk would not see it is open
            lock = None
            self.app.notify(f"Could not mark this draft as open here ({exc.strerror or exc}); it opens all the same.", title="Drafts", severity="warning", markup=False)
            self.read_only = False
        else:
            holder = drafts.holder(draft.key) if lock is None else None
            self.read_only = lock is None and holder is not None
            if self.read_only and holder is not None:
                self.app.notify(
                    f"This draft is open in {holder.describe()}. It is shown read-only here, so neither desk writes over the other.",
                    title="Read-only",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )
        self._lock, self._lock_key = lock, draft.key
        self.editor.disabled = self.read_only

    def _show_review_note(self, draft: Draft) -> None:
        """A reviewer's request for changes on this story shows when the story is opened (read in a worker)."""
        if draft.revises and self.deskapp.desk.repo is not None:
            self._review_note_worker(draft.revises)

    @work(thread=True, exclusive=True, group="review-note", exit_on_error=False)
    def _review_note_worker(self, story_id: str) -> None:
        from stories.team.state import CHANGES_REQUESTED, DeskState

        try:
            with DeskState(self.deskapp.repo.root) as state:
                note = state.reviews().get(story_id)
        except Exception:  # no desk state yet, or git cannot read it: nothing to show
            return
        if note is not None and note.verdict == CHANGES_REQUESTED:
            self.post_message(ReviewNoteFound(story_id, note.name, note.note))

    def on_review_note_found(self, message: ReviewNoteFound) -> None:
        if self.draft is None or self.draft.revises != message.story_id:
            return  # another story was opened meanwhile
        self.query_one("#editor-pane").border_subtitle = f"changes requested by {message.reviewer}"
        self.app.notify(message.note, title=f"Changes requested by {message.reviewer}", severity="warning", timeout=20, markup=False)

    def _say_read_only(self) -> None:
        if not self._told_read_only:
            self._told_read_only = True
            self.app.notify("This draft is open in another Briefing Desk: it is read-only here.", title="Read-only", severity="warning", markup=False)

    def release_drafts(self) -> None:
        """Let go of every draft this desk holds (on quit), so another desk may open them for writing."""
        self._lock = None
        self.deskapp.drafts.release_all()

    def _label_checks_tab(self, errors: int, warnings: int) -> None:
        """The Checks tab carries the counts, so a narrow terminal shows them from any tab."""
        parts: list[str | tuple[str, str]] = ["Checks"]
        if errors:
            parts.append((f" ✗{errors}", "$text-error"))
        if warnings:
            parts.append((f" ⚠{warnings}", "$text-warning"))
        if self.draft is not None and not errors and not warnings:
            parts.append((" ✓", "$text-success"))
        self.query_one("#tab-checks", Tab).label = Content.assemble(*parts)

    def _focus_in(self, pane_id: str) -> bool:
        node = self.focused
        while node is not None:
            if node.id == pane_id:
                return True
            node = node.parent
        return False

    def _refresh_item(self, item_id: str) -> None:
        item = self.deskapp.queue.item(item_id)
        if item is not None:
            self.queue_pane.update_item(item)

    # -- typing: autosave and checks ----------------------------------------------

    @on(DraftEdited)
    def _draft_edited(self, event: DraftEdited) -> None:
        event.stop()
        if self.draft is None:
            return
        if self.read_only:
            self._say_read_only()
            return
        self.generation += 1
        if not self.status.unsaved:
            self.status.set(unsaved=True)
        if self._settle_timer is None:
            self._settle_timer = self.set_timer(SETTLE_SECONDS, self._settle)
        else:
            self._settle_timer.reset()

    def _snapshot(self) -> Draft | None:
        """The draft as it is on screen now (read on the UI thread; handed to workers as a copy)."""
        if self.draft is None:
            return None
        briefing = self.read_briefing()
        briefing.updated = utcnow()
        focus, cursor = self.editor.focused_section()
        draft = self.draft
        draft.briefing = briefing
        if focus:
            draft.focus, draft.cursor = focus, cursor
        return replace(draft, briefing=briefing)

    def _settle(self) -> None:
        self._settle_timer = None
        snapshot = self._snapshot()
        if snapshot is None:
            return
        self.editor.update_counts(snapshot.briefing)
        generation = self.generation
        self._save_draft(generation, snapshot)
        self._run_checks(generation, snapshot.briefing, snapshot.source_text)

    @work(thread=True, group="autosave", exit_on_error=False)
    def _save_draft(self, generation: int, draft: Draft) -> None:
        with self._save_lock:
            if generation < self._written_generation:
                return  # a newer save already went to disk (or the draft was published or thrown away)
            error, moved = self._write(generation, draft)
        self.post_message(DraftSaved(generation, error, moved))

    def _write(self, generation: int, draft: Draft) -> tuple[str, SourceItem | None]:
        """Write one draft (under the save lock): the words of a failure (kept for a retry), and the item it moved."""
        from stories.drafts import DraftSaveError

        autosave = self.deskapp.autosave
        try:
            moved = self.desk.save_draft(draft)
        except OSError as exc:
            try:
                autosave.save(draft)  # keeps the newest text of the draft for the retry timer
            except DraftSaveError as kept:
                return str(kept), None
            except OSError as kept:
                return f"The draft could not be saved ({kept.strerror or kept}).", None
            moved = None  # space came back between the two tries
            if not isinstance(exc, DraftSaveError):
                return f"The draft could not be saved ({exc.strerror or exc}).", None
        else:
            if any(d.key == draft.key for d in autosave.pending()):
                autosave.save(draft)  # an older failed text must never be retried over this one
        self._written_generation = generation
        return "", moved

    def _retry_save(self) -> None:
        self._retry_timer = None
        self._retry_worker(self._failed_generation)

    @work(thread=True, exclusive=True, group="autosave-retry", exit_on_error=False)
    def _retry_worker(self, generation: int) -> None:
        autosave = self.deskapp.autosave
        with self._save_lock:
            if generation < self._written_generation:
                return  # written since (or published, or thrown away)
            try:
                autosave.retry()
            except OSError as exc:
                self.post_message(DraftSaved(generation, str(exc), None))
                return
            self._written_generation = generation
        self.post_message(DraftSaved(generation, "", None))

    def on_draft_saved(self, message: DraftSaved) -> None:
        if message.error:
            self._failed_generation = max(self._failed_generation, message.generation)
            if not self._save_error:  # said once; the status line keeps showing "unsaved" until it is
                self.app.notify(message.error, title="Autosave", severity="error", markup=False, timeout=10)
            self._save_error = message.error
            if self._retry_timer is None:
                self._retry_timer = self.set_timer(self.deskapp.autosave.delay, self._retry_save)
            return
        if self._save_error and not self.deskapp.autosave.unsaved:
            self._save_error = ""
            self.app.notify("The draft is saved again.", title="Autosave", markup=False)
        if message.moved is not None:
            self.queue_pane.update_item(message.moved)
        self.saved_generation = max(self.saved_generation, message.generation)
        if self.saved_generation >= self.generation:
            self.status.mark_saved()
        if self.draft is not None and not any(d.key == self.draft.key for d in self.queue_pane.drafts):
            self.queue_pane.set_drafts(self.deskapp.drafts.list())

    def flush(self) -> bool:
        """Write the open draft now if it has unsaved typing (before switching drafts, quitting, publishing).

        False when it could not be written: the words are kept, shown, and tried again on a timer.
        """
        if self.draft is None or self.read_only:
            return True
        if self._settle_timer is not None:
            self._settle_timer.stop()
            self._settle_timer = None
        if self.saved_generation >= self.generation and self._written_generation >= self.generation:
            return not self.deskapp.autosave.unsaved
        snapshot = self._snapshot()
        if snapshot is None:
            return True
        with self._save_lock:
            error, moved = self._write(self.generation, snapshot)
        if error:
            self.on_draft_saved(DraftSaved(self.generation, error, None))
            return False
        if moved is not None:
            self.queue_pane.update_item(moved)
        self.saved_generation = self.generation
        self.status.mark_saved()
        return True

    def unsaved_words(self) -> str:
        """Why quitting now would lose typing (the last save error), or "" when everything is written."""
        if not self.flush() or self.deskapp.autosave.unsaved:
            return self._save_error or "The draft could not be saved."
        return ""

    def _schedule_checks(self) -> None:
        if self.draft is not None:
            self._run_checks(self.generation, self.read_briefing(), self.draft.source_text)

    @work(thread=True, exclusive=True, group="checks", exit_on_error=False)
    def _run_checks(self, generation: int, briefing: Briefing, source_text: str) -> None:
        from stories.checks.traceability import copy_meters, source_marks

        app = self.deskapp
        findings = self.desk.check(briefing, source_text, app.published)
        marks = source_marks(briefing, source_text, app.profile) if source_text else []
        meters = copy_meters(briefing, source_text, app.profile) if source_text else []
        if get_current_worker().is_cancelled:
            return
        self.post_message(ChecksDone(generation, findings, marks, meters))

    def on_checks_done(self, message: ChecksDone) -> None:
        if message.generation < self.checked_generation or self.draft is None:
            return
        self.checked_generation = message.generation
        self.findings = message.findings
        self.marks = message.marks
        self.checks.show(message.findings, message.meters)
        errors = sum(1 for f in message.findings if f.severity == "error")
        warnings = sum(1 for f in message.findings if f.severity == "warning")
        self.status.set(errors=errors, warnings=warnings, checked=True)
        self._label_checks_tab(errors, warnings)
        if self._shown_source is None or (
            self._shown_source in (ITEM_PREFIX + self.draft.item_id, DRAFT_PREFIX + self.draft.key)
        ):
            self.queue_pane.show_source(self.draft.source_text, self.marks, self._source_heading(self.draft))
        self._show_draft_source(self.marks)

    def _show_draft_source(self, marks: Sequence[tuple[int, int, str]]) -> None:
        """The open briefing's source under the editor: its address on one line, its text with the used parts marked."""
        draft = self.draft
        if draft is None:
            return
        self.query_one("#editor-source-url", Static).update(self._source_heading(draft))
        text = draft.source_text or "No source text for this briefing: the checks cannot trace its numbers and quotes."
        self.query_one("#editor-source", Static).update(source_content(text, marks))

    def _meters(self, briefing: Briefing, source_text: str) -> list[SectionCopy]:
        from stories.checks.traceability import copy_meters

        return copy_meters(briefing, source_text, self.deskapp.profile) if source_text else []

    @on(ChecksPanel.WaiveRequested)
    def _waive_requested(self, event: ChecksPanel.WaiveRequested) -> None:
        """Record the editor's waiver on the open story, save it and check again (the finding shows as waived)."""
        from stories.checks import waive

        event.stop()
        if self.draft is None:
            return
        if self.read_only:
            self._say_read_only()
            return
        briefing = self.read_briefing()
        try:
            waive(briefing, event.finding, self.deskapp.editor_name, event.reason)
        except ValueError as exc:  # no reason given
            self.app.notify(f"Not waived: {exc}.", title="Checks", severity="warning", markup=False)
            return
        self.draft.briefing.waivers = briefing.waivers
        self.generation += 1
        self.flush()
        self._run_checks(self.generation, briefing, self.draft.source_text)
        self.app.notify(f"Waived: {event.finding.message}", title="Checks", markup=False)

    @on(FindingChosen)
    def _finding_chosen(self, event: FindingChosen) -> None:
        event.stop()
        finding = event.finding
        if self.draft is None:
            return
        self._show("editor")
        if finding.section == "source":
            self.editor.focus_section("source")
            self.app.notify("The source block is copied from the queue item and cannot be typed.", severity="information")
            return
        self.editor.focus_section(finding.section, finding.start, finding.end, finding.item)

    # -- actions ----------------------------------------------------------------------

    def action_save(self) -> None:
        """Save the draft now."""
        if self.draft is None:
            self.app.notify("No briefing is open.", severity="warning")
            return
        self.generation += 1
        self.flush()
        self.app.notify("Draft saved.", timeout=2)

    def action_filter(self) -> None:
        """Put the cursor in the queue filter."""
        self._show("queue")
        self.query_one("#queue-filter", Input).focus()

    def action_back_to_queue(self) -> None:
        """Escape: back to the queue list; in the queue, Escape clears the filter."""
        in_queue = self._focus_in("queue-pane")
        self._show("queue")
        if in_queue:
            self.query_one("#queue-filter", Input).value = ""
        self.queue_pane.option_list.focus()

    def action_preview(self) -> None:
        """Show the briefing as a reader will see it."""
        if self.draft is None:
            self.app.notify("No briefing is open: start one from the queue.", severity="warning")
            return
        from tui.screens.preview import PreviewScreen

        self.flush()
        self.app.push_screen(PreviewScreen(self.read_briefing(), self.deskapp.profile))

    def action_history(self) -> None:
        """The content repo's commits (the open story's, when it is published)."""
        from tui.screens.history import HistoryScreen

        story_id = self.draft.revises if self.draft and self.draft.revises else None
        self.app.push_screen(HistoryScreen(self.deskapp.repo, story_id))

    def action_review(self) -> None:
        """Colleagues' stories waiting for review: approve, or request changes with a note."""
        from tui.screens.review import ReviewScreen

        app = self.deskapp
        if app.desk.repo is None or app.desk.editor is None:
            app.notify("Review needs a content repo and an editor identity (name and email in the config).", severity="warning")
            return
        app.push_screen(ReviewScreen(app.repo.root, app.desk.editor))

    def action_stories(self) -> None:
        """Browse the published stories; Enter opens one for revision."""
        from tui.screens.stories import StoriesScreen

        def picked(story_id: str | None) -> None:
            if story_id:
                self.open_story(story_id)

        self.app.push_screen(StoriesScreen(self.deskapp.repo), picked)

    def action_dismiss_item(self) -> None:
        """Dismiss the highlighted queue item, with a reason."""
        from tui.screens.dialogs import ReasonScreen

        option_id = self.queue_pane.option_list.highlighted_id or ""
        if not option_id.startswith(ITEM_PREFIX):
            self.app.notify("Highlight a queue item to dismiss it.", severity="warning")
            return
        item_id = option_id[len(ITEM_PREFIX) :]
        item = self.queue_pane.item(item_id)
        if item is None:
            return

        def ask() -> None:
            self.app.push_screen(ReasonScreen("Dismiss this item?", item.title, "why (e.g. not good news, duplicate)"), done)

        def done(reason: str | None) -> None:
            if reason is None:
                return
            if not reason.strip():
                self.app.notify("A dismissal needs a reason, so colleagues know why the item went. Nothing was dismissed.", title="Queue", severity="warning")
                ask()
                return
            draft = self._draft_for_item(item.id)
            if draft is None:
                self.dismiss_item(item, reason)
                return
            self._confirm_dismiss_with_draft(item, reason, draft)

        ask()

    def _confirm_dismiss_with_draft(self, item: SourceItem, reason: str, draft: Draft) -> None:
        """Dismissing an item throws its draft away: only when the editor says so; otherwise nothing changes."""
        from tui.screens.dialogs import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self.dismiss_item(item, reason)
            else:
                self.app.notify("Not dismissed: the item and its draft are kept.", title="Queue")

        lines = [Content(draft.title), Content("Dismissing the item throws away the draft written from it.")]
        self.app.push_screen(ConfirmScreen("Dismiss and throw away its draft?", lines, yes="Dismiss and throw away", no="Keep both"), answer)

    def _highlighted_item(self, doing: str) -> SourceItem | None:
        option_id = self.queue_pane.option_list.highlighted_id or ""
        if not option_id.startswith(ITEM_PREFIX):
            self.app.notify(f"Highlight a queue item to {doing}.", severity="warning")
            return None
        return self.queue_pane.item(option_id[len(ITEM_PREFIX) :])

    def action_release_item(self) -> None:
        """Give the highlighted item back to the queue without dismissing it (a draft written from it stays)."""
        item = self._highlighted_item("release its claim")
        if item is None:
            return
        me = self.deskapp.editor_name
        if item.state not in ("claimed", "drafting"):
            self.app.notify("This item is not claimed: there is nothing to release.", title="Queue", severity="warning")
            return
        if item.claimed_by and item.claimed_by != me:
            self.app.notify(f"Claimed by {item.claimed_by}: only they can release it.", title="Queue", severity="warning", markup=False)
            return
        try:
            moved = self.desk.release(item.id)
        except DeskError as exc:
            self.app.notify(str(exc), title="Queue", severity="warning", markup=False)
            self._refresh_item(item.id)
            return
        self.queue_pane.update_item(moved)
        self.share_step("release", item.id)
        kept = " Its draft is kept." if self._draft_for_item(item.id) is not None else ""
        self.app.notify(f"Released: the item is new again for anyone to take.{kept}", title="Queue", markup=False)

    def action_restore_item(self) -> None:
        """Bring a dismissed item back to the queue (pick one of the dismissed items)."""
        from tui.screens.dialogs import PickScreen

        app = self.deskapp
        dismissed = app.queue.items(state="dismissed", limit=200)
        rows = [(it.id, Content.assemble(Content(" ".join(it.title.split())), ("  " + it.dismissed_reason, "$text-muted"))) for it in dismissed]

        def picked(item_id: str | None) -> None:
            if not item_id:
                return
            try:
                item = self.desk.restore(item_id)
            except DeskError as exc:
                app.notify(str(exc), title="Queue", severity="warning", markup=False)
                return
            self.share_step("restore", item.id)
            self.queue_pane.reload()
            self.queue_pane.update_item(item)
            self.queue_pane.highlight(ITEM_PREFIX + item.id)
            app.notify(f"Restored: {item.title}", title="Queue", markup=False)

        app.push_screen(PickScreen("Restore a dismissed item", rows, "No item is dismissed."), picked)

    def dismiss_item(self, seen: SourceItem, reason: str) -> None:
        """Dismiss an item as this screen last saw it; a colleague's change meanwhile wins, and is shown."""
        app = self.deskapp
        open_here = self.draft is not None and self.draft.item_id == seen.id and not self.draft.revises
        try:
            with self._save_lock:  # an autosave in flight must not bring the dismissed item's draft back
                item = self.desk.dismiss(seen.id, reason, expected=[seen.state])
                if open_here:
                    self._written_generation = sys.maxsize
        except DeskError as exc:
            app.notify(str(exc), title="Queue", severity="warning", markup=False)
            self._refresh_item(seen.id)
            return
        self.queue_pane.update_item(item)
        self.share_step("dismiss", item.id, item.dismissed_reason)
        if open_here:
            self._close_draft()
        self.queue_pane.set_drafts(app.drafts.list())
        app.notify(f"Dismissed: {item.dismissed_reason}", markup=False)

    def _close_draft(self) -> None:
        self.draft = None
        self.set_class(False, "-has-draft")
        if self._settle_timer is not None:
            self._settle_timer.stop()
            self._settle_timer = None
        self.editor.clear()
        self.checks.clear()
        self._label_checks_tab(0, 0)
        self.findings = []
        self.marks = []
        self.status.set(has_draft=False, checked=False)

    # -- publish ------------------------------------------------------------------------

    def action_publish(self) -> None:
        """Publish the open briefing: errors refuse, warnings ask first."""
        from tui.screens.dialogs import ConfirmScreen

        if self.draft is None:
            self.app.notify("No briefing is open: start one from the queue.", severity="warning")
            return
        if self.read_only:
            self._say_read_only()
            return
        if self._publishing:
            self.app.notify("Already publishing this story…", severity="information")
            return
        self.flush()
        app = self.deskapp
        briefing = self.read_briefing()
        findings = self.desk.check(briefing, self.draft.source_text, app.published)
        self.checked_generation = self.generation
        self.findings = findings
        self.checks.show(findings, self._meters(briefing, self.draft.source_text))
        errors = [f for f in findings if f.severity == "error"]
        warnings = [f for f in findings if f.severity == "warning"]
        self.status.set(errors=len(errors), warnings=len(warnings), checked=True)
        self._label_checks_tab(len(errors), len(warnings))
        if errors:
            lines = "\n".join(f"• {f.message}" for f in errors[:4])
            more = f"\n… and {len(errors) - 4} more in the checks panel" if len(errors) > 4 else ""
            app.notify(f"{lines}{more}", title=f"Not published: {len(errors)} error{'s' if len(errors) != 1 else ''} to fix", severity="error", markup=False, timeout=8)
            self._show("checks")
            self.query_one("#checks-list", OptionList).focus()
            return
        if warnings:
            lines = [Content.assemble(("⚠ ", "$text-warning"), Content(w.message)) for w in warnings[:8]]
            if len(warnings) > 8:
                lines.append(Content(f"… and {len(warnings) - 8} more"))

            def answer(yes: bool | None) -> None:
                if yes:
                    self._publish(briefing, self.draft)

            app.push_screen(ConfirmScreen(f"Publish with {len(warnings)} warning{'s' if len(warnings) != 1 else ''}?", lines, yes="Publish"), answer)
            return
        self._publish(briefing, self.draft)

    def _publish(self, briefing: Briefing, draft: Draft | None) -> None:
        if draft is None:
            return
        self.status.set(work="publishing…")
        self._publishing = True
        self._publish_generation = self.generation
        self._publish_key = draft.key
        self._publish_worker(replace(draft, briefing=briefing))

    @work(thread=True, exclusive=True, group="publish", exit_on_error=False)
    def _publish_worker(self, draft: Draft) -> None:
        try:
            with self._save_lock:
                published = self.desk.publish(draft, self.deskapp.published)
                # No autosave still in flight may bring the published draft back.
                self._written_generation = sys.maxsize
        except Refused as exc:
            count = len(exc.errors)
            self.post_message(PublishFailed(f"The content repo refused the story: {count} error(s) — see the checks panel.", exc.findings))
            return
        except StaleDraft as exc:  # a colleague revised the same section meanwhile: settle it on the merge screen
            self.app.call_from_thread(self._settle_stale, exc, draft)
            return
        except DeskError as exc:  # the repo's own words (git, disk, lock)
            self.post_message(PublishFailed(str(exc)))
            return
        except Exception as exc:  # never a silent worker death: the editor must hear the publish did not happen
            self.post_message(PublishFailed(f"Publishing failed: {exc}"))
            return
        self.post_message(PublishDone(published))

    def _settle_stale(self, stale: StaleDraft, draft: Draft) -> None:
        """Mine, theirs or an edit for each section a colleague changed too; the settled story is published."""
        from tui.screens.merge import MergeScreen

        self._publishing = False
        self.status.set(work="")
        newest = stale.revisions[0] if stale.revisions else None

        def settled(story: Briefing | None) -> None:
            if story is None:
                self.app.notify("Not published: the story is still open, with your version.", title="Publish", markup=False)
                return
            # Settled against the colleague's newest revision: it is where this draft now starts from.
            started = newest.sha if newest else draft.started_from
            self._publish(replace(story, waivers=list(draft.briefing.waivers)), replace(draft, started_from=started))

        self.app.push_screen(MergeScreen(stale.stale.result, theirs_name=newest.author if newest else "a colleague"), settled)

    def on_publish_failed(self, message: PublishFailed) -> None:
        self._publishing = False
        self.status.set(work="")
        self.app.notify(message.text, title="Publish", severity="error", markup=False)

    def on_publish_done(self, message: PublishDone) -> None:
        self._publishing = False
        self.status.set(work="")
        self._published(message.published)

    def _published(self, published: Published) -> None:
        app = self.deskapp
        draft = self.draft
        typed_meanwhile = self.generation > self._publish_generation and draft is not None and draft.key == self._publish_key
        result, briefing, revision = published.result, published.briefing, published.revision
        if published.item is not None:
            self.queue_pane.update_item(published.item)
        self.queue_pane.set_drafts(app.drafts.list())
        commit = (result.commit or "")[:8]
        words = {"publish": "Published", "revise": "Revised", "unchanged": "Nothing changed in"}.get(result.action, "Published")
        app.notify(f"{words} {published.story_id}" + (f" (commit {commit})" if commit else "") + ".", title="Publish", markup=False)
        # The story stays open: edit and publish again to revise it.
        if typed_meanwhile:
            # Words typed while git was busy belong to the next revision, not to the bin.
            now = self.read_briefing()
            now.id, now.status, now.created, now.updated = briefing.id, briefing.status, briefing.created, briefing.updated
            revision = replace(revision, briefing=now)
            self.desk.save_draft(revision)
        self.draft = None
        self.open_draft(revision, focus=False)
        self._load_published()
        self.refresh_repo_status()

    # -- background work -------------------------------------------------------------------

    def action_fetch(self) -> None:
        """Fetch every source into the queue, in the background."""
        self.status.set(work="fetching…")
        self._fetch_worker()

    @work(thread=True, exclusive=True, group="fetch", exit_on_error=False)
    def _fetch_worker(self) -> None:
        from stories.queue import QueueStore, fetch_sources, load_demo

        app = self.deskapp
        if app.demo:
            # The demo's sources are illustrative addresses: read the bundled sample feeds again instead.
            store = QueueStore(app.queue_path)
            try:
                new = load_demo(store)
            finally:
                store.close()
            self.post_message(FetchDone(f"The demo reads its bundled sample feeds, not the network: {new} new item{'s' if new != 1 else ''}."))
            return
        sources = list(app.sources())
        if not sources:
            self.post_message(FetchDone("The desk follows no sources yet: add [[sources]] to desk.toml or import an OPML file.", error=True))
            return

        def progress(event: FetchProgress) -> None:
            self.post_message(WorkProgress(f"fetching {min(event.done, event.total)}/{event.total}…"))

        try:
            store = QueueStore(app.queue_path)
            try:
                summary = fetch_sources(store, sources, progress=progress, stop=app.network_stop)
            finally:
                store.close()
        except Exception as exc:
            self.post_message(FetchDone(f"Fetching stopped: {exc}", error=True))
            return
        new, failed = summary.new, summary.failed
        text = f"{new} new item{'s' if new != 1 else ''}"
        if failed:
            first = summary.errors[0] if summary.errors else ""
            text += f"; {failed} source{'s' if failed != 1 else ''} could not be fetched" + (f" ({first})" if first else "")
        self.post_message(FetchDone(text, error=bool(failed) and not new, summary=summary))

    def action_sync(self) -> None:
        """Pull and push the content repo, in the background."""
        self.status.set(work="syncing…")
        self._sync_worker()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _sync_worker(self) -> None:
        try:
            result = self.deskapp.repo.sync()
        except Exception as exc:
            self.post_message(SyncDone(f"Sync failed: {exc}", error=True))
            return
        self.post_message(SyncDone(result.message or "Synced.", error=not result.ok, result=result))

    def on_work_progress(self, message: WorkProgress) -> None:
        self.status.set(work=message.text)

    def on_fetch_done(self, message: FetchDone) -> None:
        self.status.set(work="")
        self.queue_pane.reload(self.deskapp.drafts.list())
        if message.summary is not None:
            # Online when any source answered (new or unchanged); offline when none did.
            self.status.set(online=bool(message.summary.new or message.summary.unchanged))
        self.app.notify(message.text, title="Fetch", severity="error" if message.error else "information", markup=False)

    def on_sync_done(self, message: SyncDone) -> None:
        self.status.set(work="")
        # The remote answered unless git could not reach it; "no remote" is not "offline".
        state = message.result.state if message.result is not None else "offline"
        self.status.set(online=None if state == "no-remote" else state != "offline")
        self.refresh_repo_status()
        self.app.notify(message.text, title="Sync", severity="error" if message.error else "information", markup=False)

    # -- key points from the palette ----------------------------------------------------------

    def _key_point(self) -> tuple[KeyPointList, int] | None:
        focused = self.focused
        if isinstance(focused, KeyPointInput):
            node = focused.parent
            while node is not None and not isinstance(node, KeyPointList):
                node = node.parent
            if isinstance(node, KeyPointList):
                return node, node.inputs.index(focused)
        lists = list(self.query(KeyPointList))
        if lists:
            return lists[0], len(lists[0].inputs) - 1
        return None

    def action_add_point(self) -> None:
        """Add a key point."""
        found = self._key_point()
        if found and self.draft is not None:
            found[0].add_point(found[1])

    def action_remove_point(self) -> None:
        """Remove the key point with the cursor."""
        found = self._key_point()
        if found and self.draft is not None:
            found[0].remove_point(found[1])

    def action_move_point(self, delta: int) -> None:
        """Move the key point with the cursor up or down."""
        found = self._key_point()
        if found and self.draft is not None:
            found[0].move_point(found[1], delta)

    def action_open_story(self) -> None:
        """Pick a published story to revise."""
        from tui.screens.dialogs import PickScreen

        app = self.deskapp
        try:
            published = app.repo.published()
        except Exception as exc:
            app.notify(f"Could not read the content repo: {exc}", severity="error", markup=False)
            return
        rows = [(p.id, Content.assemble((p.id, "bold"), "  ", Content(p.headline))) for p in published]

        def picked(story_id: str | None) -> None:
            if story_id:
                self.open_story(story_id)

        app.push_screen(PickScreen("Open a published story", rows, "Nothing is published yet."), picked)

    def action_discard_draft(self) -> None:
        """Throw a draft away without dismissing its item (the item goes back to new); asks first.

        In the queue it is the highlighted row's draft; elsewhere the open one.
        """
        from tui.screens.dialogs import ConfirmScreen

        draft = self._draft_to_discard()
        if draft is None:
            self.app.notify("No draft to throw away: open one, or highlight a row that has one.", severity="warning")
            return
        if self.read_only and self.draft is not None and draft.key == self.draft.key:
            self._say_read_only()
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            app = self.deskapp
            open_here = self.draft is not None and self.draft.key == draft.key
            with self._save_lock:  # an autosave in flight must not bring the thrown-away draft back
                moved = self.desk.discard(draft)
                if open_here:
                    self._written_generation = sys.maxsize
            if moved is not None:
                self.queue_pane.update_item(moved)
                self.share_step("release", moved.id)
            if open_here:
                self._close_draft()
                self._show("queue")
                self.queue_pane.option_list.focus()
            self.queue_pane.set_drafts(app.drafts.list())
            app.notify("Draft thrown away.", markup=False)

        what = f"the revision of {draft.revises}" if draft.revises else "this draft"
        self.app.push_screen(ConfirmScreen(f"Throw away {what}?", [Content(draft.title)], yes="Throw away", no="Keep"), answer)

    def _draft_to_discard(self) -> Draft | None:
        if self._focus_in("queue-pane"):
            option_id = self.queue_pane.option_list.highlighted_id or ""
            if option_id.startswith(DRAFT_PREFIX):
                return self.deskapp.drafts.load(option_id[len(DRAFT_PREFIX) :])
            if option_id.startswith(ITEM_PREFIX):
                found = self._draft_for_item(option_id[len(ITEM_PREFIX) :])
                if found is not None:
                    return found
        return self.draft

    def action_drafts(self) -> None:
        """List unfinished drafts."""
        from tui.screens.dialogs import PickScreen

        drafts = self.deskapp.drafts.list()
        rows = [(d.key, Content.assemble(("revising " if d.revises else "draft ", "$text-muted"), Content(d.title))) for d in drafts]

        def picked(key: str | None) -> None:
            if key:
                draft = self.deskapp.drafts.load(key)
                if draft is not None:
                    self.open_draft(draft, focus=True)

        self.app.push_screen(PickScreen("Unfinished drafts", rows, "No unfinished drafts."), picked)

    # -- the article behind the item (issue 10): fetch it, paste it, adopt it as the source ----------------

    def _article_item(self, doing: str) -> str:
        """The item whose source to change: the highlighted one in the queue, else the open briefing's ("" after saying why)."""
        highlighted = self._highlighted_item_id()
        if highlighted and self._focus_in("queue-pane"):
            return highlighted
        if self.draft is not None and self.draft.item_id and not self.draft.revises:
            return self.draft.item_id
        if highlighted:
            return highlighted
        self.app.notify(f"Open a briefing or highlight a queue item to {doing}.", severity="warning")
        return ""

    def _highlighted_item_id(self) -> str:
        option_id = self.queue_pane.option_list.highlighted_id or ""
        if option_id.startswith(ITEM_PREFIX):
            return option_id[len(ITEM_PREFIX) :]
        if option_id.startswith(DRAFT_PREFIX):
            draft = self.deskapp.drafts.load(option_id[len(DRAFT_PREFIX) :])
            if draft is not None and draft.item_id:
                return draft.item_id
        return ""

    def action_fetch_article(self) -> None:
        """Fetch (or re-fetch) the article page of the open briefing's item, in the background."""
        item_id = self._article_item("fetch its article")
        if not item_id:
            return
        self.status.set(work="fetching the article…")
        self._article_worker(item_id)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def _article_worker(self, item_id: str) -> None:
        from stories.queue import QueueStore
        from stories.sources.fetch import fetch_article
        from stories.sources.http import Http

        app = self.deskapp
        try:
            store = QueueStore(app.queue_path)
            try:
                with Http(stop=app.network_stop) as client:
                    problem = fetch_article(store, client, item_id)
            finally:
                store.close()
        except Exception as exc:  # a broken queue file or network stack: said in words, the app goes on
            problem = f"The article could not be fetched: {exc}"
        self.post_message(ArticleFetched(item_id, problem))

    def on_article_fetched(self, message: ArticleFetched) -> None:
        self.status.set(work="")
        self._refresh_item(message.item_id)
        try:
            source = self.desk.source(message.item_id)
        except KeyError:
            self.app.notify("That item is no longer in the queue.", title="Article", severity="warning")
            return
        if message.problem:
            kept = (
                "The text fetched before stays the source."
                if source.origin != "feed"
                else "The article has not been fetched yet: the source is still what the feed carried."
            )
            self.app.notify(f"{message.problem} {kept}", title="Article", severity="warning", markup=False, timeout=8)
            return
        self.adopt_source(message.item_id)
        self.app.notify(f"The article is the source now ({source_origin_line(source, self.deskapp.now())}).", title="Article", markup=False)

    def action_paste_source(self) -> None:
        """Paste the source text by hand (paywalled or offline pages): it becomes the item's source, as pasted by this editor."""
        from tui.screens.dialogs import PasteSourceScreen

        item_id = self._article_item("paste its source text")
        if not item_id:
            return
        item = self.deskapp.queue.item(item_id)
        title = item.title if item is not None else item_id

        def pasted(text: str | None) -> None:
            if not text or not text.strip():
                return
            from stories.sources.articles import save_pasted

            try:
                save_pasted(self.deskapp.queue, item_id, text, self.deskapp.editor_name)
            except KeyError:
                self.app.notify("That item is no longer in the queue.", title="Source", severity="warning")
                return
            self._refresh_item(item_id)
            self.adopt_source(item_id)
            self.app.notify(f"The pasted text is the source now (pasted by {self.deskapp.editor_name}).", title="Source", markup=False)

        self.app.push_screen(PasteSourceScreen(title), pasted)

    def _source_heading(self, draft: Draft) -> Content:
        """The line above the open draft's source: where its text came from, then its address."""
        source = draft.briefing.source
        return origin_heading(draft_origin_line(draft, self.desk, self.deskapp.now()), source.url if source is not None else "")

    def adopt_source(self, item_id: str) -> None:
        """Make the item's stored source (article or pasted) the open draft's: its text, snapshot, origin and fetched time; then check it."""
        from stories.model import content_hash
        from tui.widgets.editor import source_block

        source = self.desk.source(item_id)
        draft = self.draft
        if draft is None or draft.item_id != item_id or draft.revises:
            if self._shown_source == ITEM_PREFIX + item_id or self.draft is None:
                self._show_source_for(ITEM_PREFIX + item_id)
            return
        if self.read_only:
            self._say_read_only()
            return
        ref = self.editor.briefing.source if self.editor.briefing is not None else draft.briefing.source
        if ref is not None:
            ref = replace(
                ref,
                snapshot=content_hash(source.text),
                origin=source.origin,
                fetched=source.fetched_at.isoformat(timespec="seconds") if source.fetched_at else "",
            )
            if self.editor.briefing is not None:
                self.editor.briefing.source = ref
            draft.briefing.source = ref
            self.editor.query_one("#source-block", Static).update(source_block(ref))
        draft.source_text = source.text
        if self._settle_timer is not None:
            self._settle_timer.stop()
            self._settle_timer = None
        self.generation += 1
        self.status.set(unsaved=True)
        self._settle()  # saves the draft with its new source, and checks the typed briefing against it
        self.queue_pane.show_source(draft.source_text, (), self._source_heading(draft))
        self._show_draft_source(())


def origin_heading(origin: str, url: str) -> Content:
    """One line above a source text: its origin (plain text from the feed or page, never markup) and its address."""
    parts = [(origin, "$text-accent")] if origin else []
    if url:
        parts.append(((" · " if origin else "") + url, "$text-muted"))
    return Content.assemble(*parts)


def _ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return ""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def source_origin_line(source: SourceText, now: datetime) -> str:
    """Where a source text came from, in one line: "article · fetched 5m ago · Site", "feed text", "pasted by Sam"."""
    if source.origin == "pasted":
        who = source.metadata.get("pasted_by", "")
        parts = [f"pasted by {who}" if who else "pasted", _ago(source.fetched_at, now)]
    elif source.origin == "article":
        ago = _ago(source.fetched_at, now)
        parts = ["article", f"fetched {ago}" if ago else "", source.metadata.get("site", "")]
    else:
        if source.note.startswith("The article could not be fetched"):
            parts = ["feed text", "the article has not been fetched yet (the last try failed)"]
        else:
            parts = ["feed text", "the article has not been fetched yet" if "not been fetched" in source.note else ""]
    return " · ".join(part for part in parts if part)


def draft_origin_line(draft: Draft, desk: Desk, now: datetime) -> str:
    """The origin line of an open draft: its source block's origin, with the site or editor from the stored source when they agree."""
    ref = draft.briefing.source
    origin = ref.origin if ref is not None and ref.origin else "feed"
    fetched = None
    if ref is not None and ref.fetched:
        try:
            fetched = datetime.fromisoformat(ref.fetched)
        except ValueError:
            fetched = None
    metadata: dict[str, str] = {}
    note = ""
    if draft.item_id:
        try:
            stored = desk.source(draft.item_id)
        except KeyError:
            stored = None
        if stored is not None and stored.origin == origin and stored.text == draft.source_text:
            metadata, note = stored.metadata, stored.note
    return source_origin_line(SourceText(draft.source_text, origin, fetched, ref.url if ref else "", metadata, note), now)
