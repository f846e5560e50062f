"""History and review: the content repo's commits, and what a revision changed.

The commit list is newest first, with author and date. Choosing a commit that
touches a story shows a section-by-section diff between that revision and the
story's previous one (from ``ContentRepo.section_diff``), words removed and
added marked ``[-like this-]`` and ``{+like this+}`` (as ``git diff
--word-diff`` does, so the diff reads in a monochrome terminal) and coloured
by the theme. Git work runs in a worker thread so the
screen never freezes on a large repo. Commit subjects and story text may
carry feed text, so everything is shown through ``Content``, never markup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from stories.clean import terminal_safe
from tui.screens.preview import safe

if TYPE_CHECKING:
    from stories.repo import ContentRepo

MUTED = "$foreground-muted"
TITLE = "bold $primary"
HEADING = "bold $secondary"
REMOVED = "strike $text-error on $error-muted"
ADDED = "bold $text-success on $success-muted"
CHANGE_STYLE = {"added": "$text-success", "removed": "$text-error", "changed": "$text-warning"}
CHANGE_WORD = {"added": "added", "removed": "removed", "changed": "changed"}
REMOVED_MARKS = ("[-", "-]")
ADDED_MARKS = ("{+", "+}")
"""git's --word-diff marks: the diff must not rely on colour alone."""

GAP_STYLE = "not italic"
"""A style that changes nothing on a blank, used to keep a blank in a run of its own."""

_TOKENS = re.compile(r"\s+|[^\s]+")


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(f"• {item}" for item in value)
    return str(value)


_TRAILER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: ")


def _message_and_checks(body: str) -> tuple[str, str]:
    """A commit body without its trailer block (Story-Id:, Source-URL: …), and its Checks: value."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    checks = ""
    if paragraphs and all(_TRAILER.match(line) for line in paragraphs[-1].splitlines()):
        for line in paragraphs.pop().splitlines():
            if line.lower().startswith("checks: "):
                checks = line.split(": ", 1)[1].strip()
    return "\n\n".join(paragraphs), checks


AUTHOR_WIDTH = 14
"""The widest the author column of the commit list gets; longer names are cut with an ellipsis."""

GAP = "  "
"""Between the columns of a commit row. Each column carries its own trailing gap
(in its own style), so the next column never starts with blank space: some
SVG renderers drop leading blanks of a run, and the snapshots would read
"Ben ReviewerRevise:"."""


def fit(text: str, width: int) -> str:
    """``text`` (made terminal safe) cut to ``width`` cells with an ellipsis, or padded to it."""
    return Content(terminal_safe(text)).truncate(max(1, width), ellipsis=True, pad=True).plain


def author_width(commits: Sequence[Any]) -> int:
    """The author column's width for these commits: the longest name, at most ``AUTHOR_WIDTH``."""
    widths = [Content(terminal_safe(str(c.author or ""))).cell_length for c in commits]
    return max(1, min(AUTHOR_WIDTH, max(widths, default=1)))


def commit_label(commit: Any, width: int = AUTHOR_WIDTH) -> Content:
    """One line of the commit list: date, short sha, author (in a column ``width`` wide), subject."""
    subject = " ".join(str(commit.subject or "").split())
    return Content.assemble(
        (_when(commit.date) + GAP, MUTED),
        (str(commit.short) + GAP, "$accent"),
        (fit(str(commit.author or ""), width) + GAP, "bold"),
        safe(subject),
    )


def marked(text: str, style: str, marks: tuple[str, str]) -> Content:
    """``text`` between its diff marks, all in ``style`` (the text is story text: never markup).

    Blanks at either end stay outside the marks, as git puts them: "seven {+of nine+} patients".
    """
    core = text.strip()
    if not core:
        return safe(text)
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    parts: list[Content | tuple[str, str]] = []
    if lead:
        parts.append(Content.styled(lead, GAP_STYLE))
    parts += [(marks[0], style), safe(core, style), (marks[1], style)]
    if trail:
        parts.append(Content.styled(trail, GAP_STYLE))
    return Content.assemble(*parts)


def word_diff(before: str, after: str) -> Content:
    """``after`` with the words taken out of ``before`` marked ``[-…-]`` and the new ones ``{+…+}``."""
    old = _TOKENS.findall(before)
    new = _TOKENS.findall(after)
    parts: list[Content | tuple[str, str] | str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same = "".join(new[j1:j2])
            blank = same[: len(same) - len(same.lstrip())]
            if parts and blank:
                # The blank after a marked word gets a run of its own (an
                # invisible style), so renderers that drop a run's leading
                # blanks still show "patients healed", not "patientshealed".
                parts.append(Content.styled(blank, GAP_STYLE))
                same = same[len(blank) :]
            parts.append(safe(same))
            continue
        if tag in ("delete", "replace"):
            removed = "".join(old[i1:i2])
            parts.append(marked(removed, REMOVED, REMOVED_MARKS))
        if tag in ("insert", "replace"):
            parts.append(marked("".join(new[j1:j2]), ADDED, ADDED_MARKS))
    return Content.assemble(*parts)


def commit_matches(commit: Any, words: Sequence[str]) -> bool:
    """Whether every word of a filter is in the commit's subject, author, story id or short sha."""
    haystack = " ".join(str(v or "") for v in (commit.subject, commit.author, commit.story_id, commit.short)).casefold()
    return all(word in haystack for word in words)


def render_section_diff(changes: Sequence[Any]) -> Content:
    """The changes of one revision, a block per section, in the profile's order."""
    if not changes:
        return Content.styled("No section changed in this revision (only the source block or dates, perhaps).", MUTED)
    blocks: list[Content] = []
    for change in changes:
        kind = str(change.change)
        heading = Content.assemble(
            safe(str(change.label or change.key), HEADING),
            "  ",
            (CHANGE_WORD.get(kind, kind), CHANGE_STYLE.get(kind, MUTED)),
        )
        before, after = _as_text(change.before), _as_text(change.after)
        if kind == "added":
            body = marked(after, ADDED, ADDED_MARKS) if after else Content.styled("(empty)", MUTED)
        elif kind == "removed":
            body = marked(before, REMOVED, REMOVED_MARKS) if before else Content.styled("(empty)", MUTED)
        else:
            body = word_diff(before, after)
        blocks.append(Content.assemble(heading, "\n", body))
    return Content("\n\n").join(blocks)


class HistoryScreen(Screen[None]):
    """The content repo's commits, newest first; a story commit shows what it changed.

    ``/`` filters the commits; ``o`` opens the highlighted commit's story: the
    screen closes and posts :class:`HistoryScreen.OpenStory` to the screen
    below it (the main screen), which opens the story in the editor.
    """

    class OpenStory(Message):
        """The editor asked to open this story from the history (posted to the screen below)."""

        def __init__(self, story_id: str) -> None:
            super().__init__()
            self.story_id = story_id

    DEFAULT_CSS = """
    HistoryScreen {
        background: $background;
    }
    HistoryScreen #history-banner {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    HistoryScreen #history-filter {
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    HistoryScreen #history-body {
        layout: vertical;
        height: 1fr;
    }
    HistoryScreen.-wide #history-body {
        layout: horizontal;
    }
    HistoryScreen #history-commits {
        height: auto;
        min-height: 5;
        max-height: 40%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        border: round $border-blurred;
        border-title-color: $foreground-muted;
        background: $surface;
    }
    HistoryScreen.-wide #history-commits {
        height: 1fr;
        max-height: 100%;
        width: 45%;
    }
    HistoryScreen #history-commits:focus {
        border: round $border;
        border-title-color: $primary;
    }
    HistoryScreen #history-diff {
        height: 1fr;
        border: round $border-blurred;
        border-title-color: $foreground-muted;
        background: $surface;
        padding: 0 1;
    }
    HistoryScreen #history-diff:focus {
        border: round $border;
        border-title-color: $primary;
    }
    HistoryScreen #history-diff-text {
        width: 1fr;
        color: $foreground;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Back", id="history.close"),
        Binding("q", "close", "Back", show=False, id="history.close_q"),
        Binding("enter", "show_diff", "Show changes", id="history.show_diff"),
        Binding("d", "toggle_focus", "Commits/changes", id="history.toggle_focus"),
        Binding("slash", "filter", "Filter", id="history.filter"),
        Binding("o", "open_story", "Open story", id="history.open_story"),
        Binding("j", "cursor_down", "Down", show=False, id="history.down"),
        Binding("k", "cursor_up", "Up", show=False, id="history.up"),
    ]

    WIDE = 120
    """At this many columns and more the list and the changes sit side by side."""

    def __init__(
        self,
        repo: ContentRepo,
        story_id: str | None = None,
        *,
        limit: int = 200,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.repo = repo
        self.story_id = story_id
        self.limit = limit
        self.all_commits: list[Any] = []
        self.commits: list[Any] = []  # the ones the filter lets through, as listed
        self.shown_sha: str | None = None

    def compose(self) -> ComposeResult:
        scope = f"story {self.story_id}" if self.story_id else "all stories"
        yield Static(Content.assemble(("History ", "bold"), safe(f"· {scope}")), id="history-banner")
        yield Input(placeholder="/ filter: words of the subject, author or story id", id="history-filter", compact=True, select_on_focus=False)
        with Container(id="history-body"):
            commits = OptionList(id="history-commits")
            commits.border_title = "Commits, newest first"
            yield commits
            with VerticalScroll(id="history-diff") as diff:
                diff.border_title = "Changes"
                yield Static(Content.styled("Reading the history…", MUTED), id="history-diff-text")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.size.width >= self.WIDE, "-wide")
        self.query_one("#history-commits").focus()
        self.load_commits()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= self.WIDE, "-wide")

    # -- loading ---------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="history-log")
    def load_commits(self) -> None:
        try:
            commits = self.repo.log(self.story_id, limit=self.limit)
        except Exception as exc:  # a broken repo is a message, not a crash
            self.app.call_from_thread(self._show_problem, f"Cannot read the history: {exc}")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_commits, commits)

    def _show_commits(self, commits: list[Any]) -> None:
        if not self.is_attached:
            return  # closed while git was reading
        self.all_commits = list(commits)
        self._list_commits()

    def _list_commits(self) -> None:
        words = self.query_one("#history-filter", Input).value.casefold().split()
        self.commits = [c for c in self.all_commits if commit_matches(c, words)]
        option_list = self.query_one("#history-commits", OptionList)
        option_list.clear_options()
        width = author_width(self.all_commits)
        option_list.add_options([Option(commit_label(commit, width), id=commit.sha) for commit in self.commits])
        self.shown_sha = None
        if not self.commits:
            if self.all_commits:
                typed = " ".join(words)
                self._set_diff(Content.assemble(("No commits match ", MUTED), safe(f"“{typed}”"), (". Escape clears the filter.", MUTED)), "Changes")
            else:
                what = "this story" if self.story_id else "the content repo"
                self._set_diff(Content.styled(f"No commits in {what} yet.", MUTED), "Changes")
            return
        option_list.highlighted = 0
        self.show_commit(0)

    @on(Input.Changed, "#history-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.all_commits:
            self._list_commits()

    @on(Input.Submitted, "#history-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#history-commits").focus()

    def _show_problem(self, message: str) -> None:
        if not self.is_attached:
            return
        self._set_diff(Content.styled(message, "$text-error"), "Changes")
        self.notify(message, title="History", severity="error")

    def _set_diff(self, content: Content, title: str) -> None:
        self.query_one("#history-diff-text", Static).update(content)
        diff = self.query_one("#history-diff", VerticalScroll)
        diff.border_title = title
        diff.scroll_home(animate=False)

    # -- choosing a commit -----------------------------------------------------

    @on(OptionList.OptionHighlighted, "#history-commits")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_commit(event.option_index)

    @on(OptionList.OptionSelected, "#history-commits")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.show_commit(event.option_index)
        self.query_one("#history-diff").focus()

    def show_commit(self, index: int) -> None:
        """Show what the commit at ``index`` of the list changed."""
        if not 0 <= index < len(self.commits):
            return
        commit = self.commits[index]
        if commit.sha == self.shown_sha:
            return
        self.shown_sha = commit.sha
        header = self._commit_header(commit)
        story_id = commit.story_id or self.story_id
        if not story_id:
            self._set_diff(
                Content.assemble(header, "\n\n", ("This commit does not touch a story (the desk profile or set-up, perhaps).", MUTED)),
                f"Commit {commit.short}",
            )
            return
        self._set_diff(Content.assemble(header, "\n\n", ("Comparing with the previous revision…", MUTED)), f"Changes in {story_id}")
        self.load_diff(commit, story_id)

    def _commit_header(self, commit: Any) -> Content:
        lines = [
            safe(" ".join(str(commit.subject or "").split()), TITLE),
            Content.assemble(
                (f"{commit.short}{GAP}", "$accent"),
                safe(f"{commit.author} " if commit.email else f"{commit.author}{GAP}", "bold"),
                safe(f"<{commit.email}>{GAP}" if commit.email else "", MUTED),
                (_when(commit.date), MUTED),
            ),
        ]
        message, checks = _message_and_checks(str(commit.body or ""))
        if message:
            lines.append(safe(message, MUTED))
        if checks:
            lines.append(Content.assemble(("Checks: ", MUTED), safe(checks)))
        return Content("\n").join(lines)

    @work(thread=True, exclusive=True, exit_on_error=False, group="history-diff")
    def load_diff(self, commit: Any, story_id: str) -> None:
        worker = get_current_worker()
        try:
            previous = self._previous_revision(commit, story_id)
            changes = self.repo.section_diff(story_id, previous, commit.sha)
        except Exception as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_diff, commit, story_id, None, None, f"Cannot compare this revision: {exc}")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_diff, commit, story_id, previous, changes, None)

    def _previous_revision(self, commit: Any, story_id: str) -> str | None:
        """The story's revision before ``commit``, or None if this is its first."""
        story_log = self.commits if self.story_id == story_id else self.repo.log(story_id, limit=self.limit)
        shas = [c.sha for c in story_log]
        if commit.sha in shas:
            index = shas.index(commit.sha)
            return shas[index + 1] if index + 1 < len(shas) else None
        return None

    def _show_diff(self, commit: Any, story_id: str, previous: str | None, changes: Sequence[Any] | None, problem: str | None) -> None:
        if commit.sha != self.shown_sha or not self.is_attached:
            return  # the editor has moved on to another commit, or closed the screen
        header = self._commit_header(commit)
        if problem is not None:
            body = Content.styled(problem, "$text-error")
        else:
            against = next((c.short for c in self.commits if c.sha == previous), (previous or "")[:7])
            intro = (
                Content.styled("First revision of this story.", MUTED)
                if previous is None
                else Content.styled(f"Compared with the previous revision {against}.", MUTED)
            )
            body = Content.assemble(intro, "\n\n", render_section_diff(changes or []))
        self._set_diff(Content.assemble(header, "\n\n", body), f"Changes in {story_id}")

    # -- actions ---------------------------------------------------------------

    def action_close(self) -> None:
        filter_input = self.query_one("#history-filter", Input)
        if filter_input.has_focus or filter_input.value:
            # Escape clears the filter first, then closes.
            filter_input.value = ""
            self.query_one("#history-commits").focus()
            return
        self.dismiss(None)

    def action_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def action_open_story(self) -> None:
        """Close the history and ask the screen below to open the highlighted commit's story."""
        option_list = self.query_one("#history-commits", OptionList)
        index = option_list.highlighted
        commit = self.commits[index] if index is not None and 0 <= index < len(self.commits) else None
        story_id = (commit.story_id if commit is not None else "") or self.story_id
        if not story_id:
            self.notify("This commit does not touch a story: choose a Publish or Revise commit.", severity="warning", markup=False)
            return
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) >= 2 and stack[-1] is self else None
        self.dismiss(None)
        if below is not None:
            below.post_message(self.OpenStory(story_id))

    def action_show_diff(self) -> None:
        option_list = self.query_one("#history-commits", OptionList)
        if option_list.highlighted is not None:
            self.show_commit(option_list.highlighted)
        self.query_one("#history-diff").focus()

    def action_toggle_focus(self) -> None:
        commits = self.query_one("#history-commits")
        (self.query_one("#history-diff") if commits.has_focus else commits).focus()

    def action_cursor_down(self) -> None:
        if self.query_one("#history-commits").has_focus:
            self.query_one("#history-commits", OptionList).action_cursor_down()
        else:
            self.query_one("#history-diff", VerticalScroll).scroll_down(animate=False)

    def action_cursor_up(self) -> None:
        if self.query_one("#history-commits").has_focus:
            self.query_one("#history-commits", OptionList).action_cursor_up()
        else:
            self.query_one("#history-diff", VerticalScroll).scroll_up(animate=False)
