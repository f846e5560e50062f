"""History: the desk's commits (or one story's), and which sections a revision changed."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from stories import codec
from stories.model import Briefing
from stories.profile import Profile
from stories.repo.handle import GitHandle, RepoError
from stories.repo.message import LOG_FORMAT, CommitInfo, read_log

PathOf = Callable[[str, str], "str | None"]
"""(commit, story id) -> the story's path at that commit, or None."""


@dataclass(frozen=True)
class SectionChange:
    """How one section differs between two revisions of a story."""

    key: str
    label: str
    before: str
    after: str
    change: str  # "added" | "removed" | "changed"

    def lines(self) -> list[tuple[str, str]]:
        """A line diff: ("-", line) removed, ("+", line) added, (" ", line) kept."""
        result: list[tuple[str, str]] = []
        for op in difflib.ndiff(self.before.splitlines(), self.after.splitlines()):
            if op[:1] in ("-", "+", " "):
                result.append((op[0], op[2:]))
        return result


def log(git: GitHandle, path_of: PathOf, story_id: str | None = None, limit: int = 200) -> list[CommitInfo]:
    """Commits of the desk (or of one story, on HEAD and its story branch), newest first."""
    if git.rev("HEAD") is None:
        return []
    args = ["log", f"--format={LOG_FORMAT}", f"-n{int(limit)}"]
    if story_id is None:
        args.append("HEAD")
    else:
        revs = ["HEAD"]
        story_branch = f"refs/heads/story/{story_id}"
        if git.rev(story_branch):
            revs.append(story_branch)
        paths = {p for rev in revs if (c := git.rev(rev)) and (p := path_of(c, story_id))}
        if paths:
            args += [*revs, "--", *sorted(paths)]
        else:
            args += [*revs, "--fixed-strings", f"--grep=Story-Id: {story_id}"]
    return read_log(git.must(*args, what="reading the history"))


def section_text(briefing: Briefing | None, key: str) -> str:
    """One section of a story as plain text, for comparing two revisions."""
    if briefing is None:
        return ""
    if key == "topics":
        return "\n".join(briefing.topics)
    if key == "related":
        return "\n".join(briefing.related)
    if key == "source":
        source = briefing.source
        if source is None:
            return ""
        return "\n".join(v for v in (source.name, source.title, source.url) if v)
    return briefing.text(key)


def section_diff(
    git: GitHandle, profile: Profile, path_of: PathOf, current_path: str | None,
    story_id: str, old_rev: str | None, new_rev: str = "HEAD",
) -> list[SectionChange]:
    """Which sections changed between two revisions of a story, and how (old_rev None: all added)."""
    before = _story_at(git, profile, path_of, current_path, story_id, old_rev) if old_rev else None
    after = _story_at(git, profile, path_of, current_path, story_id, new_rev)
    keys = [(s.key, s.label) for s in profile.sections] + [("topics", "Topics"), ("related", "Related stories"), ("source", "Source")]
    changes = []
    for key, label in keys:
        old_text = section_text(before, key)
        new_text = section_text(after, key)
        if old_text == new_text:
            continue
        kind = "added" if not old_text else "removed" if not new_text else "changed"
        changes.append(SectionChange(key, label, old_text, new_text, kind))
    return changes


def _story_at(git: GitHandle, profile: Profile, path_of: PathOf, current_path: str | None, story_id: str, rev: str) -> Briefing | None:
    commit = git.rev(rev)
    if commit is None:
        raise RepoError(f"there is no revision {rev!r} in the content repo")
    # Stories keep their path, so try where it is now before indexing an old tree.
    path = current_path
    text = git.blob_text(commit, path) if path else None
    if text is None:
        path = path_of(commit, story_id)
        text = git.blob_text(commit, path) if path else None
    if text is None:
        return None
    return codec.loads(text, profile, f"{rev}:{path}")
