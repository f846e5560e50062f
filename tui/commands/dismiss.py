"""``briefdesk dismiss ID --reason TEXT``: dismiss an item for every editor, saying why."""

from __future__ import annotations

import argparse

HELP = "dismiss a queue item for the whole desk; the reason is required and shown to colleagues"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item, the reason and --force."""
    from tui.commands._desk import configure_item

    configure_item(parser)
    parser.add_argument("--reason", required=True, help="why the item is not a story (colleagues see it)")


def run(args: argparse.Namespace) -> int:
    """0 dismissed; 1 refused (no reason, a colleague holds it, or no such item)."""
    from tui.commands._desk import act

    return act(
        args, "dismissed",
        lambda desk, item, editor: desk.dismiss(item, editor, args.reason, force=args.force),
        lambda store, item, entry: store.dismiss(item, entry.reason),
    )
