"""The content repo: an ordinary git repository holding the desk's published stories.

``desk.toml`` sits at the root, stories at ``stories/<yyyy>/<id>.toml``, the
source texts the checks used at ``sources/<sha256>.txt``.

``ContentRepo`` is the face the rest of the desk uses; the work happens in
small rooms beside it:

- ``handle``: the git handle (one runner, objects, refs, the writer lock, the fault checks);
- ``identity``: who publishes (the one reader of git's user.name and user.email);
- ``trees``: a tree with a few files put in, by ``git ls-tree`` and ``git mktree``;
- ``publish``: check and commit one story and its snapshot;
- ``checkout``: the published paths in the work tree and index, and healing a publish cut short;
- ``sync``: pull with rebase (by ``git merge-tree``) and push;
- ``history``: the log and the sections a revision changed;
- ``message``: commit messages, written and read back through git's ``%(trailers)``;
- ``templates``: the desk.toml and README that ``init`` writes.

The published-story index is ``stories.index.StoryIndex``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from stories import codec
from stories.fsutil import atomic_write
from stories.index import StoryIndex
from stories.model import Briefing, PublishedStory, utcnow
from stories.profile import DESK_FILE, Profile, ProfileError, load_profile
from stories.repo import checkout
from stories.repo import publish as publishing
from stories.repo.handle import GitHandle, RepoError, check_object_format, discover, first_line, plain_git, run_git
from stories.repo.identity import Editor, git_identity, ident_env, identity
from stories.repo.message import CommitInfo
from stories.repo.publish import PublishRefused, PublishResult
from stories.repo.templates import README_TEXT, desk_file_text

if TYPE_CHECKING:
    from stories.repo.history import SectionChange
    from stories.repo.sync import RepoStatus, SyncResult

# History and sync load when first used: a publish process never pays for them.
_LATER = {"SectionChange": "stories.repo.history", "RepoStatus": "stories.repo.sync", "SyncResult": "stories.repo.sync"}


def __getattr__(name: str) -> object:
    if name in _LATER:
        import importlib

        return getattr(importlib.import_module(_LATER[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "CommitInfo", "ContentRepo", "Editor", "PublishRefused", "PublishResult", "RepoError", "RepoStatus",
    "SectionChange", "StoryIndex", "SyncResult", "git_identity",
]


class ContentRepo:
    """A content repo on disk. Open it with ``ContentRepo.open(path)`` or make one with ``init``."""

    def __init__(self, root: Path, git_dir: Path, common_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        self._git = GitHandle(root, git_dir, common_dir)
        self._profile: Profile | None = None
        self._index = StoryIndex(common_dir, self._git)
        #: Used as committer when sync rewrites commits and git has no identity configured.
        self.editor: Editor | None = None

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> ContentRepo:
        """The content repo at ``path``; RepoError says what is missing and how to fix it.

        A publish that was stopped halfway (killed, or a full disk) is finished here.
        """
        root = Path(path).expanduser()
        if not root.is_dir():
            raise RepoError(f"{root} does not exist. To make a new content repo there: briefdesk init {root}")
        root = root.resolve()
        not_a_repo = f"{root} is not a git repository, so it is not a content repo. To make one there: briefdesk init {root}"
        where = discover(root)
        if where is None:
            raise RepoError(not_a_repo)
        if root in (where.git_dir, where.common_dir):
            top = where.git_dir.parent if where.git_dir.name == ".git" else where.git_dir
            raise RepoError(f"{root} is the git folder of {top}, not a content repo. Open {top} instead")
        if where.bare or where.top is None:
            raise RepoError(not_a_repo)
        if where.top != root:
            raise RepoError(
                f"{root} is a folder inside the git repository {where.top}, not a content repo of its own. "
                f"Open {where.top} instead, or make a new content repo: briefdesk init {root}"
            )
        check_object_format(where, root)
        if not (root / DESK_FILE).is_file():
            raise RepoError(
                f"{root} is a git repository but has no {DESK_FILE}, so it is not a content repo. "
                f"To make it one (adds {DESK_FILE} and a README, keeps everything else): briefdesk init {root}"
            )
        repo = cls(root, where.git_dir, where.common_dir)
        repo.profile  # a broken desk.toml is reported on open, not mid-publish
        repo.heal()
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
        where = discover(root)
        own = where is not None and where.top == root
        if own:
            check_object_format(where, root)
        command = plain_git(root, where.git_dir) if own else plain_git(root)
        who = identity(command, editor)
        if not own:
            # GIT_DIR named outright: a GIT_DIR inherited from a git hook must not get the init.
            fresh = plain_git(root, root / ".git")
            args = ["init", "-q"]
            if not run_git(fresh, ["config", "init.defaultBranch"]).stdout.strip():
                args.append("--initial-branch=main")
            done = run_git(fresh, args)
            if done.returncode != 0:
                raise RepoError(f"git init failed in {root}: {first_line(done.stderr)}")
            command = fresh
        paths = [DESK_FILE]
        atomic_write(root / DESK_FILE, desk_file_text())
        if not (root / "README.md").exists():
            atomic_write(root / "README.md", README_TEXT)
            paths.append("README.md")
        env = ident_env(who, who)
        for args in (("add", "--", *paths), ("commit", "-q", "-m", "Start the content repo", "--", *paths)):
            done = run_git(command, args, env=env)
            if done.returncode != 0:
                raise RepoError(f"git {args[0]} failed in {root}: {first_line(done.stderr) or first_line(done.stdout)}")
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
        """Stop the helper ``git cat-file`` and close the index file (both open again when needed)."""
        self._git.close()
        with self._git.reading:
            self._index.close()

    def __enter__(self) -> ContentRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._git.abandon()

    # -- healing ------------------------------------------------------------

    def heal(self) -> list[str]:
        """Finish a publish that was stopped between moving the branch and updating the checkout.

        Skipped (an empty list) while another writer holds the lock: its
        publish is still running. Returns notes for the editor.
        """
        if not checkout.journal_path(self._git).exists():
            return []
        with contextlib.suppress(RepoError), self._git.lock(wait=0) as held:
            if held:
                return checkout.heal(self._git)
        return []

    # -- the index of published stories -------------------------------------

    def story_index(self, rev: str = "HEAD") -> StoryIndex:
        """The index of published stories at ``rev``: ``by_id(id)``, ``exists(id)``, ``by_url(url)``, ``stories()``.

        Cheap to call again: the index moves between trees by what changed.
        """
        commit = self._git.rev(rev)
        with self._git.reading:
            return self._index.at(self._git.tree_id(commit, "stories") if commit else None)

    def published(self, rev: str = "HEAD") -> list[PublishedStory]:
        """Every published story at ``rev`` (id, headline, source URL, path, updated).

        Rows come in no promised order (sort them as the screen needs). The list
        is a copy; calling again after a publish or a pull is cheap.
        """
        if self._git.rev(rev) is None:
            return []
        with self._git.reading:
            return self.story_index(rev).stories()

    def relevant(self, briefing: Briefing, rev: str = "HEAD") -> list[PublishedStory]:
        """The published stories at ``rev`` that the repository checks need for this briefing.

        Those with the same source (by canonical URL) and the related ones: what
        ``stories.checks.run_checks`` needs as ``published``, found through the
        index without reading every story.
        """
        commit = self._git.rev(rev)
        if commit is None:
            return []
        return publishing.relevant(self._git, self._index, commit, briefing)

    def _path_of(self, commit: str, story_id: str) -> str | None:
        return publishing.find_path(self._git, self._index, commit, story_id)

    def story_path(self, story_id: str, rev: str = "HEAD") -> str | None:
        """Where the story lives at ``rev`` (repo-relative path), or None."""
        commit = self._git.rev(rev)
        if commit is None:
            return None
        path = self._path_of(commit, story_id)
        if path is None:
            branch = self._git.rev(f"refs/heads/story/{story_id}")
            if branch and branch != commit:
                path = self._path_of(branch, story_id)
        return path

    def story(self, story_id: str, rev: str = "HEAD") -> Briefing:
        """The story with this id as committed at ``rev`` (KeyError if there is none)."""
        commit = self._git.rev(rev)
        path = self._path_of(commit, story_id) if commit else None
        if commit is None or path is None:
            raise KeyError(story_id)
        text = self._git.blob_text(commit, path)
        if text is None:
            raise KeyError(story_id)
        return codec.loads(text, self.profile, path)

    def source_text(self, snapshot: str, rev: str = "HEAD") -> str | None:
        """A stored source snapshot (``sources/<snapshot>.txt``), from the commit or the work tree."""
        if not snapshot or not all(c in "0123456789abcdef" for c in snapshot):
            return None
        path = f"sources/{snapshot}.txt"
        commit = self._git.rev(rev)
        text = self._git.blob_text(commit, path) if commit else None
        if text is None:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = (self.root / path).read_text("utf-8")
        return text

    # -- publishing, history, sync -----------------------------------------

    def publish(self, briefing: Briefing, source_text: str | None, editor: Editor | None = None, allow_warnings: bool = True) -> PublishResult:
        """Check and commit one story (and its source snapshot) and nothing else.

        Raises PublishRefused when the checks find errors (or warnings, with
        ``allow_warnings=False``) and RepoError on any fault; in both cases the
        repo is as it was.
        """
        return publishing.publish(self._git, self._index, self.profile, briefing, source_text, editor, allow_warnings, utcnow())

    def log(self, story_id: str | None = None, limit: int = 200) -> list[CommitInfo]:
        """Commits of the desk (or of one story), newest first."""
        from stories.repo import history

        return history.log(self._git, self._path_of, story_id, limit)

    def section_diff(self, story_id: str, old_rev: str | None, new_rev: str = "HEAD") -> list[SectionChange]:
        """Which sections changed between two revisions of a story, and how (old_rev None: all added)."""
        from stories.repo import history

        return history.section_diff(self._git, self.profile, self._path_of, self.story_path(story_id), story_id, old_rev, new_rev)

    def status(self) -> RepoStatus:
        """Branch, ahead/behind its remote (as of the last fetch) and stories waiting to be pushed."""
        from stories.repo.sync import Syncer

        self.heal()
        return Syncer(self._git, self.profile, self.editor).status()

    def sync(self) -> SyncResult:
        """Pull with rebase, then push; offline or without a remote, a one-line status instead.

        In review mode the story branches (``story/<id>``) that the remote does
        not have yet are pushed too, ready for a pull request.
        """
        from stories.repo.sync import Syncer

        with self._git.lock():
            checkout.heal(self._git)
            return Syncer(self._git, self.profile, self.editor).sync()
