"""``briefdesk app``: placeholder until its issue lands."""

from __future__ import annotations

import argparse

HELP = "(not built yet)"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options yet."""


def run(args: argparse.Namespace) -> int:
    """Not built yet."""
    print("briefdesk: app is not built yet")
    return 2
