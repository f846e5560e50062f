"""``briefdesk log [ID]``: the content repo's history, newest first."""

from __future__ import annotations

import argparse

HELP = "show the commits of the desk, or of one story with the sections each revision changed"


def configure(parser: argparse.ArgumentParser) -> None:
    """An optional story id and a limit."""
    parser.add_argument("story_id", nargs="?", metavar="ID", help="a story id: only its commits, with the sections each changed")
    parser.add_argument("-n", "--limit", type=int, default=50, help="at most this many commits (default 50)")


def run(args: argparse.Namespace) -> int:
    """One line per commit: short id, date, author, subject."""
    from stories.clean import clean_line
    from stories.repo import RepoError
    from tui.commands._repo import fail, open_content_repo

    repo, _config = open_content_repo(args)
    try:
        limit = max(1, args.limit)
        # One more than shown, so the oldest line shown can still say what it changed.
        commits = repo.log(args.story_id, limit=limit + 1)
        if args.story_id and not commits:
            return fail(f"no commits of a story {args.story_id!r} in {repo.root}", 1)
        for number, commit in enumerate(commits[:limit]):
            # Names and subjects are colleagues' text: never handed to the terminal raw.
            print(f"{commit.short}  {commit.date:%Y-%m-%d %H:%M}  {clean_line(commit.author, 80)}  {clean_line(commit.subject, 200)}")
            if args.story_id:
                older = commits[number + 1].sha if number + 1 < len(commits) else None
                if older is None:
                    print("         new story")
                    continue
                try:
                    changes = repo.section_diff(args.story_id, older, commit.sha)
                except (RepoError, ValueError):
                    changes = []
                if changes:
                    print("         " + ", ".join(f"{c.label} {c.change}" for c in changes))
    except RepoError as exc:
        return fail(str(exc))
    finally:
        repo.close()
    return 0
