"""The index of published stories, fast with tens of thousands of story files.

A story file's git blob id names its content, so what a blob says (id,
headline, source URL, updated) never changes. The index keeps those facts in a
small cache file inside the git folder and parses only blobs it has not seen.
One ``git ls-tree`` of the ``stories/`` tree gives path -> blob id; when that
tree is the one seen last time, even that call is skipped. Unknown blobs are
read in one pipelined ``git cat-file --batch`` call (50,000 one-at-a-time
reads through a long-lived process would take seconds longer).

git runs through GitPython's command runner (``run_git`` below, shared with
``stories.repo``).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from stories.model import PublishedStory

if TYPE_CHECKING:
    import git

CACHE_NAME = "briefdesk-index.tsv"
_CACHE_HEADER = "# briefdesk story index v1: blob id, story id, headline, source url, updated, status\n"
STORIES_DIR = "stories"

# What one blob says: (story id, headline, source url, updated ISO text, status).
BlobFacts = tuple[str, str, str, str, str]


class GitRun(NamedTuple):
    """What one git command gave back: exit status, output (str, or bytes when asked) and errors."""

    returncode: int
    stdout: Any
    stderr: str


class GitUnavailable(RuntimeError):
    """git could not be run (not installed) or was stopped at its time limit; the message says which."""


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


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


_KEY_LINE = re.compile(r"^(id|headline|status|updated|url)[ \t]*=[ \t]*(.+?)[ \t]*$", re.M)


_PLAIN_STRING = re.compile(r'^"[^"\\\x00-\x1f]*"$')
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")


def _value(raw: str) -> object:
    if _PLAIN_STRING.match(raw):
        return raw[1:-1]
    if _DATETIME.match(raw):
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return tomllib.loads(f"v = {raw}")["v"]


def _fast_facts(text: str, fallback_id: str) -> BlobFacts | None:
    """The facts read from the few lines that hold them, for files laid out as the codec writes them.

    Parsing 50,000 whole files with tomllib takes many seconds; the keys the
    index needs sit before the first multi-line string and in the final
    ``[source]`` table. Anything unusual returns None and gets a full parse.
    """
    cut = min((i for i in (text.find('"""'), text.find("'''")) if i >= 0), default=len(text))
    head = text[:cut]
    if "\n[" in head or head.startswith("["):
        return None
    source_at = text.rfind("\n[source]\n")
    if source_at < cut and source_at != -1:
        return None
    tail = text[source_at + 10 :] if source_at != -1 else ""
    if '"""' in tail or "'''" in tail or "\n[" in tail:
        return None
    found: dict[str, str] = {}
    for match in _KEY_LINE.finditer(head):
        if match.group(1) != "url":
            found.setdefault(match.group(1), match.group(2))
    url_match = next((m for m in _KEY_LINE.finditer(tail) if m.group(1) == "url"), None)
    try:
        story_id = _value(found["id"]) if "id" in found else fallback_id
        headline = _value(found["headline"]) if "headline" in found else ""
        status = _value(found["status"]) if "status" in found else ""
        updated = _value(found["updated"]) if "updated" in found else None
        url = _value(url_match.group(2)) if url_match else ""
    except (tomllib.TOMLDecodeError, KeyError):
        return None
    if not all(isinstance(v, str) for v in (story_id, headline, status, url)):
        return None
    if updated is not None and not isinstance(updated, datetime):
        return None
    return (story_id, headline, url, updated.isoformat() if updated else "", status)  # type: ignore[union-attr]


def blob_facts(text: str, fallback_id: str) -> BlobFacts:
    """The index facts of one story file's text (a broken file keeps its file name as id)."""
    fast = _fast_facts(text, fallback_id)
    if fast is not None:
        return fast
    return _full_facts(text, fallback_id)


def _full_facts(text: str, fallback_id: str) -> BlobFacts:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return (fallback_id, "", "", "", "broken")
    story_id = data.get("id") if isinstance(data.get("id"), str) else fallback_id
    headline = data.get("headline") if isinstance(data.get("headline"), str) else ""
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    url = source.get("url") if isinstance(source.get("url"), str) else ""
    updated = data.get("updated")
    updated_text = updated.isoformat() if isinstance(updated, datetime) else ""
    status = data.get("status") if isinstance(data.get("status"), str) else ""
    return (story_id, headline, url, updated_text, status)


def _parse_time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class StoryIndex:
    """Published stories of a tree, cached by blob id in ``<git dir>/briefdesk-index.tsv``."""

    def __init__(self, root: Path, git_dir: Path, handle: git.Git) -> None:
        self.root = root
        self.cache_path = git_dir / CACHE_NAME
        self._handle = handle  # the content repo's GitPython command handle
        self._blobs: dict[str, BlobFacts] | None = None
        self._tree: str | None = None
        self._rows: dict[str, PublishedStory] = {}
        self._blob_of: dict[str, str] = {}

    # -- cache file ---------------------------------------------------------

    def _load_cache(self) -> dict[str, BlobFacts]:
        if self._blobs is not None:
            return self._blobs
        blobs: dict[str, BlobFacts] = {}
        try:
            text = self.cache_path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        lines = text.split("\n")
        lines.pop()  # "" after the last newline, or a line torn by a crash mid-append
        for line in lines:
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 6 or len(parts[0]) not in (40, 64):
                continue  # a torn or foreign line: that blob is simply parsed again
            blobs[parts[0]] = tuple(_unescape(p) for p in parts[1:])  # type: ignore[assignment]
        self._blobs = blobs
        return blobs

    def _append_cache(self, entries: Iterable[tuple[str, BlobFacts]]) -> None:
        lines = "".join(f"{sha}\t" + "\t".join(_escape(v) for v in facts) + "\n" for sha, facts in entries)
        if not lines:
            return
        try:
            # One append per batch; a reader never trusts a line without its newline.
            with open(self.cache_path, "ab+") as handle:
                size = handle.seek(0, os.SEEK_END)
                prefix = _CACHE_HEADER if size == 0 else ""
                if size:
                    handle.seek(size - 1)
                    if handle.read(1) != b"\n":
                        prefix = "\n"  # close a line a crash left open, so ours starts clean
                handle.write((prefix + lines).encode("utf-8"))
        except OSError:
            pass  # a read-only repo still gets an index, just not a cached one

    # -- reading ------------------------------------------------------------

    def _git(self, *args: str, input: bytes | None = None) -> bytes:
        result = run_git(self._handle, args, input=input, text=False)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or f"git {args[0]} failed")
        return result.stdout

    def _parse_blobs(self, wanted: dict[str, str]) -> dict[str, BlobFacts]:
        """Facts of blobs (sha -> path) read in one ``git cat-file --batch`` call."""
        if not wanted:
            return {}
        out = self._git("cat-file", "--batch", input="".join(f"{sha}\n" for sha in wanted).encode())
        result: dict[str, BlobFacts] = {}
        pos = 0
        for sha, path in wanted.items():
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue
            size = int(header[2])
            data = out[pos : pos + size]
            pos += size + 1
            stem = path.rsplit("/", 1)[-1].removesuffix(".toml")
            result[sha] = blob_facts(data.decode("utf-8", "replace"), stem)
        return result

    def stories(self, stories_tree: str | None) -> list[PublishedStory]:
        """Published stories in the ``stories/`` tree with this id (None: no stories yet)."""
        if stories_tree is None:
            return []
        if stories_tree != self._tree:
            self._rebuild(stories_tree)
        return list(self._rows.values())

    def by_id(self, stories_tree: str | None, story_id: str) -> PublishedStory | None:
        """The story with this id in the tree, if there is one."""
        for row in self.stories(stories_tree):
            if row.id == story_id:
                return row
        return None

    def _rebuild(self, stories_tree: str) -> None:
        if self._tree is not None and self._update(stories_tree):
            return
        blobs = self._load_cache()
        listing = self._git("ls-tree", "-r", "-z", stories_tree)
        paths: dict[str, str] = {}
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) != 3 or parts[1] != b"blob":
                continue
            path = f"{STORIES_DIR}/{name.decode('utf-8', 'surrogateescape')}"
            if path.endswith(".toml"):
                paths[path] = parts[2].decode()
        unknown = {sha: path for path, sha in paths.items() if sha not in blobs}
        fresh = self._parse_blobs(unknown)
        blobs.update(fresh)
        self._append_cache(fresh.items())
        self._rows = {}
        self._blob_of = {}
        for path, sha in paths.items():
            self._add(path, sha, blobs.get(sha))
        self._tree = stories_tree

    def _update(self, stories_tree: str) -> bool:
        """Move the rows in memory to another tree by what changed (``git diff-tree``), not by listing it all."""
        try:
            out = self._git("diff-tree", "-r", "-z", "--no-renames", str(self._tree), stories_tree)
        except RuntimeError:
            return False
        fields = out.split(b"\0")
        changed: dict[str, str | None] = {}
        for meta, name in zip(fields[0::2], fields[1::2]):
            parts = meta.lstrip(b":").split()
            if len(parts) != 5:
                return False
            path = f"{STORIES_DIR}/{name.decode('utf-8', 'surrogateescape')}"
            if path.endswith(".toml"):
                changed[path] = None if parts[4] == b"D" else parts[3].decode()
        if len(changed) > 2000:
            return False  # a big jump (a fresh pull of a year of stories): one full listing is cheaper
        blobs = self._load_cache()
        unknown = {sha: path for path, sha in changed.items() if sha and sha not in blobs}
        fresh = self._parse_blobs(unknown)
        blobs.update(fresh)
        self._append_cache(fresh.items())
        for path, sha in changed.items():
            if sha is None:
                self._rows.pop(path, None)
                self._blob_of.pop(path, None)
            else:
                self._add(path, sha, blobs.get(sha))
        self._tree = stories_tree
        return True

    def _add(self, path: str, sha: str, facts: BlobFacts | None) -> None:
        self._rows.pop(path, None)
        self._blob_of[path] = sha
        if facts is None or facts[4] != "published":
            return
        story_id, headline, url, updated, _ = facts
        self._rows[path] = PublishedStory(story_id, headline, url, path, _parse_time(updated))

    def note(self, before: str | None, after: str, changes: dict[str, tuple[str, str]]) -> None:
        """Record a commit we made ourselves (path -> (blob id, text)) without listing the tree again.

        ``before`` and ``after`` are the ``stories/`` trees of the parent and the new commit.
        """
        if self._tree is None or self._tree != before:
            self._tree = None  # not the tree in memory: the next read lists the new one once
            return
        blobs = self._load_cache()
        fresh = {}
        for path, (sha, text) in changes.items():
            if sha not in blobs:
                stem = path.rsplit("/", 1)[-1].removesuffix(".toml")
                fresh[sha] = blob_facts(text, stem)
        blobs.update(fresh)
        self._append_cache(fresh.items())
        for path, (sha, _) in changes.items():
            self._add(path, sha, blobs[sha])
        self._tree = after
