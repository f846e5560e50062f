"""``briefdesk export-opml``: the content repo's sources as an OPML 2.0 file."""

from __future__ import annotations

import argparse
import sys

HELP = "write desk.toml's sources as OPML 2.0 (categories become folders)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``briefdesk export-opml``."""
    parser.add_argument("file", metavar="FILE", nargs="?", help="where to write it (default: standard output)")


def run(args: argparse.Namespace) -> int:
    """Write the OPML; 2 if the repo has no desk.toml or it cannot be read."""
    from stories.fsutil import atomic_write
    from stories.sources.opml import sources_to_opml
    from tui.commands._repo import desk_profile

    _repo, profile = desk_profile(args, "pass --repo DIR")
    text = sources_to_opml(profile.sources, f"{profile.name} sources")
    if args.file and args.file != "-":
        atomic_write(args.file, text)
        print(f"{len(profile.sources)} sources written to {args.file}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
