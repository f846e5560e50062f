"""``briefdesk source ID``: the text the checks will use for a queue item, and where it came from."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "print the source text the checks use for a queue item (the article when fetched, else the feed's)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``briefdesk source``."""
    parser.add_argument("id", help="the queue item's id (as `briefdesk queue --format json` gives it)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="the text only (default), or JSON with origin, url, fetched_at and metadata")
    parser.add_argument("--fetch", action="store_true", help="fetch (or re-fetch) the item's article page first")
    parser.add_argument("--paste", metavar="FILE", help="use the text in FILE ('-' for stdin) as the source, for paywalled or offline pages")
    parser.add_argument("--editor", metavar="NAME", help="who pasted the text (default: your configured or git name)")


def run(args: argparse.Namespace) -> int:
    """Print the item's source text; 2 for an unknown item or unreadable pasted text."""
    from stories.sources.articles import save_pasted, source_text_for
    from tui import locations
    from tui.commands import CommandError, open_queue

    path = locations.queue_db()
    if not path.exists():
        raise CommandError("the queue is empty: run `briefdesk fetch` (or `briefdesk demo`) first")
    short_words = _short_words(args)
    with open_queue(path) as store:
        if store.item(args.id) is None:
            raise CommandError(f"no queue item {_shown(args.id)}; `briefdesk queue --format json` lists the ids")
        if args.paste:
            save_pasted(store, args.id, _read_paste(args.paste), args.editor or _editor_name(args))
        if args.fetch:
            problem = _fetch(store, args.id)
            if problem:
                print(f"briefdesk: the article could not be fetched: {problem}", file=sys.stderr)
        source = source_text_for(store, args.id, short_words)
    if args.format == "json":
        print(json.dumps({
            "id": args.id,
            "origin": source.origin,
            "url": source.url,
            "fetched_at": source.fetched_at.isoformat() if source.fetched_at else None,
            "metadata": source.metadata,
            "note": source.note,
            "text": source.text,
        }, ensure_ascii=False, indent=2))
    else:
        if source.note:
            print(f"briefdesk: {source.note}", file=sys.stderr)
        print(source.text)
    return 0


def _shown(text: str) -> str:
    from stories.clean import clean_line

    return repr(clean_line(text, 60))


def _short_words(args: argparse.Namespace) -> int:
    # The desk's threshold for thin text, when there is a desk to ask.
    try:
        from tui.commands._repo import desk_profile

        return desk_profile(args, "")[1].short_source_words
    except Exception:
        return 150


def _fetch(store, item: str) -> str:
    from stories.sources.fetch import fetch_article
    from stories.sources.http import Http

    with Http() as client:
        return fetch_article(store, client, item)


def _read_paste(name: str) -> str:
    from tui.commands import CommandError

    try:
        data = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read(8 * 1024 * 1024 + 1)
    except OSError as exc:
        raise CommandError(f"{name}: could not be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > 8 * 1024 * 1024:
        raise CommandError(f"{name}: more than 8 MB of text; paste the article only")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{name}: not UTF-8 text; save it as UTF-8 and paste again") from None
    if not text.strip():
        raise CommandError(f"{name}: holds no text")
    return text


def _editor_name(args: argparse.Namespace) -> str:
    import subprocess

    from tui.commands._repo import editor_from, repo_path

    try:
        editor = editor_from(repo_path(args)[1])
        if editor is not None:
            return editor.name
    except Exception:
        pass
    try:
        return subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=10).stdout.strip() or "an editor"
    except (OSError, subprocess.SubprocessError):
        return "an editor"
