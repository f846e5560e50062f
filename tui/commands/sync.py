"""``briefdesk sync``: pull with rebase, then push, to the content repo's remote."""

from __future__ import annotations

import argparse

HELP = "pull the desk's new stories and push yours (offline: says what is waiting)"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options of its own."""


def run(args: argparse.Namespace) -> int:
    """0 synced, offline or no remote (one status line); 3 on a conflict, a git fault or a remote folder that is gone."""
    from stories.repo import RepoError
    from tui.commands._repo import editor_from, fail, open_content_repo

    repo, config = open_content_repo(args)
    repo.editor = editor_from(config)
    try:
        result = repo.sync()
    except RepoError as exc:
        return fail(str(exc), 3)
    finally:
        repo.close()
    from tui.commands import safe_text
    from tui.commands._desk import share_desk_state

    print(safe_text(result.message))  # it can name a colleague's headline
    if result.ok:
        print(safe_text(share_desk_state(repo.root, config)))
    return 0 if result.ok else 3
