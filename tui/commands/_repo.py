"""Shared by the content-repo commands: which repo, which editor, and how faults are printed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def fail(message: str, code: int = 2) -> int:
    """Print ``briefdesk: <message>`` on stderr and return the exit code.

    The message can hold text from the repo (headlines, paths), so no escape
    sequence in it ever reaches the terminal.
    """
    from stories.clean import clean_text

    print(f"briefdesk: {clean_text(message)}", file=sys.stderr)
    return code


def repo_path(args: argparse.Namespace) -> tuple[Path, object]:
    """The content repo folder (``--repo``, ``BRIEFDESK_REPO``, config, default) and the config."""
    from tui.config import load_config, resolve_repo

    config = load_config()
    return resolve_repo(getattr(args, "repo", None), config), config


def editor_from(config: object):
    """The editor identity from the config file, or None to fall back on git's."""
    from stories.repo import Editor

    name = getattr(config, "editor_name", "") or ""
    email = getattr(config, "editor_email", "") or ""
    return Editor(name, email) if name.strip() and email.strip() else None


def desk_profile(args: argparse.Namespace, missing_hint: str):
    """The content repo folder and its profile; CommandError when it has no usable desk.toml."""
    from stories.profile import DESK_FILE, ProfileError, load_profile
    from tui.commands import CommandError

    repo, _config = repo_path(args)
    if not (repo / DESK_FILE).is_file():
        raise CommandError(f"no content repo with a {DESK_FILE} at {repo}; {missing_hint}")
    try:
        return repo, load_profile(repo)
    except ProfileError as exc:
        raise CommandError(str(exc)) from None


def open_content_repo(args: argparse.Namespace):
    """The content repo the command works on, and the config; CommandError if it cannot be opened."""
    from stories.repo import ContentRepo, RepoError
    from tui.commands import CommandError

    root, config = repo_path(args)
    try:
        return ContentRepo.open(root), config
    except RepoError as exc:
        raise CommandError(str(exc)) from None
