"""No lost revision: a draft of a published story is checked against what colleagues published since.

A draft records the commit it started from (``started_from``). Before it is
published, ``guard_revision`` compares the story there with the story now:
unchanged, the draft goes as it is; changed in other sections, the draft is
merged with the colleague's revision by section (``stories.team.merge``);
changed in the same section, it is refused, naming the colleague's commits,
unless the editor forces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stories.model import Briefing
from stories.team.gitrun import GitHandle, TeamError
from stories.team.merge import MergeResult, SectionConflict, merge_story

_US = "\x1f"


@dataclass(frozen=True)
class Revision:
    """A colleague's commit that changed the story after the draft started."""

    sha: str
    author: str
    subject: str

    def __str__(self) -> str:
        return f"{self.sha[:8]} by {self.author} ({self.subject})"


class StaleRevision(TeamError):
    """The story changed since the draft started, in a section the draft changed too: nothing was published."""

    def __init__(self, story_id: str, revisions: list[Revision], result: MergeResult) -> None:
        self.revisions = revisions
        #: The merge so far, for the merge screen: ``MergeScreen(exc.result)`` settles the clashes.
        self.result = result
        self.conflicts: list[SectionConflict] = result.conflicts
        conflicts = result.conflicts
        keys = ", ".join(c.key for c in conflicts)
        who = "; ".join(str(r) for r in revisions[:3]) + ("…" if len(revisions) > 3 else "")
        super().__init__(
            f"not published: {story_id} was revised since your draft started ({who}) and both changed {keys}. "
            "Settle it on the merge screen, or publish with --force to replace their version"
        )


@dataclass
class Guarded:
    """What to publish: the draft, or the draft merged with colleagues' revisions (``merged_with`` not empty)."""

    story: Briefing
    merged_with: list[Revision] = field(default_factory=list)
    merge: MergeResult | None = None


def guard_revision(repo: Any, draft: Briefing, started_from: str | None, rev: str = "HEAD", force: bool = False) -> Guarded:
    """The story to publish from ``draft``, given the commit it started from; StaleRevision on a clash.

    ``repo`` is an open ``ContentRepo``. A new story, a draft with no
    recorded start, or ``force`` passes the draft through unchanged. A start
    that ``rev`` does not contain (the editor's own commit, kept on a
    ``conflict/…`` branch by sync) is compared from where the two parted,
    so the editor's own change counts as the draft's, not as the base.
    """
    if force or not started_from:
        return Guarded(draft)
    start = _common_start(repo, started_from, rev)
    if not start:
        # The recorded commit is unknown here (a draft file from another clone): fall back to the file's stamp.
        started_from = start = started_from_file(repo, draft)
        if not start:
            return Guarded(draft)
    try:
        base = repo.story(draft.id, start)
    except KeyError:
        return Guarded(draft)  # the story did not exist yet when the draft started
    try:
        current = repo.story(draft.id, rev)
    except KeyError:
        return Guarded(draft)
    if _same(base, current):
        return Guarded(draft)
    revisions = _revisions(repo, draft.id, started_from, rev)
    result = merge_story(base, draft, current)
    if not result.clean:
        raise StaleRevision(draft.id, revisions, result)
    return Guarded(result.merged, revisions, result)


def _common_start(repo: Any, started_from: str, rev: str) -> str:
    """The commit to compare from: ``started_from`` if ``rev`` contains it, else where the two parted ("" if unknown)."""
    handle = GitHandle(repo.root)
    try:
        done = handle.run("merge-base", started_from, rev)
    finally:
        handle.close()
    return done.stdout.strip() if done.returncode == 0 else ""


def _same(a: Briefing, b: Briefing) -> bool:
    return (a.sections, a.topics, a.related, a.source) == (b.sections, b.topics, b.related, b.source)


def _revisions(repo: Any, story_id: str, since: str, rev: str) -> list[Revision]:
    """The commits that changed the story file between ``since`` and ``rev``, newest first."""
    path = repo.story_path(story_id, rev)
    handle = GitHandle(repo.root)
    try:
        out = handle.run("log", f"--format=%H{_US}%an{_US}%s", f"{since}..{rev}", "--", path or f"stories/*/{story_id}.toml").stdout
    finally:
        handle.close()
    return [Revision(*line.split(_US, 2)) for line in out.splitlines() if line.count(_US) == 2]


def revisions_since(repo: Any, story_id: str, since: str, rev: str = "HEAD") -> list[Revision]:
    """The commits that changed a story between ``since`` and ``rev``, newest first (what ``--force`` replaces)."""
    if not since:
        return []
    return _revisions(repo, story_id, since, rev)


def head_commit(repo: Any) -> str:
    """The commit the content repo stands at ("" in an empty repo): where a new draft of a story starts from."""
    newest = repo.log(None, limit=1)
    return newest[0].sha if newest else ""


def started_from_file(repo: Any, story: Briefing) -> str:
    """The commit a plain story file was taken from: the oldest one whose committed story has the file's ``updated``.

    Every publish stamps ``updated``, so a story file copied out of the repo
    (or edited in the checkout) carries the stamp of the version it was
    edited from. Two publishes within one second share a stamp: the oldest
    of them is taken, so a colleague's revision in that second is compared
    with, never taken as already seen. A file whose stamp no commit has (a
    new story, or one made by hand) has no known start: "" and it is
    published as it is.
    """
    if not story.id or story.updated is None:
        return ""
    found = ""
    for commit in repo.log(story.id):  # newest first
        try:
            stamp = repo.story(story.id, commit.sha).updated
        except (KeyError, ValueError):
            continue
        if stamp == story.updated:
            found = commit.sha
        elif found:
            break  # past the commits of that second (clocks of two machines may differ, so no earlier stop)
    return found
