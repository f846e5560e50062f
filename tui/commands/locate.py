"""``briefdesk locate``: where config, data, drafts and the content repo live."""

from __future__ import annotations

import argparse

HELP = "print where config, data, drafts and the content repo live"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options of its own."""


def run(args: argparse.Namespace) -> int:
    """Print one ``what: path`` line per location."""
    from tui import locations
    from tui.config import ConfigError, load_config, resolve_repo

    try:
        config = load_config()
        repo = resolve_repo(getattr(args, "repo", None), config)
    except ConfigError as exc:
        print(f"briefdesk: {exc}")
        repo = locations.default_repo()
    rows = [
        ("config", locations.config_file()),
        ("data", locations.data_dir()),
        ("queue", locations.queue_db()),
        ("drafts", locations.drafts_dir()),
        ("content repo", repo),
        ("themes", locations.user_themes_dir()),
    ]
    for name, path in rows:
        print(f"{name + ':':14}{path}")
    return 0
