"""``briefdesk``: open the desk on the configured content repo (or create one and work offline)."""

from __future__ import annotations

import argparse
import sys
import time

STARTED = time.perf_counter()

HELP = "open the desk (the default when no command is given)"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options beyond --repo."""


def open_repo(path):
    """The content repo at ``path``, created there (with the house desk.toml) when nothing is there yet."""
    from stories.repo import ContentRepo, RepoError

    if path.exists() and any(path.iterdir()):
        return ContentRepo.open(path)
    try:
        return ContentRepo.init(path)
    except RepoError:
        raise
    except Exception as exc:  # pragma: no cover - surfaced in words below
        raise RepoError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Open the app; 1 with a how-to-fix message when the content repo or config is unusable."""
    from tui import locations
    from tui.config import ConfigError, load_config, resolve_repo

    try:
        config = load_config()
    except ConfigError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return 1
    repo_path = resolve_repo(getattr(args, "repo", None), config)
    from stories.repo import RepoError

    try:
        repo = open_repo(repo_path)
    except RepoError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return 1

    from tui.app import BriefDeskApp

    app = BriefDeskApp(
        repo=repo,
        queue_path=locations.queue_db(),
        drafts_dir=locations.drafts_dir(),
        config=config,
        started=STARTED,
    )
    app.run()
    return app.return_code or 0
