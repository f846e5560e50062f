"""The main screen: queue, briefing editor and checks, side by side or as tabs.

The flow lives here: choose an item → start a briefing (claim, source block,
source snapshot) → write (autosave and checks, debounced, off the UI thread)
→ preview → publish (errors refuse, warnings ask) → the item shows as
published. Blocking work runs in thread workers and reports back with
messages.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Tab, Tabs
from textual.worker import get_current_worker

from stories.drafts import Draft, new_briefing
from stories.model import Briefing, content_hash, utcnow
from tui.messages import ChecksDone, DraftEdited, DraftSaved, FindingChosen, RepoStatusChanged, WorkDone, WorkProgress
from tui.widgets.checks import ChecksPanel
from tui.widgets.editor import BriefingEditor, KeyPointInput, KeyPointList
from tui.widgets.queue import DRAFT_PREFIX, ITEM_PREFIX, QueuePane
from tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from tui.app import BriefDeskApp

SETTLE_SECONDS = 0.3
"""Quiet time after the last keystroke before the draft is saved and checked."""
WIDE_COLUMNS = 120
"""At this width or more the three panes sit side by side; below it they are tabs."""
PANES = ("queue", "editor", "checks")


def source_heading(draft: Draft) -> Content:
    """The line above a source text: where it came from (the same for an item and its draft)."""
    source = draft.briefing.source
    return Content.styled(source.url if source is not None else "", "$text-muted")


class MainScreen(Screen[None]):
    """Queue · Briefing · Checks, and a status line."""

    BINDING_GROUP_TITLE = "Desk"
    AUTO_FOCUS = ""  # the desk decides: the queue, or the section a draft was left in

    BINDINGS = [
        Binding("n", "start", "Start / open briefing", id="desk.start"),
        Binding("d", "dismiss_item", "Dismiss item", id="desk.dismiss"),
        Binding("slash", "filter", "Filter queue", id="desk.filter"),
        Binding("f", "fetch", "Fetch feeds", id="desk.fetch"),
        Binding("y", "sync", "Sync", id="desk.sync"),
        Binding("h", "history", "History", id="desk.history"),
        Binding("ctrl+s", "save", "Save draft", id="desk.save", priority=True),
        Binding("ctrl+r", "preview", "Preview", id="desk.preview", priority=True),
        Binding("ctrl+o", "publish", "Publish", id="desk.publish", priority=True),
        Binding("f2", "show_pane('queue')", "Queue", id="desk.pane_queue"),
        Binding("f3", "show_pane('editor')", "Briefing", id="desk.pane_editor"),
        Binding("f4", "show_pane('checks')", "Checks", id="desk.pane_checks"),
        Binding("escape", "back_to_queue", "Back to queue", id="desk.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.draft: Draft | None = None
        self.findings: list[Any] = []
        self.marks: list[tuple[int, int, str]] = []
        self.generation = 0
        self.checked_generation = -1
        self.saved_generation = 0
        self._settle_timer: Timer | None = None
        self._save_lock = threading.Lock()
        self._written_generation = 0
        self._shown_source: str | None = None
        self._switching = False
        self._publishing = False
        self._publish_generation = 0
        self.pane = "queue"

    @property
    def desk(self) -> "BriefDeskApp":
        return self.app  # type: ignore[return-value]

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Tabs(Tab("Queue", id="tab-queue"), Tab("Briefing", id="tab-editor"), Tab("Checks", id="tab-checks"), id="pane-tabs")
        with Horizontal(id="panes"):
            queue = QueuePane(id="queue-pane", classes="pane -shown")
            queue.border_title = "Queue  (/ filter)"
            yield queue
            with Vertical(id="editor-pane", classes="pane") as editor_pane:
                editor_pane.border_title = "Briefing"
                yield BriefingEditor(self.desk.profile, id="editor")
            checks = ChecksPanel(self.desk.profile, id="checks-pane", classes="pane")
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
                self.editor.focus_section(self.desk.profile.sections[0].key)

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
        app = self.desk
        drafts = app.drafts.list()
        self.queue_pane.set_items(app.queue.items(), drafts)
        self.status.set(branch="", online=None)  # unknown until a fetch or sync tries the network
        self.refresh_repo_status()
        self._load_published()
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
        self.call_after_refresh(app.first_frame_drawn)

    @work(thread=True, exclusive=True, group="published", exit_on_error=False)
    def _load_published(self) -> None:
        try:
            published = self.desk.repo.published()
        except Exception:  # an index problem must not stop the desk; checks just skip the repo family
            return
        self.app.call_from_thread(self._set_published, published)

    def _set_published(self, published: list[Any]) -> None:
        self.desk.published = published
        self._schedule_checks()

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def refresh_repo_status(self) -> None:
        try:
            status = self.desk.repo.status()
        except Exception:
            return
        self.post_message(RepoStatusChanged(status))

    def on_repo_status_changed(self, message: RepoStatusChanged) -> None:
        status = message.status
        self.status.set(
            branch=getattr(status, "branch", "") or "",
            ahead=getattr(status, "ahead", 0) or 0,
            behind=getattr(status, "behind", 0) or 0,
            has_remote=bool(getattr(status, "has_remote", False)),
        )

    # -- the queue --------------------------------------------------------------

    @on(QueuePane.ItemHighlighted)
    def _item_highlighted(self, event: QueuePane.ItemHighlighted) -> None:
        self._show_source_for(event.option_id)

    def _show_source_for(self, option_id: str | None) -> None:
        if option_id is None:
            return
        self._shown_source = option_id
        app = self.desk
        marks: list[tuple[int, int, str]] = []
        if option_id.startswith(DRAFT_PREFIX):
            key = option_id[len(DRAFT_PREFIX) :]
            draft = self.draft if self.draft and self.draft.key == key else app.drafts.load(key)
            if draft is None:
                return
            text = draft.source_text
            heading = source_heading(draft)
            if self.draft is not None and draft.key == self.draft.key:
                marks = self.marks
        else:
            item_id = option_id[len(ITEM_PREFIX) :]
            item = self.queue_pane.item(item_id)
            text = app.queue.source_text(item_id)
            heading = Content.styled(item.link if item else "", "$text-muted")
            if self.draft is not None and self.draft.item_id == item_id and self.draft.source_text == text:
                marks = self.marks
        self.queue_pane.show_source(text, marks, heading)

    @on(QueuePane.ItemChosen)
    def _item_chosen(self, event: QueuePane.ItemChosen) -> None:
        self._choose(event.option_id)

    def action_start(self) -> None:
        """Start a briefing from the highlighted item, or open its draft or published story."""
        option = self.queue_pane.option_list.highlighted_option
        if option is None or option.id is None:
            self.app.notify("The queue is empty: fetch feeds with f.", severity="warning")
            return
        self._choose(option.id)

    def _choose(self, option_id: str) -> None:
        app = self.desk
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
        for draft in self.desk.drafts.list():
            if draft.item_id == item_id:
                return draft
        return None

    def start_briefing(self, item: Any) -> None:
        """Claim an item and open a new briefing from it, with its source block and source text."""
        app = self.desk
        self.flush()
        source_text = app.queue.source_text(item.id)
        source = app.queue.source_ref(item.id)
        source.snapshot = content_hash(source_text)
        briefing = new_briefing(app.profile)
        briefing.source = source
        category = (item.category or "").strip().lower()
        if category in app.profile.topics:
            briefing.topics = [category]
        try:
            app.queue.claim(item.id, app.editor_name)
        except KeyError:
            pass
        draft = Draft(key=item.id, briefing=briefing, source_text=source_text, item_id=item.id)
        app.drafts.save(draft)
        self._refresh_item(item.id)
        self.queue_pane.set_drafts(app.drafts.list())
        self.open_draft(draft, focus=True)
        self.status.mark_saved()

    def open_published(self, item: Any) -> None:
        """Open the published story that came from this item, to revise it."""
        app = self.desk
        story = next((p for p in app.published or [] if p.source_url == item.link), None)
        if story is None:
            try:
                story = next((p for p in app.repo.published() if p.source_url == item.link), None)
            except Exception:
                story = None
        if story is None:
            app.notify("This item is marked published, but no story in the content repo came from it.", severity="warning")
            return
        self.open_story(story.id, item_id=item.id)

    def open_story(self, story_id: str, item_id: str = "") -> None:
        """Open a published story for revision (its draft, if one is waiting)."""
        app = self.desk
        key = f"story-{story_id}"
        draft = app.drafts.load(key)
        if draft is None:
            try:
                briefing = app.repo.story(story_id)
            except Exception as exc:
                app.notify(f"Could not open story {story_id}: {exc}", severity="error", markup=False)
                return
            source_text = ""
            if briefing.source is not None and briefing.source.snapshot:
                source_text = app.repo.source_text(briefing.source.snapshot) or ""
            if not source_text and item_id:
                source_text = app.queue.source_text(item_id)
            draft = Draft(key=key, briefing=briefing, source_text=source_text, item_id=item_id, revises=story_id)
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
        source = draft.briefing.source
        origin = f" · from {source.name}" if source is not None and source.name else ""
        title = (f"Revising {draft.revises}" if draft.revises else "New briefing") + origin
        self.editor.load(draft.briefing, title)
        self.status.set(
            has_draft=True,
            unsaved=False,
            saved_at=time.monotonic() if draft.saved else None,
            checked=False,
            note="published" if draft.revises and draft.saved is None else "",
        )
        self._shown_source = None
        self.queue_pane.show_source(draft.source_text, (), source_heading(draft))
        self._run_checks(self.generation, draft.briefing, draft.source_text)
        if focus:
            # Let go of the focus before its pane is hidden, or Textual hands it to a neighbour.
            self.set_focus(None)
            self._show("editor")
            key, cursor = draft.focus, draft.cursor
            section_keys = self.desk.profile.keys

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

    def _label_checks_tab(self, errors: int, warnings: int) -> None:
        """The Checks tab carries the counts, so a narrow terminal shows them from any tab."""
        parts: list[Any] = ["Checks"]
        if errors:
            parts.append((f" ✗{errors}", "$text-error"))
        if warnings:
            parts.append((f" ⚠{warnings}", "$text-warning"))
        if self.draft is not None and not errors and not warnings:
            parts.append((" ✓", "$text-success"))
        self.query_one("#tab-checks", Tab).label = Content.assemble(*parts)

    def _mark_drafting(self, draft: Draft) -> None:
        """The first words written move a claimed item on to drafting."""
        if not draft.item_id or draft.revises:
            return
        item = self.queue_pane.item(draft.item_id)
        if item is not None and item.state == "claimed":
            try:
                self.desk.queue.set_state(draft.item_id, "drafting")
            except KeyError:
                return
            self._refresh_item(draft.item_id)

    def _focus_in(self, pane_id: str) -> bool:
        node = self.focused
        while node is not None:
            if node.id == pane_id:
                return True
            node = node.parent
        return False

    def _refresh_item(self, item_id: str) -> None:
        item = self.desk.queue.item(item_id)
        if item is not None:
            self.queue_pane.update_item(item)

    # -- typing: autosave and checks ----------------------------------------------

    @on(DraftEdited)
    def _draft_edited(self, event: DraftEdited) -> None:
        event.stop()
        if self.draft is None:
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
        briefing = self.editor.read()
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
        self._mark_drafting(snapshot)
        generation = self.generation
        self._save_draft(generation, snapshot)
        self._run_checks(generation, snapshot.briefing, snapshot.source_text)

    @work(thread=True, group="autosave", exit_on_error=False)
    def _save_draft(self, generation: int, draft: Draft) -> None:
        error = ""
        with self._save_lock:
            if generation < self._written_generation:
                return  # a newer save already went to disk
            try:
                self.desk.drafts.save(draft)
                self._written_generation = generation
            except OSError as exc:
                error = f"The draft could not be saved: {exc.strerror or exc}"
        self.post_message(DraftSaved(generation, error))

    def on_draft_saved(self, message: DraftSaved) -> None:
        if message.error:
            self.app.notify(message.error, title="Autosave", severity="error", markup=False)
            return
        self.saved_generation = max(self.saved_generation, message.generation)
        if self.saved_generation >= self.generation:
            self.status.mark_saved()
        if self.draft is not None and not any(d.key == self.draft.key for d in self.queue_pane._drafts):
            self.queue_pane.set_drafts(self.desk.drafts.list())

    def flush(self) -> None:
        """Write the open draft now if it has unsaved typing (before switching drafts, quitting, publishing)."""
        if self.draft is None:
            return
        if self._settle_timer is not None:
            self._settle_timer.stop()
            self._settle_timer = None
        if self.saved_generation >= self.generation and self._written_generation >= self.generation:
            return
        snapshot = self._snapshot()
        if snapshot is None:
            return
        with self._save_lock:
            self.desk.drafts.save(snapshot)
            self._written_generation = self.generation
        self.saved_generation = self.generation
        self.status.mark_saved()

    def _schedule_checks(self) -> None:
        if self.draft is not None:
            self._run_checks(self.generation, self.editor.read(), self.draft.source_text)

    @work(thread=True, exclusive=True, group="checks", exit_on_error=False)
    def _run_checks(self, generation: int, briefing: Briefing, source_text: str) -> None:
        from stories.checks import run_checks
        from stories.checks.traceability import source_marks

        app = self.desk
        findings = run_checks(briefing, source_text or None, app.profile, app.published)
        marks = source_marks(briefing, source_text, app.profile) if source_text else []
        if get_current_worker().is_cancelled:
            return
        self.post_message(ChecksDone(generation, findings, marks))

    def on_checks_done(self, message: ChecksDone) -> None:
        if message.generation < self.checked_generation or self.draft is None:
            return
        self.checked_generation = message.generation
        self.findings = message.findings
        self.marks = message.marks
        self.checks.show(message.findings)
        errors = sum(1 for f in message.findings if f.severity == "error")
        warnings = sum(1 for f in message.findings if f.severity == "warning")
        self.status.set(errors=errors, warnings=warnings, checked=True)
        self._label_checks_tab(errors, warnings)
        if self._shown_source is None or (
            self._shown_source in (ITEM_PREFIX + self.draft.item_id, DRAFT_PREFIX + self.draft.key)
        ):
            self.queue_pane.show_source(self.draft.source_text, self.marks, source_heading(self.draft))

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
        """Escape: back to the queue list (a filter being typed is kept)."""
        self._show("queue")
        self.queue_pane.option_list.focus()

    def action_preview(self) -> None:
        """Show the briefing as a reader will see it."""
        if self.draft is None:
            self.app.notify("No briefing is open: start one from the queue.", severity="warning")
            return
        from tui.screens.preview import PreviewScreen

        self.flush()
        self.app.push_screen(PreviewScreen(self.editor.read(), self.desk.profile))

    def action_history(self) -> None:
        """The content repo's commits (the open story's, when it is published)."""
        from tui.screens.history import HistoryScreen

        story_id = self.draft.revises if self.draft and self.draft.revises else None
        self.app.push_screen(HistoryScreen(self.desk.repo, story_id))

    def action_dismiss_item(self) -> None:
        """Dismiss the highlighted queue item, with a reason."""
        from tui.screens.dialogs import ReasonScreen

        option = self.queue_pane.option_list.highlighted_option
        if option is None or not (option.id or "").startswith(ITEM_PREFIX):
            self.app.notify("Highlight a queue item to dismiss it.", severity="warning")
            return
        item_id = option.id[len(ITEM_PREFIX) :]
        item = self.queue_pane.item(item_id)
        if item is None:
            return

        def done(reason: str | None) -> None:
            if reason is None:
                return
            self.dismiss_item(item_id, reason)

        self.app.push_screen(ReasonScreen("Dismiss this item?", item.title, "why (e.g. not good news, duplicate)"), done)

    def dismiss_item(self, item_id: str, reason: str) -> None:
        app = self.desk
        app.queue.dismiss(item_id, reason)
        item = app.queue.item(item_id)
        if item is not None:
            self.queue_pane.update_item(item)
        draft = self._draft_for_item(item_id)
        if draft is not None:
            app.drafts.delete(draft.key)
            if self.draft is not None and self.draft.key == draft.key:
                self._close_draft()
            self.queue_pane.set_drafts(app.drafts.list())
        app.notify("Dismissed" + (f": {reason}" if reason else "."), markup=False)

    def _close_draft(self) -> None:
        self.draft = None
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
        from stories.checks import run_checks

        from tui.screens.dialogs import ConfirmScreen

        if self.draft is None:
            self.app.notify("No briefing is open: start one from the queue.", severity="warning")
            return
        if self._publishing:
            self.app.notify("Already publishing this story…", severity="information")
            return
        self.flush()
        app = self.desk
        briefing = self.editor.read()
        findings = run_checks(briefing, self.draft.source_text or None, app.profile, app.published)
        self.checked_generation = self.generation
        self.findings = findings
        self.checks.show(findings)
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
        from stories.ids import unique_id

        app = self.desk
        briefing = replace(briefing)
        if not briefing.id:
            taken = {p.id for p in (app.published or [])}
            briefing.id = unique_id(briefing.headline, taken)
        briefing.status = "published"
        briefing.updated = utcnow()
        if briefing.created is None:
            briefing.created = briefing.updated
        self.status.set(work="publishing…")
        self._publishing = True
        self._publish_generation = self.generation
        self._publish_worker(briefing, draft)

    @work(thread=True, exclusive=True, group="publish", exit_on_error=False)
    def _publish_worker(self, briefing: Briefing, draft: Draft) -> None:
        from stories.repo import PublishRefused

        app = self.desk
        try:
            result = app.repo.publish(briefing, draft.source_text, app.editor_identity, allow_warnings=True)
        except PublishRefused as exc:
            count = len([f for f in getattr(exc, "findings", []) if f.severity == "error"])
            self.post_message(WorkDone("publish", f"The content repo refused the story: {count} error(s) — see the checks panel.", error=True))
            return
        except Exception as exc:  # RepoError and git failures, in the repo's own words
            self.post_message(WorkDone("publish", f"Publishing failed: {exc}", error=True))
            return
        self.post_message(WorkDone("publish", "", result=(result, briefing, draft)))

    def _published(self, result: Any, briefing: Briefing, draft: Draft) -> None:
        app = self.desk
        typed_meanwhile = self.generation > self._publish_generation and self.draft is draft
        action = getattr(result, "action", "publish")
        story_id = briefing.id
        if draft.item_id:
            try:
                app.queue.set_state(draft.item_id, "published")
            except KeyError:
                pass
            self._refresh_item(draft.item_id)
        if briefing.source is not None and briefing.source.url:
            app.queue.mark_published([briefing.source.url])
        with self._save_lock:  # an autosave still in flight must not bring the published draft back
            app.drafts.delete(draft.key)
            self._written_generation = self.generation + 1
        self.queue_pane.set_drafts(app.drafts.list())
        commit = (getattr(result, "commit", None) or "")[:8]
        words = {"publish": "Published", "revise": "Revised", "unchanged": "Nothing changed in"}.get(action, "Published")
        app.notify(f"{words} {story_id}" + (f" (commit {commit})" if commit else "") + ".", title="Publish", markup=False)
        # The story stays open: edit and publish again to revise it.
        revision = Draft(key=f"story-{story_id}", briefing=briefing, source_text=draft.source_text, item_id=draft.item_id, revises=story_id)
        revision.focus, revision.cursor = draft.focus, draft.cursor
        if typed_meanwhile:
            # Words typed while git was busy belong to the next revision, not to the bin.
            now = self.editor.read()
            now.id, now.status, now.created, now.updated = briefing.id, briefing.status, briefing.created, briefing.updated
            revision.briefing = now
            app.drafts.save(revision)
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

        app = self.desk
        if app.demo:
            # The demo's sources are illustrative addresses: read the bundled sample feeds again instead.
            store = QueueStore(app.queue_path)
            try:
                new = load_demo(store)
            finally:
                store.close()
            self.post_message(WorkDone("fetch", f"The demo reads its bundled sample feeds, not the network: {new} new item{'s' if new != 1 else ''}."))
            return
        sources = list(app.sources())
        if not sources:
            self.post_message(WorkDone("fetch", "The desk follows no sources yet: add [[sources]] to desk.toml or import an OPML file.", error=True))
            return
        total = len(sources)
        done = [0]

        def progress(event: Any) -> None:
            done[0] += 1
            count = getattr(event, "done", done[0])
            self.post_message(WorkProgress(f"fetching {min(count, total)}/{getattr(event, 'total', total)}…"))

        store = QueueStore(app.queue_path)
        try:
            summary = fetch_sources(store, sources, progress=progress)
        except Exception as exc:
            self.post_message(WorkDone("fetch", f"Fetching stopped: {exc}", error=True))
            return
        finally:
            store.close()
        new = getattr(summary, "new", 0)
        failed = getattr(summary, "failed", 0)
        text = f"{new} new item{'s' if new != 1 else ''}"
        if failed:
            errors = getattr(summary, "errors", []) or []
            first = errors[0] if errors else ""
            text += f"; {failed} source{'s' if failed != 1 else ''} could not be fetched" + (f" ({first})" if first else "")
        self.post_message(WorkDone("fetch", text, error=bool(failed) and not new, result=summary))

    def action_sync(self) -> None:
        """Pull and push the content repo, in the background."""
        self.status.set(work="syncing…")
        self._sync_worker()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _sync_worker(self) -> None:
        try:
            result = self.desk.repo.sync()
        except Exception as exc:
            self.post_message(WorkDone("sync", f"Sync failed: {exc}", error=True))
            return
        self.post_message(WorkDone("sync", getattr(result, "message", "") or "Synced.", error=not getattr(result, "ok", False), result=result))

    def on_work_progress(self, message: WorkProgress) -> None:
        self.status.set(work=message.text)

    def on_work_done(self, message: WorkDone) -> None:
        self.status.set(work="")
        if message.kind == "publish":
            self._publishing = False
        if message.kind == "publish" and not message.error:
            self._published(*message.result)
            return
        if message.kind == "fetch":
            self.queue_pane.set_items(self.desk.queue.items(), self.desk.drafts.list())
            result = message.result
            if result is not None:
                # Online when any source answered (new or unchanged); offline when none did.
                self.status.set(online=bool(getattr(result, "new", 0) or getattr(result, "unchanged", 0)))
        if message.kind == "sync":
            result = message.result
            # The remote answered unless git could not reach it; "no remote" is not "offline".
            state = getattr(result, "state", "offline") if result is not None else "offline"
            self.status.set(online=None if state == "no-remote" else state != "offline")
            self.refresh_repo_status()
        title = {"publish": "Publish", "fetch": "Fetch", "sync": "Sync"}.get(message.kind, "")
        self.app.notify(message.text, title=title, severity="error" if message.error else "information", markup=False)

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

        app = self.desk
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
        """Throw the open draft away (its item goes back to new); asks first."""
        from tui.screens.dialogs import ConfirmScreen

        draft = self.draft
        if draft is None:
            self.app.notify("No briefing is open.", severity="warning")
            return

        def answer(yes: bool | None) -> None:
            if not yes or self.draft is not draft:
                return
            app = self.desk
            app.drafts.delete(draft.key)
            if draft.item_id and not draft.revises:
                item = app.queue.item(draft.item_id)
                if item is not None and item.state in ("claimed", "drafting"):
                    app.queue.set_state(draft.item_id, "new")
                    self._refresh_item(draft.item_id)
            self._close_draft()
            self.queue_pane.set_drafts(app.drafts.list())
            self.action_back_to_queue()
            app.notify("Draft thrown away.", markup=False)

        what = f"the revision of {draft.revises}" if draft.revises else "this draft"
        self.app.push_screen(ConfirmScreen(f"Throw away {what}?", [Content(draft.title)], yes="Throw away", no="Keep"), answer)

    def action_drafts(self) -> None:
        """List unfinished drafts."""
        from tui.screens.dialogs import PickScreen

        drafts = self.desk.drafts.list()
        rows = [(d.key, Content.assemble(("revising " if d.revises else "draft ", "$text-muted"), Content(d.title))) for d in drafts]

        def picked(key: str | None) -> None:
            if key:
                draft = self.desk.drafts.load(key)
                if draft is not None:
                    self.open_draft(draft, focus=True)

        self.app.push_screen(PickScreen("Unfinished drafts", rows, "No unfinished drafts."), picked)
