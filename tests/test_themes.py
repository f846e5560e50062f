"""Theme files: every bundled theme loads; a broken one is reported in words and skipped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from screens_host import HostApp
from textual.color import Color

from themes import BUNDLED_THEMES, DEFAULT_THEME, load_themes, theme_from_toml
from tui import locations

GOOD = """
name = "reading-room"
dark = false
primary = "#205080"
background = "#FAFAF5"
[variables]
"footer-key-foreground" = "#205080"
"""


def names(themes) -> list[str]:
    return [theme.name for theme in themes]


def test_every_bundled_theme_loads_without_problems() -> None:
    themes, problems = load_themes()
    assert problems == []
    assert sorted(names(themes)) == sorted(BUNDLED_THEMES)
    assert DEFAULT_THEME == "briefdesk-dark"
    by_name = {theme.name: theme for theme in themes}
    assert by_name["briefdesk-dark"].dark is True
    assert by_name["briefdesk-light"].dark is False
    for theme in themes:
        # Textual can derive every shade and variable the stylesheets use.
        variables = theme.to_color_system().generate()
        for key in ("primary", "error", "warning", "success", "foreground-muted", "text-error", "success-muted"):
            assert key in variables, (theme.name, key)


def test_terminal_theme_uses_the_terminals_own_palette() -> None:
    themes, _ = load_themes()
    ansi = {theme.name: theme for theme in themes}["briefdesk-ansi"]
    assert ansi.ansi is True
    for colour in (ansi.primary, ansi.error, ansi.warning, ansi.success, ansi.background, ansi.foreground):
        assert colour is not None and colour.startswith("ansi_")
        assert Color.parse(colour).ansi is not None


def test_high_contrast_theme_keeps_text_strong() -> None:
    themes, _ = load_themes()
    theme = {t.name: t for t in themes}["briefdesk-high-contrast"]
    background = Color.parse(theme.background)
    foreground = Color.parse(theme.foreground)
    muted = Color.parse(theme.variables["foreground-muted"])
    assert abs(foreground.brightness - background.brightness) > 0.9
    assert muted.brightness > 0.8


def test_a_users_theme_folder_adds_themes(tmp_path: Path) -> None:
    (tmp_path / "reading-room.toml").write_text(GOOD)
    themes, problems = load_themes([tmp_path])
    assert problems == []
    assert "reading-room" in names(themes)
    assert set(BUNDLED_THEMES) <= set(names(themes))


def test_a_missing_themes_folder_is_not_a_problem(tmp_path: Path) -> None:
    themes, problems = load_themes([tmp_path / "nowhere", locations.user_themes_dir()])
    assert problems == []
    assert len(themes) == len(BUNDLED_THEMES)


@pytest.mark.parametrize(
    "text, words",
    [
        ("primary = \"#112233\n", "not valid TOML"),
        ("name = \"no-primary\"\nsecondary = \"#112233\"\n", "primary is missing"),
        ("primary = \"bluish\"\n", "primary = 'bluish' is not a colour"),
        ("primary = \"#112233\"\nerror = 12\n", "error must be a colour"),
        ("primary = \"#112233\"\ndark = \"yes\"\n", "dark must be true or false"),
        ("primary = \"#112233\"\nprimay = \"#112233\"\n", "unknown keys: primay"),
        ("primary = \"#112233\"\n[variables]\nborder = \"not-a-colour\"\n", "variables.border = 'not-a-colour' is not a colour"),
        ("primary = \"#112233\"\n[variables]\n\"block-cursor-text-style\" = \"shiny\"\n", "is not a text style"),
        ("name = \"two words\"\nprimary = \"#112233\"\n", "name must be one word"),
    ],
)
def test_broken_theme_is_reported_in_words_and_the_others_still_load(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "reading-room.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text(text)
    themes, problems = load_themes([tmp_path])
    assert len(problems) == 1
    assert "broken.toml" in problems[0]
    assert words in problems[0]
    assert "skipped" in problems[0]
    assert "reading-room" in names(themes)
    assert set(BUNDLED_THEMES) <= set(names(themes))


def test_a_theme_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    (tmp_path / "latin.toml").write_bytes(b'primary = "#112233"\n# caf\xe9\n')
    themes, problems = load_themes([tmp_path])
    assert problems and "latin.toml" in problems[0] and "UTF-8" in problems[0]
    assert len(themes) == len(BUNDLED_THEMES)


def test_a_theme_without_a_name_takes_the_file_name() -> None:
    theme = theme_from_toml('primary = "#112233"\n', "/somewhere/quiet-evening.toml")
    assert theme.name == "quiet-evening"


def test_a_users_theme_may_restyle_a_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "dark.toml").write_text('name = "briefdesk-dark"\nprimary = "#AA3366"\n')
    themes, problems = load_themes([tmp_path])
    assert problems == []
    dark = [t for t in themes if t.name == "briefdesk-dark"]
    assert len(dark) == 1 and dark[0].primary == "#AA3366"


def test_app_with_a_broken_configured_theme_falls_back_to_the_default_and_says_so() -> None:
    """A host app wired like the desk: the configured theme's file is broken."""
    asyncio.run(_broken_configured_theme())


async def _broken_configured_theme() -> None:
    themes_dir = locations.user_themes_dir()
    themes_dir.mkdir(parents=True)
    (themes_dir / "sunset.toml").write_text('name = "sunset"\nprimary = "orange-ish"\n')
    app = HostApp(theme="sunset", extra_theme_dirs=(themes_dir,))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        shown = [notification.message for notification in app._notifications]
        assert any("sunset.toml" in message and "not a colour" in message for message in shown)
        assert any("'sunset' is not available" in message for message in shown)


def test_app_uses_a_good_configured_theme() -> None:
    asyncio.run(_good_configured_theme())


async def _good_configured_theme() -> None:
    app = HostApp(theme="briefdesk-ansi")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "briefdesk-ansi"
        assert app.native_ansi_color is True
        assert list(app._notifications) == []


def test_the_desk_with_a_broken_configured_theme_falls_back_to_the_default_and_says_so(tmp_path: Path) -> None:
    """The real desk app on the demo, configured with a theme whose file is broken."""
    asyncio.run(_desk_broken_theme(tmp_path))


async def _desk_broken_theme(tmp_path: Path) -> None:
    from desk_helpers import demo_app

    from tui.config import Config

    themes_dir = locations.user_themes_dir()
    themes_dir.mkdir(parents=True)
    (themes_dir / "sunset.toml").write_text('name = "sunset"\n[variables]\nborder = "#ff8800"\n')
    app = demo_app(tmp_path, config=Config(theme="sunset"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        shown = [notification.message for notification in app._notifications]
        assert any("sunset.toml" in message and "primary is missing" in message for message in shown)
        assert any("'sunset' is not available" in message for message in shown)


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        value_ = value / 255
        return value_ / 12.92 if value_ <= 0.03928 else ((value_ + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def _contrast(a: Color, b: Color) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", ["briefdesk-dark", "briefdesk-light", "briefdesk-high-contrast", "briefdesk-mono"])
def test_text_the_screens_use_is_readable_on_their_panels(name: str) -> None:
    """Every text colour the preview, history and help screens use reaches 4.5:1 (WCAG AA) on $surface."""
    theme = {t.name: t for t in load_themes()[0]}[name]
    variables = {**theme.to_color_system().generate(), **theme.variables}
    surface = Color.parse(variables["surface"])
    for key in ("foreground", "primary", "secondary", "accent", "foreground-muted", "text-error", "text-success", "text-warning"):
        colour = Color.parse(variables[key])
        colour = surface.blend(colour.with_alpha(1), colour.a) if colour.a < 1 else colour
        assert _contrast(colour, surface) >= 4.5, (name, key, round(_contrast(colour, surface), 2))
    # Words taken out and put in, on their tinted backgrounds.
    for text, background in (("text-error", "error-muted"), ("text-success", "success-muted")):
        assert _contrast(Color.parse(variables[text]), Color.parse(variables[background])) >= 4.5, (name, text)
