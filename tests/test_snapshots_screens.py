"""Snapshots of the preview, history and help screens at 80x24 and 160x48.

Each screen is pushed by the small host app in ``screens_host`` over a
stand-in main screen, with the bundled themes installed and the default theme
on; the history screen reads a real git content repo built in ``tmp_path``
with plain git at pinned times (so its commit ids do not move when the checks
or the publish step change what they write). Update with ``pytest tests/test_snapshots_screens.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

import pytest
from screens_host import STORY_ID, HostApp, build_fixed_content_repo, sample_briefing

from stories.profile import load_profile
from tui.screens.history import HistoryScreen
from tui.screens.preview import PreviewScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
STORY = STORY_ID


async def settle(pilot) -> None:
    """Wait for the screen's workers and let their results land."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_preview(snap_compare, size) -> None:
    app = HostApp(lambda: PreviewScreen(sample_briefing(), load_profile()))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_preview_with_hostile_text_in_the_terminal_theme(snap_compare) -> None:
    briefing = sample_briefing(headline="[@click=app.quit]x and [/] stay literal", summary="[b]not bold[/b] \x1b[31mnot red either")
    app = HostApp(lambda: PreviewScreen(briefing, load_profile()), theme="briefdesk-ansi")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_history_of_all_stories(snap_compare, tmp_path, size) -> None:
    repo = build_fixed_content_repo(tmp_path / "content")
    app = HostApp(lambda: HistoryScreen(repo))
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_history_of_one_story_first_revision(snap_compare, tmp_path, size) -> None:
    repo = build_fixed_content_repo(tmp_path / "content")
    app = HostApp(lambda: HistoryScreen(repo, STORY))

    async def choose_first_revision(pilot) -> None:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=choose_first_revision)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size) -> None:
    app = HostApp()
    assert snap_compare(app, terminal_size=size, press=["f1"], run_before=settle)


def test_help_in_light_theme(snap_compare) -> None:
    app = HostApp(theme="briefdesk-light")
    assert snap_compare(app, terminal_size=(80, 24), press=["f1"], run_before=settle)


def test_help_in_high_contrast_theme(snap_compare) -> None:
    app = HostApp(theme="briefdesk-high-contrast")
    assert snap_compare(app, terminal_size=(80, 24), press=["f1"], run_before=settle)


def test_history_diff_in_the_monochrome_theme(snap_compare, tmp_path) -> None:
    """Issue 13 point 15: greys only, and the revision's changes still read ([-volunteers-]{+patients+})."""
    repo = build_fixed_content_repo(tmp_path / "content")
    app = HostApp(lambda: HistoryScreen(repo, STORY), theme="briefdesk-mono")

    async def show_the_changes(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")  # into the changes
        await pilot.press("pagedown")  # past the commit header, to the key points
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=show_the_changes)
