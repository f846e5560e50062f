"""The Review screen: colleagues' stories waiting on ``story/<id>`` branches, approve or request changes.

The list comes from ``stories.team.review.ReviewDesk`` (fetched from the
remote in a worker thread, so the screen never waits on the network); the
highlighted story shows its section changes against the base branch, the
checks, and any reviewer's note. ``a`` approves (after a yes/no), ``c`` asks
for changes with a note, ``r`` fetches again, ``escape`` goes back. Story
text, names and notes come from the repo: all of it is shown through
``Content``, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.history import MUTED, render_section_diff
from tui.screens.preview import safe

if TYPE_CHECKING:
    from stories.repo import Editor
    from stories.team.review import Review, ReviewDetail


@dataclass
class ReviewsListed(Message):
    """The waiting stories were fetched (or read as of the last sync, offline)."""

    reviews: list[Review]
    status: str


@dataclass
class ReviewShown(Message):
    """One waiting story's changes and checks were read."""

    detail: ReviewDetail


@dataclass
class ReviewDecided(Message):
    """An approve or a request for changes finished (``ok`` False: refused, with why)."""

    ok: bool
    message: str


@dataclass
class ReviewFailed(Message):
    """Reading the reviews failed, said in the editor's words."""

    message: str


def review_row(review: Review) -> Content:
    """One row of the list: headline, then author, age, checks and verdict, muted."""
    bits = [f"{'new' if review.new_story else 'revision'} by {review.author}", review.age()]
    if review.checks.text:
        bits.append(f"checks: {review.checks.text}")
    if review.verdict is not None:
        bits.append("changes requested" if review.verdict.verdict == "changes-requested" else "approved")
    return Content.assemble(safe(review.headline), "\n  ", safe(" · ".join(bits), MUTED))


def detail_content(detail: ReviewDetail) -> Content:
    """The highlighted story: who and when, the reviewer's note, the checks, the section diff."""
    review = detail.review
    parts = [safe(review.headline, "bold"), Content("\n"), safe(f"{review.author} <{review.email}> · {review.branch} {review.commit[:8]}", MUTED)]
    note = review.verdict
    if note is not None and note.verdict == "changes-requested":
        earlier = "" if note.commit == review.commit else " (on an earlier revision)"
        parts += [Content("\n\n"), safe(f"Changes requested by {note.name}{earlier}: {note.note}", "$text-warning")]
    errors = sum(1 for f in detail.findings if f.severity == "error")
    warnings = sum(1 for f in detail.findings if f.severity == "warning")
    parts += [Content("\n\n"), Content(f"Checks now: {errors} error(s), {warnings} warning(s)")]
    for finding in detail.findings:
        if finding.severity in ("error", "warning"):
            parts += [Content("\n  "), safe(f"{finding.severity}: {finding.section}: {finding.message}", MUTED)]
    parts += [Content("\n\n"), render_section_diff(detail.changes)]
    return Content.assemble(*parts)


class ReviewScreen(Screen[None]):
    """Stories waiting for review on the remote; approve or request changes without leaving the keyboard."""

    DEFAULT_CSS = """
    ReviewScreen { background: $background; }
    ReviewScreen #review-banner { height: 1; text-wrap: nowrap; text-overflow: ellipsis; padding: 0 1; background: $panel; color: $foreground; }
    ReviewScreen #review-list { height: auto; min-height: 4; max-height: 40%; border: round $border-blurred; background: $surface; }
    ReviewScreen #review-list:focus { border: round $border; }
    ReviewScreen #review-detail { height: 1fr; border: round $border-blurred; background: $surface; padding: 0 1; }
    """

    BINDINGS = [
        Binding("a", "approve", "Approve", id="review.approve"),
        Binding("c", "request_changes", "Request changes", id="review.request_changes"),
        Binding("r", "refresh", "Fetch again", id="review.refresh"),
        Binding("escape", "close", "Back", id="review.close"),
    ]

    def __init__(self, repo_root: Path, reviewer: Editor, remote: str | None = None) -> None:
        super().__init__()
        self.repo_root = Path(repo_root)
        self.reviewer = reviewer
        self.remote = remote
        self.reviews: list[Review] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Static(Content("Fetching the stories waiting for review…"), id="review-banner")
        yield OptionList(id="review-list")
        with VerticalScroll(id="review-detail"):
            yield Static(id="review-detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#review-list", OptionList).focus()
        self.load()

    def _banner(self, text: str) -> None:
        self.query_one("#review-banner", Static).update(safe(text))

    # -- workers (git and the network never run on the UI thread) -----------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-list")
    def load(self) -> None:
        """Fetch and list the waiting stories."""
        from stories.team.gitrun import TeamError
        from stories.team.review import ReviewDesk

        try:
            with ReviewDesk(self.repo_root, self.remote) as desk:
                status = desk.refresh(self.reviewer)
                self.post_message(ReviewsListed(desk.reviews(), status))
        except TeamError as exc:
            self.post_message(ReviewFailed(str(exc)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-show")
    def show(self, story_id: str) -> None:
        """Read one waiting story's changes and checks (no fetch: the list just did it)."""
        from stories.team.gitrun import TeamError
        from stories.team.review import ReviewDesk

        try:
            with ReviewDesk(self.repo_root, self.remote) as desk:
                self.post_message(ReviewShown(desk.show(story_id)))
        except TeamError as exc:
            self.post_message(ReviewFailed(str(exc)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-decide")
    def decide(self, story_id: str, note: str | None) -> None:
        """Approve (``note`` None) or request changes with ``note``."""
        from stories.team.gitrun import TeamError
        from stories.team.review import ReviewDesk

        try:
            with ReviewDesk(self.repo_root, self.remote) as desk:
                if note is None:
                    outcome = desk.approve(story_id, self.reviewer)
                else:
                    outcome = desk.request_changes(story_id, self.reviewer, note)
            self.post_message(ReviewDecided(outcome.ok, outcome.message))
        except TeamError as exc:
            self.post_message(ReviewDecided(False, str(exc)))

    # -- results ------------------------------------------------------------

    @on(ReviewsListed)
    def _listed(self, message: ReviewsListed) -> None:
        self.reviews = message.reviews
        listing = self.query_one("#review-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(review_row(r), id=r.story_id) for r in self.reviews])
        waiting = f"{len(self.reviews)} stor{'y' if len(self.reviews) == 1 else 'ies'} waiting for review"
        self._banner(f"{waiting} · {message.status}")
        if self.reviews:
            listing.highlighted = 0
        else:
            self.query_one("#review-detail-text", Static).update(Content.styled("Nothing is waiting for review.", MUTED))

    @on(OptionList.OptionHighlighted, "#review-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.show(event.option.id)

    @on(ReviewShown)
    def _shown(self, message: ReviewShown) -> None:
        current = self._current()
        if current is not None and current.story_id == message.detail.review.story_id:
            self.query_one("#review-detail-text", Static).update(detail_content(message.detail))

    @on(ReviewFailed)
    def _failed(self, message: ReviewFailed) -> None:
        self._banner(message.message)
        self.notify(safe(message.message), severity="error")

    @on(ReviewDecided)
    def _decided(self, message: ReviewDecided) -> None:
        self.busy = False
        self.notify(safe(message.message), severity="information" if message.ok else "error")
        self._banner(message.message)
        if message.ok:
            self.load()

    # -- actions ------------------------------------------------------------

    def _current(self) -> Review | None:
        index = self.query_one("#review-list", OptionList).highlighted
        return self.reviews[index] if index is not None and 0 <= index < len(self.reviews) else None

    def action_approve(self) -> None:
        """Ask, then merge the highlighted story into the base branch with a Reviewed-by trailer."""
        from tui.screens.dialogs import ConfirmScreen

        review = self._current()
        if review is None or self.busy:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self._banner(f"approving {review.story_id}…")
                self.decide(review.story_id, None)

        self.app.push_screen(ConfirmScreen(f"Approve {review.story_id}?", [safe(review.headline)], yes="Approve", no="Not yet"), answered)

    def action_request_changes(self) -> None:
        """Ask for a note, then record it where the author sees it after a sync."""
        from tui.screens.dialogs import ReasonScreen

        review = self._current()
        if review is None or self.busy:
            return

        def noted(note: str | None) -> None:
            if note:
                self.busy = True
                self._banner(f"sending the note on {review.story_id}…")
                self.decide(review.story_id, note)
            elif note is not None:
                self.notify(Content("A request for changes needs a note saying what to change."), severity="warning")

        self.app.push_screen(ReasonScreen("Request changes", f"What should {review.author} change in this story?", "what to change"), noted)

    def action_refresh(self) -> None:
        """Fetch the waiting stories again."""
        self._banner("Fetching the stories waiting for review…")
        self.load()

    def action_close(self) -> None:
        """Back to the desk."""
        self.dismiss(None)
