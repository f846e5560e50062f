"""Sync: pull with rebase, then push, to the desk's remote; offline or without a remote, a one-line status.

Local commits are replayed onto the remote's by git itself: each one is a
three-way ``git merge-tree --write-tree`` (its parent as the base), made
without a work tree or index, and recommitted with its own author and
message. When git's line merge clashes on a story file, the story is merged
by its sections (``stories.team.merge``): edits of different sections by two
editors are both kept, and only the same section changed on both sides is a
conflict (kept on a ``conflict/…`` branch, naming the story and the sections).
The work tree only ever moves by a two-tree ``git read-tree -m -u``
(what ``git checkout`` does), which keeps staged and unstaged changes to other
files and refuses rather than overwrite a change the editor has not committed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

from stories import codec
from stories.model import utcnow
from stories.profile import Profile
from stories.repo.handle import NETWORK_TIMEOUT, GitHandle, GitRun, RepoError, first_line
from stories.repo.identity import Editor, git_identity
from stories.repo.message import STORY_IDS_FORMAT, story_ids
from stories.text import plural
from stories.repo.publish import empty_message
from stories.repo.trees import put_files
from stories.team.merge import merge_story_files


@dataclass(frozen=True)
class RepoStatus:
    """Where the checkout stands against its remote (no network: as of the last fetch)."""

    branch: str | None
    ahead: int
    behind: int
    has_remote: bool
    waiting: int
    remote: str = ""


@dataclass(frozen=True)
class SyncResult:
    """The outcome of a sync, as one line for the status bar."""

    ok: bool
    message: str
    conflict_branch: str | None = None
    state: str = "synced"  # synced | offline | no-remote | bad-remote | conflict | rejected


@dataclass(frozen=True)
class _Clash:
    """What stopped a replay: the paths git could not merge, and per story file the sections both sides changed."""

    paths: list[str]
    sections: dict[str, list[str]]


def _is_story(path: str) -> bool:
    return path.startswith("stories/") and path.endswith(".toml")


def _story_id(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".toml")


def _stories(count: int) -> str:
    return plural(count, "story", "stories")


class Syncer:
    """Sync and status of one content repo (its git handle and profile)."""

    def __init__(self, git: GitHandle, profile: Profile, editor: Editor | None) -> None:
        self.git = git
        self.profile = profile
        #: The committer of replayed commits when git has no identity configured.
        self.editor = editor
        #: The stories the last replay merged by section (their ids), for the sync's one line.
        self.merged: list[str] = []

    # -- where we stand -------------------------------------------------------

    def remote(self, branch: str | None) -> str | None:
        """The remote sync talks to: desk.toml's, the branch's upstream, else origin (or the only one)."""
        remotes = self.git.run("remote").stdout.split()
        if not remotes:
            return None
        wanted = self.profile.publish_remote
        if wanted:
            return wanted if wanted in remotes else None
        if branch:
            configured = self.git.run("config", f"branch.{branch}.remote").stdout.strip()
            if configured in remotes:
                return configured
        if "origin" in remotes:
            return "origin"
        return remotes[0] if len(remotes) == 1 else None

    def _remote_branch(self, branch: str) -> str:
        merge = self.git.run("config", f"branch.{branch}.merge").stdout.strip()
        return merge.removeprefix("refs/heads/") if merge.startswith("refs/heads/") else branch

    def _waiting(self, head: str, tracking: str | None) -> int:
        """Stories with commits on ``head`` that the remote does not have yet (read from Story-Id trailers)."""
        args = ["log", f"--format={STORY_IDS_FORMAT}", head]
        args += ["--not", tracking] if tracking else ["--not", "--remotes"]
        return len(story_ids(self.git.run(*args).stdout))

    def status(self) -> RepoStatus:
        """Branch, ahead/behind its remote (as of the last fetch) and stories waiting to be pushed."""
        git = self.git
        branch = git.branch_or_none()
        head = git.rev("HEAD")
        remote = self.remote(branch)
        if head is None:
            return RepoStatus(branch, 0, 0, remote is not None, 0, remote or "")
        tracking = git.rev(f"refs/remotes/{remote}/{self._remote_branch(branch)}") if remote and branch else None
        ahead = behind = 0
        if tracking:
            counts = git.run("rev-list", "--left-right", "--count", f"{head}...{tracking}").stdout.split()
            if len(counts) == 2:
                ahead, behind = int(counts[0]), int(counts[1])
        else:
            ahead = int(git.run("rev-list", "--count", head, "--not", "--remotes").stdout.strip() or 0)
        return RepoStatus(branch, ahead, behind, remote is not None, self._waiting(head, tracking), remote or "")

    # -- sync ---------------------------------------------------------------

    def sync(self) -> SyncResult:
        """Pull with rebase, then push (the caller holds the writer lock).

        In review mode the story branches (``story/<id>``) that the remote does
        not have yet are pushed too, ready for a pull request.
        """
        result = self._sync_branch()
        if self.profile.publish_mode != "branch" or result.state != "synced":
            return result
        remote = self.remote(self.git.branch_or_none())
        waiting = self._story_branches(remote) if remote else []
        if not waiting:
            return result
        pushed = self._network("push", "--porcelain", remote, *(f"refs/heads/{b}:refs/heads/{b}" for b in waiting))
        done = [b for b in waiting if f"refs/heads/{b}:refs/heads/{b}" in pushed.stdout and f"!\trefs/heads/{b}:" not in pushed.stdout]
        message = f"{result.message}; pushed {plural(len(done), 'story branch', 'story branches')} for review"
        if len(done) < len(waiting):
            stuck = [b for b in waiting if b not in done]
            message += f" ({', '.join(stuck)} could not be pushed: {first_line(pushed.stderr) or 'rejected'})"
        return replace(result, message=message)

    def _story_branches(self, remote: str) -> list[str]:
        """Local ``story/<id>`` branches whose tip the remote does not have (as of the last fetch or push)."""
        git = self.git
        out = git.run("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/story/").stdout
        theirs = dict(
            line.split(" ", 1)
            for line in git.run("for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/remotes/{remote}/story/").stdout.splitlines()
            if " " in line
        )
        waiting = []
        for line in out.splitlines():
            name, _, sha = line.partition(" ")
            if theirs.get(f"{remote}/{name}") != sha:
                waiting.append(name)
        return waiting

    def _sync_branch(self) -> SyncResult:
        git = self.git
        git.check_operations()
        branch = git.branch()
        git.check_index_lock()
        head = git.rev(f"refs/heads/{branch}")
        if head is None:
            raise RepoError(empty_message(branch, "the current branch"))
        remote = self.remote(branch)
        if remote is None:
            waiting = self._waiting(head, None)
            return SyncResult(True, f"no remote — {_stories(waiting)} waiting to be pushed (add one: git remote add origin URL)", state="no-remote")
        remote_branch = self._remote_branch(branch)
        tracking_ref = f"refs/remotes/{remote}/{remote_branch}"
        for _attempt in (1, 2):
            fetched = self._network("fetch", "--quiet", remote, f"+refs/heads/{remote_branch}:{tracking_ref}")
            if fetched.returncode != 0 and "couldn't find remote ref" not in fetched.stderr:
                missing = self._missing_remote(remote)
                if missing:
                    waiting = self._waiting(head, git.rev(tracking_ref))
                    return SyncResult(
                        False,
                        f"the remote {remote} points at {missing}, which is not a git repository (moved or deleted?) — "
                        f"{_stories(waiting)} waiting to be pushed. Fix it with: git remote set-url {remote} URL",
                        state="bad-remote",
                    )
                return self._offline(head, tracking_ref, remote)
            tracking = git.rev(tracking_ref) if fetched.returncode == 0 else None
            head = git.rev(f"refs/heads/{branch}") or head
            pulled = 0
            if tracking and tracking != head:
                outcome = self._integrate(branch, head, tracking, remote, remote_branch)
                if isinstance(outcome, SyncResult):
                    return outcome
                head, pulled = outcome
            if tracking == head:
                return SyncResult(True, f"up to date with {remote}/{remote_branch}" + (f" (pulled {plural(pulled, 'commit')})" if pulled else ""))
            waiting = self._waiting(head, tracking)
            pushed = self._network("push", "--porcelain", remote, f"{head}:refs/heads/{remote_branch}")
            if pushed.returncode == 0:
                git.run("update-ref", tracking_ref, head)
                if not git.run("config", f"branch.{branch}.remote").stdout.strip():
                    git.run("branch", f"--set-upstream-to={remote}/{remote_branch}", branch)
                if tracking is None:
                    self._point_remote_head(remote, remote_branch)
                got = f"pulled {plural(pulled, 'commit')}, " if pulled else ""
                combined = f"; combined both editors' changes to {', '.join(self.merged)} by section" if self.merged else ""
                return SyncResult(True, f"synced with {remote}/{remote_branch}: {got}pushed {_stories(waiting)}{combined}")
            rejected = "rejected]" in pushed.stdout or "rejected" in pushed.stderr or "fetch first" in pushed.stderr
            if not rejected:
                return self._offline(head, tracking_ref, remote, first_line(pushed.stderr))
            # Someone pushed between our fetch and our push: fetch, replay and try once more.
        reason = next((line.split("\t")[-1] for line in pushed.stdout.splitlines() if line.startswith("!")), "") or first_line(pushed.stderr)
        return SyncResult(
            False,
            f"{remote} did not take the push, twice ({reason}); nothing was lost — {_stories(waiting)} waiting to be pushed",
            state="rejected",
        )

    def _network(self, *args: str) -> GitRun:
        """A fetch or push; a remote that does not answer in time counts as a failure, not a crash."""
        try:
            return self.git.run(*args, timeout=NETWORK_TIMEOUT)
        except RepoError as exc:
            return GitRun(128, "", f"fatal: {exc}")

    def _local_remote(self, remote: str) -> Path | None:
        """The remote's folder when its URL is a local path (None for ssh, https, host:path)."""
        url = self.git.run("remote", "get-url", remote).stdout.strip()
        path = url.removeprefix("file://")
        if not path or "://" in path or (":" in path.split("/", 1)[0] and not path.startswith("/")):
            return None
        return Path(path) if Path(path).is_absolute() else self.git.root / path

    def _point_remote_head(self, remote: str, remote_branch: str) -> None:
        """After creating the desk branch on a local bare remote whose HEAD names a branch it lacks, point HEAD at ours.

        A bare remote made with ``git init --bare`` on a ``master`` default
        would otherwise hand a colleague's ``git clone`` an empty checkout.
        Other remotes (ssh, https) are left alone, silently.
        """
        folder = self._local_remote(remote)
        if folder is None or not (folder / "HEAD").is_file() or (folder / ".git").exists():
            return  # not a local bare repository
        from stories.repo.handle import GitUnavailable, plain_git, run_git

        command = plain_git(folder)  # the remote's own repository, not this one's GIT_DIR and work tree

        def there(*args: str) -> GitRun:
            return run_git(command, ("--git-dir", str(folder), *args), timeout=30)

        try:
            if there("rev-parse", "--is-bare-repository").stdout.strip() != "true":
                return
            current = there("symbolic-ref", "--quiet", "HEAD").stdout.strip()
            if current == f"refs/heads/{remote_branch}":
                return
            if current and there("rev-parse", "--verify", "--quiet", f"{current}^{{commit}}").returncode == 0:
                return  # HEAD names a branch that exists there: someone chose it
            there("symbolic-ref", "HEAD", f"refs/heads/{remote_branch}")
        except GitUnavailable:
            return  # the push went through all the same; HEAD is a courtesy

    def _missing_remote(self, remote: str) -> str:
        """The remote's folder when it is a local path that holds no repository ("" for a network URL)."""
        folder = self._local_remote(remote)
        if folder is None:
            return ""  # ssh, https, host:path: unreachable means offline
        if (folder / "HEAD").is_file() or (folder / ".git").exists():
            return ""
        return str(folder)

    def _offline(self, head: str, tracking_ref: str, remote: str, reason: str = "") -> SyncResult:
        waiting = self._waiting(head, self.git.rev(tracking_ref))
        if self.profile.publish_mode == "branch":
            waiting += len(self._story_branches(remote))
        why = f" ({reason})" if reason and "Could not read" not in reason and "unable to access" not in reason else ""
        return SyncResult(True, f"offline — {_stories(waiting)} waiting to be pushed to {remote}{why}", state="offline")

    def _integrate(self, branch: str, head: str, tracking: str, remote: str, remote_branch: str) -> tuple[str, int] | SyncResult:
        """Bring the remote's commits in: fast-forward, or replay ours on top; a conflict keeps ours on a branch."""
        git = self.git
        pulled = int(git.must("rev-list", "--count", f"{head}..{tracking}").strip() or 0)
        if git.run("merge-base", "--is-ancestor", tracking, head).returncode == 0:
            return head, 0
        if git.run("merge-base", "--is-ancestor", head, tracking).returncode == 0:
            self._move_branch(branch, head, tracking)
            return tracking, pulled
        replayed = self._replay(head, tracking)
        if not isinstance(replayed, _Clash):
            self._move_branch(branch, head, replayed)
            return replayed, pulled
        return self._conflict(branch, head, tracking, remote, remote_branch, replayed)

    def _move_branch(self, branch: str, old: str, new: str) -> None:
        """Move the checked-out branch from ``old`` to ``new`` the way ``git checkout`` would.

        A two-tree ``read-tree -m -u`` updates only the files that differ and
        keeps everything the editor staged or changed elsewhere (``reset --keep``
        would unstage it); it refuses rather than overwrite an uncommitted change.
        """
        git = self.git
        done = git.run("read-tree", "-m", "-u", old, new)
        if done.returncode != 0:
            changed = git.run("diff", "--name-only", old, new).stdout.split()
            raise RepoError(
                "sync stopped: files it must update have changes you have not committed "
                f"({', '.join(changed[:5])}{'…' if len(changed) > 5 else ''}). Commit or set them aside, then sync again. Nothing was changed"
            )
        moved = git.run("update-ref", "-m", "briefdesk: sync", f"refs/heads/{branch}", new, old)
        if moved.returncode != 0:
            git.run("read-tree", "-m", "-u", new, old)
            raise RepoError(f"the branch {branch} moved during sync (another git command?); nothing was changed, sync again")

    def _committer(self) -> dict[str, str]:
        name, email = git_identity(self.git.cmd)
        if not (name and email):
            fallback = self.editor or Editor("Briefing Desk", "briefdesk@localhost")
            name, email = fallback.name, fallback.email
        return {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}

    def _replay(self, head: str, onto: str) -> str | _Clash:
        """Our commits since the fork, re-made on top of ``onto`` by git, without a work tree.

        Each commit is merged with ``git merge-tree --write-tree`` against a
        stand-in commit that has the new tip's tree and the original parent as
        its only parent, so git's merge base is exactly that parent: the
        three-way merge ``git cherry-pick`` makes. Returns the new tip, or the
        paths that conflict. A clash on story files only is merged by section
        (``_merge_stories``) before it counts as a conflict.
        """
        git = self.git
        commits = git.must("rev-list", "--reverse", "--topo-order", head, "--not", onto).split()
        self.merged = []
        if not commits:
            return onto
        committer = self._committer()
        tip = onto
        for commit in commits:
            fields = git.must("log", "-1", "--format=%P%x1f%an%x1f%ae%x1f%ad%x1f%B", "--date=raw", commit).split("\x1f", 4)
            parents, name, email, date, body = fields[0].split(), *fields[1:]
            if len(parents) != 1:
                return _Clash(["(a merge commit among your local commits: sync by hand with git pull --rebase)"], {})
            tip_tree = git.must("rev-parse", f"{tip}^{{tree}}").strip()
            stand_in = git.must("commit-tree", tip_tree, "-p", parents[0], "-m", "briefdesk sync stand-in", env=committer).strip()
            merged = git.run("merge-tree", "--write-tree", "--name-only", "--no-messages", stand_in, commit)
            lines = merged.stdout.splitlines()
            if merged.returncode not in (0, 1) or not lines:
                raise RepoError(f"sync could not merge your commits: {first_line(merged.stderr) or 'git merge-tree failed'}")
            tree = lines[0].strip()
            if merged.returncode == 1:
                paths = sorted({line for line in lines[1:] if line.strip()})
                settled = self._merge_stories(tree, paths, parents[0], commit, tip)
                if isinstance(settled, _Clash):
                    return settled
                tree = settled
            if tree == tip_tree:
                continue  # already upstream, as git rebase would drop it
            env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date, **committer}
            tip = git.must("commit-tree", tree, "-p", tip, "-F", "-", input=body.rstrip("\n") + "\n", env=env, what="replaying your commits").strip()
        return tip

    def _merge_stories(self, tree: str, paths: list[str], base: str, ours: str, theirs: str) -> str | _Clash:
        """``tree`` with each story file git could not merge line by line merged by section instead.

        ``base`` is the replayed commit's parent, ``ours`` the commit and
        ``theirs`` the tip it goes onto. Any path that is not a story file, a
        story missing on one side (added or deleted there), or the same
        section changed on both sides leaves it a clash.
        """
        git = self.git
        sections: dict[str, list[str]] = {}
        blobs: dict[str, str] = {}
        for path in paths:
            if not _is_story(path):
                return _Clash(paths, sections)
            texts = [git.blob_text(rev, path) for rev in (base, ours, theirs)]
            if any(text is None for text in texts):
                return _Clash(paths, sections)
            merged = merge_story_files(*texts, self.profile, path)  # type: ignore[arg-type]
            if merged.text is None:
                if merged.result is not None:
                    sections[path] = [c.key for c in merged.result.conflicts]
                continue
            blobs[path] = git.write_object("blob", merged.text.encode("utf-8"))
        if len(blobs) < len(paths):
            return _Clash(paths, sections)
        self.merged += [_story_id(p) for p in blobs if _story_id(p) not in self.merged]
        return put_files(git, tree, blobs)

    def _conflict(self, branch: str, head: str, tracking: str, remote: str, remote_branch: str, clash: _Clash) -> SyncResult:
        git = self.git
        paths = clash.paths
        story_paths = [p for p in paths if _is_story(p)]
        ids = [_story_id(p) for p in story_paths]
        story_id = ids[0] if ids else "desk"
        stamp = f"conflict/{story_id}-{utcnow():%Y%m%d-%H%M%S}"
        name, number = stamp, 1
        while git.rev(f"refs/heads/{name}"):
            number += 1
            name = f"{stamp}-{number}"
        git.must("branch", name, head, what="keeping your commits on a branch")
        kept = int(git.must("rev-list", "--count", head, "--not", tracking).strip() or 0)
        headline = ""
        if ids:
            text = git.blob_text(head, story_paths[0])
            with contextlib.suppress(codec.StoryFileError, TypeError):
                headline = codec.loads(text or "", self.profile).headline
        what = f'"{headline}" ({story_id})' if headline else (story_id if ids else ", ".join(paths))
        clashed = clash.sections.get(story_paths[0], []) if story_paths else []
        both = f" in the same {'section' if len(clashed) == 1 else 'sections'} ({', '.join(clashed)})" if clashed else ""
        try:
            self._move_branch(branch, head, tracking)
            moved = True
        except RepoError:
            moved = False
        pushed = self._network("push", "--quiet", remote, f"{name}:refs/heads/{name}").returncode == 0
        where = f" (also pushed to {remote})" if pushed else ""
        if moved:
            after = f"{branch} now matches {remote}/{remote_branch}; open the story to settle it section by section and publish again"
        else:
            after = f"{branch} was left as it was because you have uncommitted changes in files the remote changed"
        return SyncResult(
            False,
            f"conflict: {what} was changed here and on {remote}{both}. Your version ({plural(kept, 'local commit')}) "
            f"is kept on branch {name}{where}; {after}",
            conflict_branch=name,
            state="conflict",
        )
