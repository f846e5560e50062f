"""``briefdesk queue``: the incoming-source queue on stdout, from the local database only (no network)."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "list the incoming-source queue (works offline: reads the local database only)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``briefdesk queue``."""
    from stories.queue import STATES

    parser.add_argument("text", nargs="*", help="show only items with all these words in the title, a source name, the category, the feed title or the state (the app's filter)")
    parser.add_argument("--state", action="append", choices=STATES, help="only items in this state (repeatable)")
    parser.add_argument("--source", metavar="NAME", help="only items from this source (name or URL)")
    parser.add_argument("--days", type=float, metavar="N", help="only items from the last N days (a published item: published in them)")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N items")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="plain text (default) or JSON")


def run(args: argparse.Namespace) -> int:
    """Print the queue, newest first."""
    from datetime import datetime, timedelta, timezone

    from stories.clean import clean_line
    from stories.queue import QueueError
    from tui.commands import CommandError, open_queue
    from tui import locations

    path = locations.queue_db()
    if not path.exists():
        if args.format == "json":
            print("[]")
        else:
            print("The queue is empty: run `briefdesk fetch` (or `briefdesk demo`) first.", file=sys.stderr)
        return 0
    with open_queue(path) as store:
        try:
            items = store.items(
                text=" ".join(args.text),
                state=args.state,
                source=args.source,
                max_age=timedelta(days=args.days) if args.days is not None else None,
                limit=args.limit,
            )
        except QueueError as exc:  # damage deep in the file shows only when the rows are read
            raise CommandError(str(exc)) from None
    if args.format == "json":
        rows = [
            {
                "id": it.id,
                "title": it.title,
                "link": it.link,
                "summary": it.summary,
                "published": it.published.isoformat() if it.published else None,
                "guid": it.guid,
                "sources": it.sources,
                "category": it.category,
                "format": it.format,
                "feed_title": it.feed_title,
                "state": it.state,
                "claimed_by": it.claimed_by,
                "claimed_at": it.claimed_at.isoformat() if it.claimed_at else None,
                "dismissed_reason": it.dismissed_reason,
                "fetched_at": it.fetched_at.isoformat() if it.fetched_at else None,
            }
            for it in items
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    now = datetime.now(timezone.utc)
    for it in items:
        # Stored text is clean already; cleaning again costs little and keeps
        # an old or hand-edited database from reaching the terminal raw.
        sources = clean_line(", ".join(it.sources), 60)
        state = it.state + (f" by {clean_line(it.claimed_by, 30)}" if it.state == "claimed" and it.claimed_by else "")
        print(f"{it.id[:10]}  {state:<10} {_age(now, it.when):>4}  {sources}: {clean_line(it.title, 160)}")
        if it.link:
            print(f"{'':12}{clean_line(it.link, 300)}")
    if not items:
        print("No items match.", file=sys.stderr)
    return 0


def _age(now, when) -> str:
    """The queue's one age style, as the app shows it (``5m``, ``3h``, ``2d``)."""
    from stories.team.state import age_text

    if when is None:
        return "?"
    return age_text(when, now)
