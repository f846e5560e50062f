"""The help screen: F1 lists the keys that work on the screen below, and closes with escape."""

from __future__ import annotations

import asyncio

from screens_host import BelowScreen, HostApp, screen_text
from textual.containers import VerticalScroll

from tui.screens.help import HelpScreen


def test_f1_lists_the_keys_of_the_screen_below_and_the_app() -> None:
    asyncio.run(_lists_keys())


async def _lists_keys() -> None:
    app = HostApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        lines = shown.splitlines()
        # The screen's own actions, with key, description and binding id, on one line each.
        assert any("^s" in line and "Save draft" in line and "(host.save)" in line for line in lines)
        assert any("^j" in line and "Publish" in line and "(host.publish)" in line for line in lines)
        # A binding hidden from the footer is still a key the user can press.
        assert any("Hidden helper" in line for line in lines)
        # The app's keys, under their own heading, after the screen's.
        assert shown.index("On this screen") < shown.index("Everywhere")
        assert any("f1" in line and "Keys" in line and "(app.help)" in line for line in lines)
        assert "Quit" in shown


def test_help_follows_remapped_keys() -> None:
    asyncio.run(_remapped())


async def _remapped() -> None:
    app = HostApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.set_keymap({"host.save": "ctrl+w"})
        await pilot.press("f1")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("^w" in line and "Save draft" in line for line in lines)
        assert not any("^s" in line and "Save draft" in line for line in lines)


def test_escape_and_f1_close_help_and_return_to_the_screen_below() -> None:
    asyncio.run(_closes())


async def _closes() -> None:
    app = HostApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BelowScreen)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, BelowScreen)


def test_help_scrolls_with_keys_on_a_small_terminal() -> None:
    asyncio.run(_scrolls())


async def _scrolls() -> None:
    app = HostApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        scroll = app.screen.query_one("#help-scroll", VerticalScroll)
        assert scroll.has_focus
        assert scroll.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        assert "(host.save)" not in screen_text(app)
        await pilot.press("home")
        await pilot.pause()
        assert "(host.save)" in screen_text(app)
        await pilot.press("end", "k")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y - 1


def test_every_help_binding_has_an_id() -> None:
    assert all(binding.id for binding in HelpScreen.BINDINGS)
