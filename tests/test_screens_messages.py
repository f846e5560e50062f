"""Issue 13 point 17: the session's messages stay readable after their toasts are gone."""

from __future__ import annotations

import asyncio

from desk_helpers import demo_app, run_command, settle
from screens_host import screen_text
from tui.screens.messages import MessagesScreen

CONFLICT = "\n".join(f"line {n} of the sync conflict: stories/2026/story-{n}.toml" for n in range(1, 13))


def test_13_17_a_key_and_a_palette_command_show_the_sessions_messages(tmp_path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+s")  # nothing open: the desk says so in a toast
            await pilot.pause()
            app.notify(CONFLICT, title="Sync", severity="error", markup=False)
            app.notify("[red]Hostile[/red] [@click=app.quit]x", title="Feed", markup=False)
            await pilot.pause()
            app.clear_notifications()  # the toasts are gone, as after a few seconds
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert isinstance(app.screen, MessagesScreen)
            text = str(app.screen.query_one("#messages-text").render())
            assert "No briefing is open." in text
            assert "✗ error  Sync" in text
            for n in (1, 12):  # every line of the long one, not only its start
                assert f"line {n} of the sync conflict" in text
            assert "[red]Hostile[/red] [@click=app.quit]x" in text  # shown literally
            assert text.index("Hostile") < text.index("line 1 of") < text.index("No briefing is open.")  # newest first
            assert "Messages" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, MessagesScreen)
            await run_command(pilot, "Messages")
            await pilot.pause()
            assert isinstance(app.screen, MessagesScreen)

    asyncio.run(scenario())


def test_13_17_an_empty_log_says_so() -> None:
    from textual.app import App

    from tui.messagelog import MessageLog

    class Quiet(MessageLog, App[None]):
        pass

    async def scenario() -> None:
        app = Quiet()
        async with app.run_test(size=(80, 24)) as pilot:
            app.action_messages()
            await pilot.pause()
            assert "No messages yet in this session." in str(app.screen.query_one("#messages-text").render())
            app.notify("Draft saved.")
            assert [m.message for m in app.message_log] == ["Draft saved."]

    asyncio.run(scenario())
