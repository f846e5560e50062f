"""Issue 11 in the app: waive a finding in the Checks panel, publish, restart, re-open: the waiver is still there."""

from __future__ import annotations

import asyncio
import re
import tomllib
from pathlib import Path

from textual.widgets import OptionList

from desk_helpers import OYSTER, OYSTER_FILTER, demo_app, git, settle
from stories.repo import ContentRepo
from tui.app import BriefDeskApp
from tui.screens.dialogs import ConfirmScreen

SHOUTED = " The rowing club called it the SHELLS weekend."


def _option_for(app, check: str) -> int:
    option_list = app.screen.query_one("#checks-list", OptionList)
    findings = app.screen.checks.findings
    for index, option in enumerate(option_list.options):
        if (option.id or "").startswith("f:") and findings[int(option.id[2:])].check == check:
            return index
    raise AssertionError(f"no {check} finding listed: {[f.check for f in findings]}")


def _row_text(app, check: str) -> str:
    option_list = app.screen.query_one("#checks-list", OptionList)
    return str(option_list.get_option_at_index(_option_for(app, check)).prompt)


def test_a_waiver_given_in_the_app_is_published_and_shown_after_a_restart(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        content = tmp_path / "content"
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *OYSTER_FILTER, "enter", "enter")
            await settle(pilot)
            screen = app.screen
            briefing = screen.editor.read()
            briefing.sections = dict(OYSTER, why_it_feels_good=OYSTER["why_it_feels_good"] + SHOUTED)
            screen.editor.load(briefing)
            screen.editor.focus_section("summary")
            await pilot.press("space", "backspace")
            await settle(pilot)
            assert "tone.caps" in [f.check for f in screen.checks.findings if f.severity == "warning"]
            # Each section carries its copy meter: the share from the source and the longest shared run.
            meters = [str(o.prompt) for o in screen.query_one("#checks-list", OptionList).options if (o.id or "").startswith("s:")]
            assert any(re.search(r"copy \d+%, longest \d+ words", m) for m in meters), meters
            # In the Checks panel: highlight the finding, w, a reason, Enter.
            await pilot.press("f4")
            await pilot.pause()
            screen.query_one("#checks-list", OptionList).highlighted = _option_for(app, "tone.caps")
            await pilot.press("w", *"the club's own name for the weekend", "enter")
            await settle(pilot)
            row = _row_text(app, "tone.caps")
            assert f"waived by {app.editor_name}: the club's own name for the weekend" in row, row
            assert "waived" in str(screen.query_one("#checks-summary").render())
            # The draft on disk holds the waiver already (a crash now keeps it).
            assert [w.reason for w in app.drafts.load(screen.draft.key).briefing.waivers] == ["the club's own name for the weekend"]

            await pilot.press("ctrl+o")
            await settle(pilot)
            if isinstance(app.screen, ConfirmScreen):  # other warnings are asked about first
                await pilot.press("y")
                await settle(pilot)
            files = list(content.glob("stories/*/*.toml"))
            assert len(files) == 1, "not published"
            stored = tomllib.loads(files[0].read_text("utf-8"))
            assert [(w["check"], w["text"], w["by"]) for w in stored["waivers"]] == [("tone.caps", "SHELLS", app.editor_name)]
            assert "1 waived" in git(content, "log", "-1", "--format=%b")
            await pilot.press("ctrl+q")

        # Restart: the published item opens the story from the repo, and the finding shows as waived.
        again = BriefDeskApp(repo=ContentRepo.open(content), queue_path=app.queue_path, drafts_dir=app.drafts.folder)
        async with again.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *OYSTER_FILTER, "enter", "enter")
            await settle(pilot)
            assert again.screen.draft is not None and again.screen.draft.revises
            assert not again.screen.read_only
            row = _row_text(again, "tone.caps")
            assert "waived by" in row and "the club's own name for the weekend" in row, row
            # Changing the waived text brings the finding back, unwaived.
            screen = again.screen
            briefing = screen.read_briefing()
            briefing.sections["why_it_feels_good"] = str(briefing.sections["why_it_feels_good"]).replace("SHELLS", "SHELLFISH")
            screen.editor.load(briefing)
            screen.editor.focus_section("summary")
            await pilot.press("space", "backspace")
            await settle(pilot)
            back = [f for f in screen.checks.findings if f.check == "tone.caps"]
            assert back and back[0].severity == "warning" and back[0].waiver is None, back

    asyncio.run(scenario())
