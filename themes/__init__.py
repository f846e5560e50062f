"""Theme files: TOML in, Textual ``Theme`` out.

The bundled themes live beside this module (``*.toml``); users may add their
own in ``tui.locations.user_themes_dir()``. A file that cannot be used is
reported in words (which file, what is wrong) and skipped, so one bad file
never takes the app's colours down with it.

A theme file holds ``name``, ``dark`` (true/false), ``ansi`` (true to use the
terminal's own palette), the colours ``primary`` (required), ``secondary``,
``accent``, ``foreground``, ``background``, ``surface``, ``panel``, ``boost``,
``success``, ``warning``, ``error``, optionally ``luminosity_spread`` and
``text_alpha``, and a ``[variables]`` table of Textual theme variables.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_THEME = "briefdesk-dark"
"""The theme used when none is configured, or the configured one cannot be used."""

BUNDLED_THEMES = ("briefdesk-dark", "briefdesk-light", "briefdesk-high-contrast", "briefdesk-ansi", "briefdesk-mono")

_COLOURS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost", "success", "warning", "error")
_FLAGS = ("dark", "ansi")
_NUMBERS = ("luminosity_spread", "text_alpha")
_KNOWN = {"name", "variables", *_COLOURS, *_FLAGS, *_NUMBERS}


class ThemeFileError(ValueError):
    """A theme file that cannot be used: names the file and what is wrong."""


def load_themes(extra_dirs: Iterable[Path | str] = ()) -> tuple[list[Theme], list[str]]:
    """The bundled themes and those in ``extra_dirs``, plus a problem message for each file skipped.

    Files are read in name order, bundled first; a later theme with the same
    name replaces an earlier one (so a user may restyle a bundled theme).
    A folder in ``extra_dirs`` that does not exist is not a problem.
    """
    by_name: dict[str, Theme] = {}
    problems: list[str] = []

    bundled = resources.files(__name__)
    for entry in sorted(bundled.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.is_file():
            _load_into(by_name, problems, entry.name, lambda entry=entry: entry.read_bytes())

    for folder in extra_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            _load_into(by_name, problems, str(path), path.read_bytes)

    return list(by_name.values()), problems


def _load_into(by_name: dict[str, Theme], problems: list[str], label: str, read: Any) -> None:
    try:
        data = read()
    except OSError as exc:
        problems.append(f"Theme file {label} cannot be read: {exc.strerror or exc}; skipped.")
        return
    try:
        theme = theme_from_toml(data, label)
    except ThemeFileError as exc:
        problems.append(f"{exc}; skipped.")
        return
    by_name[theme.name] = theme


def theme_from_toml(data: bytes | str, label: str = "theme file") -> Theme:
    """One theme from the text of a theme file; ``ThemeFileError`` says what is wrong."""
    where = f"Theme file {label}"
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ThemeFileError(f"{where} is not UTF-8 text") from None
    try:
        table = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{where} is not valid TOML ({exc})") from None

    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise ThemeFileError(f"{where} has unknown keys: {', '.join(unknown)} (known: name, dark, ansi, {', '.join(_COLOURS)}, variables)")

    stem = Path(label).stem
    name = table.get("name", stem)
    if not isinstance(name, str) or not name.strip() or any(ch.isspace() or ch == "," for ch in name):
        raise ThemeFileError(f"{where}: name must be one word of text, such as \"my-theme\"")

    if "primary" not in table:
        raise ThemeFileError(f"{where}: primary is missing (every theme needs a primary colour)")

    colours: dict[str, str] = {}
    for key in _COLOURS:
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, str):
            raise ThemeFileError(f"{where}: {key} must be a colour as text, such as \"#5FA8D3\"")
        try:
            Color.parse(value)
        except ColorParseError:
            raise ThemeFileError(f"{where}: {key} = {value!r} is not a colour (use #RRGGBB, rgb(...), a colour name or an ansi_ name)") from None
        colours[key] = value

    flags: dict[str, bool] = {}
    for key in _FLAGS:
        if key in table:
            if not isinstance(table[key], bool):
                raise ThemeFileError(f"{where}: {key} must be true or false")
            flags[key] = table[key]

    numbers: dict[str, float] = {}
    for key in _NUMBERS:
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ThemeFileError(f"{where}: {key} must be a number from 0 to 1")
            numbers[key] = float(value)

    variables = table.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeFileError(f"{where}: variables must be a table of \"name\" = \"value\"")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ThemeFileError(f"{where}: variables.{key} must be text")
        problem = _variable_problem(key, value)
        if problem:
            raise ThemeFileError(f"{where}: variables.{key} = {value!r} {problem}")

    theme = Theme(name=name, variables=dict(variables), **colours, **flags, **numbers)
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # a colour combination Textual cannot derive shades from
        raise ThemeFileError(f"{where}: Textual cannot build its colours from it ({exc})") from None
    return theme


def _variable_problem(name: str, value: str) -> str:
    """Why a theme variable's value would break the stylesheet, or "" if it is fine."""
    from textual.css.stylesheet import Stylesheet, StylesheetParseError

    if not name or not all(ch.isalnum() or ch == "-" for ch in name):
        return "has a name that is not letters, digits and dashes"
    if "style" in name.split("-"):
        prop, kind = "text-style", "a text style (bold, italic, underline, reverse, none ...)"
    else:
        prop, kind = "color", "a colour (such as \"#5FA8D3\", \"#5FA8D3 40%\" or \"auto 87%\")"
    sheet = Stylesheet(variables={name: value})
    sheet.add_source(f"ThemeCheck {{ {prop}: ${name}; }}", read_from=("theme", name))
    try:
        sheet.parse()
    except StylesheetParseError:
        return f"is not {kind}"
    except Exception:
        return f"is not {kind}"
    return ""


def install_themes(app: App[Any], wanted: str | None, extra_dirs: Iterable[Path | str] = ()) -> list[str]:
    """Register every theme with ``app`` and switch to ``wanted``, falling back to the default.

    Returns the problems in words (bad files, an unknown theme name); the caller
    shows them, e.g. with ``app.notify(..., severity="warning")``.
    """
    themes, problems = load_themes(extra_dirs)
    for theme in themes:
        app.register_theme(theme)
    names = {theme.name for theme in themes} | set(app.available_themes)
    chosen = wanted or DEFAULT_THEME
    if chosen not in names:
        problems.append(f"Theme {chosen!r} is not available (check the theme setting and the theme files); using {DEFAULT_THEME}.")
        chosen = DEFAULT_THEME
    app.theme = chosen
    return problems
