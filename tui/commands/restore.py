"""``briefdesk restore ID``: bring a dismissed item back to the queue for everyone."""

from __future__ import annotations

import argparse

HELP = "restore a dismissed item to the queue, for the whole desk"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item."""
    from tui.commands._desk import configure_item

    configure_item(parser, force=False)


def run(args: argparse.Namespace) -> int:
    """0 restored; 1 refused (not dismissed, or no such item)."""
    from tui.commands._desk import act

    return act(args, "restored", lambda desk, item, editor: desk.restore(item, editor), lambda store, item, entry: store.set_state(item, "new"))
