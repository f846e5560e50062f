"""The one git runner the team modules share: the desk's own (stories.repo.handle), never a prompt."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from stories.repo.handle import GitRun, GitUnavailable, RepoError, discover, first_line, plain_git, run_git
from stories.repo.identity import git_identity

NETWORK_TIMEOUT = 60


class TeamError(Exception):
    """Something that stops a team action, said in an editor's words."""


class GitHandle:
    """A content repo's git, through the desk's one runner (stories.repo.handle) with the repo named outright."""

    def __init__(self, repo_path: Path | str) -> None:
        root = Path(repo_path).expanduser()
        if not root.is_dir():
            raise TeamError(f"{root} is not a git repository, so it is not a content repo")
        try:
            where = discover(root)
        except RepoError as exc:
            raise TeamError(str(exc)) from None
        if where is None or where.top is None:
            raise TeamError(f"{root} is not a git repository, so it is not a content repo")
        self.root = where.top
        self.git_dir = where.git_dir
        self._cmd = plain_git(self.root, self.git_dir)

    def run(
        self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None, timeout: float = 300, text: bool = True,
    ) -> GitRun:
        """``git <args>``; a failing git is a status, git missing or stuck a TeamError."""
        try:
            return run_git(self._cmd, args, input=input, env=env, timeout=timeout, text=text)
        except GitUnavailable as exc:
            raise TeamError(str(exc)) from None

    def must(self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None, what: str = "") -> str:
        """``git <args>`` that has to work: its output, or a TeamError naming what failed."""
        done = self.run(*args, input=input, env=env)
        if done.returncode != 0:
            reason = first_line(done.stderr) or f"git {args[0]} failed"
            raise TeamError(f"{what or 'git ' + args[0]}: {reason}")
        return done.stdout

    def network(self, *args: str) -> GitRun:
        """A fetch or push; a remote that does not answer in time is a failure status, not a crash."""
        try:
            return self.run(*args, timeout=NETWORK_TIMEOUT)
        except TeamError as exc:
            return GitRun(128, "", f"fatal: {exc}")

    def rev(self, name: str) -> str | None:
        """The commit ``name`` points at, or None."""
        done = self.run("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
        return done.stdout.strip() or None if done.returncode == 0 else None

    def is_ancestor(self, older: str, newer: str) -> bool:
        """True when ``older`` is in the history of ``newer``."""
        return self.run("merge-base", "--is-ancestor", older, newer).returncode == 0

    def blob(self, rev: str, path: str) -> str | None:
        """The text of ``path`` at ``rev``, or None."""
        done = self.run("cat-file", "blob", f"{rev}:{path}")
        return done.stdout if done.returncode == 0 else None

    def remotes(self) -> list[str]:
        """The names of the configured remotes."""
        return self.run("remote").stdout.split()

    def default_remote(self) -> str | None:
        """The remote sync uses: the current branch's, else origin, else the only one."""
        remotes = self.remotes()
        branch = self.run("symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
        if branch:
            configured = self.run("config", f"branch.{branch}.remote").stdout.strip()
            if configured in remotes:
                return configured
        if "origin" in remotes:
            return "origin"
        return remotes[0] if len(remotes) == 1 else None

    def identity(self) -> tuple[str, str]:
        """git's own user.name and user.email for this repo (empty when unset)."""
        return git_identity(self.root)

    def close(self) -> None:
        """Nothing to stop: every command is its own git process."""


def offline_reason(stderr: str) -> str:
    """Why the remote did not answer, in a few words (git's own message, shortened)."""
    line = first_line(stderr)
    return line[:160]
