"""The editor's checkout after a publish: the published files in the work tree and in git's index, and nothing else.

A publish moves the branch first and then brings just its own paths in line.
A process killed in between (or a disk that fills up) would leave ``git
status`` showing the story as deleted or changed, and the editor's next
ordinary commit would undo the publish. So the publish writes a small journal
(``.git/briefdesk-publish.json``) before it moves the branch and removes it
when the checkout is in line; the next run that finds it finishes the job.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from stories.fsutil import atomic_write
from stories.repo.handle import GitHandle, RepoError, disk_full_message

JOURNAL_NAME = "briefdesk-publish.json"


@dataclass(frozen=True)
class Journal:
    """A publish in flight: the branch, the commit it moves to, the commit before, the files (path -> blob id)."""

    ref: str
    commit: str
    old: str
    files: dict[str, str]


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (what ``git hash-object`` prints, without a process)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def journal_path(git: GitHandle) -> Path:
    """Where the journal of a publish in flight lives (per work tree, as git's own index does)."""
    return git.git_dir / JOURNAL_NAME


def write_journal(git: GitHandle, journal: Journal) -> None:
    """Record the publish about to move the branch; RepoError (nothing published) if it cannot be written."""
    text = json.dumps({"ref": journal.ref, "commit": journal.commit, "old": journal.old, "files": journal.files})
    try:
        atomic_write(journal_path(git), text + "\n")
    except OSError as exc:
        if exc.errno in (28, 122):
            raise RepoError(disk_full_message("writing the story") + ". Nothing was published") from None
        raise RepoError(f"cannot write to the git folder ({exc.strerror or exc}). Nothing was published") from None


def clear_journal(git: GitHandle) -> None:
    """The checkout is in line with the publish: forget it."""
    with contextlib.suppress(FileNotFoundError):
        journal_path(git).unlink()


def read_journal(git: GitHandle) -> Journal | None:
    """The journal a killed publish left behind, or None (a torn or foreign one is dropped)."""
    path = journal_path(git)
    try:
        data = json.loads(path.read_text("utf-8"))
        journal = Journal(str(data["ref"]), str(data["commit"]), str(data["old"]), {str(k): str(v) for k, v in dict(data["files"]).items()})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        clear_journal(git)
        return None
    return journal


def heal(git: GitHandle) -> list[str]:
    """Finish a publish that was stopped after moving its branch; the caller holds the writer lock.

    The published files are put in the work tree where it still holds what
    was there before (or nothing), and into git's index. A file the editor has
    changed since is left alone, and said so. Returns notes for the editor.
    """
    journal = read_journal(git)
    if journal is None:
        return []
    if git.rev(journal.ref) != journal.commit or git.head_ref() != journal.ref:
        # The branch never moved (nothing was published), or it has moved on or
        # is no longer checked out: the checkout is not ours to change now.
        clear_journal(git)
        return []
    ready: dict[str, str] = {}
    notes: list[str] = []
    for path, blob in journal.files.items():
        target = git.root / path
        try:
            on_disk = blob_id(target.read_bytes())
        except (FileNotFoundError, NotADirectoryError):
            on_disk = None
        except OSError:
            continue
        before = git.object(f"{journal.old}:{path}") if journal.old else None
        if on_disk is not None and on_disk != blob and (before is None or on_disk != before[0]):
            notes.append(f"{path} was changed by hand after an interrupted publish; it was left as it is (compare: git diff -- {path})")
            continue
        if on_disk != blob:
            found = git.object(blob)
            if found is None or found[1] != "blob":
                continue
            try:
                atomic_write(target, found[2])
            except OSError:
                continue
        ready[path] = blob
    if ready:
        notes.extend(sync_index(git, ready, may_filter=False))
    if not notes:
        clear_journal(git)
    return notes


def write_work_tree(root: Path, files: dict[str, str]) -> None:
    """Write the published files; on failure put back what was there before and raise the OSError."""
    written: list[tuple[Path, bytes | None]] = []
    try:
        for rel, content in files.items():
            target = root / rel
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


def sync_index(git: GitHandle, blobs: dict[str, str], may_filter: bool) -> list[str]:
    """Make git's index hold the committed blobs for just these paths; a note when it could not."""
    paths = list(blobs)
    done = None
    for _ in range(20):
        done = git.run("update-index", "--add", "--", *paths)
        if done.returncode == 0 or "index.lock" not in done.stderr:
            break
        time.sleep(0.1)  # another git command holds the index for a moment
    if done is not None and done.returncode == 0:
        if not may_filter:
            return []
        staged = git.run("ls-files", "-s", "--", *paths).stdout
        if all(f" {sha} " in staged or f" {sha}\t" in staged for sha in blobs.values()):
            return []
        # A clean/smudge filter changed the bytes: record exactly the committed blobs.
        info = "".join(f"100644 {sha}\t{p}\n" for p, sha in blobs.items())
        if git.run("update-index", "--index-info", input=info).returncode == 0:
            return []
    joined = " ".join(paths)
    return [f"published, but git's index could not be updated yet; Briefing Desk finishes this the next time it opens the repo (or run: git reset -q -- {joined})"]


def restore_missing(git: GitHandle, commit: str, paths: list[str]) -> None:
    """Put back committed files missing from the work tree (a publish stopped before it wrote them)."""
    missing = {}
    for path in paths:
        if not (git.root / path).exists():
            found = git.object(f"{commit}:{path}")
            if found and found[1] == "blob":
                missing[path] = found
    if not missing:
        return
    with contextlib.suppress(OSError, UnicodeError):
        write_work_tree(git.root, {path: found[2].decode("utf-8") for path, found in missing.items()})
        sync_index(git, {path: found[0] for path, found in missing.items()}, may_filter=False)


def check_hand_edits(root: Path, path: str, committed: str | None, new: str) -> None:
    """Refuse to overwrite a story file someone changed by hand and has not committed."""
    try:
        on_disk = (root / path).read_bytes().decode("utf-8", "replace")
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
