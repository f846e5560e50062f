"""The desk's editorial workflow: start, claim, draft, publish, discard, dismiss, release, restore, revise.

One service owns what each step does to the queue, the drafts and the
content repo, so the app and the command line do exactly the same thing:
``briefdesk publish`` marks the queue item published because it calls
``Desk.publish``, as the app does. A screen shows the results; it never
updates the queue or deletes a draft itself.

Every state change is compare-and-set on the stored state (see
``QueueStore``): a step that finds the item moved by someone else meanwhile
raises ``ItemMoved`` with the news, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from stories.checks.finding import Finding
from stories.drafts import Draft, DraftStore, new_briefing
from stories.ids import unique_id
from stories.index import PublishedStory
from stories.model import Briefing, content_hash, utcnow
from stories.profile import Profile
from stories.queue import QueueStore, SourceItem, StateChanged
from stories.team.gitrun import TeamError
from stories.team.stale import Revision, StaleRevision, guard_revision, head_commit, revisions_since
from stories.repo import ContentRepo, Editor, PublishRefused, PublishResult, RepoError
from stories.sources.articles import SourceText, source_text_for

WORKING = ("claimed", "drafting")
"""The states of an item someone is writing from."""


class DeskError(Exception):
    """A workflow step cannot be done; the message says why in an editor's words."""


class ItemMissing(DeskError):
    """No queue item has this id."""

    def __init__(self, item_id: str) -> None:
        super().__init__(f"no item {item_id!r} in the queue (see `briefdesk queue --format json` for ids)")
        self.item_id = item_id


class ItemMoved(DeskError):
    """The item is not in the state this step needs: another editor or app instance moved it meanwhile."""

    def __init__(self, item: SourceItem, doing: str) -> None:
        who = f" by {item.claimed_by}" if item.state in WORKING and item.claimed_by else ""
        reason = f" ({item.dismissed_reason})" if item.state == "dismissed" and item.dismissed_reason else ""
        super().__init__(f"Cannot {doing}: {_title(item)} is {item.state}{who}{reason}.")
        self.item = item


class ReasonRequired(DeskError):
    """A dismissal needs a reason, so colleagues know why the item went."""

    def __init__(self) -> None:
        super().__init__("A dismissal needs a reason (for example: not good news, duplicate).")


class StoryMissing(DeskError):
    """No published story fits the request."""


class Refused(DeskError):
    """The checks found errors: nothing was published. ``findings`` holds them all."""

    def __init__(self, findings: Sequence[Finding], message: str) -> None:
        super().__init__(message)
        self.findings = list(findings)

    @property
    def errors(self) -> list[Finding]:
        """The findings that refused the publish."""
        return [f for f in self.findings if f.severity == "error"]


class StaleDraft(DeskError):
    """The story changed since the draft started, in a section the draft changed too: nothing was published.

    ``stale`` is the team's ``StaleRevision``: its ``revisions`` name the
    colleagues' commits and its ``result`` is the merge for the merge screen.
    """

    def __init__(self, stale: StaleRevision) -> None:
        super().__init__(str(stale))
        self.stale = stale

    @property
    def revisions(self) -> list[Revision]:
        """The colleagues' commits since the draft started, newest first."""
        return self.stale.revisions


class PublishFailed(DeskError):
    """The content repo could not take the story (git, disk, lock), in the repo's own words."""


@dataclass(frozen=True)
class Published:
    """What a publish did: the repo's result, the story as published and the draft to revise it from."""

    result: PublishResult
    briefing: Briefing
    revision: Draft
    item: SourceItem | None

    @property
    def story_id(self) -> str:
        """The published story's id."""
        return self.briefing.id


def _title(item: SourceItem) -> str:
    return repr(item.title) if item.title else f"item {item.id}"


class Desk:
    """The workflow over one queue, one drafts folder and one content repo, for one editor."""

    def __init__(
        self,
        repo: ContentRepo | None,
        queue: QueueStore,
        drafts: DraftStore,
        profile: Profile,
        editor_name: str,
        editor: Editor | None = None,
    ) -> None:
        self.repo = repo
        self.queue = queue
        self.drafts = drafts
        self.profile = profile
        self.editor_name = editor_name
        self.editor = editor

    @property
    def content(self) -> ContentRepo:
        """The content repo; DeskError when this desk was opened on the queue alone."""
        if self.repo is None:
            raise DeskError("No content repo is open: give one with --repo or set BRIEFDESK_REPO.")
        return self.repo

    # -- reading ----------------------------------------------------------

    def item(self, item_id: str) -> SourceItem:
        """The queue item with this id; ItemMissing if there is none."""
        item = self.queue.item(item_id)
        if item is None:
            raise ItemMissing(item_id)
        return item

    def source(self, item_id: str) -> SourceText:
        """The text a briefing from this item is checked against, and where it came from (pasted, article or feed)."""
        return source_text_for(self.queue, item_id, self.profile.short_source_words)

    def source_text(self, item_id: str) -> str:
        """The text a briefing from this item is checked against (and stored as its snapshot)."""
        return self.source(item_id).text

    def draft_for(self, item_id: str) -> Draft | None:
        """The unfinished draft written from this item, if any."""
        return next((d for d in self.drafts.list() if d.item_id == item_id), None)

    def check(self, briefing: Briefing, source_text: str, published: Sequence[PublishedStory] | None) -> list[Finding]:
        """Every finding for a briefing, as the publish step will see them."""
        from stories.checks import run_checks  # the check families load with the first check, not at start-up

        return run_checks(briefing, source_text or None, self.profile, published)

    # -- queue states -------------------------------------------------------

    def claim(self, item_id: str, force: bool = False) -> SourceItem:
        """Take an item: from new, or again if it is already this editor's; ``force`` takes over a colleague's."""
        try:
            return self.queue.claim(item_id, self.editor_name, force=force)
        except KeyError:
            raise ItemMissing(item_id) from None
        except StateChanged as exc:
            raise ItemMoved(exc.item, "claim it") from None

    def release(self, item_id: str) -> SourceItem:
        """Drop a claim: the item goes back to new for anyone to take (a draft written from it stays)."""
        return self._move(item_id, "new", WORKING, "release it")

    def dismiss(self, item_id: str, reason: str, expected: Sequence[str] | None = None) -> SourceItem:
        """Dismiss an item with a reason (required); its unfinished draft goes too.

        ``expected`` is the state the caller saw (the app's row): when the item
        has moved since, nothing changes. Without it, any state but published.
        """
        if not reason.strip():
            raise ReasonRequired()
        states = tuple(expected) if expected is not None else ("new", *WORKING)
        try:
            item = self.queue.dismiss(item_id, reason.strip(), expected=states)
        except KeyError:
            raise ItemMissing(item_id) from None
        except StateChanged as exc:
            raise ItemMoved(exc.item, "dismiss it") from None
        draft = self.draft_for(item_id)
        if draft is not None:
            self.drafts.delete(draft.key)
        return item

    def restore(self, item_id: str) -> SourceItem:
        """Bring a dismissed item back to new."""
        return self._move(item_id, "new", ("dismissed",), "restore it")

    def _move(self, item_id: str, state: str, expected: Sequence[str], doing: str) -> SourceItem:
        try:
            return self.queue.set_state(item_id, state, expected=expected)
        except KeyError:
            raise ItemMissing(item_id) from None
        except StateChanged as exc:
            raise ItemMoved(exc.item, doing) from None

    # -- drafts ---------------------------------------------------------------

    def start(self, item_id: str, force: bool = False) -> Draft:
        """Start a briefing from an item: claim it, copy its source block, keep its source text as the snapshot.

        The draft is saved before it is returned, so a crash a moment later
        loses nothing. An item with a draft already opens that draft; a
        published item opens its story for revision (``revise``).
        """
        current = self.item(item_id)
        if self.repo is not None and current.state == "published":
            # Its story is out already: the draft revises it, from the commit it stands at now (``started_from``).
            return self.revise(self.story_for(current), item_id)
        existing = self.draft_for(item_id)
        if existing is not None:
            return existing
        item = self.claim(item_id, force=force)
        origin = self.source(item_id)
        source_text = origin.text
        source = self.queue.source_ref(item_id)
        source.snapshot = content_hash(source_text)
        # A reviewer reads what was traced: the feed's text, the article page, or a text an editor pasted.
        source.origin = origin.origin
        source.fetched = origin.fetched_at.isoformat(timespec="seconds") if origin.fetched_at else ""
        briefing = new_briefing(self.profile)
        briefing.source = source
        category = (item.category or "").strip().lower()
        if category in self.profile.topics:
            briefing.topics = [category]
        draft = Draft(key=item_id, briefing=briefing, source_text=source_text, item_id=item_id)
        self.drafts.save(draft)
        return draft

    def save_draft(self, draft: Draft) -> SourceItem | None:
        """Write a draft; the first words written move its claimed item on to drafting (returned when it moved)."""
        self.drafts.save(draft)
        if not draft.item_id or draft.revises:
            return None
        try:
            return self.queue.set_state(draft.item_id, "drafting", expected=("claimed",))
        except (KeyError, StateChanged):
            return None  # already drafting, or moved by someone else: the words are saved all the same

    def discard(self, draft: Draft) -> SourceItem | None:
        """Throw a draft away; a new briefing's item goes back to new (returned when it moved)."""
        self.drafts.delete(draft.key)
        if not draft.item_id or draft.revises:
            return None
        try:
            return self.queue.set_state(draft.item_id, "new", expected=WORKING)
        except (KeyError, StateChanged):
            return None

    def revise(self, story_id: str, item_id: str = "") -> Draft:
        """A published story as a draft to revise (the waiting revision draft, if there is one)."""
        key = f"story-{story_id}"
        draft = self.drafts.load(key)
        if draft is not None:
            return draft
        try:
            briefing = self.content.story(story_id)
        except (RepoError, KeyError, LookupError) as exc:
            raise StoryMissing(f"Could not open story {story_id}: {exc}") from None
        source_text = ""
        if briefing.source is not None and briefing.source.snapshot:
            source_text = self.content.source_text(briefing.source.snapshot) or ""
        if not source_text and item_id:
            source_text = self.source_text(item_id)
        return Draft(key=key, briefing=briefing, source_text=source_text, item_id=item_id, revises=story_id, started_from=head_commit(self.content))

    def story_for(self, item: SourceItem, published: Sequence[PublishedStory] | None = None) -> str:
        """The id of the published story that came from an item; StoryMissing if none did."""
        stories = published if published is not None else self.content.published()
        story = next((p for p in stories if p.source_url == item.link), None)
        if story is None:
            raise StoryMissing("This item is marked published, but no story in the content repo came from it.")
        return story.id

    # -- publish ----------------------------------------------------------------

    def publish(
        self,
        draft: Draft,
        published: Sequence[PublishedStory] | None = None,
        allow_warnings: bool = True,
        force: bool = False,
    ) -> Published:
        """Check and commit a draft's briefing, then mark its item published and delete the draft.

        ``published`` is the index the caller already holds (to pick a free
        id without reading the repo again). A draft of a published story
        (``started_from`` set) that colleagues revised since is merged with
        their revision by section (the result's notes say so), or StaleDraft
        when both changed the same section; ``force`` publishes the draft
        over theirs, and the notes say whose revision it replaced. Refused
        when the checks find errors (or warnings, unless ``allow_warnings``);
        PublishFailed when the repo cannot take it. Either way nothing changed.
        """
        briefing = replace(draft.briefing)
        notes: list[str] = []
        if briefing.id and draft.started_from:
            briefing, notes = self._guard(briefing, draft.started_from, force)
        if not briefing.id:
            taken = {p.id for p in (published if published is not None else self.content.published())}
            briefing.id = unique_id(briefing.headline, taken)
        briefing.status = "published"
        briefing.updated = utcnow()
        if briefing.created is None:
            briefing.created = briefing.updated
        try:
            result = self.content.publish(briefing, draft.source_text or None, self.editor, allow_warnings=allow_warnings)
        except PublishRefused as exc:
            raise Refused(exc.findings, str(exc)) from None
        except RepoError as exc:
            raise PublishFailed(f"Publishing failed: {exc}") from None
        result.notes.extend(notes)
        item = None
        if draft.item_id:
            try:
                item = self.queue.set_state(draft.item_id, "published")
            except KeyError:
                item = None  # the queue was rebuilt since: the story is published all the same
        if briefing.source is not None and briefing.source.url:
            self.queue.mark_published([briefing.source.url])
        if draft.key:
            self.drafts.delete(draft.key)
        started = result.commit or head_commit(self.content)
        revision = Draft(key=f"story-{briefing.id}", briefing=briefing, source_text=draft.source_text, item_id=draft.item_id, revises=briefing.id, started_from=started)
        revision.focus, revision.cursor = draft.focus, draft.cursor
        return Published(result, briefing, revision, item)

    def _own(self, revisions: Sequence[Revision]) -> bool:
        """True when every revision since the draft started is this editor's own (a file published twice, say)."""
        name = self.editor.name if self.editor is not None else self.editor_name
        return bool(revisions) and bool(name) and all(r.author == name for r in revisions)

    def _guard(self, briefing: Briefing, started_from: str, force: bool) -> tuple[Briefing, list[str]]:
        """The story to publish from a draft that started at ``started_from``, and what to tell the editor about it."""
        try:
            guarded = guard_revision(self.content, briefing, started_from)
        except StaleRevision as exc:
            if self._own(exc.revisions):
                return briefing, []  # only this editor revised it since: the newer text is theirs to publish
            if not force:
                raise StaleDraft(exc) from None
            replaced = "; ".join(str(r) for r in exc.revisions) or "a colleague's revision"
            return briefing, [f"--force: your version replaced {replaced}"]
        except (RepoError, TeamError, KeyError, ValueError) as exc:
            raise PublishFailed(f"Publishing failed: could not compare with the published story ({exc})") from None
        if not guarded.merged_with or self._own(guarded.merged_with):
            return briefing, []
        if force:
            replaced = "; ".join(str(r) for r in revisions_since(self.content, briefing.id, started_from))
            return briefing, [f"--force: your version replaced {replaced}"]
        who = ", ".join(f"{r.author}'s revision {r.sha[:8]}" for r in guarded.merged_with)
        merged = replace(guarded.story, waivers=list(briefing.waivers))  # the section merge does not carry waivers
        return merged, [f"merged with {who}: their changes to other sections are kept"]
