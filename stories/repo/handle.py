"""The git handle of a content repo: one git runner, objects, refs, the writer lock and the fault checks.

Every git command of the desk runs through ``run_git`` here, as the git CLI
(so git's own rules for names, dates, config and attributes hold exactly);
objects are read through one long-lived ``git cat-file --batch`` and written
with ``git hash-object -w``. A publish costs a handful of git processes and
no git library import (GitPython's import alone took ~100 ms of every
``briefdesk publish``, more than git's own ``git commit`` needs). Refs move
only with ``git update-ref <new> <old>``, an atomic compare-and-swap. Our own
writers are serialized with ``flock`` on ``.git/briefdesk.lock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

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


_HOOK_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX")


@dataclass(frozen=True)
class GitCommand:
    """Where git commands run: a folder and, once the repository is known, its git folder named outright.

    With ``git_dir`` set, ``GIT_DIR``, ``GIT_WORK_TREE`` and ``GIT_INDEX_FILE``
    are ours, so the ones a git hook of another repository passes down can
    never point our commands at that repository or its index.
    """

    cwd: Path
    git_dir: Path | None = None

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of one git command (read at call time, so a changed PATH counts)."""
        env = {k: v for k, v in os.environ.items() if k not in _HOOK_VARIABLES}
        env["GIT_TERMINAL_PROMPT"] = "0"  # sync must never sit waiting for a password
        env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        if self.git_dir is not None:
            env.update(GIT_DIR=str(self.git_dir), GIT_WORK_TREE=str(self.cwd), GIT_INDEX_FILE=str(self.git_dir / "index"))
        if extra:
            env.update(extra)
        return env


def plain_git(cwd: Path, git_dir: Path | None = None) -> GitCommand:
    """Git commands in ``cwd`` (and the repository at ``git_dir`` when given)."""
    return GitCommand(Path(cwd), git_dir)


NETWORK_COMMANDS = frozenset({"fetch", "push", "pull", "ls-remote", "clone"})
"""git commands that talk to a remote: the ones ``stop_network_git`` may end."""

_network_lock = threading.Lock()
_network_running: set[subprocess.Popen[bytes]] = set()


def run_git(
    command: GitCommand, args: Sequence[str], input: str | bytes | None = None, env: dict[str, str] | None = None,
    timeout: float = 300, text: bool = True,
) -> GitRun:
    """``git <args>``: the desk's one git runner. A failing git is a status, not an exception.

    ``input`` is fed on stdin; ``env`` adds to the environment. Output is kept
    exactly; text is UTF-8 with undecodable bytes kept (surrogateescape), so a
    path read back can be written back unchanged. A command that talks to a
    remote can be ended at once by ``stop_network_git`` (the app quitting).
    """
    data = input.encode("utf-8", "surrogateescape") if isinstance(input, str) else input
    network = bool(args) and args[0] in NETWORK_COMMANDS
    try:
        process = subprocess.Popen(
            ["git", *args], cwd=command.cwd, env=command.environment(env),
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            # A remote's helpers (ssh, a transport) belong to its own group, so ending it ends them too.
            start_new_session=network,
        )
    except FileNotFoundError:
        if not command.cwd.is_dir():
            raise GitUnavailable(f"the folder {command.cwd} is not there any more") from None
        raise GitUnavailable("git is not installed (or not on PATH): Briefing Desk needs it for the content repo") from None
    except OSError as exc:
        raise GitUnavailable(f"git could not be started ({exc.strerror or exc})") from None
    if network:
        with _network_lock:
            _network_running.add(process)
    try:
        with process:
            try:
                stdout, stderr = process.communicate(data, timeout=timeout)
            except subprocess.TimeoutExpired:
                if network:
                    os.killpg(process.pid, signal.SIGKILL)  # with the remote's helpers, which hold the pipes open
                else:
                    process.kill()
                process.communicate()
                raise GitUnavailable(f"git {args[0]} took longer than {int(timeout)} s and was stopped") from None
    finally:
        if network:
            with _network_lock:
                _network_running.discard(process)
    out = stdout.decode("utf-8", "surrogateescape") if text else stdout
    return GitRun(process.returncode, out, stderr.decode("utf-8", "replace"))


def stop_network_git() -> int:
    """End every git command talking to a remote right now (a fetch or push the app was waiting on); how many.

    Quitting must never wait on the network: the ref a push or fetch would
    have moved stays where it was (git moves refs only once all is there),
    and the next sync does the work again.
    """
    with _network_lock:
        running = list(_network_running)
    for process in running:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
    return len(running)


def first_line(text: str) -> str:
    """The first line of git's words that says something (no hints, no ``fatal:``)."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("hint:"):
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


@dataclass(frozen=True)
class Location:
    """Where a folder sits in git: its repository's work tree (None when bare), git folder and object format."""

    top: Path | None
    git_dir: Path
    common_dir: Path
    bare: bool
    object_format: str


def discover(folder: Path) -> Location | None:
    """The git repository ``folder`` is in (one ``git rev-parse``), or None when it is in none."""
    try:
        done = run_git(
            plain_git(folder),
            ["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir", "--is-bare-repository", "--show-object-format", "--show-toplevel"],
            timeout=30,
        )
    except GitUnavailable as exc:
        raise RepoError(str(exc)) from None
    lines = done.stdout.splitlines()
    if len(lines) < 4:
        return None
    top = Path(lines[4]).resolve() if len(lines) > 4 and done.returncode == 0 else None
    return Location(top, Path(lines[0]).resolve(), Path(lines[1]).resolve(), lines[2] == "true", lines[3])


def check_object_format(where: Location, root: Path) -> None:
    """RepoError for a repository whose object names are not sha1 (ids here are sha1)."""
    if where.object_format.lower() != "sha1":
        raise RepoError(
            f"{root} is a git repository with {where.object_format} object names, which Briefing Desk cannot read yet "
            "(it reads sha1 repositories only). Use a repository made with a plain git init"
        )


class ObjectReader:
    """One long-lived ``git cat-file --batch``: objects read without a process each."""

    def __init__(self, command: GitCommand) -> None:
        self._command = command
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            try:
                self._process = subprocess.Popen(
                    ["git", "cat-file", "--batch"], cwd=self._command.cwd, env=self._command.environment(),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                )
            except FileNotFoundError:
                raise GitUnavailable("git is not installed (or not on PATH): Briefing Desk needs it for the content repo") from None
        return self._process

    def read(self, name: str) -> tuple[str, str, bytes] | None:
        """(id, type, data) of the object ``name`` names, or None when there is none."""
        for attempt in (1, 2):
            process = self._start()
            try:
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
                process.stdin.flush()
                header = process.stdout.readline()
                if not header:
                    raise BrokenPipeError("git cat-file ended")
                if header.rstrip(b"\n").endswith((b" missing", b" ambiguous")):
                    return None
                sha, kind, size = header.split()
                data = process.stdout.read(int(size))
                process.stdout.read(1)  # the newline after each object
                return sha.decode(), kind.decode(), data
            except (OSError, ValueError):
                self.close()
                if attempt == 2:
                    raise RepoError("git cat-file stopped unexpectedly while reading the repo") from None
        return None

    def close(self) -> None:
        """Stop the process (the next read starts a new one)."""
        process, self._process = self._process, None
        if process is None:
            return
        # End of input ends cat-file at once; with its output closed too it can never block
        # on a write, so a plain wait() is safe (a wait with a timeout polls in sleeps).
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()
        process.wait()


class GitHandle:
    """One content repo's git: commands, objects, refs, the lock and the checks made before writing."""

    def __init__(self, root: Path, git_dir: Path, common_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        self.cmd = GitCommand(root, git_dir)
        self._objects = ObjectReader(self.cmd)
        # The app publishes from a worker thread while the UI reads the index:
        # the cat-file pipe is used by one thread at a time.
        self.reading = threading.RLock()

    def close(self) -> None:
        """Stop the helper ``git cat-file`` (it restarts when needed)."""
        with self.reading:
            self._objects.close()

    def abandon(self) -> None:
        """Stop the helper without the lock (for the garbage collector, which may run in any thread)."""
        self._objects.close()

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
        if "\n" in name or "\r" in name:
            return None  # cannot be asked over the line-based pipe; no story path has one
        with self.reading:
            try:
                found = self._objects.read(name)
            except GitUnavailable as exc:
                self.check_there()
                raise RepoError(str(exc)) from None
        if found is None:
            self.check_there()  # the pipe outlives a deleted repo: missing everything means gone
        return found

    def blob_text(self, rev: str, path: str) -> str | None:
        """The text of the file at ``path`` in ``rev``, or None."""
        found = self.object(f"{rev}:{path}")
        if found is None or found[1] != "blob":
            return None
        return found[2].decode("utf-8", "replace")

    def tree_id(self, rev: str, path: str) -> str | None:
        """The id of the folder ``path`` in ``rev`` (a commit or tree; "" for its root), or None."""
        found = self.object(f"{rev}:{path}")
        return found[0] if found and found[1] == "tree" else None

    def write_object(self, kind: str, data: bytes) -> str:
        """Store one git object and return its id (fsynced, so it outlives a crash); a full disk is said in words."""
        done = self.run("hash-object", "-w", "--stdin", "-t", kind, input=data)
        sha = done.stdout.strip()
        if done.returncode != 0 or len(sha) != 40:
            if disk_full(done.stderr) or no_space(self.common_dir):
                raise RepoError(disk_full_message("writing the story") + ". Nothing was published")
            raise RepoError(f"cannot write to the git folder ({first_line(done.stderr) or 'git hash-object wrote nothing'}). Nothing was published")
        with contextlib.suppress(OSError):  # packed already, or a file system without fsync
            fd = os.open(self.common_dir / "objects" / sha[:2] / sha[2:], os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return sha

    # -- refs ---------------------------------------------------------------

    def rev(self, name: str) -> str | None:
        """The commit a ref or revision names, or None (asked of the long-lived cat-file: no process per call)."""
        found = self.object(f"{name}^{{commit}}")
        return found[0] if found else None

    def head_ref(self) -> str | None:
        """``refs/heads/<name>`` HEAD points at, or None when HEAD is detached."""
        # .git/HEAD in git's documented form ("ref: <name>" or an object id) is read
        # without a process; anything else is asked of git.
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = (self.git_dir / "HEAD").read_text("utf-8").strip()
            if text.startswith("ref: refs/"):
                return text.removeprefix("ref: ")
            if len(text) == 40 and all(c in "0123456789abcdef" for c in text):
                return None
        done = self.run("symbolic-ref", "-q", "HEAD")
        if done.returncode == 0:
            return done.stdout.strip()
        if done.returncode == 1:
            return None  # detached
        self.check_there()
        raise RepoError(f"cannot read {self.git_dir / 'HEAD'}: {first_line(done.stderr)}")

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
