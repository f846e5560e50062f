"""The story browser: published stories, searchable by headline, text, topic and date.

Type to search (every word must appear; ``2026-11`` matches the date;
``topic:earth`` a topic). Stories a colleague published since your last
sync carry a ``*``. Enter closes the screen with the story's id, for the
desk to open it for revision; ``h`` opens its history. The search runs
``stories.team.browse.find_stories`` in a worker thread, the newest keystroke
winning. Headlines come from the repo: shown through ``Content`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.history import MUTED
from tui.screens.preview import safe

if TYPE_CHECKING:
    from stories.repo import ContentRepo
    from stories.team.browse import StoryHit


@dataclass
class StoriesFound(Message):
    """The stories matching one search, newest first."""

    query: str
    hits: list[StoryHit]


def split_search(text: str) -> tuple[str, str]:
    """The search box as (words, topic): ``topic:earth otters`` → (``otters``, ``earth``)."""
    words, topic = [], ""
    for word in text.split():
        if word.lower().startswith("topic:"):
            topic = word.split(":", 1)[1]
        else:
            words.append(word)
    return " ".join(words), topic


def hit_row(hit: StoryHit) -> Content:
    """One row: new mark, date, headline."""
    when = f"{hit.updated:%Y-%m-%d}" if hit.updated else "          "
    return Content.assemble(("* " if hit.new_since_sync else "  ", "bold $accent"), (when + "  ", MUTED), safe(hit.headline))


class StoriesScreen(Screen["str | None"]):
    """Find a published story; Enter gives its id back, h shows its history."""

    DEFAULT_CSS = """
    StoriesScreen { background: $background; }
    StoriesScreen #stories-search { margin: 0 0; }
    StoriesScreen #stories-count { height: 1; padding: 0 1; color: $foreground-muted; }
    StoriesScreen #stories-list { height: 1fr; border: round $border-blurred; background: $surface; }
    StoriesScreen #stories-list:focus { border: round $border; }
    """

    BINDINGS = [
        Binding("enter", "open", "Revise", id="stories.open"),
        Binding("h", "history", "History", id="stories.history"),
        Binding("down", "to_list", "Results", show=False, id="stories.to_list"),
        Binding("escape", "close", "Back", id="stories.close"),
    ]

    def __init__(self, repo: ContentRepo) -> None:
        super().__init__()
        self.repo = repo
        self.hits: list[StoryHit] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search headline, text, 2026-11, topic:earth", id="stories-search")
        yield Static(Content("Reading the published stories…"), id="stories-count")
        yield OptionList(id="stories-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stories-search", Input).focus()
        self.search("")

    @work(thread=True, exclusive=True, exit_on_error=False, group="stories-search")
    def search(self, text: str) -> None:
        """Run one search off the UI thread."""
        from stories.team.browse import find_stories, parse_query

        words, topic = split_search(text)
        self.post_message(StoriesFound(text, find_stories(self.repo, parse_query(words, topic))))

    @on(Input.Changed, "#stories-search")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.search(event.value)

    @on(Input.Submitted, "#stories-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_open()

    @on(OptionList.OptionSelected, "#stories-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    @on(StoriesFound)
    def _found(self, message: StoriesFound) -> None:
        if message.query != self.query_text:
            return  # an older keystroke's answer
        self.hits = message.hits
        listing = self.query_one("#stories-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(hit_row(h), id=h.id) for h in self.hits])
        if self.hits:
            listing.highlighted = 0
        fresh = sum(1 for h in self.hits if h.new_since_sync)
        count = f"{len(self.hits)} stor{'y' if len(self.hits) == 1 else 'ies'}" + (f" · {fresh} new since your last sync (*)" if fresh else "")
        self.query_one("#stories-count", Static).update(Content(count if self.hits else "No published story matches."))

    def _current(self) -> StoryHit | None:
        index = self.query_one("#stories-list", OptionList).highlighted
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history" and self.focused is self.query_one("#stories-search", Input):
            return False  # h is a letter while searching
        return True

    def action_open(self) -> None:
        """Close with the highlighted story's id, for the desk to open it for revision."""
        hit = self._current()
        if hit is not None:
            self.dismiss(hit.id)

    def action_history(self) -> None:
        """The highlighted story's commits and what each changed."""
        from tui.screens.history import HistoryScreen

        hit = self._current()
        if hit is not None:
            self.app.push_screen(HistoryScreen(self.repo, hit.id))

    def action_to_list(self) -> None:
        """From the search box down into the results."""
        self.query_one("#stories-list", OptionList).focus()

    def action_close(self) -> None:
        """Back without choosing."""
        self.dismiss(None)
