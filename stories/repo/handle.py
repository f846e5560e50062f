"""The git handle of a content repo: one git runner, objects, refs, the writer lock and the fault checks.

Git is driven through GitPython (imported on first use: it costs ~70 ms of
start-up that commands which never open the repo should not pay). Its
``Git.execute`` runs every git command here; its object database reads
objects through one long-lived ``git cat-file`` and writes new ones. Refs move
only with ``git update-ref <new> <old>``, an atomic compare-and-swap that
GitPython's ref writer lacks. Our own writers are serialized with ``flock`` on
``.git/briefdesk.lock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import git

ZERO = "0" * 40
STALE_LOCK_SECONDS = 10 * 60
LOCK_WAIT_SECONDS = 60.0
GIT_LOCK_WAIT_SECONDS = 2.0
NETWORK_TIMEOUT = 60
LOCK_NAME = "briefdesk.lock"


class RepoError(Exception):
    """Something about the content repo that stops an action, said in words with how to fix it."""


class GitRun(NamedTuple):
    """What one git command gave back: exit status, output (str, or bytes when asked) and errors."""

    returncode: int
    stdout: Any
    stderr: str


class GitUnavailable(RuntimeError):
    """git could not be run (not installed) or was stopped at its time limit; the message says which."""


def disk_full(text: str) -> bool:
    """True when git's (or the system's) words say the disk or quota is full."""
    return any(words in text for words in ("No space left on device", "Disk quota exceeded", "Out of diskspace"))


LOW_SPACE = 256 * 1024
"""Less free space than this under a failed write: the disk is the likely cause, whatever git's words."""


def no_space(folder: Path) -> bool:
    """True when the file system of ``folder`` has (almost) no free blocks or no free inodes left."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < LOW_SPACE or (stats.f_files > 0 and stats.f_favail == 0)


def disk_full_message(what: str) -> str:
    """What an editor reads when the disk filled up under a write."""
    return f"the disk is full, so {what} failed. Free some space on the disk that holds the content repo and try again"


def gitpython() -> Any:
    """GitPython, imported on first use."""
    try:
        import git
    except ImportError as exc:  # GitPython refuses to load when it cannot run git
        raise RepoError(
            f"git is not installed (or not on PATH), or GitPython cannot run it: Briefing Desk needs both for the content repo ({first_line(str(exc))})"
        ) from None
    return git


def prepare(handle: git.Git, git_dir: Path | None = None, work_tree: Path | None = None) -> git.Git:
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


def plain_git(cwd: Path, git_dir: Path | None = None) -> git.Git:
    """A GitPython command handle working in ``cwd`` (no repository object needed)."""
    return prepare(gitpython().Git(str(cwd)), git_dir, cwd if git_dir else None)


def run_git(
    handle: git.Git, args: Sequence[str], input: str | bytes | None = None, env: dict[str, str] | None = None,
    timeout: float = 300, text: bool = True,
) -> GitRun:
    """``git <args>`` through GitPython's runner (``Git.execute``); a failing git is a status, not an exception.

    ``input`` is fed on stdin; ``env`` adds to the handle's environment. Output
    is kept exactly (GitPython would otherwise drop a final newline).
    """
    from git.exc import GitCommandNotFound

    stdin = None
    if input is not None:
        # GitPython hands stdin to the process as a file; a temporary one never blocks on a full pipe.
        stdin = tempfile.TemporaryFile()
        stdin.write(input.encode("utf-8", "surrogateescape") if isinstance(input, str) else input)
        stdin.seek(0)
    try:
        status, out, err = handle.execute(
            [handle.GIT_PYTHON_GIT_EXECUTABLE or "git", *args], istream=stdin, with_extended_output=True,
            with_exceptions=False, stdout_as_string=text, strip_newline_in_stdout=False,
            kill_after_timeout=timeout, env=env,
        )
    except GitCommandNotFound:
        raise GitUnavailable("git is not installed (or not on PATH): Briefing Desk needs it for the content repo") from None
    finally:
        if stdin is not None:
            stdin.close()
    if status != 0 and str(err).startswith("Timeout: the command"):
        raise GitUnavailable(f"git {args[0]} took longer than {int(timeout)} s and was stopped")
    return GitRun(status, out, err)


def first_line(text: str) -> str:
    """The first line of git's words that says something (no hints, no ``fatal:``)."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("hint:"):
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


def check_object_format(handle: git.Repo, root: Path) -> None:
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


def own_repo(root: Path) -> git.Repo | None:
    """The git repository whose work tree is exactly ``root``, or None (none there, or ``root`` is inside another)."""
    git = gitpython()
    try:
        handle = git.Repo(str(root))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    if handle.working_tree_dir is not None and Path(handle.working_tree_dir).resolve() == root:
        return handle
    handle.close()
    return None


class GitHandle:
    """One content repo's git: commands, objects, refs, the lock and the checks made before writing."""

    def __init__(self, root: Path, git_dir: Path, common_dir: Path, repo: git.Repo) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        #: The GitPython repository; its ``odb`` reads and writes objects.
        self.repo = repo
        self.cmd: git.Git = prepare(repo.git, git_dir, root)
        # The app publishes from a worker thread while the UI reads the index:
        # GitPython's cat-file pipes are used by one thread at a time.
        self.reading = threading.RLock()

    def close(self) -> None:
        """Stop the helper git processes GitPython keeps for reading objects (they restart when needed)."""
        with self.reading:
            self.repo.close()

    # -- commands -----------------------------------------------------------

    def run(self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None, timeout: float = 300, text: bool = True) -> GitRun:
        """``git <args>`` in this repo; git missing or too slow is a RepoError, any other failure a status."""
        try:
            return run_git(self.cmd, args, input=input, env=env, timeout=timeout, text=text)
        except GitUnavailable as exc:
            self.check_there()  # a deleted folder, not a missing git, is the likelier cause
            raise RepoError(str(exc)) from None

    def must(self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None, what: str = "") -> str:
        """``git <args>``'s output; RepoError in words when it fails (a full disk says so)."""
        done = self.run(*args, input=input, env=env)
        if done.returncode != 0:
            if disk_full(done.stderr) or no_space(self.common_dir):
                raise RepoError(disk_full_message(what or f"git {args[0]}"))
            raise RepoError(f"{what or 'git ' + args[0]} failed: {first_line(done.stderr) or first_line(done.stdout)}")
        return done.stdout

    def check_there(self) -> None:
        """RepoError if the repo's folder or git folder has gone (moved or deleted while open)."""
        if not self.git_dir.is_dir() or not self.root.is_dir():
            raise RepoError(f"the content repo {self.root} is not there any more (moved or deleted?). Open it where it is now: --repo DIR")

    # -- objects ------------------------------------------------------------

    def object(self, name: str) -> tuple[str, str, bytes] | None:
        """(sha, type, data) of an object name like ``<commit>:<path>``, or None if missing."""
        with self.reading:
            found = self._ask(name, self.cmd.get_object_data)
        if found is None:
            return None
        sha, kind, _, data = found
        return sha.decode(), kind.decode(), data

    def _ask(self, name: str, ask: Callable[[str], Any]) -> Any:
        """One question to GitPython's long-lived ``git cat-file`` (under ``reading``); None if the name is unknown."""
        from git.exc import GitCommandNotFound

        if "\n" in name or "\r" in name:
            return None  # cannot be asked over the line-based pipe; no story path has one
        for attempt in (1, 2):
            try:
                return ask(name)
            except ValueError:  # "<name> missing" / "ambiguous" (or a name that cannot be sent)
                self.check_there()  # the pipe outlives a deleted repo: missing everything means gone
                return None
            except OSError:
                self.cmd.clear_cache()  # the process died: GitPython starts a new one
                if attempt == 2:
                    raise RepoError("git cat-file stopped unexpectedly while reading the repo") from None
            except GitCommandNotFound:
                self.check_there()
                raise RepoError("git is not installed (or not on PATH): Briefing Desk needs it for the content repo") from None
        return None

    def blob_text(self, rev: str, path: str) -> str | None:
        """The text of the file at ``path`` in ``rev``, or None."""
        found = self.object(f"{rev}:{path}")
        if found is None or found[1] != "blob":
            return None
        return found[2].decode("utf-8", "replace")

    def tree_id(self, rev: str, path: str) -> str | None:
        """The id of the folder ``path`` in ``rev`` (a commit or tree), or None."""
        found = self.object(f"{rev}:{path}")
        return found[0] if found and found[1] == "tree" else None

    def write_object(self, kind: str, data: bytes) -> str:
        """Store one git object and return its id (fsynced, so it outlives a crash); a full disk is said in words."""
        from gitdb.base import IStream
        from git.exc import GitCommandError

        odb = self.repo.odb
        try:
            sha = odb.store(IStream(kind, len(data), io.BytesIO(data))).hexsha.decode()
            fd = os.open(odb.db_path(odb.object_path(sha)), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except GitCommandError as exc:
            words = f"{exc.stderr or ''} {exc}"
            if disk_full(words) or no_space(self.common_dir):
                raise RepoError(disk_full_message("writing the story") + ". Nothing was published") from None
            raise RepoError(f"cannot write to the git folder ({first_line(str(exc.stderr or exc))}). Nothing was published") from None
        except OSError as exc:
            if exc.errno in (28, 122):  # ENOSPC, EDQUOT
                raise RepoError(disk_full_message("writing the story") + ". Nothing was published") from None
            raise RepoError(f"cannot write to the git folder ({exc.strerror or exc}). Nothing was published") from None
        except ValueError:  # GitPython read no object id back: git wrote nothing
            raise RepoError("cannot write to the git folder (git hash-object gave no object id). Nothing was published") from None
        return sha

    # -- refs ---------------------------------------------------------------

    def rev(self, name: str) -> str | None:
        """The commit a ref or revision names, or None (asked of the long-lived cat-file: no process per call)."""
        with self.reading:
            found = self._ask(f"{name}^{{commit}}", self.cmd.get_object_header)
        return found[0].decode() if found else None

    def head_ref(self) -> str | None:
        """``refs/heads/<name>`` HEAD points at, or None when HEAD is detached."""
        try:
            return self.repo.head.reference.path
        except TypeError:  # GitPython's word for a detached HEAD
            return None
        except (OSError, ValueError) as exc:
            raise RepoError(f"cannot read {self.git_dir / 'HEAD'}: {getattr(exc, 'strerror', None) or exc}") from None

    def branch(self) -> str:
        """The checked-out branch; RepoError when HEAD is detached."""
        ref = self.head_ref()
        if ref is None:
            head = self.rev("HEAD") or "?"
            raise RepoError(
                f"HEAD is detached (at {head[:8]}), so there is no branch to publish to. "
                "Switch to a branch first, for example: git switch main"
            )
        return ref.removeprefix("refs/heads/")

    def branch_or_none(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        ref = self.head_ref()
        return ref.removeprefix("refs/heads/") if ref else None

    def move_ref(self, ref: str, new: str, old: str | None, reason: str) -> None:
        """Move ``ref`` from ``old`` (None: it must not exist) to ``new``, or RepoError saying why not.

        Compare-and-swap: git refuses when the ref no longer holds ``old``.
        """
        done = self.run("update-ref", "-m", reason, ref, new, old or ZERO)
        if done.returncode == 0:
            return
        branch = ref.removeprefix("refs/heads/")
        # git says "couldn't write '…/main.lock'" on a full disk, without naming the cause.
        if disk_full(done.stderr) or no_space(self.common_dir):
            raise RepoError(disk_full_message(f"moving the branch {branch}") + ". Nothing was published")
        if self.rev(ref) != old:
            raise RepoError(f"the branch {branch} moved while publishing (someone else committed); nothing was published, try again")
        raise RepoError(f"the branch {branch} could not be moved ({first_line(done.stderr)}); nothing was published")

    # -- checks made before writing -------------------------------------------

    def check_operations(self) -> None:
        """Refuse while git is in the middle of a rebase, merge, cherry-pick or revert."""
        git_dir = self.git_dir
        if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
            raise RepoError("a rebase is in progress in the content repo. Finish it (git rebase --continue) or cancel it (git rebase --abort), then try again")
        if (git_dir / "MERGE_HEAD").exists():
            raise RepoError("a merge is in progress in the content repo. Finish it (git commit) or cancel it (git merge --abort), then try again")
        for name, verb in (("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert")):
            if (git_dir / name).exists():
                raise RepoError(f"a {verb} is in progress in the content repo. Finish it (git {verb} --continue) or cancel it (git {verb} --abort), then try again")

    def check_index_lock(self) -> None:
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

    def check_writable(self) -> None:
        """RepoError when the work tree or the git folder cannot be written."""
        for folder in (self.root, self.common_dir, self.common_dir / "objects"):
            if not os.access(folder, os.W_OK):
                raise RepoError(f"the content repo is read-only ({folder} cannot be written). Nothing was changed")

    @contextlib.contextmanager
    def lock(self, wait: float = LOCK_WAIT_SECONDS) -> Iterator[bool]:
        """Serialize our own writers (two app windows, a script) on ``.git/briefdesk.lock``.

        Yields True once the lock is held. With ``wait=0`` it yields False at
        once when another writer holds it, instead of raising.
        """
        path = self.common_dir / LOCK_NAME
        try:
            handle = open(path, "a+")
        except OSError as exc:
            raise RepoError(f"the content repo is read-only (cannot write {path}: {exc.strerror or exc}). Nothing was changed") from None
        try:
            deadline = time.monotonic() + wait
            held = True
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if wait <= 0:
                        held = False
                        break
                    if time.monotonic() > deadline:
                        raise RepoError("another Briefing Desk is still publishing or syncing in this repo; try again in a moment") from None
                    time.sleep(0.02)
            yield held
        finally:
            handle.close()
