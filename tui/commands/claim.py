"""``briefdesk claim ID``: take a queue item to write from, as the app does when a briefing starts."""

from __future__ import annotations

import argparse

HELP = "claim a queue item (so colleagues see it is taken)"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item id, and --force to take over a colleague's claim."""
    parser.add_argument("id", help="the item id (from `briefdesk queue --format json`)")
    parser.add_argument("--force", action="store_true", help="take the item over even if a colleague has claimed it")


def run(args: argparse.Namespace) -> int:
    """0 claimed; 2 with the reason when it cannot be (missing, dismissed, published, someone else's)."""
    from tui.commands._desk import item_step

    return item_step(
        args, lambda desk, item: desk.claim(item, force=args.force), "Claimed", claiming=True,
        share=lambda state, item, editor: state.claim(item, editor, force=args.force),
    )
