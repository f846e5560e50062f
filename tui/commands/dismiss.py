"""``briefdesk dismiss ID --reason TEXT``: dismiss a queue item; it never comes back on later fetches."""

from __future__ import annotations

import argparse

HELP = "dismiss a queue item, with a reason"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item id and the reason (required)."""
    parser.add_argument("id", help="the item id (from `briefdesk queue --format json`)")
    parser.add_argument("--reason", required=True, help="why (e.g. not good news, duplicate)")


def run(args: argparse.Namespace) -> int:
    """0 dismissed; 2 with the reason when it cannot be (empty reason, missing, published)."""
    from tui.commands._desk import item_step

    return item_step(
        args, lambda desk, item: desk.dismiss(item, args.reason), "Dismissed",
        share=lambda state, item, editor: state.dismiss(item, editor, args.reason),
    )
