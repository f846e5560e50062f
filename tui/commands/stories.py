"""``briefdesk stories [TEXT]``: the published stories, searchable by headline, text, topic and date."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

HELP = "list published stories, searchable by headline, text, topic and date (* = new since your last sync)"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-24") from None


def configure(parser: argparse.ArgumentParser) -> None:
    """Search words, --topic, --since, --until, --format."""
    parser.add_argument("text", nargs="*", metavar="TEXT", help="words every story shown must contain (a year, month or day like 2026-11 matches the date)")
    parser.add_argument("--topic", default="", help="only stories with this topic")
    parser.add_argument("--since", type=_day, metavar="DATE", help="updated on or after this day")
    parser.add_argument("--until", type=_day, metavar="DATE", help="updated on or before this day")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="plain text (default) or JSON")


def run(args: argparse.Namespace) -> int:
    """One line per story, newest first; 0 even when nothing matches (it says so)."""
    from stories.clean import clean_line
    from stories.repo import RepoError
    from stories.team.browse import find_stories, parse_query
    from stories.team.gitrun import TeamError
    from tui.commands import CommandError
    from tui.commands._repo import open_content_repo

    repo, _config = open_content_repo(args)
    try:
        hits = find_stories(repo, parse_query(" ".join(args.text), args.topic, args.since, args.until))
    except (RepoError, TeamError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        repo.close()
    if args.format == "json":
        rows = [
            {"id": h.id, "headline": h.headline, "path": h.path, "updated": h.updated.isoformat() if h.updated else None,
             "source_url": h.source_url, "new_since_sync": h.new_since_sync}
            for h in hits
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for h in hits:
        when = f"{h.updated:%Y-%m-%d}" if h.updated else "          "
        mark = "*" if h.new_since_sync else " "
        print(f"{mark} {when}  {clean_line(h.headline, 120)}  ({h.id})")
    if not hits:
        print("No published story matches." if args.text or args.topic or args.since or args.until else "No stories published yet.", file=sys.stderr)
    return 0
