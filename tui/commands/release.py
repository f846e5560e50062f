"""``briefdesk release ID``: give a claimed item back to the desk."""

from __future__ import annotations

import argparse

HELP = "release an item you claimed, so a colleague can take it"


def configure(parser: argparse.ArgumentParser) -> None:
    """The item and --force (to release a colleague's claim)."""
    from tui.commands._desk import configure_item

    configure_item(parser)


def run(args: argparse.Namespace) -> int:
    """0 released; 1 refused (not claimed, or a colleague's claim without --force)."""
    from tui.commands._desk import act

    return act(args, "released", lambda desk, item, editor: desk.release(item, editor, force=args.force), lambda store, item, entry: store.set_state(item, "new"))
