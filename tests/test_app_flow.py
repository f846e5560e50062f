"""The whole desk flow on the demo, driven through the real app with Pilot and a real git content repo."""

from __future__ import annotations

import asyncio
import tomllib

from textual.widgets import TextArea

from desk_helpers import OYSTER, OYSTER_FILTER, demo_app, git, settle, write
from tui.screens.dialogs import ConfirmScreen
from tui.widgets.editor import KeyPointInput, SectionInput
from tui.widgets.queue import QueueList


def _status(app) -> str:
    return app.screen.query_one("#status").build().plain


def _checks_summary(app) -> str:
    return str(app.screen.query_one("#checks-summary").render())


def _queue_rows(app) -> list[str]:
    option_list = app.screen.query_one("#queue-list", QueueList)
    return [str(option.prompt) for option in option_list.options if option is not None]


async def _start_oyster(pilot) -> None:
    await pilot.press("slash", *OYSTER_FILTER, "enter")
    await pilot.pause()
    assert any("oyster" in row for row in _queue_rows(pilot.app))
    await pilot.press("enter")
    await settle(pilot)


def test_choose_write_check_publish_and_revise(tmp_path):
    asyncio.run(_whole_flow(tmp_path))


async def _whole_flow(tmp_path):
    app = demo_app(tmp_path)
    content = tmp_path / "content"
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await _start_oyster(pilot)
        screen = app.screen
        # Starting a briefing claims the item and fills the source block from it.
        draft = screen.draft
        assert draft is not None
        item = app.queue.item(draft.item_id)
        assert item.state == "claimed"
        assert draft.briefing.source.url == item.link
        assert "12,000 recycled oyster shells" in draft.source_text
        assert isinstance(app.focused, SectionInput) and app.focused.id == "sec-headline"
        assert "error" in _checks_summary(app)

        # Write every section from the keyboard (Tab moves on to the next field):
        # most of each text arrives as a terminal paste, its last word is typed.
        for key in app.profile.keys:
            value = OYSTER[key]
            for text in value if isinstance(value, list) else [value]:
                if isinstance(value, list):
                    assert isinstance(app.focused, KeyPointInput)
                else:
                    assert app.focused.id == f"sec-{key}"
                await write(pilot, text)
                await pilot.press("tab")
        await settle(pilot)

        assert app.queue.item(item.id).state == "drafting"
        # The checks turned clean as we typed; the status line agrees.
        assert "all clear" in _checks_summary(app), screen.findings
        assert "0 errors" in _status(app)
        assert "saved" in _status(app)
        # The source pane marks the numbers and the quote the draft uses.
        kinds = {kind for _, _, kind in screen.marks}
        assert kinds == {"quote", "number"}

        await pilot.press("ctrl+o")
        await settle(pilot)
        files = list(content.glob("stories/*/*.toml"))
        assert len(files) == 1
        data = tomllib.loads(files[0].read_text("utf-8"))
        story_id = data["id"]
        assert story_id.startswith("volunteers-return-12-000-oyster-shells")
        assert data["headline"] == OYSTER["headline"]
        assert data["key_points"] == OYSTER["key_points"]
        assert data["source"]["url"] == item.link
        log = git(content, "log", "--format=%s%n%b", "-1")
        assert f"Story-Id: {story_id}" in log
        assert git(content, "status", "--porcelain").strip() == ""
        # The item shows as published, and its draft is gone.
        assert app.queue.item(item.id).state == "published"
        assert any(row.startswith("✓ Volunteers replant") for row in _queue_rows(app))
        assert app.drafts.list() == []

        # A revision: the story stays open; change the summary and publish again.
        assert screen.draft.revises == story_id
        summary = screen.query_one("#sec-summary", TextArea)
        summary.focus()
        summary.cursor_location = summary.document.end
        await pilot.press(*" Divers will look again in April.")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        if isinstance(app.screen, ConfirmScreen):  # warnings are asked about first
            await pilot.press("y")
            await settle(pilot)
        subjects = git(content, "log", "--format=%s", "--", str(files[0].relative_to(content))).splitlines()
        assert len(subjects) == 2
        data = tomllib.loads(files[0].read_text("utf-8"))
        assert data["summary"].endswith("Divers will look again in April.")
        assert git(content, "status", "--porcelain").strip() == ""
        # Only the summary line changed in the revision's diff.
        diff = git(content, "diff", "HEAD~1", "HEAD", "--", str(files[0].relative_to(content)))
        changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        assert all(("Divers will look again" in line or "updated" in line or "giving young oysters" in line) for line in changed), changed

    # Later, after a restart: the published item opens the story from the repo, to revise it again.
    from stories.repo import ContentRepo
    from tui.app import BriefDeskApp

    app = BriefDeskApp(repo=ContentRepo.open(content), queue_path=app.queue_path, drafts_dir=app.drafts.folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *OYSTER_FILTER, "enter", "enter")
        await settle(pilot)
        assert app.screen.draft.revises == story_id
        assert app.screen.query_one("#sec-headline", SectionInput).value == OYSTER["headline"]
        assert "Revising" in str(app.screen.query_one("#editor-title").render())


def test_errors_refuse_publish_and_warnings_ask_first(tmp_path):
    asyncio.run(_refuse_and_confirm(tmp_path))


async def _refuse_and_confirm(tmp_path):
    app = demo_app(tmp_path)
    content = tmp_path / "content"
    before = git(content, "rev-list", "--count", "HEAD")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _start_oyster(pilot)
        await pilot.press(*"Volunteers return oyster shells")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        # Refused: nothing committed, the checks pane is shown with the cursor in it.
        assert git(content, "rev-list", "--count", "HEAD") == before
        assert app.screen.pane == "checks"
        assert app.focused.id == "checks-list"
        assert any("Not published" in (n.title or "") for n in app._notifications)

        # Choosing a finding puts the cursor on it in the editor.
        option_list = app.focused
        index = next(i for i, o in enumerate(option_list.options) if (o.id or "").startswith("f:"))
        option_list.highlighted = index
        finding = app.screen.checks.findings[int(option_list.options[index].id[2:])]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.pane == "editor"
        assert app.focused.id == f"sec-{finding.section}" or isinstance(app.focused, KeyPointInput)

        # Fill the draft in, with one hype word: a warning, which asks before publishing.
        screen = app.screen
        editor = screen.editor
        sections = dict(OYSTER)
        sections["why_it_feels_good"] = OYSTER["why_it_feels_good"] + " It is an incredible sight."
        briefing = editor.read()
        briefing.sections = sections
        editor.load(briefing)
        screen.query_one("#sec-summary", TextArea).focus()
        await pilot.press("space")
        await settle(pilot)
        assert screen.checks.findings and all(f.severity != "error" for f in screen.checks.findings)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert git(content, "rev-list", "--count", "HEAD") == before
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert int(git(content, "rev-list", "--count", "HEAD")) == int(before) + 1
