"""``briefdesk import-opml``: add the feeds of an OPML file to the content repo's desk.toml."""

from __future__ import annotations

import argparse
import sys

HELP = "add the feeds of an OPML file to desk.toml's sources (folders become categories)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``briefdesk import-opml``."""
    parser.add_argument("file", metavar="FILE", help="an OPML file (as exported by most feed readers)")


def run(args: argparse.Namespace) -> int:
    """Edit desk.toml (comments kept); 0 on success, 2 if the file or the repo cannot be used."""

    from stories.sources.opml import OpmlError, add_sources_to_desk, read_opml
    from stories.profile import DESK_FILE, ProfileError, load_profile
    from tui.commands._repo import desk_profile

    # The desk must be usable before it is edited, and still usable after.
    repo, _profile = desk_profile(args, "run `briefdesk init` first, or pass --repo DIR")
    desk = repo / DESK_FILE
    from stories.fsutil import FileReadError, read_regular_bytes

    try:
        data = read_regular_bytes(args.file, 20 * 1024 * 1024)  # a pipe or a device is never waited on
    except FileReadError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"briefdesk: {args.file}: cannot be read: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        found = read_opml(data)
        added, skipped = add_sources_to_desk(desk, found.sources)
        load_profile(repo)  # the edited file must still be a valid desk
    except (OpmlError, ProfileError) as exc:
        print(f"briefdesk: {args.file}: {exc}", file=sys.stderr)
        return 2
    for source in added:
        print(f"added: {source.name} ({source.category or 'no category'}) {source.url}")
    print(f"{len(added)} sources added to {desk}, {len(skipped)} already listed.")
    for note in found.notes:
        print(f"Note: {note}.")
    if added:
        print("Commit desk.toml so the rest of the desk gets them too.")
    return 0
