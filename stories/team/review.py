"""Review in branch mode, over plain git: stories waiting on ``story/<id>``, approve, request changes.

A desk in branch mode publishes each story to its own branch ``story/<id>``
and sync pushes it. A colleague lists those branches on the remote, reads
the section diff against the base branch, and either approves (the story
is merged into the base with a ``Reviewed-by:`` trailer, pushed, and its
branch deleted, in one atomic push guarded by the tip that was reviewed) or
requests changes (a note on the desk-state ref, which the author fetches
with the next sync). Nothing here touches the reviewer's work tree; the
checkout catches up through the content repo's own sync.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stories.model import utcnow
from stories.team.gitrun import GitHandle, TeamError, first_line
from stories.team.state import APPROVED, CHANGES_REQUESTED, DeskState, ReviewNote, age_text

if TYPE_CHECKING:
    from stories.repo import Editor, SectionChange

STORY_PREFIX = "story/"
_US, _RS = "\x1f", "\x1e"
_COUNT = re.compile(r"(\d+)\s+(passed|warnings?|errors?|waived|waivers?)")


@dataclass(frozen=True)
class CheckCounts:
    """The ``Checks:`` trailer of a story's tip commit, read as numbers (None: not stated)."""

    text: str = ""
    passed: int | None = None
    warnings: int = 0
    errors: int = 0
    waived: int = 0


@dataclass(frozen=True)
class Review:
    """One story waiting for review on the remote."""

    story_id: str
    branch: str
    commit: str
    headline: str
    author: str
    email: str
    date: datetime
    checks: CheckCounts
    new_story: bool
    path: str = ""
    verdict: ReviewNote | None = None

    def age(self, now: datetime | None = None) -> str:
        """How long the story has waited since its last revision: ``5m``, ``3h``, ``2d``."""
        return age_text(self.date, now or utcnow())

    @property
    def changes_requested(self) -> bool:
        """True when a reviewer asked for changes to this very revision."""
        return self.verdict is not None and self.verdict.verdict == CHANGES_REQUESTED and self.verdict.commit == self.commit


@dataclass(frozen=True)
class ReviewDetail:
    """What ``review show`` says: the review, its section changes against the base, and the checks."""

    review: Review
    base: str
    changes: list[SectionChange]
    findings: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewOutcome:
    """What approve or request-changes did, as lines for the editor."""

    ok: bool
    message: str
    commit: str = ""


def parse_checks(text: str) -> CheckCounts:
    """``12 passed, 1 warning`` (and errors / waived, when a desk's trailer names them) as numbers."""
    text = " ".join(text.split())
    numbers: dict[str, int] = {}
    for count, word in _COUNT.findall(text):
        numbers[word.rstrip("s") if word not in ("passed",) else word] = int(count)
    return CheckCounts(
        text, numbers.get("passed"), numbers.get("warning", 0), numbers.get("error", 0),
        numbers.get("waived", numbers.get("waiver", 0)),
    )


class ReviewDesk:
    """The review side of one content repo and its remote."""

    def __init__(self, repo_path: Path | str, remote: str | None = None) -> None:
        self._git = GitHandle(repo_path)
        self.root = self._git.root
        self.remote = remote or self._git.default_remote()
        self.base = self._base_branch()
        self.online: bool | None = None

    def close(self) -> None:
        """Stop git's helper processes."""
        self._git.close()

    def git_identity(self) -> tuple[str, str]:
        """git's own user.name and user.email for this repo (empty when unset)."""
        return self._git.identity()

    def __enter__(self) -> ReviewDesk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _base_branch(self) -> str:
        from stories.profile import ProfileError, load_profile

        try:
            base = load_profile(self.root).publish_base
        except (ProfileError, OSError):
            base = ""
        return base or "main"

    def _need_remote(self) -> str:
        if self.remote is None:
            raise TeamError("the content repo has no remote, so there is nothing to review (add one: git remote add origin URL)")
        return self.remote

    def _tracking(self, branch: str) -> str:
        return f"refs/remotes/{self._need_remote()}/{branch}"

    # -- reading ------------------------------------------------------------

    def refresh(self, editor: Editor | None = None) -> str:
        """Fetch the story branches, the base branch and the desk state; a status line (offline is no error)."""
        remote = self._need_remote()
        fetched = self._git.network(
            "fetch", "--quiet", "--prune", "--no-write-fetch-head", remote,
            f"+refs/heads/{STORY_PREFIX}*:refs/remotes/{remote}/{STORY_PREFIX}*",
            f"+refs/heads/{self.base}:refs/remotes/{remote}/{self.base}",
        )
        self.online = fetched.returncode == 0
        if not self.online:
            return f"offline: showing the stories waiting on {remote} as of the last sync ({first_line(fetched.stderr)})"
        self._forget_merged()
        with DeskState(self.root) as desk:
            return desk.fetch(remote, editor).message

    def _forget_merged(self) -> None:
        """Drop local story branches already merged into the remote's base, so sync never pushes them again."""
        base_tip = self._git.rev(self._tracking(self.base))
        if base_tip is None:
            return
        out = self._git.run("for-each-ref", "--format=%(refname) %(objectname)", f"refs/heads/{STORY_PREFIX}").stdout
        for line in out.splitlines():
            ref, _, sha = line.partition(" ")
            if sha and self._git.is_ancestor(sha, base_tip):
                self._git.run("update-ref", "-d", ref, sha)

    def reviews(self) -> list[Review]:
        """The stories on the remote's ``story/<id>`` branches not yet in the base branch, oldest first."""
        remote = self._need_remote()
        base_tip = self._git.rev(self._tracking(self.base)) or self._git.rev(f"refs/heads/{self.base}")
        fmt = _US.join(["%(refname)", "%(objectname)", "%(authorname)", "%(authoremail)", "%(committerdate:iso-strict)",
                        "%(trailers:key=Checks,valueonly)", "%(contents:subject)"]) + _RS
        out = self._git.must("for-each-ref", f"--format={fmt}", f"refs/remotes/{remote}/{STORY_PREFIX}", what="listing the story branches")
        with DeskState(self.root) as desk:
            verdicts = desk.reviews()
        found = []
        for record in out.split(_RS):
            parts = record.strip("\n").split(_US)
            if len(parts) != 7:
                continue
            ref, sha, author, email, date, checks, subject = parts
            story_id = ref.removeprefix(f"refs/remotes/{remote}/{STORY_PREFIX}")
            if base_tip and self._git.is_ancestor(sha, base_tip):
                continue  # already approved and merged
            path = self._story_file(story_id, sha, base_tip)
            headline = self._headline(sha, path) or subject.split(": ", 1)[-1]
            new_story = not (base_tip and path and self._git.run("cat-file", "-e", f"{base_tip}:{path}").returncode == 0)
            found.append(Review(
                story_id, f"{STORY_PREFIX}{story_id}", sha, headline, author, email.strip("<>"), datetime.fromisoformat(date),
                parse_checks(checks), new_story, path, verdicts.get(story_id),
            ))
        return sorted(found, key=lambda r: (r.date, r.story_id))

    def review(self, story_id: str) -> Review:
        """The story waiting on ``story/<story_id>``; TeamError when there is none."""
        for review in self.reviews():
            if review.story_id == story_id:
                return review
        raise TeamError(f"no story {story_id!r} is waiting for review on {self.remote} (briefdesk review list shows the waiting ones)")

    def show(self, story_id: str) -> ReviewDetail:
        """The waiting story's section changes against the base branch, and its checks run again."""
        from stories.repo import ContentRepo, RepoError

        review = self.review(story_id)
        base_ref = self._tracking(self.base)
        try:
            with ContentRepo.open(self.root) as repo:
                changes = repo.section_diff(story_id, None if review.new_story else base_ref, review.commit)
                findings = self._findings(repo, story_id, review.commit, base_ref)
        except KeyError:
            raise TeamError(f"{review.branch} holds no published story file for {story_id}; ask the author to publish it again") from None
        except (RepoError, ValueError) as exc:
            raise TeamError(f"cannot read the story {story_id} on {review.branch}: {exc}") from None
        return ReviewDetail(review, self.base, changes, findings)

    def _findings(self, repo: Any, story_id: str, commit: str, base_ref: str) -> list[Any]:
        """The desk's checks on the story as it waits, against its own source snapshot."""
        from stories.checks import run_checks

        story = repo.story(story_id, commit)
        snapshot = story.source.snapshot if story.source else ""
        source = repo.source_text(snapshot, commit) if snapshot else None
        published = [p for p in repo.published(base_ref) if p.id != story_id]
        return list(run_checks(story, source, repo.profile, published))

    def _story_file(self, story_id: str, tip: str, base_tip: str | None) -> str:
        """Where the branch's story lives, found among the files the branch changed (O(change))."""
        fork = self._git.run("merge-base", base_tip, tip).stdout.strip() if base_tip else ""
        if fork:
            out = self._git.run("diff", "--name-only", "--no-renames", "-z", fork, tip, "--", "stories/").stdout
        else:
            out = self._git.run("ls-tree", "-r", "-z", "--name-only", tip, "stories/").stdout
        paths = [p for p in out.split("\0") if p.endswith(f"/{story_id}.toml")]
        return paths[0] if paths else ""

    def _headline(self, commit: str, path: str) -> str:
        import tomllib

        text = self._git.blob(commit, path) if path else None
        try:
            value = tomllib.loads(text).get("headline", "") if text else ""
        except tomllib.TOMLDecodeError:
            return ""
        return " ".join(value.split()) if isinstance(value, str) else ""

    # -- deciding -----------------------------------------------------------

    def approve(self, story_id: str, reviewer: Editor) -> ReviewOutcome:
        """Merge the waiting story into the base branch with a ``Reviewed-by:`` trailer, push, delete its branch."""
        remote = self._need_remote()
        status = self.refresh(reviewer)
        if not self.online:
            raise TeamError(f"not approved: {status}. Approving needs the remote; nothing was changed")
        for attempt in (1, 2):
            review = self.review(story_id)
            if review.email.lower() == reviewer.email.lower():
                raise TeamError(f"you wrote the latest revision of {story_id}; a colleague must review it. Nothing was changed")
            base_tip = self._git.rev(self._tracking(self.base))
            if base_tip is None:
                raise TeamError(f"{remote} has no branch {self.base} to merge the story into")
            tree = self._merged_tree(base_tip, review)
            commit = self._merge_commit(tree, base_tip, review, reviewer)
            pushed = self._git.network(
                "push", "--porcelain", "--atomic", f"--force-with-lease=refs/heads/{review.branch}:{review.commit}",
                remote, f"{commit}:refs/heads/{self.base}", f":refs/heads/{review.branch}",
            )
            if pushed.returncode == 0:
                self._git.run("update-ref", self._tracking(self.base), commit)
                self._git.run("update-ref", "-d", self._tracking(review.branch))
                if self._git.rev(f"refs/heads/{review.branch}") == review.commit:
                    self._git.run("update-ref", "-d", f"refs/heads/{review.branch}", review.commit)
                with DeskState(self.root) as desk:
                    desk.record_review(story_id, reviewer, APPROVED, "", review.commit)
                    desk.push(remote, reviewer)
                return ReviewOutcome(True, f'approved "{review.headline}": merged into {remote}/{self.base} as {commit[:8]}', commit)
            text = pushed.stdout + pushed.stderr
            if "stale info" in text:
                raise TeamError(f"not approved: the author pushed a new revision of {story_id} meanwhile; review it again")
            if "rejected" not in text and "fetch first" not in text:
                raise TeamError(f"not approved: {remote} did not answer ({first_line(pushed.stderr)}); nothing was changed")
            if attempt == 1:
                self.refresh(reviewer)  # a colleague moved the base: merge onto their tip and try once more
        raise TeamError(f"not approved: {remote}/{self.base} kept moving; try again")

    def _merged_tree(self, base_tip: str, review: Review) -> str:
        """The tree of base + story: git's merge, and where it clashes on the story file, the section merge."""
        merged = self._git.run("merge-tree", "--write-tree", "--name-only", "--no-messages", base_tip, review.commit)
        tree, *clashing = [p for p in merged.stdout.splitlines() if p] or [""]
        if merged.returncode == 0:
            return tree.strip()
        refusal = (
            f"not approved: story/{review.story_id} clashes with {self.base} in {', '.join(clashing) or 'its files'}. "
            "Ask the author to sync and publish it again; nothing was changed"
        )
        if merged.returncode != 1 or clashing != [review.path]:
            raise TeamError(refusal)
        from stories.profile import ProfileError, load_profile
        from stories.team.merge import merge_story_files

        fork = self._git.run("merge-base", base_tip, review.commit).stdout.strip()
        texts = [self._git.blob(rev, review.path) for rev in (fork, base_tip, review.commit)]
        if None in texts:
            raise TeamError(refusal)
        try:
            profile = load_profile(self.root)
        except ProfileError as exc:
            raise TeamError(str(exc)) from None
        files = merge_story_files(*texts, profile, review.path)  # type: ignore[arg-type]
        if files.text is None:
            keys = ", ".join(c.key for c in files.result.conflicts) if files.result else files.error
            raise TeamError(f"not approved: story/{review.story_id} and {self.base} both changed {keys}. Ask the author to sync and publish again; nothing was changed")
        blob = self._git.must("hash-object", "-w", "--stdin", input=files.text, what="writing the merged story").strip()
        return self._splice(tree, review.path, blob)

    def _splice(self, tree: str, path: str, blob: str) -> str:
        """``tree`` with the file at ``path`` replaced by ``blob`` (through a throwaway index)."""
        fd, name = tempfile.mkstemp(prefix="briefdesk-review-", suffix=".index", dir=self._git.git_dir)
        os.close(fd)
        os.unlink(name)
        env = {"GIT_INDEX_FILE": name}
        try:
            self._git.must("read-tree", tree, env=env, what="merging the story")
            self._git.must("update-index", "--cacheinfo", f"100644,{blob},{path}", env=env, what="merging the story")
            return self._git.must("write-tree", env=env, what="merging the story").strip()
        finally:
            if os.path.exists(name):
                os.unlink(name)

    def _merge_commit(self, tree: str, base_tip: str, review: Review, reviewer: Editor) -> str:
        checks = f"Checks: {review.checks.text}\n" if review.checks.text else ""
        message = (
            f"Approve: {review.headline}\n\n"
            f"Merge {review.branch}, written by {review.author}, after review.\n\n"
            f"Story-Id: {review.story_id}\n{checks}Reviewed-by: {reviewer.name} <{reviewer.email}>\n"
        )
        env = {
            "GIT_AUTHOR_NAME": reviewer.name, "GIT_AUTHOR_EMAIL": reviewer.email,
            "GIT_COMMITTER_NAME": reviewer.name, "GIT_COMMITTER_EMAIL": reviewer.email,
        }
        return self._git.must("commit-tree", tree, "-p", base_tip, "-p", review.commit, "-F", "-", input=message, env=env, what="making the merge").strip()

    def request_changes(self, story_id: str, reviewer: Editor, note: str) -> ReviewOutcome:
        """Keep the story off the base branch and leave a note the author sees after a sync."""
        if not note.strip():
            raise TeamError("a request for changes needs a note saying what to change (--note TEXT)")
        remote = self._need_remote()
        self.refresh(reviewer)
        review = self.review(story_id)
        with DeskState(self.root) as desk:
            desk.record_review(story_id, reviewer, CHANGES_REQUESTED, note, review.commit)
            pushed = desk.push(remote, reviewer)
        where = f"the author sees it after their next sync" if pushed.state == "synced" else f"{pushed.message}"
        return ReviewOutcome(True, f'changes requested on "{review.headline}": {where}')


def list_reviews(repo: Path | str, remote: str | None = None) -> list[Review]:
    """The stories waiting for review on ``remote`` (fetched first; offline: as of the last sync)."""
    with ReviewDesk(repo, remote) as desk:
        desk.refresh()
        return desk.reviews()
