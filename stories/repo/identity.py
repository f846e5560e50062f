"""Who publishes: the one reader of git's identity (``user.name``, ``user.email``) for the whole desk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from stories.repo.handle import GitCommand, GitUnavailable, RepoError, plain_git, run_git


@dataclass(frozen=True)
class Editor:
    """Who publishes: the commit author and the ``Editor:`` trailer."""

    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def git_config(handle: GitCommand) -> dict[str, str]:
    """git's user.name, user.email and core.autocrlf (absent when unset), in one call.

    Asked of ``git config`` itself, so ``GIT_CONFIG_GLOBAL``,
    ``GIT_CONFIG_NOSYSTEM`` and conditional includes count as they do for git.
    """
    try:
        out = run_git(handle, ["config", "-z", "--get-regexp", r"^(user\.(name|email)|core\.autocrlf)$"], timeout=10).stdout
    except GitUnavailable as exc:
        raise RepoError(str(exc)) from None
    values = {}
    for record in out.split("\0"):
        key, _, value = record.partition("\n")
        if key:
            values[key] = value.strip()
    return values


def git_identity(where: GitCommand | Path | None = None) -> tuple[str, str]:
    """The user.name and user.email git would use (empty when unset, or when git cannot be run).

    ``where`` is a repo's git command, or a folder (None: the current
    one), so a repository's own ``.git/config`` counts as git would count it.
    """
    try:
        handle = where if where is not None and not isinstance(where, Path) else plain_git(where or Path.cwd())
        values = git_config(handle)
    except (RepoError, OSError):
        return "", ""
    return values.get("user.name", ""), values.get("user.email", "")


def identity(handle: GitCommand, editor: Editor | None, config: dict[str, str] | None = None) -> Editor:
    """The editor given, else git's user.name/user.email; a clear error if neither is set.

    ``config`` is what ``git_config`` already read, so a publish asks git once.
    """
    if editor is not None and editor.name.strip() and editor.email.strip():
        return editor
    values = config if config is not None else git_config(handle)
    name, email = values.get("user.name", ""), values.get("user.email", "")
    if name and email:
        return Editor(name, email)
    raise RepoError(
        "who is publishing? No editor name and email are set. Set them in the Briefing Desk config "
        '([editor] name = "…" and email = "…"), or for git: git config --global user.name "Your Name" '
        "and git config --global user.email you@example.org. Nothing was written"
    )


def ident_env(author: Editor, committer: Editor) -> dict[str, str]:
    """The environment that makes git write this author and committer."""
    return {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": committer.name,
        "GIT_COMMITTER_EMAIL": committer.email,
    }
