"""``briefdesk``: open the desk on the configured content repo (or create one and work offline)."""

from __future__ import annotations

import argparse
import sys
import time

STARTED = time.perf_counter()

HELP = "open the desk (the default when no command is given)"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options beyond --repo."""


FIRST_COMMIT_IDENTITY = ("Briefing Desk", "briefdesk@localhost")
"""Who makes the content repo's first commit when neither the config nor git names anyone."""


def known_identity(config=None) -> tuple[str, str]:
    """The editor's name and email from the config, else from git; empty strings when unset."""
    from tui.commands._desk import git_identity

    name = getattr(config, "editor_name", "") or ""
    email = getattr(config, "editor_email", "") or ""
    if not (name and email):
        git_name, git_email = git_identity(None)
        name, email = name or git_name, email or git_email
    return name, email


def open_repo(path, config=None):
    """The content repo at ``path``, created there (with the house desk.toml) when nothing is there yet.

    A first run needs no setup: when nobody is named yet, the first commit is
    made by "Briefing Desk"; publishing asks for the editor's name later.
    """
    from stories.repo import ContentRepo, Editor

    if path.exists() and any(path.iterdir()):
        return ContentRepo.open(path)
    name, email = known_identity(config)
    editor = Editor(name, email) if name and email else Editor(*FIRST_COMMIT_IDENTITY)
    return ContentRepo.init(path, editor=editor)


def run(args: argparse.Namespace) -> int:
    """Open the app; 2 (config) or 3 (content repo) with a how-to-fix message when it cannot open."""
    from tui import locations
    from tui.config import ConfigError, load_config, resolve_repo

    try:
        config = load_config()
    except ConfigError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return 2
    repo_path = resolve_repo(getattr(args, "repo", None), config)
    from stories.repo import RepoError

    try:
        repo = open_repo(repo_path, config)
    except RepoError as exc:
        from tui.commands import classify

        print(f"briefdesk: {exc}", file=sys.stderr)
        return classify(exc)[0]  # 2 for a broken desk.toml, 3 for git: see "Exit codes"

    from stories.queue import QueueError, QueueStore
    from tui.app import BriefDeskApp
    from tui.commands._desk import build_desk

    problems: list[str] = []
    try:
        desk = build_desk(repo, QueueStore(locations.queue_db()), locations.drafts_dir(), config, problems=problems)
    except QueueError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return 2
    app = BriefDeskApp(desk=desk, config=config, started=STARTED, problems=problems)
    app.run()
    return app.return_code or 0
