"""The history screen on a real content repo: commits newest first, a section-by-section diff per revision."""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

import pytest
from screens_host import (
    LONG_AUTHOR,
    STORY_ID,
    BelowScreen,
    HostApp,
    build_content_repo,
    build_fixed_content_repo,
    screen_text,
)
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from tui.screens.history import HistoryScreen, render_section_diff, word_diff

STORY = STORY_ID
HEADLINE = "Lab-grown skin patch heals stubborn leg ulcers in a small hospital trial"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    return build_content_repo(tmp_path / "content", monkeypatch)


async def settle(app: HostApp, pilot: Any) -> None:
    """Let the git workers finish and their results land on screen."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def diff_text(app: HostApp) -> str:
    return str(app.screen.query_one("#history-diff-text", Static).content)


def diff_content(app: HostApp):
    return app.screen.query_one("#history-diff-text", Static).visual


def test_commits_are_listed_newest_first_with_author_and_date(repo) -> None:
    asyncio.run(_newest_first(repo))


async def _newest_first(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        revise = next(i for i, line in enumerate(lines) if "Ben Reviewer  Revise: Lab-grown skin" in line)
        publish = next(i for i, line in enumerate(lines) if "Ada Editor    Publish: Lab-grown skin" in line)
        start = next(i for i, line in enumerate(lines) if "Test Editor   Start the content repo" in line)
        assert revise < publish < start
        assert "2026-11-21 14:05" in lines[revise]
        assert "2026-11-20 09:30" in lines[publish]


def test_the_newest_revision_shows_what_changed_section_by_section(repo) -> None:
    asyncio.run(_newest_diff(repo))


async def _newest_diff(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        text = diff_text(app)
        assert f"Revise: {HEADLINE}" in text
        assert "Ben Reviewer <ben@example.org>" in text
        assert "Checks: " in text
        assert "Story-Id:" not in text  # trailers are for tools; the reader sees the message
        assert "Compared with the previous revision" in text
        assert "Key points  changed" in text and "What happened  changed" in text
        # Sections that did not change are not listed.
        assert "Summary  " not in text and "Why it feels good  " not in text
        # The words taken out and put in are marked with the theme's error and success colours.
        content = diff_content(app)
        styles = {content.plain[span.start : span.end].strip(): str(span.style) for span in content.spans}
        assert "$text-error" in styles["volunteers"] and "strike" in styles["volunteers"]
        assert "$text-success" in styles["patients"]
        assert "$text-error" in styles["tiny"] and "$text-success" in styles["small"]
        # The changed words sit in the new text with a blank either side, marked so they read without colour.
        assert "Seven of nine [-volunteers-]{+patients+} healed fully" in content.plain


def test_choosing_the_first_revision_shows_every_section_added(repo) -> None:
    asyncio.run(_first_revision(repo))


async def _first_revision(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        text = diff_text(app)
        assert f"Publish: {HEADLINE}" in text and "Ada Editor <ada@example.org>" in text
        assert "First revision of this story." in text
        for label in ("Headline", "Summary", "Key points", "What happened", "Why it feels good", "What to enjoy or watch next"):
            assert f"{label}  added" in text
        await pilot.press("down")
        await settle(app, pilot)
        assert "does not touch a story" in diff_text(app)


def test_history_of_one_story_lists_only_its_commits_and_enter_moves_to_the_changes(repo) -> None:
    asyncio.run(_one_story(repo))


async def _one_story(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo, STORY))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        commits = app.screen.query_one("#history-commits", OptionList)
        assert commits.option_count == 2
        assert "Start the content repo" not in screen_text(app)
        assert commits.has_focus
        await pilot.press("enter")
        await settle(app, pilot)
        diff = app.screen.query_one("#history-diff", VerticalScroll)
        assert diff.has_focus
        assert diff.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert diff.scroll_y == diff.max_scroll_y
        await pilot.press("d")
        assert commits.has_focus
        await pilot.press("j")
        await settle(app, pilot)
        assert commits.highlighted == 1
        assert "First revision of this story." in diff_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BelowScreen)


def test_hostile_headline_in_a_commit_subject_shows_literally(tmp_path, monkeypatch) -> None:
    headline = "[@click=app.quit]x otters and [/] a calm river return"
    repo = build_content_repo(tmp_path / "content", monkeypatch, hostile_headline=headline)
    asyncio.run(_hostile(repo, headline))


async def _hostile(repo, headline: str) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert "Revise: [@click=app.quit]x otters" in screen_text(app)
        assert f"Revise: {headline}" in diff_text(app)
        await pilot.click("#history-commits", offset=(40, 1))
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, HistoryScreen)


def test_a_repo_that_went_away_gives_a_message_not_a_crash(tmp_path, monkeypatch) -> None:
    repo = build_content_repo(tmp_path / "content", monkeypatch)
    shutil.rmtree(tmp_path / "content")
    asyncio.run(_gone(repo))


async def _gone(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "Cannot read the history" in diff_text(app)
        assert any("Cannot read the history" in n.message for n in app._notifications)


def test_word_diff_keeps_unchanged_words_plain() -> None:
    content = word_diff("seven patients healed within months", "seven of nine patients healed within months")
    assert content.plain == "seven {+of nine+} patients healed within months"
    marked = [content.plain[s.start : s.end] for s in content.spans]
    # Only the new words are marked (a blank may carry an invisible style of its own).
    assert "".join(m.strip() for m in marked if m.strip()) == "{+of nine+}"


def test_render_section_diff_with_nothing_changed_says_so() -> None:
    assert "No section changed" in render_section_diff([]).plain


def test_every_history_binding_has_an_id() -> None:
    assert all(binding.id for binding in HistoryScreen.BINDINGS)


def test_closing_before_git_has_answered_is_safe(repo) -> None:
    asyncio.run(_close_early(repo))


async def _close_early(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, BelowScreen)
        app.push_screen(HistoryScreen(repo))
        await pilot.pause()
        await pilot.press("down", "down", "escape")
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, BelowScreen)


def test_a_long_author_name_is_cut_short_and_keeps_its_gap_before_the_subject(tmp_path) -> None:
    repo = build_fixed_content_repo(tmp_path / "content")
    asyncio.run(_long_author(repo))


async def _long_author(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        start = next(line for line in lines if "Start the content repo" in line)
        assert LONG_AUTHOR not in start
        assert "Maximiliane F…  Start the content repo" in start
        # Every subject starts in the same column, two blanks after the widest name.
        rows = [line for line in lines if ": Lab-grown" in line or "Start the content" in line][:3]
        columns = {row.index("Revise" if "Revise" in row else "Publish" if "Publish" in row else "Start") for row in rows}
        assert len(columns) == 1
        assert any("Ben Reviewer    Revise: Lab-grown" in row for row in rows)


def test_13_15_the_diff_reads_without_colour() -> None:
    content = word_diff("took a tiny sample of skin", "took a small sample of skin")
    assert content.plain == "took a [-tiny-]{+small+} sample of skin"
    assert word_diff("a b c", "a c").plain == "a [-b-] c"
    from types import SimpleNamespace

    added = SimpleNamespace(change="added", label="Summary", key="summary", before=None, after="A new summary.")
    removed = SimpleNamespace(change="removed", label="Watch next", key="watch_next", before="Old words.", after=None)
    text = render_section_diff([added, removed]).plain
    assert "Summary  added\n{+A new summary.+}" in text
    assert "Watch next  removed\n[-Old words.-]" in text


def test_13_16_the_history_list_has_a_filter(repo) -> None:
    asyncio.run(_filter(repo))


async def _filter(repo) -> None:
    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        commits = app.screen.query_one("#history-commits", OptionList)
        assert commits.option_count == 3
        await pilot.press("slash", *"ben revise")
        await settle(app, pilot)
        assert commits.option_count == 1
        assert "Ben Reviewer" in screen_text(app) and "Ada Editor" not in screen_text(app)
        assert "Revise: " in diff_text(app)
        await pilot.press("ctrl+u", *"nothing like this")
        await settle(app, pilot)
        assert commits.option_count == 0
        assert "No commits match “nothing like this”" in diff_text(app)
        await pilot.press("escape")  # clears the filter, stays in the history
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen) and commits.option_count == 3 and commits.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BelowScreen)


def test_13_16_a_story_opens_from_the_history(repo) -> None:
    asyncio.run(_open_story(repo))


async def _open_story(repo) -> None:
    posted: dict[int, Any] = {}

    def hook(message) -> None:
        if isinstance(message, HistoryScreen.OpenStory):
            posted[id(message)] = message  # seen once per node it bubbles through

    app = HostApp(lambda: HistoryScreen(repo))
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down")  # "Start the content repo": no story to open
        await settle(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen) and not posted
        assert any("does not touch a story" in n.message for n in app._notifications)
        await pilot.press("up", "o")
        await pilot.pause()
        assert isinstance(app.screen, BelowScreen)
        assert [m.story_id for m in posted.values()] == [STORY]
