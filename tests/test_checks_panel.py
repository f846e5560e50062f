"""The Checks panel on its own, driven through Pilot: waive a finding with a reason, see it waived."""

from __future__ import annotations

import asyncio

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList

from stories import codec
from stories.checks import run_checks, waive
from stories.checks.traceability import copy_meters
from stories.profile import load_profile
from tui.widgets.checks import ChecksPanel

DATA = Path(__file__).parent / "data"
PROFILE = load_profile()
SOURCE = (DATA / "skin-patch-source.txt").read_text("utf-8")


def shouting_story():
    story = codec.loads((DATA / "skin-patch-story.toml").read_text("utf-8"), PROFILE)
    story.sections["why_it_feels_good"] = story.text("why_it_feels_good").replace("ordinary pleasures", "UTTERLY ordinary pleasures")
    return story


class PanelApp(App[None]):
    """The panel alone, routing a waiver the way the desk screen does: record it, check again."""

    def __init__(self) -> None:
        super().__init__()
        self.story = shouting_story()
        self.requests: list[ChecksPanel.WaiveRequested] = []

    def compose(self) -> ComposeResult:
        yield ChecksPanel(PROFILE)

    def on_mount(self) -> None:
        self.recheck()

    def recheck(self) -> None:
        self.query_one(ChecksPanel).show(run_checks(self.story, SOURCE, PROFILE, []), copy_meters(self.story, SOURCE, PROFILE))

    def on_checks_panel_waive_requested(self, event: ChecksPanel.WaiveRequested) -> None:
        self.requests.append(event)
        waive(self.story, event.finding, "Sam Editor", event.reason)
        self.recheck()


def row_texts(app: PanelApp) -> list[str]:
    option_list = app.query_one("#checks-list", OptionList)
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


def test_waiving_a_finding_from_the_panel() -> None:
    asyncio.run(_waive())


async def _waive() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        option_list = app.query_one("#checks-list", OptionList)
        option_list.focus()
        rows = row_texts(app)
        caps_row = next(i for i, text in enumerate(rows) if "ALL CAPS" in text)
        option_list.highlighted = caps_row
        await pilot.press("w")
        reason = app.query_one("#checks-reason", Input)
        assert reason.has_focus
        await pilot.press("enter")  # no reason yet: nothing is waived
        assert app.requests == []
        for key in "quoting the patient":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await pilot.pause()
        [request] = app.requests
        assert request.finding.check == "tone.caps" and request.reason == "quoting the patient"
        assert any("waived by Sam Editor: quoting the patient" in text for text in row_texts(app))
        assert app.story.waivers[0].text == "UTTERLY"
        # Each section row carries its copy meter: share from the source, longest run.
        watch = next(text for text in row_texts(app) if "What to enjoy or watch next" in text)
        assert watch.endswith("copy 28%, longest 8 words")


def test_an_untrusted_reason_is_shown_literally() -> None:
    asyncio.run(_untrusted())


async def _untrusted() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        finding = next(f for f in run_checks(app.story, SOURCE, PROFILE, []) if f.check == "tone.caps")
        waive(app.story, finding, "[@click=app.quit]x", "[red]loud[/]")
        app.recheck()
        await pilot.pause()
        assert any("waived by [@click=app.quit]x: [red]loud[/]" in text for text in row_texts(app))
        assert app.is_running
