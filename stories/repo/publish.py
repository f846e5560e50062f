"""Publishing one story: check it, commit it and its source snapshot, and touch nothing else.

Publishing never uses the editor's index to build the commit. It writes the
story and snapshot blobs, puts them into the branch tip's trees (only the few
trees on the way to the two paths are rewritten), makes the commit with ``git
commit-tree`` (git's own rules for names and dates) and moves the branch with
``git update-ref`` guarded by its old value. Only then are the two published
paths brought in line in the work tree and the real index (see
``checkout``); whatever else the editor has staged or changed stays as it
was. A desk in review mode puts each story on its own branch ``story/<id>``
without touching the checkout at all.

The checks get only the published stories they can be about (the same
source, the related ones), looked up in the story index: the cost of a
publish does not grow with the archive.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from stories import codec
from stories.checks import Finding, run_checks
from stories.ids import is_valid_id
from stories.index import StoryIndex
from stories.model import Briefing, PublishedStory, SourceRef, content_hash
from stories.profile import Profile
from stories.repo import checkout, message
from stories.repo.handle import GitHandle, RepoError
from stories.repo.identity import Editor, git_config, ident_env, identity
from stories.repo.trees import put_files


class PublishRefused(RepoError):
    """The checks found errors: nothing was written."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        lines = [f"  {f.section}: {f.message} ({f.check})" for f in self.findings if f.severity == "error"]
        if not lines:
            lines = [f"  {f.section}: {f.message} ({f.check})" for f in self.findings if f.severity == "warning"]
        super().__init__("not published: the checks found problems:\n" + "\n".join(lines))


@dataclass
class PublishResult:
    """What a publish did: ``publish`` (new story), ``revise`` or ``unchanged`` (no commit)."""

    action: str
    commit: str | None
    path: str
    findings: list[Finding] = field(default_factory=list)
    branch: str = ""
    snapshot_path: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    """Where a publish goes: the branch, its tip before (None: a new story branch), the base, the parent."""

    branch: str
    old: str | None
    base: str
    parent: str
    branch_mode: bool


def empty_message(branch: str, what: str) -> str:
    """Why there is nothing to publish onto, and what to do."""
    return (
        f"{what} ({branch or 'none'}) has no commits yet, so there is nothing to publish onto. "
        f"Make a first commit, or start a new content repo with: briefdesk init DIR"
    )


def find_path(git: GitHandle, index: StoryIndex, commit: str, story_id: str) -> str | None:
    """Where the published story with this id lives at ``commit``, or None."""
    with git.reading:
        row = index.at(git.tree_id(commit, "stories")).by_id(story_id)
    return row.path if row else None


def publish(
    git: GitHandle, index: StoryIndex, profile: Profile, briefing: Briefing, source_text: str | None,
    editor: Editor | None, allow_warnings: bool, now: datetime,
) -> PublishResult:
    """Check and commit one story (and its source snapshot) and nothing else.

    Raises PublishRefused when the checks find errors (or warnings, with
    ``allow_warnings=False``) and RepoError on any fault; in both cases the
    repo is as it was.
    """
    config = git_config(git.cmd)
    author = identity(git.cmd, editor, config)
    if not is_valid_id(briefing.id):
        raise RepoError(f"the story id {briefing.id!r} cannot be a file name (lowercase letters, digits and hyphens)")
    if not briefing.headline.strip():
        raise RepoError("the story has no headline")
    git.check_writable()
    with git.lock():
        notes = checkout.heal(git)
        target = _target(git, profile, briefing.id)
        result = _publish_locked(git, index, profile, briefing, source_text, author, config, allow_warnings, target, now)
    result.notes[:0] = notes
    return result


def _target(git: GitHandle, profile: Profile, story_id: str) -> _Target:
    if profile.publish_mode == "branch":
        base_name = profile.publish_base or git.branch_or_none() or ""
        if not base_name:
            raise RepoError(
                "HEAD is detached and desk.toml names no base branch for story branches. "
                'Switch to a branch (git switch main) or set [publish] base = "main" in desk.toml'
            )
        base = git.rev(f"refs/heads/{base_name}")
        if base is None:
            raise RepoError(empty_message(base_name, "the base branch for story branches"))
        branch = f"story/{story_id}"
        old = git.rev(f"refs/heads/{branch}")
        parent = old or base
        if old and old != base and git.run("merge-base", "--is-ancestor", old, base).returncode == 0:
            parent = base  # the story branch was merged: a revision starts from the base again
        return _Target(branch, old, base, parent, True)
    git.check_operations()
    branch = git.branch()
    git.check_index_lock()
    tip = git.rev(f"refs/heads/{branch}")
    if tip is None:
        raise RepoError(empty_message(branch, "the current branch"))
    return _Target(branch, tip, tip, tip, False)


def relevant(git: GitHandle, index: StoryIndex, base: str, story: Briefing) -> list[PublishedStory]:
    """The published stories at ``base`` the repository checks can be about: the same source, or related.

    Looked up by canonical URL and by id, never by reading every story.
    """
    with git.reading:
        rows = index.at(git.tree_id(base, "stories"))
        found: dict[str, PublishedStory] = {}
        if story.source and story.source.url.strip():
            for row in rows.by_url(story.source.url):
                found.setdefault(row.id, row)
        for related in story.related:
            row = rows.by_id(related)
            if row is not None:
                found.setdefault(row.id, row)
    return [row for row in found.values() if row.id != story.id]


def _dumps(story: Briefing, profile: Profile, previous: str | None) -> str:
    if previous is None:
        return codec.dumps(story, profile)
    try:
        return codec.dumps(story, profile, previous=previous)
    except Exception:  # a previous file tomlkit cannot edit is rewritten whole
        return codec.render(story, profile)


def _publish_locked(
    git: GitHandle, index: StoryIndex, profile: Profile, briefing: Briefing, source_text: str | None,
    author: Editor, config: dict[str, str], allow_warnings: bool, target: _Target, now: datetime,
) -> PublishResult:
    parent, branch, branch_mode = target.parent, target.branch, target.branch_mode
    path = find_path(git, index, parent, briefing.id)
    if path is None and parent != target.base:
        path = find_path(git, index, target.base, briefing.id)
    previous_text = git.blob_text(parent, path) if path else None
    previous: Briefing | None = None
    if previous_text is not None:
        with contextlib.suppress(codec.StoryFileError):
            previous = codec.loads(previous_text, profile, path or "")

    created = (previous.created if previous and previous.created else None) or briefing.created or now
    source = replace(briefing.source) if briefing.source is not None else None
    snapshot_path = ""
    if source_text is not None:
        snapshot = content_hash(source_text)
        if source is None:
            source = SourceRef()
        source.snapshot = snapshot
        snapshot_path = f"sources/{snapshot}.txt"
    story = replace(briefing, status="published", created=created, source=source, topics=list(briefing.topics), related=list(briefing.related))
    if path is None:
        path = f"stories/{created.year:04d}/{story.id}.toml"

    findings = run_checks(story, source_text, profile, relevant(git, index, target.base, story))
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning"]
    if errors or (warnings and not allow_warnings):
        raise PublishRefused(findings)

    snapshot_needed = bool(snapshot_path) and git.object(f"{parent}:{snapshot_path}") is None
    if previous_text is not None:
        same = replace(story, updated=previous.updated if previous else None)
        if _dumps(same, profile, previous_text) == previous_text and not snapshot_needed:
            if not branch_mode:
                checkout.restore_missing(git, parent, [path, snapshot_path] if snapshot_path else [path])
            return PublishResult("unchanged", None, path, findings, branch, snapshot_path)
    story.updated = now
    text = _dumps(story, profile, previous_text)
    action = "revise" if previous_text is not None else "publish"

    if not branch_mode:
        checkout.check_hand_edits(git.root, path, previous_text, text)
    files: dict[str, str] = {path: text}
    if snapshot_needed and source_text is not None:
        files[snapshot_path] = source_text
    blobs = {p: git.write_object("blob", content.encode("utf-8")) for p, content in files.items()}
    parent_tree = git.tree_id(parent, "")
    if parent_tree is None:
        raise RepoError(f"the commit {parent} cannot be read: run git fsck in the content repo")
    tree = put_files(git, parent_tree, blobs)
    committer = Editor(config.get("user.name", ""), config.get("user.email", ""))
    env = ident_env(author, committer if committer.name and committer.email else author)
    commit = git.must(
        "commit-tree", tree, "-p", parent, "-F", "-", input=message.render(action, story, findings, author), env=env, what="writing the commit"
    ).strip()

    ref = f"refs/heads/{branch}"
    if not branch_mode:
        checkout.write_journal(git, checkout.Journal(ref, commit, parent, blobs))
    try:
        git.move_ref(ref, commit, target.old, f"briefdesk: {action} {story.id}")
    except RepoError:
        checkout.clear_journal(git)
        raise
    notes: list[str] = []
    if not branch_mode:
        try:
            checkout.write_work_tree(git.root, files)
        except OSError as exc:
            git.run("update-ref", "-m", "briefdesk: undo failed publish", ref, parent, commit)
            checkout.clear_journal(git)
            raise RepoError(f"could not write {exc.filename or path}: {exc.strerror or exc}. Nothing was published; the repo is as it was") from None
        notes.extend(checkout.sync_index(git, blobs, _may_filter(git, config)))
        if not notes:
            checkout.clear_journal(git)
        with git.reading:
            index.note(git.tree_id(parent, "stories"), git.tree_id(tree, "stories") or "", {path: (blobs[path], text)})
    # What git commit does after every commit: pack loose objects once there are many.
    git.run("maintenance", "run", "--auto", "--quiet")
    return PublishResult(action, commit, path, findings, branch, snapshot_path, notes)


def _may_filter(git: GitHandle, config: dict[str, str]) -> bool:
    """True when git might change bytes on their way into the index (attributes, autocrlf)."""
    if config.get("core.autocrlf", "false").lower() not in ("false", "0", "no", "off", ""):
        return True
    return (git.root / ".gitattributes").exists() or (git.common_dir / "info" / "attributes").exists()
