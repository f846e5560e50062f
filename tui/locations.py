"""Where Briefing Desk keeps things: one place answers "where does X live"."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "briefdesk"


def config_dir() -> Path:
    """The user config folder (``BRIEFDESK_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("BRIEFDESK_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """The user data folder: queue database, drafts, default content repo (``BRIEFDESK_DATA_DIR``)."""
    override = os.environ.get("BRIEFDESK_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    """The config file: editor identity, content repo, theme, key overrides."""
    return config_dir() / "config.toml"


def queue_db() -> Path:
    """The SQLite queue (sources, items, fetch state)."""
    return data_dir() / "desk.db"


def drafts_dir() -> Path:
    """One TOML file per draft, written atomically."""
    return data_dir() / "drafts"


def default_repo() -> Path:
    """The content repo used when none is configured."""
    return data_dir() / "content"


def user_themes_dir() -> Path:
    """Extra theme files a user may add."""
    return config_dir() / "themes"
