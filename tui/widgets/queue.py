"""The queue pane: incoming source items (and unfinished drafts), a filter, and the source text.

Everything shown here came from a feed and is untrusted: it only ever goes
into ``Content`` objects, never into markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import Visual
from rich.segment import Segment
from textual.widgets import Input, Static

from stories.drafts import Draft
from stories.queue import QueueError, QueueStore, SourceItem
from stories.team.state import CLAIMED, DeskEntry, age_text
from tui.messages import QueueListed

STATE_MARKS = {
    "new": ("●", "$accent"),
    "claimed": ("✎", "$warning"),
    "drafting": ("✎", "$warning"),
    "published": ("✓", "$success"),
    "dismissed": ("×", "$text-muted"),
}

EMPTY_QUEUE = Content.assemble(
    ("The queue is empty.", "bold"),
    "\n\nPress f to fetch the desk's sources (the [[sources]] in the content repo's desk.toml, "
    "or import an OPML file with briefdesk import-opml). To try the desk on sample feeds, run briefdesk demo.",
)

ITEM_PREFIX = "i:"
DRAFT_PREFIX = "d:"


def age(when: datetime | None, now: datetime | None = None) -> str:
    """A short age like ``5m``, ``2h``, ``3d`` (the desk's one age style); empty when unknown."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return age_text(when, now or datetime.now(timezone.utc))


def claim_label(item: SourceItem, me: str, now: datetime | None = None) -> str:
    """``claimed by Ana · 5m`` for an item a colleague is writing from; empty for this editor's or a free item."""
    if item.state not in ("claimed", "drafting") or not item.claimed_by or item.claimed_by == me:
        return ""
    at = item.claimed_at or now or datetime.now(timezone.utc)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return DeskEntry(item.id, CLAIMED, item.claimed_by, "", at).label(now or datetime.now(timezone.utc))


def item_prompt(item: SourceItem, now: datetime | None = None, me: str = "") -> Content:
    """One queue row: state mark, title, then source · category · age — all as plain text.

    A colleague's claim comes first in the grey part (``claimed by Ana · 5m``), so nobody writes the same story twice.
    """
    mark, style = STATE_MARKS.get(item.state, ("●", "$accent"))
    source = item.sources[0] if item.sources else item.feed_title
    meta = " · ".join(part for part in (source, item.category, age(item.published, now)) if part)
    title = " ".join((item.title or "(no title)").split())
    held = claim_label(item, me, now)
    if held:
        return Content.assemble((mark + " ", style), Content(title), ("  " + held, "bold $text-warning"), ("  " + meta, "$text-muted"))
    return Content.assemble((mark + " ", style), Content(title), ("  " + meta, "$text-muted"))


def source_content(text: str | Content, marks: Sequence[tuple[int, int, str]] = ()) -> Content:
    """A source text as plain Content with the quotes, numbers and copied runs the draft uses marked."""
    body = text if isinstance(text, Content) else Content(text)
    for start, end, kind in marks:
        if 0 <= start < end <= len(body.plain):
            style = "bold $text-success on $success-muted" if kind == "quote" else "bold underline $text-accent"
            body = body.stylize(style, start, end)
    return body


def draft_prompt(draft: Draft) -> Content:
    """One row of the unfinished-drafts group."""
    label = "revising" if draft.revises else "draft"
    return Content.assemble(("✎ ", "$warning"), (f"{label}  ", "$text-muted"), Content(draft.title))


SEPARATOR = ""
"""The row key of the rule between the drafts and the items."""

WINDOW = 200
"""Rows fetched from the queue at once around the ones on screen."""

CACHED_ROWS = 5_000
"""Items kept in memory for drawing; beyond this the cache starts again from the rows in view."""

REST_AFTER_START = 0.25
"""Seconds after the first listing before the rest of a long queue is read (start-up only)."""

FIRST_ROWS = 150
"""Rows listed before the first frame (more than any screen shows); the rest follow right after it."""


class _Rows(Sequence[str]):
    """The row keys: the drafts, a rule, then the items; made without a list of 100,000 strings."""

    def __init__(self, drafts: Sequence[str] = (), item_ids: list[str] | None = None) -> None:
        self.drafts = [DRAFT_PREFIX + key for key in drafts]
        self.ids = item_ids if item_ids is not None else []
        self.offset = len(self.drafts) + (1 if self.drafts and self.ids else 0)

    def __len__(self) -> int:
        return self.offset + len(self.ids)

    def __getitem__(self, n: int) -> str:  # type: ignore[override]
        if n < 0:
            n += len(self)
        if n < len(self.drafts):
            return self.drafts[n]
        if n < self.offset:
            return SEPARATOR
        return ITEM_PREFIX + self.ids[n - self.offset]

    @property
    def selectable(self) -> int:
        """How many rows are drafts or items (not the rule)."""
        return len(self.drafts) + len(self.ids)

    def index_of(self, key: str) -> int | None:
        """The row of a key, or None."""
        if key.startswith(DRAFT_PREFIX):
            return self.drafts.index(key) if key in self.drafts else None
        if not key.startswith(ITEM_PREFIX):
            return None
        try:
            # A scan in C from the top, where the cursor nearly always is; no map of every id.
            return self.offset + self.ids.index(key[len(ITEM_PREFIX) :])
        except ValueError:
            return None


@dataclass(frozen=True)
class QueueRow:
    """One row as shown: its key (``d:<draft>``, ``i:<item>``) and its text."""

    id: str
    prompt: Content


class QueueList(ScrollView, can_focus=True):
    """The queue's rows: a line-API list that draws (and reads from the queue) only the rows on screen.

    It holds the row keys, which are cheap even for 100,000 items; an item's
    text is fetched from the queue when its row first scrolls into view, so
    start-up costs the same for 100 items or 100,000.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="queue.open", show=False),
        Binding("down", "cursor_down", "Down", id="queue.down", show=False),
        Binding("up", "cursor_up", "Up", id="queue.up", show=False),
        Binding("pagedown", "page_down", "Page down", id="queue.page_down", show=False),
        Binding("pageup", "page_up", "Page up", id="queue.page_up", show=False),
        Binding("home", "first", "First", id="queue.first", show=False),
        Binding("end", "last", "Last", id="queue.last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-list--row",
        "queue-list--row-highlighted",
        "queue-list--separator",
    }

    DEFAULT_CSS = """
    QueueList {
        color: $foreground;
        overflow-x: hidden;
        background: $surface;
        & > .queue-list--row-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: bold;  /* still there in a monochrome terminal */
        }
        &:focus > .queue-list--row-highlighted {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .queue-list--separator {
            color: $foreground 15%;
        }
    }
    """

    highlighted: reactive[int | None] = reactive(None, always_update=True)
    """The index of the row with the cursor, or None when the list is empty."""

    class Highlighted(Message):
        """The cursor moved to a row (``option_id`` is its key)."""

        def __init__(self, option_id: str | None) -> None:
            super().__init__()
            self.option_id = option_id

    class Selected(Message):
        """Enter (or a click) on a row."""

        def __init__(self, option_id: str) -> None:
            super().__init__()
            self.option_id = option_id

    def __init__(self, load: Callable[[Sequence[str]], dict[str, SourceItem]], now: Callable[[], datetime], me: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._load = load
        self._now = now
        self._me = me
        self._keys = _Rows()
        self._drafts: dict[str, Draft] = {}
        self._items: dict[str, SourceItem] = {}

    # -- rows ------------------------------------------------------------------

    def set_rows(self, drafts: Sequence[Draft], item_ids: list[str], keep: str | None = None, stay: bool = False) -> None:
        """Show these drafts (first, then a rule) and these items; the cursor stays on ``keep`` when it is shown.

        With ``stay``, a cursor whose row went keeps its place instead of going to the top.
        """
        before = self.highlighted
        keys = _Rows([d.key for d in drafts], item_ids)
        self._keys = keys
        self._drafts = {d.key: d for d in drafts}
        self.virtual_size = Size(self.scrollable_content_region.width, len(keys))
        index = keys.index_of(keep) if keep else None
        if index is None and keys:
            # The row with the cursor went (dismissed): the cursor keeps its place, not the top.
            index = min(before, len(keys) - 1) if stay and before is not None else 0
            if keys[index] == SEPARATOR:
                index += 1
        self.highlighted = index
        self.refresh()

    def forget(self, item_id: str) -> None:
        """Drop an item's cached row so it is read again (its state changed)."""
        self._items.pop(item_id, None)
        index = self._keys.index_of(ITEM_PREFIX + item_id)
        if index is not None:
            self.refresh_line(index - self.scroll_offset.y)

    def forget_all(self) -> None:
        """Drop every cached row (the queue changed underneath: a colleague's claims arrived)."""
        self._items.clear()
        self.refresh()

    def remember(self, item: SourceItem) -> None:
        """Show an item as given (fresh from the queue) without reading it again."""
        self._items[item.id] = item
        index = self._keys.index_of(ITEM_PREFIX + item.id)
        if index is not None:
            self.refresh_line(index - self.scroll_offset.y)

    def item(self, item_id: str) -> SourceItem | None:
        """A shown item, read from the queue if its row was never drawn."""
        if item_id not in self._items:
            self._items.update(self._load([item_id]))
        return self._items.get(item_id)

    @property
    def option_count(self) -> int:
        """How many rows are selectable (drafts and items)."""
        return self._keys.selectable

    @property
    def highlighted_id(self) -> str | None:
        """The key of the row with the cursor."""
        if self.highlighted is None or not (0 <= self.highlighted < len(self._keys)):
            return None
        return self._keys[self.highlighted] or None

    def index_of(self, option_id: str) -> int | None:
        """The row index of a key, or None if it is not shown."""
        return self._keys.index_of(option_id)

    @property
    def options(self) -> list[QueueRow]:
        """Every selectable row with its text (reads every shown item: for tests and small queues)."""
        self._fetch(range(len(self._keys)))
        return [QueueRow(key, self._prompt(key)) for key in self._keys if key]

    def _fetch(self, rows: range) -> None:
        ids, offset = self._keys.ids, self._keys.offset
        missing = [ids[n - offset] for n in rows if n >= offset and ids[n - offset] not in self._items]
        if not missing:
            return
        if len(self._items) + len(missing) > CACHED_ROWS and len(missing) < CACHED_ROWS:
            # Scrolling through 100,000 rows must not keep 100,000 items: start again from what is in view.
            self._items.clear()
            missing = [ids[n - offset] for n in rows if n >= offset]
        self._items.update(self._load(missing))

    def _prompt(self, key: str) -> Content:
        if key.startswith(DRAFT_PREFIX):
            return draft_prompt(self._drafts[key[len(DRAFT_PREFIX) :]])
        item = self._items.get(key[len(ITEM_PREFIX) :])
        return item_prompt(item, self._now(), self._me) if item is not None else Content("")

    # -- drawing -----------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # One query for the rows about to be drawn (and a window around them), not one per row.
        top = self.scroll_offset.y + crop.y
        if self._keys:
            start = max(0, top - WINDOW // 4)
            self._fetch(range(start, min(len(self._keys), max(top + crop.height, start + WINDOW))))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = self.scroll_offset.y + y
        if not (0 <= row < len(self._keys)):
            return Strip.blank(width, self.get_visual_style("queue-list--row").rich_style)
        key = self._keys[row]
        if key == SEPARATOR:
            style = self.get_visual_style("queue-list--separator")
            return Strip.blank(width, style.rich_style) if width <= 0 else Strip([_rule(width, style)], width)
        classes = ("queue-list--row", "queue-list--row-highlighted") if row == self.highlighted else ("queue-list--row",)
        style = self.get_visual_style(*classes)
        strips = Visual.to_strips(self, self._prompt(key), width, 1, style)
        strip = strips[0] if strips else Strip.blank(width)
        return strip.extend_cell_length(width, style.rich_style).crop(0, width)

    # -- the cursor -----------------------------------------------------------------

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._keys:
            return None
        return max(0, min(highlighted, len(self._keys) - 1))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        if new is not None:
            self.scroll_to_region(Region(0, new, max(1, self.scrollable_content_region.width), 1), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self.highlighted_id))

    def _move(self, delta: int) -> None:
        if self.highlighted is None:
            return
        target = max(0, min(len(self._keys) - 1, self.highlighted + delta))
        if self._keys[target] == SEPARATOR:
            target = target + (1 if delta > 0 else -1)
            if not (0 <= target < len(self._keys)):
                return
        self.highlighted = target

    def action_cursor_down(self) -> None:
        """The next row."""
        self._move(1)

    def action_cursor_up(self) -> None:
        """The row above."""
        self._move(-1)

    def action_page_down(self) -> None:
        """A screenful down."""
        self._move(max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        """A screenful up."""
        self._move(-max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        """The first row."""
        if self._keys:
            self.highlighted = 0

    def action_last(self) -> None:
        """The last row."""
        if self._keys:
            self.highlighted = len(self._keys) - 1

    def action_select(self) -> None:
        """Open the row with the cursor."""
        option_id = self.highlighted_id
        if option_id:
            self.post_message(self.Selected(option_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = self.scroll_offset.y + offset.y
        if 0 <= row < len(self._keys) and self._keys[row] != SEPARATOR:
            self.highlighted = row
            self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._keys))


def _rule(width: int, style: VisualStyle) -> Segment:
    return Segment("─" * width, style.rich_style)


class QueuePane(Vertical):
    """Filter, queue list, and the selected item's source text with the draft's quotes and numbers marked."""

    class ItemHighlighted(Message):
        """The cursor moved to an item (or a draft): show its source text."""

        def __init__(self, option_id: str | None) -> None:
            super().__init__()
            self.option_id = option_id

    class ItemChosen(Message):
        """Enter on an item or a draft: start, open or resume it."""

        def __init__(self, option_id: str) -> None:
            super().__init__()
            self.option_id = option_id

    def __init__(self, queue: QueueStore, now: Callable[[], datetime] | None = None, me: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.queue = queue
        self._me = me
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._ids: list[str] = []
        self._drafts: list[Draft] = []
        self._filter = ""
        self._listing = 0  # counts listings, so a late "rest of the list" for an old filter is dropped
        self._started = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ filter the queue", id="queue-filter", compact=True)
        yield QueueList(self.queue.items_by_id, self._now, self._me, id="queue-list")
        # Not a Tab stop: Tab goes queue → filter → editor; the mouse wheel still scrolls it.
        with VerticalScroll(id="source-scroll", can_focus=False):
            yield Static(Content(""), id="source-url", markup=False)  # one line, never broken mid-address
            yield Static(Content(""), id="source-text", markup=False)

    @property
    def option_list(self) -> QueueList:
        return self.query_one("#queue-list", QueueList)

    # -- data ---------------------------------------------------------------

    def reload(self, drafts: Sequence[Draft] | None = None) -> None:
        """List the queue again through the core's filter (dismissed items are not shown), and the drafts."""
        if drafts is not None:
            self._drafts = list(drafts)
        self._listing += 1
        # What a screen shows first, then the rest once it is drawn: the first
        # rows cost the same for 100 items or 100,000.
        try:
            self._ids = self.queue.item_ids(text=self._filter, hide=("dismissed",), limit=FIRST_ROWS)
        except QueueError as exc:
            self._ids = []
            self.app.notify(str(exc), title="Queue", severity="error", markup=False, timeout=12)
        self._show_rows()
        if len(self._ids) >= FIRST_ROWS:
            listing, text = self._listing, self._filter
            if self._started:
                self.call_after_refresh(self._list_rest, listing, text)
            else:
                # At start-up the long listing waits until the first rows have reached the
                # terminal: a worker busy building 100,000 ids would hold them back.
                self._started = True
                self.set_timer(REST_AFTER_START, lambda: self._list_rest(listing, text))
        self._started = True

    @work(thread=True, exclusive=True, group="queue-listing", exit_on_error=False)
    def _list_rest(self, listing: int, text: str) -> None:
        try:
            ids = self.queue.item_ids(text=text, hide=("dismissed",))
        except QueueError:
            return  # the first rows are shown; the damage was reported when they were listed, or will be
        self.post_message(QueueListed(listing, ids))

    @on(QueueListed)
    def _listed(self, event: QueueListed) -> None:
        event.stop()
        if event.listing == self._listing:  # not a late answer for an older filter
            self._ids = event.item_ids
            self._show_rows()

    def set_drafts(self, drafts: Sequence[Draft]) -> None:
        """Replace the unfinished-drafts group at the top of the list."""
        self._drafts = list(drafts)
        self._show_rows()

    def update_item(self, item: SourceItem) -> None:
        """Redraw one item after its state changed (claimed, published, dismissed)."""
        if item.state == "dismissed":
            if item.id in self._ids:
                self._ids.remove(item.id)
                self._show_rows(stay=True)
            return
        self.option_list.remember(item)

    def refresh_rows(self) -> None:
        """List the queue again with every row read afresh (states changed on another machine)."""
        self.option_list.forget_all()
        self.reload()

    def item(self, item_id: str) -> SourceItem | None:
        """A shown item (read from the queue when its row was never drawn)."""
        return self.option_list.item(item_id)

    @property
    def drafts(self) -> list[Draft]:
        """The unfinished drafts listed at the top."""
        return list(self._drafts)

    @property
    def shown_count(self) -> int:
        return self.option_list.option_count

    def _show_rows(self, stay: bool = False) -> None:
        option_list = self.option_list
        words = self._filter.casefold().split()
        drafts = [d for d in self._drafts if all(word in d.title.casefold() for word in words)]
        option_list.set_rows(drafts, self._ids, keep=option_list.highlighted_id, stay=stay)
        if not option_list.option_count:
            if words:
                self.show_source(Content(f"Nothing in the queue matches {self._filter.strip()!r}."))
            else:
                self.show_source(EMPTY_QUEUE)

    def highlight(self, option_id: str) -> None:
        """Move the cursor to an item or draft by option id, if shown."""
        index = self.option_list.index_of(option_id)
        if index is not None:
            self.option_list.highlighted = index

    # -- source text ----------------------------------------------------------

    def show_source(self, text: str | Content, marks: Sequence[tuple[int, int, str]] = (), heading: Content | None = None) -> None:
        """Show a source text with the quotes and numbers the draft uses marked."""
        url = self.query_one("#source-url", Static)
        url.update(heading if heading is not None else Content(""))
        url.display = heading is not None and bool(heading.plain)
        self.query_one("#source-text", Static).update(source_content(text, marks))

    # -- events ---------------------------------------------------------------

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter = event.value
        self.reload()

    @on(Input.Submitted, "#queue-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.option_list.focus()

    @on(QueueList.Highlighted)
    def _highlighted(self, event: QueueList.Highlighted) -> None:
        event.stop()
        self.post_message(self.ItemHighlighted(event.option_id))

    @on(QueueList.Selected)
    def _selected(self, event: QueueList.Selected) -> None:
        event.stop()
        self.post_message(self.ItemChosen(event.option_id))
