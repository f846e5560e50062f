"""Desk state shared through git: who claimed an item, what was dismissed and why, review notes.

The state lives on its own ref, ``refs/briefdesk/desk``, as a small tree of
one TOML file per item (``items/<item id>.toml``) and per reviewed story
(``reviews/<story id>.toml``). Each file holds the latest event for its item.

Why a ref of its own: ``main`` stays a history of stories that a reviewer can
read, a claim never shows up in ``git log`` or a story diff, and a claim
cannot conflict with a publish. One file per item means two editors touching
different items never touch the same file, so their trees merge as a union;
when both touched the same item, the side that changed it since the common
commit wins, and if both did, the later timestamp wins (ties broken by the
file text, so every machine picks the same). Every write is a commit made
with ``commit-tree`` and moved with a compare-and-swap ``update-ref``; a
plain ``git push``/``git fetch`` of the ref carries it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import tomlkit

from stories.model import utcnow
from stories.team.gitrun import GitHandle, TeamError, first_line

if TYPE_CHECKING:
    from stories.repo import Editor

DESK_REF = "refs/briefdesk/desk"
ZERO = "0" * 40
ITEMS = "items"
REVIEWS = "reviews"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_CAS_TRIES = 5

CLAIMED, RELEASED, DISMISSED, RESTORED = "claimed", "released", "dismissed", "restored"
CHANGES_REQUESTED, APPROVED = "changes-requested", "approved"


class ClaimHeld(TeamError):
    """A colleague holds the item: nothing was written."""

    def __init__(self, entry: DeskEntry, now: datetime) -> None:
        self.entry = entry
        super().__init__(f"{entry.item_id} is {entry.label(now)} ({entry.email}); use --force to take it over")


def age_text(since: datetime, now: datetime) -> str:
    """How long ago, the way the queue shows it: ``just now``, ``5m``, ``3h``, ``2d``."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


@dataclass(frozen=True)
class DeskEntry:
    """The latest event of one queue item: claimed, released, dismissed or restored; by whom, when, why."""

    item_id: str
    state: str
    name: str
    email: str
    at: datetime
    reason: str = ""

    def label(self, now: datetime | None = None) -> str:
        """``claimed by Ana · 5m`` (what the queue shows for a colleague's item)."""
        when = age_text(self.at, now or utcnow())
        return f"{self.state} by {self.name} · {when}"

    def held_by(self, editor: Editor) -> bool:
        """True when this is a claim and ``editor`` holds it (matched by email, the stable part)."""
        return self.state == CLAIMED and self.email.strip().lower() == editor.email.strip().lower()


@dataclass(frozen=True)
class ReviewNote:
    """A reviewer's verdict on a story branch: changes requested (with the note) or approved."""

    story_id: str
    verdict: str
    name: str
    email: str
    at: datetime
    note: str = ""
    commit: str = ""


@dataclass(frozen=True)
class DeskSync:
    """What a fetch or push of the desk state did, as one status line."""

    ok: bool
    state: str  # synced | offline | no-remote | rejected
    message: str
    received: int = 0


@dataclass(frozen=True)
class DeskChange:
    """What a write did: the entry written and the one it replaced (None for a first event)."""

    entry: DeskEntry
    previous: DeskEntry | None


def valid_id(item_id: str) -> bool:
    """True when ``item_id`` can be a file name on the desk ref."""
    return bool(_ID.match(item_id)) and ".." not in item_id


class DeskState:
    """The desk state of one content repo. ``clock`` gives the time of each event (tests pin it)."""

    def __init__(self, repo_path: Path | str, clock: Callable[[], datetime] = utcnow) -> None:
        self._git = GitHandle(repo_path)
        self.root = self._git.root
        self._clock = clock
        self._cache: tuple[str, dict[str, str]] | None = None

    def close(self) -> None:
        """Stop git's helper processes."""
        self._git.close()

    def git_identity(self) -> tuple[str, str]:
        """git's own user.name and user.email for this repo (empty when unset)."""
        return self._git.identity()

    def __enter__(self) -> DeskState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------

    def entries(self) -> dict[str, DeskEntry]:
        """Every item with a recorded event, by item id."""
        result = {}
        for path, text in self._files().items():
            if path.startswith(f"{ITEMS}/"):
                entry = _entry(text)
                if entry is not None:
                    result[entry.item_id] = entry
        return result

    def claims(self) -> dict[str, DeskEntry]:
        """The items claimed right now, by item id."""
        return {k: e for k, e in self.entries().items() if e.state == CLAIMED}

    def dismissals(self) -> dict[str, DeskEntry]:
        """The items dismissed for everyone, by item id, with their reason."""
        return {k: e for k, e in self.entries().items() if e.state == DISMISSED}

    def entry(self, item_id: str) -> DeskEntry | None:
        """The latest event of one item, or None."""
        tip = self._git.rev(DESK_REF)
        text = self._git.blob(tip, f"{ITEMS}/{item_id}.toml") if tip and valid_id(item_id) else None
        return _entry(text) if text else None

    def reviews(self) -> dict[str, ReviewNote]:
        """The latest review verdict of each story, by story id."""
        result = {}
        for path, text in self._files().items():
            if path.startswith(f"{REVIEWS}/"):
                note = _review(text)
                if note is not None:
                    result[note.story_id] = note
        return result

    def _files(self) -> dict[str, str]:
        """Path → text of every file on the desk ref (cached by the ref's commit)."""
        tip = self._git.rev(DESK_REF)
        if tip is None:
            return {}
        if self._cache and self._cache[0] == tip:
            return self._cache[1]
        listing = self._git.must("ls-tree", "-r", "-z", tip, what="reading the desk state")
        paths, shas = [], []
        for row in listing.split("\0"):
            if not row:
                continue
            meta, path = row.split("\t", 1)
            paths.append(path)
            shas.append(meta.split()[2])
        files = dict(zip(paths, _read_blobs(self._git, shas)))
        self._cache = (tip, files)
        return files

    # -- writing ------------------------------------------------------------

    def claim(self, item_id: str, editor: Editor, force: bool = False) -> DeskChange:
        """Claim an item for ``editor``; ClaimHeld names the colleague who holds it (``force`` takes it)."""
        return self._item_event(item_id, editor, CLAIMED, "", force)

    def release(self, item_id: str, editor: Editor, force: bool = False) -> DeskChange:
        """Give a claimed item back to the desk; a colleague's claim only with ``force``."""
        current = self.entry(item_id)
        if current is None or current.state != CLAIMED:
            raise TeamError(f"{item_id} is not claimed, so there is nothing to release")
        return self._item_event(item_id, editor, RELEASED, "", force)

    def dismiss(self, item_id: str, editor: Editor, reason: str, force: bool = False) -> DeskChange:
        """Dismiss an item for everyone; the reason is required and kept."""
        reason = " ".join(reason.split())
        if not reason:
            raise TeamError("a dismissal needs a reason, so colleagues know why the item is gone (--reason TEXT)")
        return self._item_event(item_id, editor, DISMISSED, reason, force)

    def restore(self, item_id: str, editor: Editor) -> DeskChange:
        """Bring a dismissed item back to the queue for everyone."""
        current = self.entry(item_id)
        if current is None or current.state != DISMISSED:
            raise TeamError(f"{item_id} is not dismissed, so there is nothing to restore")
        return self._item_event(item_id, editor, RESTORED, "", True)

    def record_review(self, story_id: str, editor: Editor, verdict: str, note: str = "", commit: str = "") -> ReviewNote:
        """Record a reviewer's verdict on a story (``changes-requested`` needs a note)."""
        if not valid_id(story_id):
            raise TeamError(f"{story_id!r} is not a story id")
        if verdict not in (CHANGES_REQUESTED, APPROVED):
            raise TeamError(f"unknown review verdict {verdict!r}")
        note = note.strip()
        if verdict == CHANGES_REQUESTED and not note:
            raise TeamError("a request for changes needs a note saying what to change (--note TEXT)")
        review = ReviewNote(story_id, verdict, editor.name, editor.email, self._clock(), note, commit)
        fields = {"story": story_id, "verdict": verdict, "by": editor.name, "email": editor.email, "at": review.at, "note": note, "commit": commit}
        self._write(f"{REVIEWS}/{story_id}.toml", _toml(fields), f"Review {story_id}: {verdict}", editor, None)
        return review

    def _item_event(self, item_id: str, editor: Editor, state: str, reason: str, force: bool) -> DeskChange:
        if not valid_id(item_id):
            raise TeamError(f"{item_id!r} is not a queue item id")
        if not editor.name.strip() or not editor.email.strip():
            raise TeamError("the desk state needs your name and email: set editor.name and editor.email in the config")
        entry = DeskEntry(item_id, state, editor.name, editor.email, self._clock(), reason)
        fields = {"item": item_id, "state": state, "by": editor.name, "email": editor.email, "at": entry.at, "reason": reason}
        path = f"{ITEMS}/{item_id}.toml"

        def guard(current_text: str | None) -> None:
            current = _entry(current_text) if current_text else None
            if not force and current is not None and current.state == CLAIMED and not current.held_by(editor):
                raise ClaimHeld(current, entry.at)

        previous = self._write(path, _toml(fields), f"{state.capitalize()} {item_id}", editor, guard)
        return DeskChange(entry, _entry(previous) if previous else None)

    def _write(self, path: str, text: str, message: str, editor: Editor, guard: Callable[[str | None], None] | None) -> str | None:
        """Commit ``text`` at ``path`` on the desk ref (compare-and-swap); returns the text it replaced."""
        blob = self._git.must("hash-object", "-w", "--stdin", input=text, what="writing the desk state").strip()
        for _ in range(_CAS_TRIES):
            old = self._git.rev(DESK_REF)
            previous = self._git.blob(old, path) if old else None
            if guard is not None:
                guard(previous)
            with self._index(old) as env:
                self._git.must("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env, what="writing the desk state")
                tree = self._git.must("write-tree", env=env, what="writing the desk state").strip()
            commit = self._commit(tree, [old] if old else [], message, editor)
            if self._git.run("update-ref", "-m", f"briefdesk: {message}", DESK_REF, commit, old or ZERO).returncode == 0:
                return previous
        raise TeamError("the desk state kept changing while writing (another briefdesk at work?); nothing was written, try again")

    @contextlib.contextmanager
    def _index(self, tree_of: str | None) -> Iterator[dict[str, str]]:
        """A throwaway index holding ``tree_of``'s tree: the editor's own index is never touched."""
        fd, name = tempfile.mkstemp(prefix="briefdesk-desk-", suffix=".index", dir=self._git.git_dir)
        os.close(fd)
        os.unlink(name)  # git wants to create the index itself
        env = {"GIT_INDEX_FILE": name}
        try:
            if tree_of:
                self._git.must("read-tree", tree_of, env=env, what="reading the desk state")
            yield env
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def _commit(self, tree: str, parents: list[str], message: str, editor: Editor) -> str:
        env = {
            "GIT_AUTHOR_NAME": editor.name, "GIT_AUTHOR_EMAIL": editor.email,
            "GIT_COMMITTER_NAME": editor.name, "GIT_COMMITTER_EMAIL": editor.email,
        }
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self._git.must(*args, "-F", "-", input=message + "\n", env=env, what="writing the desk state").strip()

    # -- sharing ------------------------------------------------------------

    def default_remote(self) -> str | None:
        """The remote the content repo syncs with, or None."""
        return self._git.default_remote()

    def _tracking(self, remote: str) -> str:
        return f"refs/briefdesk/remotes/{remote}/desk"

    def fetch(self, remote: str | None = None, editor: Editor | None = None) -> DeskSync:
        """Bring in colleagues' claims, dismissals and review notes and merge them with ours."""
        remote = remote or self.default_remote()
        if remote is None:
            return DeskSync(True, "no-remote", "desk state is only on this machine (no remote)")
        fetched = self._git.network("fetch", "--quiet", "--no-write-fetch-head", remote, f"+{DESK_REF}:{self._tracking(remote)}")
        if fetched.returncode != 0:
            if "couldn't find remote ref" in fetched.stderr:
                return DeskSync(True, "synced", f"{remote} has no desk state yet")
            return DeskSync(True, "offline", f"desk state: offline, {remote} did not answer ({first_line(fetched.stderr)})")
        theirs = self._git.rev(self._tracking(remote))
        received = self._merge_in(theirs, editor) if theirs else 0
        what = f"{received} change{'s' if received != 1 else ''} from colleagues" if received else "no new changes"
        return DeskSync(True, "synced", f"desk state from {remote}: {what}", received)

    def push(self, remote: str | None = None, editor: Editor | None = None) -> DeskSync:
        """Send our desk state to the remote; if a colleague pushed first, merge theirs and try once more."""
        remote = remote or self.default_remote()
        if remote is None:
            return DeskSync(True, "no-remote", "desk state is only on this machine (no remote)")
        for attempt in (1, 2):
            tip = self._git.rev(DESK_REF)
            if tip is None or tip == self._git.rev(self._tracking(remote)):
                return DeskSync(True, "synced", f"desk state up to date with {remote}")
            pushed = self._git.network("push", "--porcelain", remote, f"{tip}:{DESK_REF}")
            if pushed.returncode == 0:
                self._git.run("update-ref", self._tracking(remote), tip)
                return DeskSync(True, "synced", f"desk state pushed to {remote}")
            rejected = "rejected" in pushed.stdout + pushed.stderr or "fetch first" in pushed.stderr
            if not rejected:
                return DeskSync(True, "offline", f"desk state: offline, waiting to be pushed to {remote} ({first_line(pushed.stderr)})")
            if attempt == 1:
                fetched = self.fetch(remote, editor)
                if fetched.state != "synced":
                    return fetched
        return DeskSync(False, "rejected", f"{remote} did not take the desk state, twice; it stays here and goes with the next sync")

    def sync(self, remote: str | None = None, editor: Editor | None = None) -> DeskSync:
        """Fetch and merge, then push: what ``briefdesk sync`` does for the desk state."""
        fetched = self.fetch(remote, editor)
        if fetched.state != "synced":
            return fetched
        pushed = self.push(remote, editor)
        if pushed.state != "synced":
            return pushed
        return DeskSync(True, "synced", fetched.message, fetched.received)

    def _merge_in(self, theirs: str, editor: Editor | None) -> int:
        """Merge the fetched desk commit into ours; returns how many files colleagues changed."""
        for _ in range(_CAS_TRIES):
            ours = self._git.rev(DESK_REF)
            if ours == theirs or (ours and self._git.is_ancestor(theirs, ours)):
                return 0
            if ours is None or self._git.is_ancestor(ours, theirs):
                changed = len(_changed_paths(self._git, ours, theirs))
                if self._git.run("update-ref", "-m", "briefdesk: desk state fast-forward", DESK_REF, theirs, ours or ZERO).returncode == 0:
                    return changed
                continue
            commit, taken = self._merge_commit(ours, theirs, editor)
            if self._git.run("update-ref", "-m", "briefdesk: desk state merge", DESK_REF, commit, ours).returncode == 0:
                return taken
        raise TeamError("the desk state kept changing while merging (another briefdesk at work?); sync again")

    def _merge_commit(self, ours: str, theirs: str, editor: Editor | None) -> tuple[str, int]:
        base = self._git.run("merge-base", ours, theirs).stdout.strip() or None
        paths = _changed_paths(self._git, ours, theirs)
        ours_files = dict(zip(paths, _read_at(self._git, ours, paths)))
        theirs_files = dict(zip(paths, _read_at(self._git, theirs, paths)))
        base_files = dict(zip(paths, _read_at(self._git, base, paths))) if base else {}
        updates = []
        for path in paths:
            winner = pick(base_files.get(path), ours_files.get(path), theirs_files.get(path))
            if winner is not None and winner != ours_files.get(path):
                updates.append((path, winner))
        with self._index(ours) as env:
            for path, text in updates:
                blob = self._git.must("hash-object", "-w", "--stdin", input=text, what="merging the desk state").strip()
                self._git.must("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env, what="merging the desk state")
            tree = self._git.must("write-tree", env=env, what="merging the desk state").strip()
        who = editor if editor is not None and editor.name and editor.email else _Fallback()
        return self._commit(tree, [ours, theirs], "Merge desk state", who), len(updates)


@dataclass(frozen=True)
class _Fallback:
    """The committer of a merge when no editor is known (a background sync before setup)."""

    name: str = "Briefing Desk"
    email: str = "briefdesk@localhost"


def pick(base: str | None, ours: str | None, theirs: str | None) -> str | None:
    """Which version of one desk file a merge keeps.

    Desk files are never deleted, so a side without the file has no say.
    Otherwise the side that changed it since ``base`` wins; when both did,
    the later ``at`` wins, and equal times fall back to the larger text, so
    every machine makes the same choice whichever side is its own.
    """
    if ours is None or theirs is None:
        return theirs if ours is None else ours
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return max((ours, theirs), key=lambda text: (_at(text), text))


def _at(text: str) -> datetime:
    with contextlib.suppress(tomllib.TOMLDecodeError, TypeError, ValueError):
        value = tomllib.loads(text).get("at")
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.min.replace(tzinfo=timezone.utc)


def _toml(fields: dict[str, object]) -> str:
    return tomlkit.dumps({k: v for k, v in fields.items() if v != ""})


def _load(text: str) -> dict[str, object] | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None  # a file mangled by hand is skipped, not a crash
    at = data.get("at")
    if not isinstance(at, datetime):
        return None
    data["at"] = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return data


def _entry(text: str | None) -> DeskEntry | None:
    data = _load(text) if text else None
    if data is None or not isinstance(data.get("item"), str) or data.get("state") not in (CLAIMED, RELEASED, DISMISSED, RESTORED):
        return None
    return DeskEntry(
        str(data["item"]), str(data["state"]), str(data.get("by", "")), str(data.get("email", "")), data["at"], str(data.get("reason", ""))  # type: ignore[arg-type]
    )


def _review(text: str) -> ReviewNote | None:
    data = _load(text)
    if data is None or not isinstance(data.get("story"), str) or data.get("verdict") not in (CHANGES_REQUESTED, APPROVED):
        return None
    return ReviewNote(
        str(data["story"]), str(data["verdict"]), str(data.get("by", "")), str(data.get("email", "")), data["at"],  # type: ignore[arg-type]
        str(data.get("note", "")), str(data.get("commit", "")),
    )


def _changed_paths(handle: GitHandle, old: str | None, new: str) -> list[str]:
    """Files that differ between two desk commits (all of ``new``'s when ``old`` is None)."""
    if old is None:
        out = handle.must("ls-tree", "-r", "-z", "--name-only", new, what="reading the desk state")
    else:
        out = handle.must("diff-tree", "-r", "-z", "--name-only", "--no-renames", old, new, what="reading the desk state")
    return [p for p in out.split("\0") if p]


def _read_at(handle: GitHandle, commit: str, paths: list[str]) -> list[str | None]:
    """The text of each path at ``commit`` (None where it does not exist), in one git call."""
    return _read_blobs(handle, [f"{commit}:{p}" for p in paths])


def _read_blobs(handle: GitHandle, names: list[str]) -> list[str | None]:
    """Read many blobs through one ``git cat-file --batch``; a missing one is None."""
    if not names:
        return []
    out: bytes = handle.run("cat-file", "--batch", input="\n".join(names) + "\n", text=False).stdout
    result: list[str | None] = []
    pos = 0
    for _ in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            result.append(None)
            continue
        size = int(header[2])
        result.append(out[pos:pos + size].decode("utf-8", "replace"))
        pos += size + 1
    return result
