"""The content repo: an ordinary git repository holding the desk's published stories.

``desk.toml`` sits at the root, stories at ``stories/<yyyy>/<id>.toml``, the
source texts the checks used at ``sources/<sha256>.txt``.

Publishing never uses the editor's index. It writes the story and snapshot
blobs, splices them into the branch tip's trees (only the few trees on the way
to the two paths are rewritten, so the cost does not grow with the archive),
makes the commit with ``git commit-tree`` and moves the branch with ``git
update-ref`` guarded by its old value. Only then are the two published paths
brought in line in the work tree and the real index; whatever else the editor
has staged or changed by hand stays exactly as it was. A desk in review mode
puts each story on its own branch ``story/<id>`` without touching the checkout
at all.

Sync replays local commits onto the remote with the same plumbing (a
temporary index and ``git merge-file`` per changed file), so the work tree is
only ever moved by a two-tree ``git read-tree -m -u`` (what ``git checkout``
does), which keeps staged and unstaged changes to other files and refuses
rather than overwrite a change the editor has not committed.

Git is driven through GitPython, the project's git library (imported on first
use, since it costs ~70 ms of start-up): ``git.Repo`` finds and holds the
repository, its object database reads objects through one long-lived ``git
cat-file`` and writes the new blobs and trees, and commits being replayed are
read as GitPython ``Commit`` objects. The steps that must behave exactly like
git run as git commands through GitPython's runner (``Git.execute``):
``commit-tree`` (git's own identity and date rules: GitPython's commit writer
rejects names git cleans up and ISO dates git accepts), ``update-ref`` with
the old value (an atomic compare-and-swap GitPython's ref writer lacks),
``update-index`` and ``read-tree`` (GitPython's ``IndexFile`` rewrites the
whole 50,000-entry index in Python), ``config`` (GitPython's reader ignores
``GIT_CONFIG_GLOBAL``), ``log``, fetch and push. Writers in this repo are
serialized with ``flock`` on ``.git/briefdesk.lock``.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import io
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stories import codec
from stories.fsutil import atomic_write
from stories.ids import is_valid_id
from stories.index import GitRun, StoryIndex, run_git
from stories.model import Briefing, PublishedStory, SourceRef, content_hash, utcnow
from stories.profile import DESK_FILE, Profile, ProfileError, default_desk_text, load_profile

if TYPE_CHECKING:
    import git

ZERO = "0" * 40
STALE_LOCK_SECONDS = 10 * 60
LOCK_WAIT_SECONDS = 60.0
GIT_LOCK_WAIT_SECONDS = 2.0
NETWORK_TIMEOUT = 60
_US = "\x1f"
_RS = "\x1e"


class RepoError(Exception):
    """Something about the content repo that stops an action, said in words with how to fix it."""


class PublishRefused(RepoError):
    """The checks found errors: nothing was written."""

    def __init__(self, findings: Sequence[Any]) -> None:
        self.findings = list(findings)
        lines = [f"  {f.section}: {f.message} ({f.check})" for f in self.findings if f.severity == "error"]
        if not lines:
            lines = [f"  {f.section}: {f.message} ({f.check})" for f in self.findings if f.severity == "warning"]
        super().__init__("not published: the checks found problems:\n" + "\n".join(lines))


@dataclass(frozen=True)
class Editor:
    """Who publishes: the commit author and the ``Editor:`` trailer."""

    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass
class PublishResult:
    """What a publish did: ``publish`` (new story), ``revise`` or ``unchanged`` (no commit)."""

    action: str
    commit: str | None
    path: str
    findings: list[Any] = field(default_factory=list)
    branch: str = ""
    snapshot_path: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CommitInfo:
    """One commit of the content repo, as the history screen shows it."""

    sha: str
    short: str
    author: str
    email: str
    date: datetime
    subject: str
    body: str
    story_id: str


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
    state: str = "synced"  # synced | offline | no-remote | conflict | rejected


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _gitpython() -> Any:
    """GitPython, imported on first use (~70 ms that commands which never open the repo should not pay)."""
    try:
        import git
    except ImportError as exc:  # GitPython refuses to load when it cannot run git
        raise RepoError(
            f"git is not installed (or not on PATH), or GitPython cannot run it: Briefing Desk needs both for the content repo ({_first_line(str(exc))})"
        ) from None
    return git


def _prepare(handle: git.Git, git_dir: Path | None = None, work_tree: Path | None = None) -> git.Git:
    """Set the environment every git command of ``handle`` runs with, and return the handle.

    With ``git_dir`` the repository is named outright, so a ``GIT_DIR``,
    ``GIT_WORK_TREE`` or ``GIT_INDEX_FILE`` inherited from a git hook can never
    point our commands at another repository or index.
    """
    env = {"GIT_TERMINAL_PROMPT": "0"}  # sync must never sit waiting for a password
    if "GIT_SSH_COMMAND" not in os.environ:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    if git_dir is not None:
        env.update(GIT_DIR=str(git_dir), GIT_WORK_TREE=str(work_tree), GIT_INDEX_FILE=str(git_dir / "index"))
    handle.update_environment(**env)
    return handle


def _plain_git(cwd: Path, git_dir: Path | None = None) -> git.Git:
    """A GitPython command handle working in ``cwd`` (no repository object needed)."""
    return _prepare(_gitpython().Git(str(cwd)), git_dir, cwd if git_dir else None)


def _run_git(handle: git.Git, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None, timeout: float = 300) -> GitRun:
    """``git <args>`` through GitPython; git missing or too slow is a RepoError, any other failure a status."""
    from stories.index import GitUnavailable

    try:
        return run_git(handle, args, input=input, env=env, timeout=timeout)
    except GitUnavailable as exc:
        raise RepoError(str(exc)) from None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("hint:"):
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


def run_checks(briefing: Briefing, source_text: str | None, profile: Profile, published: Sequence[PublishedStory]) -> list[Any]:
    """The desk's checks (``stories.checks``), imported late so the repo works while they load."""
    from stories.checks import run_checks as checks

    return list(checks(briefing, source_text, profile, published))


class ContentRepo:
    """A content repo on disk. Open it with ``ContentRepo.open(path)`` or make one with ``init``."""

    def __init__(self, root: Path, git_dir: Path, common_dir: Path, handle: git.Repo | None = None) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        if handle is None:
            handle = _gitpython().Repo(str(root))
        #: The GitPython repository; its ``git`` runs commands, its ``odb`` reads and writes objects.
        self._repo: git.Repo = handle
        self._cmd: git.Git = _prepare(handle.git, git_dir, root)
        self._profile: Profile | None = None
        self._index = StoryIndex(root, common_dir, self._cmd)
        self._canonical: dict[str, str] = {}
        self._config: dict[str, str] = {}
        # The app publishes from a worker thread while the UI reads the index:
        # GitPython's cat-file pipes and the index are used by one thread at a time.
        self._reading = threading.RLock()
        #: Used as committer when sync rewrites commits and git has no identity configured.
        self.editor: Editor | None = None

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> ContentRepo:
        """The content repo at ``path``; RepoError says what is missing and how to fix it."""
        root = Path(path).expanduser()
        if not root.is_dir():
            raise RepoError(f"{root} does not exist. To make a new content repo there: briefdesk init {root}")
        root = root.resolve()
        git = _gitpython()
        not_a_repo = f"{root} is not a git repository, so it is not a content repo. To make one there: briefdesk init {root}"
        try:
            handle = git.Repo(str(root), search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise RepoError(not_a_repo) from None
        if handle.bare or handle.working_tree_dir is None:
            handle.close()
            raise RepoError(not_a_repo)
        top = Path(handle.working_tree_dir).resolve()
        if root in (Path(handle.git_dir).resolve(), Path(handle.common_dir).resolve()):
            handle.close()
            raise RepoError(f"{root} is the git folder of {top}, not a content repo. Open {top} instead")
        if top != root:
            handle.close()
            raise RepoError(
                f"{root} is a folder inside the git repository {top}, not a content repo of its own. "
                f"Open {top} instead, or make a new content repo: briefdesk init {root}"
            )
        _check_object_format(handle, root)
        if not (root / DESK_FILE).is_file():
            handle.close()
            raise RepoError(
                f"{root} is a git repository but has no {DESK_FILE}, so it is not a content repo. "
                f"To make it one (adds {DESK_FILE} and a README, keeps everything else): briefdesk init {root}"
            )
        repo = cls(root, Path(handle.git_dir).resolve(), Path(handle.common_dir).resolve(), handle)
        repo.profile  # a broken desk.toml is reported on open, not mid-publish
        return repo

    @classmethod
    def init(cls, path: Path | str, editor: Editor | None = None) -> ContentRepo:
        """Make ``path`` a content repo: git init, desk.toml, README.md and a first commit."""
        root = Path(path).expanduser()
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RepoError(f"cannot make the folder {root}: {exc.strerror or exc}") from None
        root = root.resolve()
        if (root / DESK_FILE).exists():
            raise RepoError(f"{root} already has a {DESK_FILE}: it is a content repo already (open it with --repo {root})")
        if not os.access(root, os.W_OK):
            raise RepoError(f"{root} is read-only: cannot make a content repo there")
        git = _gitpython()
        handle = _own_repo(root)
        if handle is not None:
            _check_object_format(handle, root)
        identity = _identity(_prepare(handle.git, Path(handle.git_dir).resolve(), root) if handle else _plain_git(root), editor)
        if handle is None:
            # GIT_DIR named outright: a GIT_DIR inherited from a git hook must not get the init.
            fresh = _plain_git(root, root / ".git")
            args = ["init", "-q"]
            if not _run_git(fresh, "config", "init.defaultBranch").stdout.strip():
                args.append("--initial-branch=main")
            done = _run_git(fresh, *args)
            if done.returncode != 0:
                raise RepoError(f"git init failed in {root}: {_first_line(done.stderr)}")
            handle = git.Repo(str(root))
        paths = [DESK_FILE]
        atomic_write(root / DESK_FILE, desk_file_text())
        if not (root / "README.md").exists():
            atomic_write(root / "README.md", README_TEXT)
            paths.append("README.md")
        cmd = _prepare(handle.git, Path(handle.git_dir).resolve(), root)
        env = _ident_env(identity, identity)
        try:
            for args in (("add", "--", *paths), ("commit", "-q", "-m", "Start the content repo", "--", *paths)):
                done = _run_git(cmd, *args, env=env)
                if done.returncode != 0:
                    raise RepoError(f"git {args[0]} failed in {root}: {_first_line(done.stderr) or _first_line(done.stdout)}")
        finally:
            handle.close()
        return cls.open(root)

    @property
    def profile(self) -> Profile:
        """The desk profile from this repo's desk.toml."""
        if self._profile is None:
            try:
                self._profile = load_profile(self.root)
            except ProfileError as exc:
                raise RepoError(f"the desk profile cannot be used: {exc}") from None
        return self._profile

    def reload_profile(self) -> Profile:
        """Read desk.toml again (after someone edited it)."""
        self._profile = None
        return self.profile

    def close(self) -> None:
        """Stop the helper git processes GitPython keeps for reading objects (they restart when needed)."""
        with self._reading:
            self._repo.close()

    def __enter__(self) -> ContentRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._repo.close()  # no lock here: the collector may run in any thread

    # -- git helpers --------------------------------------------------------

    def _git(self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None, timeout: float = 300) -> GitRun:
        try:
            return _run_git(self._cmd, *args, input=input, env=env, timeout=timeout)
        except RepoError:
            self._check_there()  # a deleted folder, not a missing git, is the likelier cause
            raise

    def _check_there(self) -> None:
        """RepoError if the repo's folder or git folder has gone (moved or deleted while open)."""
        if not self.git_dir.is_dir() or not self.root.is_dir():
            raise RepoError(f"the content repo {self.root} is not there any more (moved or deleted?). Open it where it is now: --repo DIR")

    def _must(self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None, what: str = "") -> str:
        done = self._git(*args, input=input, env=env)
        if done.returncode != 0:
            raise RepoError(f"{what or 'git ' + args[0]} failed: {_first_line(done.stderr) or _first_line(done.stdout)}")
        return done.stdout

    def _object(self, name: str) -> tuple[str, str, bytes] | None:
        """(sha, type, data) of an object name like ``<commit>:<path>``, or None if missing."""
        with self._reading:
            found = self._ask(name, self._cmd.get_object_data)
        if found is None:
            return None
        sha, kind, _, data = found
        return sha.decode(), kind.decode(), data

    def _ask(self, name: str, ask: Any) -> Any:
        """One question to GitPython's long-lived ``git cat-file`` (under ``_reading``); None if the name is unknown."""
        from git.exc import GitCommandNotFound

        if "\n" in name or "\r" in name:
            return None  # cannot be asked over the line-based pipe; no story path has one
        for attempt in (1, 2):
            try:
                return ask(name)
            except ValueError:  # "<name> missing" / "ambiguous" (or a name that cannot be sent)
                self._check_there()  # the pipe outlives a deleted repo: missing everything means gone
                return None
            except OSError:
                self._cmd.clear_cache()  # the process died: GitPython starts a new one
                if attempt == 2:
                    raise RepoError("git cat-file stopped unexpectedly while reading the repo") from None
            except GitCommandNotFound:
                self._check_there()
                raise RepoError("git is not installed (or not on PATH): Briefing Desk needs it for the content repo") from None
        return None

    def _blob_text(self, rev: str, path: str) -> str | None:
        found = self._object(f"{rev}:{path}")
        if found is None or found[1] != "blob":
            return None
        return found[2].decode("utf-8", "replace")

    def _rev(self, name: str) -> str | None:
        """The commit a ref or revision names, or None (asked of the long-lived cat-file: no process per call)."""
        with self._reading:
            found = self._ask(f"{name}^{{commit}}", self._cmd.get_object_header)
        return found[0].decode() if found else None

    def _stories_tree(self, commit: str) -> str | None:
        found = self._object(f"{commit}:stories")
        return found[0] if found and found[1] == "tree" else None

    def _head_ref(self) -> str | None:
        """``refs/heads/<name>`` HEAD points at, or None when HEAD is detached."""
        try:
            return self._repo.head.reference.path
        except TypeError:  # GitPython's word for a detached HEAD
            return None
        except (OSError, ValueError) as exc:
            raise RepoError(f"cannot read {self.git_dir / 'HEAD'}: {getattr(exc, 'strerror', None) or exc}") from None

    def _branch(self) -> str:
        ref = self._head_ref()
        if ref is None:
            head = self._rev("HEAD") or "?"
            raise RepoError(
                f"HEAD is detached (at {head[:8]}), so there is no branch to publish to. "
                "Switch to a branch first, for example: git switch main"
            )
        return ref.removeprefix("refs/heads/")

    def _check_operations(self) -> None:
        """Refuse while git is in the middle of a rebase, merge, cherry-pick or revert."""
        git_dir = self.git_dir
        if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
            raise RepoError("a rebase is in progress in the content repo. Finish it (git rebase --continue) or cancel it (git rebase --abort), then try again")
        if (git_dir / "MERGE_HEAD").exists():
            raise RepoError("a merge is in progress in the content repo. Finish it (git commit) or cancel it (git merge --abort), then try again")
        for name, verb in (("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert")):
            if (git_dir / name).exists():
                raise RepoError(f"a {verb} is in progress in the content repo. Finish it (git {verb} --continue) or cancel it (git {verb} --abort), then try again")

    def _check_index_lock(self) -> None:
        """Wait briefly for another git command; then explain a live or stale index.lock."""
        lock = self.git_dir / "index.lock"
        deadline = time.monotonic() + GIT_LOCK_WAIT_SECONDS

        def live() -> bool:
            try:
                return time.time() - lock.stat().st_mtime <= STALE_LOCK_SECONDS
            except FileNotFoundError:
                return False

        # A git command that is just finishing gets a moment; a stale lock gets no wait.
        while live() and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            age = time.time() - lock.stat().st_mtime
        except FileNotFoundError:
            return
        if age > STALE_LOCK_SECONDS and not self._git_running():
            raise RepoError(
                f"{lock} is {int(age // 60)} minutes old and no git command is running in this repo: a git command "
                f"crashed and left it behind. Nothing was changed. If you are sure no git program is using the repo, "
                f"remove it (rm {lock}) and try again"
            )
        raise RepoError(
            f"another git command is using the content repo right now ({lock} exists). Nothing was changed. "
            f"Wait for it to finish and try again; if the file stays after every git program has closed, remove it: rm {lock}"
        )

    def _git_running(self) -> bool:
        """True if a git process is working in this repo (or if we cannot tell)."""
        proc = Path("/proc")
        if not proc.is_dir():
            return True
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if (entry / "comm").read_text().strip() not in ("git", "git-remote-http", "git-index-pack"):
                    continue
                if b"cat-file" in (entry / "cmdline").read_bytes().split(b"\0")[1:2]:
                    continue  # a reader (such as our own long-lived one) never holds index.lock
                cwd = Path(os.readlink(entry / "cwd"))
            except OSError:
                continue
            if cwd == self.root or self.root in cwd.parents:
                return True
        return False

    def _check_writable(self) -> None:
        for folder in (self.root, self.common_dir, self.common_dir / "objects"):
            if not os.access(folder, os.W_OK):
                raise RepoError(f"the content repo is read-only ({folder} cannot be written). Nothing was changed")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialize our own writers (two app windows, a script) on ``.git/briefdesk.lock``."""
        path = self.common_dir / "briefdesk.lock"
        try:
            handle = open(path, "a+")
        except OSError as exc:
            raise RepoError(f"the content repo is read-only (cannot write {path}: {exc.strerror or exc}). Nothing was changed") from None
        try:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise RepoError("another Briefing Desk is still publishing or syncing in this repo; try again in a moment") from None
                    time.sleep(0.02)
            yield
        finally:
            handle.close()

    # -- the index of published stories -------------------------------------

    def published(self, rev: str = "HEAD") -> list[PublishedStory]:
        """Every published story at ``rev`` (id, headline, source URL, path, updated).

        Rows come in no promised order (sort them as the screen needs). The list
        is a copy; calling again after a publish or a pull is cheap.
        """
        commit = self._rev(rev)
        if commit is None:
            return []
        with self._reading:
            return self._index.stories(self._stories_tree(commit))

    def _find_path(self, commit: str, story_id: str) -> str | None:
        with self._reading:
            row = self._index.by_id(self._stories_tree(commit), story_id)
        return row.path if row else None

    def story_path(self, story_id: str, rev: str = "HEAD") -> str | None:
        """Where the story lives at ``rev`` (repo-relative path), or None."""
        commit = self._rev(rev)
        if commit is None:
            return None
        path = self._find_path(commit, story_id)
        if path is None:
            branch = self._rev(f"refs/heads/story/{story_id}")
            if branch and branch != commit:
                path = self._find_path(branch, story_id)
        return path

    def story(self, story_id: str, rev: str = "HEAD") -> Briefing:
        """The story with this id as committed at ``rev`` (KeyError if there is none)."""
        commit = self._rev(rev)
        path = self._find_path(commit, story_id) if commit else None
        if commit is None or path is None:
            raise KeyError(story_id)
        text = self._blob_text(commit, path)
        if text is None:
            raise KeyError(story_id)
        return codec.loads(text, self.profile, path)

    def source_text(self, snapshot: str, rev: str = "HEAD") -> str | None:
        """A stored source snapshot (``sources/<snapshot>.txt``), from the commit or the work tree."""
        if not snapshot or not all(c in "0123456789abcdef" for c in snapshot):
            return None
        path = f"sources/{snapshot}.txt"
        commit = self._rev(rev)
        text = self._blob_text(commit, path) if commit else None
        if text is None:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = (self.root / path).read_text("utf-8")
        return text

    # -- publishing ---------------------------------------------------------

    def publish(self, briefing: Briefing, source_text: str | None, editor: Editor | None = None, allow_warnings: bool = True) -> PublishResult:
        """Check and commit one story (and its source snapshot) and nothing else.

        Raises PublishRefused when the checks find errors (or warnings, with
        ``allow_warnings=False``) and RepoError on any fault; in both cases the
        repo is as it was.
        """
        identity = _identity(self._cmd, editor)
        if not is_valid_id(briefing.id):
            raise RepoError(f"the story id {briefing.id!r} cannot be a file name (lowercase letters, digits and hyphens)")
        if not briefing.headline.strip():
            raise RepoError("the story has no headline")
        profile = self.profile
        branch_mode = profile.publish_mode == "branch"
        self._check_writable()
        with self._lock():
            if branch_mode:
                base_name = profile.publish_base or self._branch_or_none() or ""
                if not base_name:
                    raise RepoError(
                        "HEAD is detached and desk.toml names no base branch for story branches. "
                        'Switch to a branch (git switch main) or set [publish] base = "main" in desk.toml'
                    )
                base = self._rev(f"refs/heads/{base_name}") if base_name else None
                if base is None:
                    raise RepoError(self._empty_message(base_name, "the base branch for story branches"))
                branch = f"story/{briefing.id}"
                old = self._rev(f"refs/heads/{branch}")
                parent = old or base
                if old and old != base and self._git("merge-base", "--is-ancestor", old, base).returncode == 0:
                    parent = base  # the story branch was merged: a revision starts from the base again
            else:
                self._check_operations()
                branch = self._branch()
                self._check_index_lock()
                old = base = self._rev(f"refs/heads/{branch}")
                if old is None:
                    raise RepoError(self._empty_message(branch, "the current branch"))
                parent = old
            return self._publish_locked(briefing, source_text, identity, allow_warnings, branch, old, base, parent, branch_mode)

    def _branch_or_none(self) -> str | None:
        ref = self._head_ref()
        return ref.removeprefix("refs/heads/") if ref else None

    def _empty_message(self, branch: str, what: str) -> str:
        return (
            f"{what} ({branch or 'none'}) has no commits yet, so there is nothing to publish onto. "
            f"Make a first commit, or start a new content repo with: briefdesk init DIR"
        )

    def _publish_locked(
        self, briefing: Briefing, source_text: str | None, identity: Editor, allow_warnings: bool,
        branch: str, old: str | None, base: str, parent: str, branch_mode: bool,
    ) -> PublishResult:
        profile = self.profile
        with self._reading:
            published = self._index.stories(self._stories_tree(base))
        path = self._find_path(parent, briefing.id)
        if path is None and parent != base:
            path = self._find_path(base, briefing.id)
        previous_text = self._blob_text(parent, path) if path else None
        previous: Briefing | None = None
        if previous_text is not None:
            with contextlib.suppress(codec.StoryFileError):
                previous = codec.loads(previous_text, profile, path or "")

        now = utcnow()
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

        findings = run_checks(story, source_text, profile, self._relevant(published, story))
        errors = [f for f in findings if f.severity == "error"]
        warnings = [f for f in findings if f.severity == "warning"]
        if errors or (warnings and not allow_warnings):
            raise PublishRefused(findings)

        snapshot_needed = bool(snapshot_path) and self._object(f"{parent}:{snapshot_path}") is None
        if previous_text is not None:
            same = replace(story, updated=previous.updated if previous else None)
            if _dumps(same, profile, previous_text) == previous_text and not snapshot_needed:
                if not branch_mode:
                    self._restore_missing(parent, [path, snapshot_path] if snapshot_path else [path])
                return PublishResult("unchanged", None, path, findings, branch, snapshot_path)
        story.updated = now
        text = _dumps(story, profile, previous_text)
        action = "revise" if previous_text is not None else "publish"

        if not branch_mode:
            self._check_hand_edits(path, previous_text, text)
        files: dict[str, str] = {path: text}
        if snapshot_needed and source_text is not None:
            files[snapshot_path] = source_text
        blobs = {p: self._write_object("blob", content.encode("utf-8")) for p, content in files.items()}
        message = _message(action, story, findings, identity)
        commit, root_tree = self._commit(parent, blobs, message, identity)
        ref = f"refs/heads/{branch}"
        guard = old or ""
        moved = self._git("update-ref", "-m", f"briefdesk: {action} {story.id}", ref, commit, guard)
        if moved.returncode != 0:
            raise RepoError(f"the branch {branch} moved while publishing (someone else committed); nothing was published, try again")
        notes: list[str] = []
        if not branch_mode:
            try:
                self._write_work_tree(files)
            except OSError as exc:
                self._git("update-ref", "-m", "briefdesk: undo failed publish", ref, old or ZERO, commit)
                raise RepoError(f"could not write {exc.filename or path}: {exc.strerror or exc}. Nothing was published; the repo is as it was") from None
            notes.extend(self._sync_real_index(blobs))
        stories_tree = self._object(f"{root_tree}:stories")
        if stories_tree and not branch_mode:
            with self._reading:
                self._index.note(self._stories_tree(parent), stories_tree[0], {path: (blobs[path], text)})
        # What git commit does after every commit: pack loose objects once there are many.
        self._git("maintenance", "run", "--auto", "--quiet")
        return PublishResult(action, commit, path, findings, branch, snapshot_path, notes)

    def _restore_missing(self, commit: str, paths: list[str]) -> None:
        """Put back committed files missing from the work tree (a publish killed halfway)."""
        missing = {}
        for path in paths:
            if not (self.root / path).exists():
                found = self._object(f"{commit}:{path}")
                if found and found[1] == "blob":
                    missing[path] = found
        if not missing:
            return
        with contextlib.suppress(OSError, UnicodeError):
            self._write_work_tree({path: found[2].decode("utf-8") for path, found in missing.items()})
            self._sync_real_index({path: found[0] for path, found in missing.items()})

    def _check_hand_edits(self, path: str, committed: str | None, new: str) -> None:
        """Refuse to overwrite a story file someone changed by hand and has not committed."""
        try:
            on_disk = (self.root / path).read_bytes().decode("utf-8", "replace")
        except (FileNotFoundError, NotADirectoryError):
            return  # nothing there to lose (a blocked folder fails at the write, and is undone)
        except OSError as exc:
            raise RepoError(f"cannot read {path}: {exc.strerror or exc}. Nothing was published") from None
        if on_disk in (committed, new):
            return
        if committed is None:
            raise RepoError(
                f"{path} already exists but was never committed; move it away (or delete it), then publish again. Nothing was published"
            )
        raise RepoError(
            f"{path} has changes that are not committed (see: git diff -- {path}). "
            f"Commit them, or discard them (git checkout -- {path}), then publish again. Nothing was published"
        )

    def _relevant(self, published: list[PublishedStory], story: Briefing) -> list[PublishedStory]:
        """The published stories the repository checks can be about: same source, or related.

        Passing 50,000 rows would make the duplicate check canonicalize 50,000
        URLs per publish; canonical forms are remembered per URL instead.
        """
        try:
            from stories.checks.repository import canonical_url
        except ImportError:
            return [row for row in published if row.id != story.id]
        memo = self._canonical
        mine = canonical_url(story.source.url) if story.source and story.source.url.strip() else None
        related = set(story.related)
        result = []
        for row in published:
            if row.id == story.id:
                continue
            if row.id in related:
                result.append(row)
                continue
            if mine is None or not row.source_url:
                continue
            canon = memo.get(row.source_url)
            if canon is None:
                canon = memo[row.source_url] = canonical_url(row.source_url)
            if canon == mine:
                result.append(row)
        return result

    def _write_object(self, kind: str, data: bytes) -> str:
        """Store one git object with GitPython's object database and return its id (fsynced, so it outlives a crash)."""
        from gitdb.base import IStream

        odb = self._repo.odb
        try:
            sha = odb.store(IStream(kind, len(data), io.BytesIO(data))).hexsha.decode()
            fd = os.open(odb.db_path(odb.object_path(sha)), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise RepoError(f"cannot write to the git folder ({exc.strerror or exc}). Nothing was published") from None
        return sha

    def _splice(self, tree: str | None, changes: dict[tuple[str, ...], str]) -> str:
        """``tree`` with blobs put at these paths (path parts -> blob id); returns the new tree id.

        Only the trees on the way to each path are read and rewritten, so the
        cost does not grow with the number of other stories.
        """
        data = b""
        if tree is not None:
            found = self._object(tree)
            if found is None or found[1] != "tree":
                raise RepoError(f"the tree {tree} cannot be read: run git fsck in the content repo")
            data = found[2]
        groups: dict[str, dict[tuple[str, ...], str]] = {}
        for parts, blob in changes.items():
            groups.setdefault(parts[0], {})[parts[1:]] = blob
        size = 20  # sha1 object ids (sha256 repositories are refused on open)
        for name, inner in sorted(groups.items()):
            raw_name = name.encode("utf-8")
            if () in inner:
                entry = b"100644 " + raw_name + b"\0" + bytes.fromhex(inner[()])
                data = _tree_put(data, raw_name, False, entry, size)
            else:
                current = _tree_get(data, raw_name, size)
                if current is not None and current[0] != b"40000":
                    raise RepoError(f"{name} is a file in the content repo where a folder is needed")
                sub = self._splice(current[1] if current else None, inner)
                entry = b"40000 " + raw_name + b"\0" + bytes.fromhex(sub)
                data = _tree_put(data, raw_name, True, entry, size)
        return self._write_object("tree", data)

    def _commit(self, parent: str, blobs: dict[str, str], message: str, identity: Editor) -> tuple[str, str]:
        """A commit of ``parent``'s tree plus these blobs, spliced into the trees with plumbing."""
        found = self._object(f"{parent}^{{tree}}")
        if found is None:
            raise RepoError(f"the commit {parent} cannot be read: run git fsck in the content repo")
        tree = self._splice(found[0], {tuple(path.split("/")): sha for path, sha in blobs.items()})
        # git commit-tree, not GitPython's Commit.create_from_tree: git's rules for names and
        # GIT_AUTHOR_DATE (ISO dates with an offset) must hold exactly as with git commit.
        env = _ident_env(identity, self._committer(identity))
        commit = self._must("commit-tree", tree, "-p", parent, "-F", "-", input=message, env=env, what="writing the commit").strip()
        return commit, tree

    def _committer(self, identity: Editor) -> Editor:
        self._config = _git_config(self._cmd)
        name, email = self._config.get("user.name", ""), self._config.get("user.email", "")
        return Editor(name, email) if name and email else identity

    def _may_filter(self) -> bool:
        """True when git might change bytes on their way into the index (attributes, autocrlf)."""
        if self._config.get("core.autocrlf", "false").lower() not in ("false", "0", "no", "off", ""):
            return True
        return (self.root / ".gitattributes").exists() or (self.common_dir / "info" / "attributes").exists()

    def _write_work_tree(self, files: dict[str, str]) -> None:
        """Write the published files; on failure put back what was there before."""
        written: list[tuple[Path, bytes | None]] = []
        try:
            for rel, content in files.items():
                target = self.root / rel
                before = target.read_bytes() if target.is_file() else None
                atomic_write(target, content)
                written.append((target, before))
        except OSError:
            for target, before in reversed(written):
                with contextlib.suppress(OSError):
                    if before is None:
                        target.unlink()
                    else:
                        atomic_write(target, before)
            raise

    def _sync_real_index(self, blobs: dict[str, str]) -> list[str]:
        """Make the real index hold the committed blobs for just these paths."""
        paths = list(blobs)
        for _ in range(20):
            done = self._git("update-index", "--add", "--", *paths)
            if done.returncode == 0:
                break
            if "index.lock" not in done.stderr:
                break
            time.sleep(0.1)
        else:
            done = None  # type: ignore[assignment]
        if done is not None and done.returncode == 0:
            if not self._may_filter():
                return []
            staged = self._git("ls-files", "-s", "--", *paths).stdout
            if all(f" {sha} " in staged or f" {sha}\t" in staged for sha in blobs.values()):
                return []
            # A clean/smudge filter changed the bytes: record exactly the committed blobs.
            info = "".join(f"100644 {sha}\t{p}\n" for p, sha in blobs.items())
            done = self._git("update-index", "--index-info", input=info)
            if done.returncode == 0:
                return []
        joined = " ".join(paths)
        return [f"published, but git's index could not be updated; git status will show {joined} as changed until you run: git reset -q -- {joined}"]

    # -- history ------------------------------------------------------------

    def log(self, story_id: str | None = None, limit: int = 200) -> list[CommitInfo]:
        """Commits of the desk (or of one story), newest first."""
        if self._rev("HEAD") is None:
            return []
        fmt = _US.join(["%H", "%h", "%an", "%ae", "%aI", "%s", "%b", "%(trailers:key=Story-Id,valueonly,separator=%x2C)"]) + _RS
        args = ["log", f"--format={fmt}", f"-n{int(limit)}"]
        if story_id is None:
            args.append("HEAD")
        else:
            revs = ["HEAD"]
            story_branch = f"refs/heads/story/{story_id}"
            if self._rev(story_branch):
                revs.append(story_branch)
            paths = {p for rev in revs if (c := self._rev(rev)) and (p := self._find_path(c, story_id))}
            if paths:
                args += [*revs, "--", *sorted(paths)]
            else:
                args += [*revs, "--fixed-strings", f"--grep=Story-Id: {story_id}"]
        out = self._must(*args, what="reading the history")
        result = []
        for record in out.split(_RS):
            record = record.strip("\n")
            if not record:
                continue
            parts = record.split(_US)
            if len(parts) != 8:
                continue
            sha, short, author, email, date, subject, body, ids = parts
            result.append(CommitInfo(sha, short, author, email, datetime.fromisoformat(date), subject, body.strip(), ids.split(",")[0].strip()))
        return result

    def section_diff(self, story_id: str, old_rev: str | None, new_rev: str = "HEAD") -> list[SectionChange]:
        """Which sections changed between two revisions of a story, and how (old_rev None: all added)."""
        before = self._story_at(story_id, old_rev) if old_rev else None
        after = self._story_at(story_id, new_rev)
        profile = self.profile
        keys = [(s.key, s.label) for s in profile.sections] + [("topics", "Topics"), ("related", "Related stories"), ("source", "Source")]
        changes = []
        for key, label in keys:
            old_text = _section_text(before, key)
            new_text = _section_text(after, key)
            if old_text == new_text:
                continue
            kind = "added" if not old_text else "removed" if not new_text else "changed"
            changes.append(SectionChange(key, label, old_text, new_text, kind))
        return changes

    def _story_at(self, story_id: str, rev: str) -> Briefing | None:
        commit = self._rev(rev)
        if commit is None:
            raise RepoError(f"there is no revision {rev!r} in the content repo")
        # Stories keep their path, so try where it is now before indexing an old tree.
        path = self.story_path(story_id)
        text = self._blob_text(commit, path) if path else None
        if text is None:
            path = self._find_path(commit, story_id)
            text = self._blob_text(commit, path) if path else None
        if text is None:
            return None
        return codec.loads(text, self.profile, f"{rev}:{path}")

    # -- sync ---------------------------------------------------------------

    def _remote(self, branch: str | None) -> str | None:
        remotes = self._git("remote").stdout.split()
        if not remotes:
            return None
        wanted = self.profile.publish_remote
        if wanted:
            return wanted if wanted in remotes else None
        if branch:
            configured = self._git("config", f"branch.{branch}.remote").stdout.strip()
            if configured in remotes:
                return configured
        if "origin" in remotes:
            return "origin"
        return remotes[0] if len(remotes) == 1 else None

    def _remote_branch(self, branch: str) -> str:
        merge = self._git("config", f"branch.{branch}.merge").stdout.strip()
        return merge.removeprefix("refs/heads/") if merge.startswith("refs/heads/") else branch

    def _waiting(self, head: str, tracking: str | None) -> int:
        """Stories with commits on ``head`` that the remote does not have yet."""
        args = ["log", "--format=%(trailers:key=Story-Id,valueonly,separator=%x2C)", head]
        args += ["--not", tracking] if tracking else ["--not", "--remotes"]
        out = self._git(*args).stdout
        return len({i.strip() for line in out.splitlines() for i in line.split(",") if i.strip()})

    def status(self) -> RepoStatus:
        """Branch, ahead/behind its remote (as of the last fetch) and stories waiting to be pushed."""
        branch = self._branch_or_none()
        head = self._rev("HEAD")
        remote = self._remote(branch)
        if head is None:
            return RepoStatus(branch, 0, 0, remote is not None, 0, remote or "")
        tracking = self._rev(f"refs/remotes/{remote}/{self._remote_branch(branch)}") if remote and branch else None
        ahead = behind = 0
        if tracking:
            counts = self._git("rev-list", "--left-right", "--count", f"{head}...{tracking}").stdout.split()
            if len(counts) == 2:
                ahead, behind = int(counts[0]), int(counts[1])
        else:
            ahead = int(self._git("rev-list", "--count", head, "--not", "--remotes").stdout.strip() or 0)
        return RepoStatus(branch, ahead, behind, remote is not None, self._waiting(head, tracking), remote or "")

    def sync(self) -> SyncResult:
        """Pull with rebase, then push; offline or without a remote, a one-line status instead.

        In review mode the story branches (``story/<id>``) that the remote does
        not have yet are pushed too, ready for a pull request.
        """
        with self._lock():
            result = self._sync_locked()
            if self.profile.publish_mode != "branch" or result.state != "synced":
                return result
            remote = self._remote(self._branch_or_none())
            waiting = self._story_branches(remote) if remote else []
            if not waiting:
                return result
            pushed = self._network("push", "--porcelain", remote, *(f"refs/heads/{b}:refs/heads/{b}" for b in waiting))
            done = [b for b in waiting if f"refs/heads/{b}:refs/heads/{b}" in pushed.stdout and f"!\trefs/heads/{b}:" not in pushed.stdout]
            message = f"{result.message}; pushed {_plural(len(done), 'story branch')} for review"
            if len(done) < len(waiting):
                stuck = [b for b in waiting if b not in done]
                message += f" ({', '.join(stuck)} could not be pushed: {_first_line(pushed.stderr) or 'rejected'})"
            return replace(result, message=message)

    def _story_branches(self, remote: str) -> list[str]:
        """Local ``story/<id>`` branches whose tip the remote does not have (as of the last fetch or push)."""
        out = self._git("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/story/").stdout
        theirs = dict(
            line.split(" ", 1)
            for line in self._git("for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/remotes/{remote}/story/").stdout.splitlines()
            if " " in line
        )
        waiting = []
        for line in out.splitlines():
            name, _, sha = line.partition(" ")
            if theirs.get(f"{remote}/{name}") != sha:
                waiting.append(name)
        return waiting

    def _sync_locked(self) -> SyncResult:
        """The sync itself, under our lock."""
        self._check_operations()
        branch = self._branch()
        self._check_index_lock()
        head = self._rev(f"refs/heads/{branch}")
        if head is None:
            raise RepoError(self._empty_message(branch, "the current branch"))
        remote = self._remote(branch)
        if remote is None:
            waiting = self._waiting(head, None)
            return SyncResult(True, f"no remote — {_plural(waiting, 'story')} waiting to be pushed (add one: git remote add origin URL)", state="no-remote")
        remote_branch = self._remote_branch(branch)
        tracking_ref = f"refs/remotes/{remote}/{remote_branch}"
        for attempt in (1, 2):
            fetched = self._network("fetch", "--quiet", remote, f"+refs/heads/{remote_branch}:{tracking_ref}")
            if fetched.returncode != 0 and "couldn't find remote ref" not in fetched.stderr:
                return self._offline(head, tracking_ref, remote)
            tracking = self._rev(tracking_ref) if fetched.returncode == 0 else None
            head = self._rev(f"refs/heads/{branch}") or head
            pulled = 0
            if tracking and tracking != head:
                outcome = self._integrate(branch, head, tracking, remote, remote_branch)
                if isinstance(outcome, SyncResult):
                    return outcome
                head, pulled = outcome
            if tracking == head:
                return SyncResult(True, f"up to date with {remote}/{remote_branch}" + (f" (pulled {_plural(pulled, 'commit')})" if pulled else ""))
            waiting = self._waiting(head, tracking)
            pushed = self._network("push", "--porcelain", remote, f"{head}:refs/heads/{remote_branch}")
            if pushed.returncode == 0:
                self._git("update-ref", tracking_ref, head)
                if not self._git("config", f"branch.{branch}.remote").stdout.strip():
                    self._git("branch", f"--set-upstream-to={remote}/{remote_branch}", branch)
                got = f"pulled {_plural(pulled, 'commit')}, " if pulled else ""
                return SyncResult(True, f"synced with {remote}/{remote_branch}: {got}pushed {_plural(waiting, 'story')}")
            rejected = "rejected]" in pushed.stdout or "rejected" in pushed.stderr or "fetch first" in pushed.stderr
            if not rejected:
                return self._offline(head, tracking_ref, remote, _first_line(pushed.stderr))
            # Someone pushed between our fetch and our push: fetch, replay and try once more.
        reason = next((line.split("\t")[-1] for line in pushed.stdout.splitlines() if line.startswith("!")), "") or _first_line(pushed.stderr)
        return SyncResult(
            False,
            f"{remote} did not take the push, twice ({reason}); nothing was lost — {_plural(waiting, 'story')} waiting to be pushed",
            state="rejected",
        )

    def _network(self, *args: str) -> GitRun:
        """A fetch or push; a remote that does not answer in time counts as a failure, not a crash."""
        try:
            return self._git(*args, timeout=NETWORK_TIMEOUT)
        except RepoError as exc:
            return GitRun(128, "", f"fatal: {exc}")

    def _offline(self, head: str, tracking_ref: str, remote: str, reason: str = "") -> SyncResult:
        waiting = self._waiting(head, self._rev(tracking_ref))
        if self.profile.publish_mode == "branch":
            waiting += len(self._story_branches(remote))
        why = f" ({reason})" if reason and "Could not read" not in reason and "unable to access" not in reason else ""
        return SyncResult(True, f"offline — {_plural(waiting, 'story')} waiting to be pushed to {remote}{why}", state="offline")

    def _integrate(self, branch: str, head: str, tracking: str, remote: str, remote_branch: str) -> tuple[str, int] | SyncResult:
        """Bring the remote's commits in: fast-forward, or replay ours on top; a conflict keeps ours on a branch."""
        pulled = int(self._must("rev-list", "--count", f"{head}..{tracking}").strip() or 0)
        if self._git("merge-base", "--is-ancestor", tracking, head).returncode == 0:
            return head, 0
        if self._git("merge-base", "--is-ancestor", head, tracking).returncode == 0:
            self._move_branch(branch, head, tracking)
            return tracking, pulled
        replayed = self._replay(head, tracking)
        if isinstance(replayed, str):
            self._move_branch(branch, head, replayed)
            return replayed, pulled
        return self._conflict(branch, head, tracking, remote, remote_branch, replayed)

    def _move_branch(self, branch: str, old: str, new: str) -> None:
        """Move the checked-out branch from ``old`` to ``new`` the way ``git checkout`` would.

        A two-tree ``read-tree -m -u`` updates only the files that differ and
        keeps everything the editor staged or changed elsewhere (``reset --keep``
        would unstage it); it refuses rather than overwrite an uncommitted change.
        """
        done = self._git("read-tree", "-m", "-u", old, new)
        if done.returncode != 0:
            changed = self._git("diff", "--name-only", old, new).stdout.split()
            raise RepoError(
                "sync stopped: files it must update have changes you have not committed "
                f"({', '.join(changed[:5])}{'…' if len(changed) > 5 else ''}). Commit or set them aside, then sync again. Nothing was changed"
            )
        moved = self._git("update-ref", "-m", "briefdesk: sync", f"refs/heads/{branch}", new, old)
        if moved.returncode != 0:
            self._git("read-tree", "-m", "-u", new, old)
            raise RepoError(f"the branch {branch} moved during sync (another git command?); nothing was changed, sync again")

    def _replay(self, head: str, onto: str) -> str | list[str]:
        """Our commits since the fork, re-made on top of ``onto`` without touching the work tree.

        Returns the new tip, or the paths that conflict.
        """
        commits = self._must("rev-list", "--reverse", "--topo-order", head, "--not", onto).split()
        if not commits:
            return onto
        from git.objects.util import altz_to_utctz_str
        fd, index_file = tempfile.mkstemp(prefix="briefdesk-sync-", suffix=".index", dir=self.git_dir)
        os.close(fd)
        os.unlink(index_file)
        workdir = Path(tempfile.mkdtemp(prefix="briefdesk-merge-", dir=self.git_dir))
        committer = self._committer(self.editor or Editor("Briefing Desk", "briefdesk@localhost"))
        try:
            tip = onto
            env = {"GIT_INDEX_FILE": index_file}
            self._must("read-tree", tip, env=env)
            for commit in commits:
                with self._reading:  # GitPython reads the commit through its cat-file pipe
                    original = self._repo.commit(commit)
                    parents = [p.hexsha for p in original.parents]
                    author, message = original.author, original.message
                    date = f"{original.authored_date} {altz_to_utctz_str(original.author_tz_offset)}"
                if len(parents) != 1:
                    return ["(a merge commit among your local commits: sync by hand with git pull --rebase)"]
                parent = parents[0]
                changes = self._must("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", parent, commit).split("\0")
                updates: list[str] = []
                conflicts: list[str] = []
                for meta, path in zip(changes[0::2], changes[1::2]):
                    if not meta:
                        continue
                    _, mode_new, base_sha, their_sha, _ = meta.lstrip(":").split()
                    ours = self._object(f"{tip}:{path}")
                    our_sha = ours[0] if ours else ZERO
                    if our_sha == their_sha or their_sha == base_sha:
                        continue
                    if our_sha == base_sha:
                        updates.append(f"{mode_new} {their_sha}\t{path}" if their_sha != ZERO else f"0 {ZERO}\t{path}")
                        continue
                    if ZERO in (our_sha, their_sha, base_sha):
                        conflicts.append(path)
                        continue
                    merged = self._merge_file(workdir, our_sha, base_sha, their_sha)
                    if merged is None:
                        conflicts.append(path)
                    else:
                        updates.append(f"{mode_new} {merged}\t{path}")
                if conflicts:
                    return conflicts
                if not updates:
                    continue  # already upstream, as git rebase would drop it
                self._must("update-index", "--index-info", input="\n".join(updates) + "\n", env=env)
                tree = self._must("write-tree", env=env).strip()
                if isinstance(message, bytes):  # GitPython could not decode it
                    message = message.decode("utf-8", "replace")
                commit_env = {
                    "GIT_AUTHOR_NAME": author.name or "", "GIT_AUTHOR_EMAIL": author.email or "", "GIT_AUTHOR_DATE": date,
                    "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email,
                }
                tip = self._must("commit-tree", tree, "-p", tip, "-F", "-", input=message.rstrip("\n") + "\n", env=commit_env).strip()
            return tip
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(index_file)
            shutil.rmtree(workdir, ignore_errors=True)

    def _merge_file(self, workdir: Path, ours: str, base: str, theirs: str) -> str | None:
        names = []
        for label, sha in (("ours", ours), ("base", base), ("theirs", theirs)):
            found = self._object(sha)
            target = workdir / label
            target.write_bytes(found[2] if found else b"")
            names.append(str(target))
        done = self._git("merge-file", "-q", *names)
        if done.returncode != 0:
            return None
        return self._write_object("blob", Path(names[0]).read_bytes())

    def _conflict(self, branch: str, head: str, tracking: str, remote: str, remote_branch: str, paths: list[str]) -> SyncResult:
        story_paths = [p for p in paths if p.startswith("stories/") and p.endswith(".toml")]
        story_ids = [p.rsplit("/", 1)[-1].removesuffix(".toml") for p in story_paths]
        story_id = story_ids[0] if story_ids else "desk"
        stamp = f"conflict/{story_id}-{utcnow():%Y%m%d-%H%M%S}"
        name, number = stamp, 1
        while self._rev(f"refs/heads/{name}"):
            number += 1
            name = f"{stamp}-{number}"
        self._must("branch", name, head, what="keeping your commits on a branch")
        kept = int(self._must("rev-list", "--count", head, "--not", tracking).strip() or 0)
        headline = ""
        if story_ids:
            text = self._blob_text(head, story_paths[0])
            with contextlib.suppress(codec.StoryFileError, TypeError):
                headline = codec.loads(text or "", self.profile).headline
        what = f'"{headline}" ({story_id})' if headline else (story_id if story_ids else ", ".join(paths))
        try:
            self._move_branch(branch, head, tracking)
            moved = True
        except RepoError:
            moved = False
        pushed = self._network("push", "--quiet", remote, f"{name}:refs/heads/{name}").returncode == 0
        where = f" (also pushed to {remote})" if pushed else ""
        if moved:
            after = f"{branch} now matches {remote}/{remote_branch}; compare the two, merge by hand and publish again"
        else:
            after = f"{branch} was left as it was because you have uncommitted changes in files the remote changed"
        return SyncResult(
            False,
            f"conflict: {what} was changed here and on {remote}. Your version ({_plural(kept, 'local commit')}) "
            f"is kept on branch {name}{where}; {after}",
            conflict_branch=name,
            state="conflict",
        )


# -- module helpers -----------------------------------------------------------


def _dumps(story: Briefing, profile: Profile, previous: str | None) -> str:
    if previous is None:
        return codec.dumps(story, profile)
    try:
        return codec.dumps(story, profile, previous=previous)
    except Exception:  # a previous file tomlkit cannot edit is rewritten whole
        return codec.render(story, profile)


def _section_text(briefing: Briefing | None, key: str) -> str:
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


def _identity(handle: git.Git, editor: Editor | None) -> Editor:
    """The editor given, else git's user.name/user.email; a clear error if neither is set."""
    if editor is not None and editor.name.strip() and editor.email.strip():
        return editor
    name, email = _git_identity(handle)
    if name and email:
        return Editor(name, email)
    raise RepoError(
        "who is publishing? No editor name and email are set. Set them in the Briefing Desk config "
        '([editor] name = "…" and email = "…"), or for git: git config --global user.name "Your Name" '
        "and git config --global user.email you@example.org. Nothing was written"
    )


def _git_config(handle: git.Git) -> dict[str, str]:
    """git's user.name, user.email and core.autocrlf (absent when unset), in one call.

    Asked of ``git config``, not GitPython's config reader, which skips
    ``GIT_CONFIG_GLOBAL``, ``GIT_CONFIG_NOSYSTEM`` and conditional includes.
    """
    out = _run_git(handle, "config", "-z", "--get-regexp", r"^(user\.(name|email)|core\.autocrlf)$").stdout
    values = {}
    for record in out.split("\0"):
        key, _, value = record.partition("\n")
        if key:
            values[key] = value.strip()
    return values


def _git_identity(handle: git.Git) -> tuple[str, str]:
    """git's user.name and user.email (empty when unset)."""
    values = _git_config(handle)
    return values.get("user.name", ""), values.get("user.email", "")


def _check_object_format(handle: git.Repo, root: Path) -> None:
    """RepoError (and the handle closed) for a sha256 repository: GitPython reads sha1 object ids only."""
    try:
        fmt = str(handle.config_reader("repository").get_value("extensions", "objectformat", "sha1"))
    except Exception:  # an unreadable config: git itself says so on the first command
        return
    if fmt.lower() != "sha1":
        handle.close()
        raise RepoError(
            f"{root} is a git repository with {fmt} object names, which Briefing Desk cannot read yet "
            "(its git library, GitPython, reads sha1 repositories only). Use a repository made with a plain git init"
        )


def _own_repo(root: Path) -> git.Repo | None:
    """The git repository whose work tree is exactly ``root``, or None (none there, or ``root`` is inside another)."""
    git = _gitpython()
    try:
        handle = git.Repo(str(root))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    if handle.working_tree_dir is not None and Path(handle.working_tree_dir).resolve() == root:
        return handle
    handle.close()
    return None


def _tree_key(name: bytes, is_tree: bool) -> bytes:
    # git orders tree entries as if every folder name ended with "/".
    return name + b"/" if is_tree else name


def _tree_entries(data: bytes, size: int) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(start, end, mode, name) of each entry of a raw tree object."""
    pos, end = 0, len(data)
    while pos < end:
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        stop = nul + 1 + size
        yield pos, stop, data[pos:space], data[space + 1 : nul]
        pos = stop


def _tree_get(data: bytes, name: bytes, size: int) -> tuple[bytes, str] | None:
    """(mode, id) of the entry called ``name``, or None."""
    for _, stop, mode, entry in _tree_entries(data, size):
        if entry == name:
            return mode, data[stop - size : stop].hex()
    return None


def _tree_put(data: bytes, name: bytes, is_tree: bool, entry: bytes, size: int) -> bytes:
    """The raw tree with ``entry`` replacing the one called ``name``, or inserted in git's order."""
    key = _tree_key(name, is_tree)
    last = name + b"/"  # a file and a folder of the same name sort apart; look past both
    insert_at = None
    for start, stop, mode, current in _tree_entries(data, size):
        if current == name:
            return data[:start] + entry + data[stop:]
        current_key = _tree_key(current, mode == b"40000")
        if insert_at is None and current_key > key:
            insert_at = start
        if current_key > last:
            break
    if insert_at is None:
        return data + entry
    return data[:insert_at] + entry + data[insert_at:]


def _ident_env(author: Editor, committer: Editor) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": committer.name,
        "GIT_COMMITTER_EMAIL": committer.email,
    }


def _counts(findings: Sequence[Any]) -> tuple[int, int, int]:
    try:
        from stories.checks import counts

        return tuple(counts(findings))  # type: ignore[return-value]
    except ImportError:
        sev = [f.severity for f in findings]
        return sev.count("error"), sev.count("warning"), sev.count("info")


def _checks_passed(findings: Sequence[Any]) -> int:
    """How many checks ran without a finding (all known check ids minus the ones that fired)."""
    try:
        from stories import checks

        known = getattr(checks, "CHECK_IDS", None)
    except ImportError:
        known = None
    fired = {f.check for f in findings if f.severity in ("error", "warning")}
    if known:
        return len(set(known) - fired)
    families = ("structure", "tone", "attribution", "traceability", "repository")
    return sum(1 for family in families if not any(c.split(".")[0] == family for c in fired))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _message(action: str, story: Briefing, findings: Sequence[Any], editor: Editor) -> str:
    """``Publish: <headline>`` and trailers git can read with ``%(trailers)``."""
    verb = "Revise" if action == "revise" else "Publish"
    _, warnings, _ = _counts(findings)
    url = story.source.url if story.source else ""
    lines = [f"{verb}: {_one_line(story.headline)}", ""]
    if story.source and story.source.name:
        lines += [f"From {_one_line(story.source.name)}: {_one_line(story.source.title) or url}", ""]
    lines += [
        f"Story-Id: {story.id}",
        f"Source-URL: {_one_line(url) or '(none)'}",
        f"Checks: {_checks_passed(findings)} passed, {_plural(warnings, 'warning')}",
        f"Editor: {_one_line(editor.name)} <{_one_line(editor.email)}>",
    ]
    return "\n".join(lines) + "\n"


def desk_file_text() -> str:
    """The desk.toml ``briefdesk init`` writes: the house format plus commented examples."""
    return default_desk_text().rstrip("\n") + "\n" + DESK_EXTRAS


DESK_EXTRAS = """
# -- Sources ------------------------------------------------------------------
# The feeds the whole desk follows. Uncomment and adapt; every editor who syncs
# this repo sees the same list (briefdesk import-opml adds many at once).
#
# [[sources]]
# name = "City Parks Department"
# url = "https://parks.example.org/news/feed.xml"
# category = "community"
# format = "RSS"
#
# [[sources]]
# name = "Coastal Research Institute"
# url = "https://coast-research.example.net/press/atom.xml"
# category = "science"
# format = "Atom"
#
# [[sources]]
# name = "Regional Wildlife Trust"
# url = "https://wildlife-trust.example.com/stories.rss"
# category = "animals"
# format = "RSS"

# -- Publishing ---------------------------------------------------------------
# mode = "current" commits each story to the branch you have checked out.
# mode = "branch" commits each story to its own branch story/<id>, made from
# `base` (default: your current branch), ready for a pull request; your
# checkout is never touched. `remote` is where briefdesk sync pulls and pushes
# (default: the branch's upstream, else origin).
#
# [publish]
# mode = "branch"
# base = "main"
# remote = "origin"
"""

README_TEXT = """# Content repo

This repository holds the published briefings of a Briefing Desk.

- `desk.toml`: the desk profile (sections, tone rules, topics, templates,
  sources, publishing mode). Change it here and every editor gets it on sync.
- `stories/<year>/<id>.toml`: one file per published story.
- `sources/<sha256>.txt`: the source text each story was checked against, so
  reviewers and CI can run `briefdesk check` again without the network.

Each publish is one commit that touches only its story and its source snapshot.
Its message reads `Publish: <headline>` (or `Revise: …`) and ends with
trailers tools can read:

    git log --format='%(trailers)'

Stories are written with `briefdesk` and synced with `briefdesk sync`
(pull with rebase, then push).
"""
