"""``briefdesk restore ID``: bring a dismissed queue item back to new."""

from __future__ import annotations

import argparse

HELP = "restore a dismissed queue item (back to new)"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item id."""
    parser.add_argument("id", help="the item id (from `briefdesk queue --format json`)")


def run(args: argparse.Namespace) -> int:
    """0 restored; 2 with the reason when the item is not dismissed."""
    from tui.commands._desk import item_step

    return item_step(
        args, lambda desk, item: desk.restore(item), "Restored",
        share=lambda state, item, editor: state.restore(item, editor) if item in state.dismissals() else None,
    )
