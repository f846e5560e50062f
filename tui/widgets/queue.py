"""The queue pane: incoming source items (and unfinished drafts), a filter, and the source text.

Everything shown here came from a feed and is untrusted: it only ever goes
into ``Content`` objects, never into markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.geometry import Size
from textual.widgets.option_list import Option

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
    """A short age like ``5m``, ``2h``, ``3d``; empty when unknown."""
    if when is None:
        return ""
    now = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def item_prompt(item: Any, now: datetime | None = None) -> Content:
    """One queue row: state mark, source · category · age, title — all as plain text."""
    mark, style = STATE_MARKS.get(getattr(item, "state", "new"), ("●", "$accent"))
    sources = getattr(item, "sources", None) or []
    source = sources[0] if sources else (getattr(item, "feed_title", "") or "")
    meta = " · ".join(part for part in (source, getattr(item, "category", "") or "", age(getattr(item, "published", None), now)) if part)
    title = " ".join((getattr(item, "title", "") or "(no title)").split())
    return Content.assemble((mark + " ", style), Content(title), ("  " + meta, "$text-muted"))


def draft_prompt(draft: Any) -> Content:
    """One row of the unfinished-drafts group."""
    label = "revising" if getattr(draft, "revises", "") else "draft"
    return Content.assemble(("✎ ", "$warning"), (f"{label}  ", "$text-muted"), Content(draft.title))


@dataclass
class _Row:
    item: Any
    haystack: str
    option: Option


class ItemOption(Option):
    """A queue row whose Content is built when it is first drawn, not when the queue loads."""

    def __init__(self, item: Any, now: datetime, id: str) -> None:
        super().__init__("", id=id)
        self._item = item
        self._now = now
        self._built = False

    @property
    def prompt(self) -> Content:  # type: ignore[override]
        if not self._built:
            self._prompt = item_prompt(self._item, self._now)
            self._built = True
        return self._prompt  # type: ignore[return-value]

    def _set_prompt(self, prompt: Any) -> None:
        self._built = True
        super()._set_prompt(prompt)


class QueueList(OptionList):
    """The list of source items; stays smooth with tens of thousands of rows.

    Every row is one line (no wrapping, long titles end in an ellipsis), so the
    line map is built by counting instead of measuring each row's text: with
    10,000 items that is the difference between a few milliseconds and half a
    second on every resize.
    """

    BINDINGS = [
        Binding("enter", "select", "Open", id="queue.open", show=False),
    ]

    def _on_resize(self) -> None:
        # Rows are one line at any width: only the rendered strips depend on it.
        self._option_render_cache.clear()
        self.refresh()

    def _update_lines(self) -> None:
        if not self.scrollable_content_region:
            return
        line_cache = self._line_cache
        lines = line_cache.lines
        options = self.options
        next_index = lines[-1][0] + 1 if lines else 0
        index_to_line = line_cache.index_to_line
        heights = line_cache.heights
        for index in range(next_index, len(options)):
            divider = options[index]._divider
            index_to_line[index] = len(lines)
            heights[index] = 1 + divider
            lines.append((index, 0))
            if divider:
                lines.append((index, 1))
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        last_divider = bool(options) and options[-1]._divider
        virtual_size = Size(width, len(lines) - (1 if last_divider else 0))
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)


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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: list[_Row] = []
        self._by_id: dict[str, _Row] = {}
        self._drafts: list[Any] = []
        self._filter = ""
        self.source_for: str | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ filter the queue", id="queue-filter", compact=True)
        yield QueueList(id="queue-list", markup=False)
        with VerticalScroll(id="source-scroll", can_focus=True):
            yield Static(Content(""), id="source-text", markup=False)

    @property
    def option_list(self) -> QueueList:
        return self.query_one("#queue-list", QueueList)

    # -- data ---------------------------------------------------------------

    def set_items(self, items: Iterable[Any], drafts: Sequence[Any] = ()) -> None:
        """Replace the items (dismissed ones are not shown) and the unfinished drafts."""
        now = self._now()
        rows = []
        for item in items:
            if getattr(item, "state", "new") == "dismissed":
                continue
            option = ItemOption(item, now, ITEM_PREFIX + item.id)
            haystack = f"{item.title} {' '.join(item.sources)} {item.category} {item.state}".lower()
            rows.append(_Row(item, haystack, option))
        self._rows = rows
        self._by_id = {row.item.id: row for row in rows}
        self._drafts = list(drafts)
        self._refresh_options()

    def set_drafts(self, drafts: Sequence[Any]) -> None:
        """Replace the unfinished-drafts group at the top of the list."""
        self._drafts = list(drafts)
        self._refresh_options()

    def update_item(self, item: Any) -> None:
        """Redraw one item after its state changed (claimed, published, dismissed)."""
        row = self._by_id.get(item.id)
        if row is None:
            return
        if item.state == "dismissed":
            self._rows.remove(row)
            del self._by_id[item.id]
            self._refresh_options()
            return
        row.item = item
        prompt = item_prompt(item, self._now())
        row.option = ItemOption(item, self._now(), ITEM_PREFIX + item.id)
        try:
            self.option_list.replace_option_prompt(ITEM_PREFIX + item.id, prompt)
        except Exception:
            self._refresh_options()

    def _now(self) -> datetime:
        now = getattr(self.app, "now", None)
        return now() if callable(now) else datetime.now(timezone.utc)

    def item(self, item_id: str) -> Any | None:
        row = self._by_id.get(item_id)
        return row.item if row else None

    @property
    def shown_count(self) -> int:
        return self.option_list.option_count

    def _refresh_options(self) -> None:
        option_list = self.option_list
        keep = option_list.highlighted_option.id if option_list.highlighted_option else None
        needle = self._filter.lower().strip()
        options: list[Option | None] = []
        drafts = [d for d in self._drafts if not needle or needle in d.title.lower()]
        for draft in drafts:
            options.append(Option(draft_prompt(draft), id=DRAFT_PREFIX + draft.key))
        if drafts:
            options.append(None)
        if needle:
            words = needle.split()
            options.extend(row.option for row in self._rows if all(word in row.haystack for word in words))
        else:
            options.extend(row.option for row in self._rows)
        if options and options[-1] is None:
            options.pop()
        option_list.set_options(options)
        if not option_list.option_count:
            if needle:
                self.show_source(Content(f"Nothing in the queue matches {self._filter.strip()!r}."))
            else:
                self.show_source(EMPTY_QUEUE)
            return
        index = 0
        if keep is not None:
            try:
                index = option_list.get_option_index(keep)
            except Exception:
                index = 0
        option_list.highlighted = index

    def highlight(self, option_id: str) -> None:
        """Move the cursor to an item or draft by option id, if shown."""
        option_list = self.option_list
        try:
            option_list.highlighted = option_list.get_option_index(option_id)
        except Exception:
            pass

    # -- source text ----------------------------------------------------------

    def show_source(self, text: str | Content, marks: Sequence[tuple[int, int, str]] = (), heading: Content | None = None) -> None:
        """Show a source text with the quotes and numbers the draft uses marked."""
        body = text if isinstance(text, Content) else Content(text)
        spans = []
        for start, end, kind in marks:
            if 0 <= start < end <= len(body.plain):
                spans.append((start, end, kind))
        for start, end, kind in spans:
            style = "bold $text-success on $success-muted" if kind == "quote" else "bold underline $text-accent"
            body = body.stylize(style, start, end)
        if heading is not None:
            body = Content.assemble(heading, "\n\n", body)
        self.query_one("#source-text", Static).update(body)

    # -- events ---------------------------------------------------------------

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter = event.value
        self._refresh_options()

    @on(Input.Submitted, "#queue-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.option_list.focus()

    @on(OptionList.OptionHighlighted, "#queue-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.ItemHighlighted(event.option_id))

    @on(OptionList.OptionSelected, "#queue-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self.post_message(self.ItemChosen(event.option_id))
