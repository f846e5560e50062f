"""``briefdesk claim ID``: take a queue item, for every editor of the desk to see."""

from __future__ import annotations

import argparse

HELP = "claim a queue item so colleagues see you are writing it (refused while a colleague holds it)"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item and --force."""
    from tui.commands._desk import configure_item

    configure_item(parser)


def run(args: argparse.Namespace) -> int:
    """0 claimed; 1 refused (a colleague holds it, or no such item)."""
    from tui.commands._desk import act

    return act(args, "claimed", lambda desk, item, editor: desk.claim(item, editor, force=args.force), lambda store, item, entry: store.claim(item, entry))
