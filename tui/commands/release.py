"""``briefdesk release ID``: drop a claim; the item goes back to new."""

from __future__ import annotations

import argparse

HELP = "release a claimed queue item (back to new)"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item id."""
    parser.add_argument("id", help="the item id (from `briefdesk queue --format json`)")


def run(args: argparse.Namespace) -> int:
    """0 released; 2 with the reason when the item is not claimed."""
    from tui.commands._desk import item_step

    return item_step(
        args, lambda desk, item: desk.release(item), "Released",
        # Only a claim the desk state holds is released there; one made before it was shared is this machine's.
        share=lambda state, item, editor: state.release(item, editor) if item in state.claims() else None,
    )
