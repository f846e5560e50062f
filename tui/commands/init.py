"""``briefdesk init [DIR]``: make a new content repo."""

from __future__ import annotations

import argparse

HELP = "make a content repo: git init, a desk.toml with the house format, a README and a first commit"


def configure(parser: argparse.ArgumentParser) -> None:
    """The folder (default: the configured content repo)."""
    parser.add_argument("dir", nargs="?", metavar="DIR", help="where to make it (default: --repo, BRIEFDESK_REPO, the config, or the one under the data folder)")


def run(args: argparse.Namespace) -> int:
    """Make the repo and say what to do next."""
    from pathlib import Path

    from stories.repo import ContentRepo, RepoError
    from tui.commands._repo import editor_from, fail, repo_path
    from tui.config import ConfigError

    try:
        default, config = repo_path(args)
    except ConfigError as exc:
        return fail(str(exc))
    root = Path(args.dir).expanduser() if args.dir else default
    try:
        repo = ContentRepo.init(root, editor_from(config))
    except RepoError as exc:
        return fail(str(exc), 3)  # the environment (git, disk): see "Exit codes"
    print(f"Made a content repo in {repo.root}")
    print(f"  desk.toml  the desk profile: sections, tone rules, topics, sources (edit it, then commit)")
    print(f"  README.md  what lives where, for colleagues")
    print(f"Next: add a remote for sync (git -C {repo.root} remote add origin URL), then run briefdesk --repo {repo.root}")
    repo.close()
    return 0
