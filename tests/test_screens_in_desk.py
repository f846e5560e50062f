"""The preview, history and help screens inside the real desk app on the demo, opened with their keys."""

from __future__ import annotations

import asyncio

from desk_helpers import OYSTER_FILTER, demo_app, settle
from screens_host import screen_text

from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen
from tui.screens.preview import PreviewScreen


def test_f1_h_and_ctrl_r_open_the_screens_and_escape_closes_them(tmp_path) -> None:
    asyncio.run(_in_desk(tmp_path))


async def _in_desk(tmp_path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        desk = app.screen
        assert app.theme == "briefdesk-dark"

        # F1 lists the desk's own keys, as remapped by nobody yet, with their ids.
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("#help-keys").visual)
        assert "Desk" in help_text and "Everywhere" in help_text
        assert "(desk.publish)" in help_text and "(app.help)" in help_text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is desk

        # h opens the content repo's history.
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "Commits, newest first" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is desk

        # Start a briefing from a demo item, then ctrl+r previews it with the source filled in.
        await pilot.press("slash", *OYSTER_FILTER, "enter")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        body = str(app.screen.query_one("#preview-body").visual)
        assert "Source assisted: This briefing began from a discovered source item from" in body
        assert "(Headline: not written yet)" in body
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is desk
