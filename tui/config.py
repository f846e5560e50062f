"""The user's config file: read with tomllib, written with tomlkit so comments survive."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from stories.fsutil import atomic_write
from tui import locations


class ConfigError(ValueError):
    """A config file that cannot be used, with the file and the key."""


@dataclass
class Config:
    """What one editor has set: identity, content repo, theme, key overrides."""

    editor_name: str = ""
    editor_email: str = ""
    repo: Path | None = None
    theme: str = "briefdesk-dark"
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def load_config(path: Path | None = None) -> Config:
    """The config at ``path`` (default: the user config file); defaults if it does not exist."""
    path = path or locations.config_file()
    if not path.exists():
        return Config(path=path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    editor = data.get("editor", {})
    if not isinstance(editor, dict):
        raise ConfigError(f"{path}: editor: must be a table with name and email")
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(f'{path}: keys: must be a table of action-id = "key"')
    repo = data.get("repo")
    if repo is not None and not isinstance(repo, str):
        raise ConfigError(f"{path}: repo: must be a folder path as text")
    theme = data.get("theme", Config.theme)
    if not isinstance(theme, str):
        raise ConfigError(f"{path}: theme: must be a theme name as text")
    return Config(
        editor_name=str(editor.get("name", "")),
        editor_email=str(editor.get("email", "")),
        repo=Path(repo).expanduser() if repo else None,
        theme=theme,
        keys=dict(keys),
        path=path,
    )


def set_config_value(path: Path, dotted_key: str, value: str) -> None:
    """Set one value (``theme``, ``editor.name`` …) in the config file, keeping its comments."""
    doc = tomlkit.parse(path.read_text("utf-8")) if path.exists() else tomlkit.document()
    *tables, key = dotted_key.split(".")
    target = doc
    for name in tables:
        if name not in target:
            target[name] = tomlkit.table()
        target = target[name]
    target[key] = value
    atomic_write(path, tomlkit.dumps(doc))


def resolve_repo(cli_repo: str | None, config: Config) -> Path:
    """The content repo: ``--repo``, else ``BRIEFDESK_REPO``, else the config, else the default."""
    if cli_repo:
        return Path(cli_repo).expanduser().resolve()
    env = os.environ.get("BRIEFDESK_REPO")
    if env:
        return Path(env).expanduser().resolve()
    if config.repo:
        return config.repo.resolve()
    return locations.default_repo()
