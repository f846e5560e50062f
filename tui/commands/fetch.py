"""``briefdesk fetch``: refresh the queue from the content repo's sources (headless, for cron)."""

from __future__ import annotations

import argparse
import os
import sys

HELP = "fetch every source in the content repo's desk.toml into the queue (exit 3 if any failed)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``briefdesk fetch``."""
    parser.add_argument("--force", action="store_true", help="fetch everything again: ignore stored ETags and the wait after failures")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only the summary and the failures")
    parser.add_argument("--status", action="store_true", help="fetch nothing: show each source's last success and last error")
    parser.add_argument("--no-articles", action="store_true", help="fetch the feeds only, not the article pages behind thin items")


def run(args: argparse.Namespace) -> int:
    """Fetch, print a progress line and the summary; 0 if every source worked, 3 if any failed, 2 if there is nothing to fetch."""
    from stories.clean import clean_line
    from stories.sources.fetch import FetchProgress, fetch_sources
    from stories.profile import DESK_FILE
    from tui.commands import open_queue
    from tui.commands._repo import desk_profile

    repo, profile = desk_profile(args, "run `briefdesk init` (or `briefdesk demo`), or pass --repo DIR")
    if not profile.sources:
        print(f"briefdesk: {repo / DESK_FILE} lists no [[sources]]; add some, or `briefdesk import-opml FILE`", file=sys.stderr)
        return 2

    if args.status:
        return _status(profile.sources)

    tty = sys.stdout.isatty()
    width = 0

    def progress(event: FetchProgress) -> None:
        nonlocal width
        if args.quiet:
            return
        what = {"new": f"{event.new_items} new", "unchanged": "unchanged", "failed": "failed", "waiting": "waiting"}.get(event.outcome, event.outcome)
        line = f"[{event.done:>{len(str(event.total))}}/{event.total}] {event.source[:50]}: {what}"
        if tty:
            pad = max(0, width - len(line))
            width = len(line)
            print("\r" + line + " " * pad, end="", flush=True)
        else:
            print(line, flush=True)

    _stop_on_sigterm()
    with open_queue() as store:
        # A cold fetch of many feeds is mostly parsing: use every core for it.
        processes = min(os.cpu_count() or 1, 4) if len(profile.sources) > 1 else 0
        summary = fetch_sources(
            store, list(profile.sources), progress=progress, force=args.force, parse_processes=processes,
            articles=not args.no_articles, short_words=profile.short_source_words,
        )
        _mark_published(store, repo)
    if tty and not args.quiet:
        print("\r" + " " * width + "\r", end="")
    # Notes first: the summary and the failed sources end the output, where
    # a cron mail or a script looks.
    for line in summary.notes:
        print(f"Note: {clean_line(line, 600)}")
    for line in summary.article_failures:
        print(f"Article not fetched: {clean_line(line, 600)}")
    print(summary.line())
    for line in summary.errors:
        print(f"  {clean_line(line, 600)}")
    return 3 if summary.failed else 0  # a feed that failed is the network: see "Exit codes"


def _stop_on_sigterm() -> None:
    # cron and timeout stop a run with SIGTERM: the parse workers go with it
    # at once (they would also die with us), and nothing waits on the network.
    import signal

    from stories.sources.fetch import stop_workers

    def stop(signum, frame) -> None:
        stop_workers()
        print("\nbriefdesk: fetch stopped (SIGTERM); what was fetched so far is kept", file=sys.stderr, flush=True)
        os._exit(128 + signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)


def _status(sources) -> int:
    # What the queue remembers per source, without touching the network.
    from stories.clean import clean_line
    from tui.commands import open_queue
    from tui import locations

    path = locations.queue_db()
    statuses = {}
    if path.exists():
        with open_queue(path) as store:
            statuses = {status.url: status for status in store.sources_status()}
    failing = 0
    for source in sources:
        status = statuses.get(source.url)
        if status is None or status.last_attempt is None:
            print(f"{source.name}: never fetched")
            continue
        success = status.last_success.astimezone().strftime("%Y-%m-%d %H:%M") if status.last_success else "never"
        line = f"{source.name}: last success {success}"
        if status.last_error:
            failing += 1
            line += f"; failing ({status.failures} in a row): {clean_line(status.last_error, 300)}"
            if status.retry_after:
                line += f" Next try after {status.retry_after.astimezone().strftime('%H:%M')}."
        print(line)
    return 3 if failing else 0


def _mark_published(store, repo) -> None:
    # Items whose story is already in the content repo show as published.
    try:
        from stories.repo import ContentRepo

        urls = [story.source_url for story in ContentRepo.open(repo).published() if story.source_url]
    except Exception:
        return
    store.mark_published(urls)
