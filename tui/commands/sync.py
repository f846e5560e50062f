"""``briefdesk sync``: pull with rebase, then push, to the content repo's remote."""

from __future__ import annotations

import argparse

HELP = "pull the desk's new stories and push yours (offline: says what is waiting)"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options of its own."""


def run(args: argparse.Namespace) -> int:
    """0 synced, offline or no remote (one status line); 1 on a conflict; 2 on a fault; 3 when the remote folder is gone."""
    from stories.repo import RepoError
    from tui.commands._repo import editor_from, fail, open_content_repo

    repo, config = open_content_repo(args)
    repo.editor = editor_from(config)
    try:
        result = repo.sync()
    except RepoError as exc:
        return fail(str(exc))
    finally:
        repo.close()
    from stories.clean import clean_text

    print(clean_text(result.message))  # it can name a colleague's headline
    if result.state == "bad-remote":
        return 3  # the environment: a remote that is not there
    return 0 if result.ok else 1
