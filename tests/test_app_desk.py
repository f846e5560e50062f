"""The desk's parts through the real app: fetch, dismiss, drafts at start, key points, keys, palette, tabs, themes."""

from __future__ import annotations

import asyncio
from importlib import resources

from textual.widgets import TextArea

from desk_helpers import OYSTER_FILTER, demo_app, run_command, settle
from feed_server import FeedServer
from stories.drafts import DraftStore
from stories.profile import Source
from stories.queue import QueueStore
from stories.repo import ContentRepo
from tui import locations
from tui.app import BriefDeskApp
from tui.config import Config, load_config
from tui.screens.dialogs import ReasonScreen
from tui.widgets.editor import KeyPointInput, SectionInput
from tui.widgets.queue import QueueList


def run(coro) -> None:
    asyncio.run(coro)


def _rows(app) -> list[str]:
    return [str(o.prompt) for o in app.screen.query_one("#queue-list", QueueList).options]


def _messages(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def test_fetch_runs_in_the_background_and_failures_are_one_clear_notification(tmp_path):
    demo_feeds = resources.files("stories").joinpath("demo_feeds")

    async def scenario() -> None:
        with FeedServer() as server:
            server.add_file("green.rss", demo_feeds.joinpath("green_shoots.rss").read_bytes())
            good = Source(name="Green Shoots Weekly", url=server.url("green.rss"), category="Earth", format="HTML")
            broken = Source(name="Broken Wire", url=f"{server.base}/status/500", category="Earth", format="HTML")
            repo = ContentRepo.init(tmp_path / "content")
            app = BriefDeskApp(repo=repo, queue_path=tmp_path / "desk.db", drafts_dir=tmp_path / "drafts", sources=[good, broken])
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                assert _rows(app) == []
                await pilot.press("f")
                await settle(pilot)
                rows = _rows(app)
                assert len(rows) == 3
                assert any("oyster shells" in row for row in rows)
                notes = [n for n in _messages(app) if n.startswith("Fetch")]
                assert len(notes) == 1
                assert "new items" in notes[0] and "Broken Wire" in notes[0]
                assert "fetching" not in app.screen.query_one("#status").build().plain

    run(scenario())


def test_dismiss_an_item_with_a_reason(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            before = len(_rows(app))
            first = app.screen.query_one("#queue-list", QueueList).highlighted_id[2:]
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, ReasonScreen)
            await pilot.press(*"not good news", "enter")
            await settle(pilot)
            assert len(_rows(app)) == before - 1
            item = app.queue.item(first)
            assert item.state == "dismissed" and item.dismissed_reason == "not good news"
            # Escape in the dialog changes nothing.
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("escape")
            await settle(pilot)
            assert len(_rows(app)) == before - 1

    run(scenario())


def test_unfinished_drafts_are_listed_at_start_and_the_newest_reopens(tmp_path):
    async def write_two() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"library", "enter", "enter")
            await settle(pilot)
            await pilot.press(*"Library draft")
            await settle(pilot)
            await pilot.press("escape", "slash", "ctrl+u", *OYSTER_FILTER, "enter", "enter")
            await settle(pilot)
            await pilot.press(*"Oyster draft")
            await settle(pilot)

    async def reopen() -> None:
        repo = ContentRepo.open(tmp_path / "content")
        app = BriefDeskApp(repo=repo, queue_path=tmp_path / "desk.db", drafts_dir=tmp_path / "drafts")
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            rows = _rows(app)
            assert rows[0].startswith("✎ draft  Oyster draft")
            assert rows[1].startswith("✎ draft  Library draft")
            assert app.screen.query_one("#sec-headline", SectionInput).value == "Oyster draft"
            # Choosing the other draft opens it.
            await pilot.press("escape")
            app.screen.query_one("#queue-list", QueueList).highlighted = 1
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.query_one("#sec-headline", SectionInput).value == "Library draft"

    run(write_two())
    assert len(DraftStore(tmp_path / "drafts").list()) == 2
    run(reopen())


def test_key_points_add_remove_and_reorder_from_the_keyboard(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            editor = app.screen.editor
            points = editor.query_one("#sec-key_points")
            points.inputs[0].focus()
            await pilot.press(*"first", "tab", *"second", "tab", *"third")
            await pilot.press("enter")  # a new point after the third
            await pilot.pause()
            assert isinstance(app.focused, KeyPointInput)
            await pilot.press(*"fourth")
            assert points.values() == ["first", "second", "third", "fourth"]
            await pilot.press("alt+up")  # fourth moves above third
            await pilot.pause()
            assert points.values() == ["first", "second", "fourth", "third"]
            await pilot.press("ctrl+u", "backspace")  # emptied, then removed
            await pilot.pause()
            assert points.values() == ["first", "second", "third"]
            await pilot.press("alt+x")  # removes the point with the cursor ("second"), types nothing
            await pilot.pause()
            assert points.values() == ["first", "third"]
            await pilot.press("enter", *"second again")  # the cursor was on "first"
            await pilot.pause()
            assert points.values() == ["first", "second again", "third"]
            await settle(pilot)
            assert app.screen.draft.briefing.items("key_points") == ["first", "second again", "third"]
            counts = str(editor.query_one("#label-key_points").render())
            assert "3 items" in counts

    run(scenario())


def test_keys_remapped_in_the_config_and_every_action_in_the_palette(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path, config=Config(keys={"desk.dismiss": "x", "desk.publish": "ctrl+g"}))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, ReasonScreen)
            await pilot.press("escape")
            await pilot.pause()
            titles = {command.title for command in app.get_system_commands(app.screen)}
            for title in ("Start or open briefing", "Save draft", "Preview", "Publish", "Dismiss item", "Filter queue",
                          "Fetch feeds", "Sync", "History", "Add key point", "Remove key point", "Move key point up",
                          "Open published story", "Unfinished drafts", "Help", "Theme"):
                assert title in titles
            # The palette runs them: ctrl+p, type, Enter.
            await run_command(pilot, "Dismiss item")
            await settle(pilot)
            assert isinstance(app.screen, ReasonScreen)
            await pilot.press("escape")
            await pilot.pause()
            # Every binding of the desk has an id a user can remap.
            for binding in app.screen.BINDINGS + app.BINDINGS:
                assert binding.id

    run(scenario())


def test_the_status_line_says_what_to_press_next_with_the_editors_own_keys(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path, config=Config(keys={"desk.start": "s", "desk.publish": "ctrl+g"}))
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            status = app.screen.query_one("#status")
            assert status.build().plain.endswith("s briefing · ^p commands · f1 help")
            await pilot.press("s")
            await settle(pilot)
            assert status.build().plain.endswith("^r preview · ^g publish · ^p commands · f1 help")
            await pilot.resize_terminal(80, 24)
            await settle(pilot)
            # Narrow: the hint shortens rather than pushing the draft's state off the line.
            plain = status.build().plain
            assert "error" in plain and plain.endswith("f1 help") and len(plain) <= 80

    run(scenario())


def test_narrow_terminal_shows_one_pane_at_a_time_and_wide_shows_three(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            shown = [p for p in ("queue", "editor", "checks") if screen.query_one(f"#{p}-pane").display]
            assert shown == ["queue"]
            assert screen.query_one("#pane-tabs").display
            queue = screen.query_one("#queue-pane")
            assert queue.region.right <= 80 and queue.region.bottom <= 23
            await pilot.press("f3")
            await pilot.pause()
            shown = [p for p in ("queue", "editor", "checks") if screen.query_one(f"#{p}-pane").display]
            assert shown == ["editor"]
            await pilot.resize_terminal(160, 48)
            await pilot.pause()
            panes = [screen.query_one(f"#{p}-pane") for p in ("queue", "editor", "checks")]
            assert all(p.display for p in panes)
            assert not screen.query_one("#pane-tabs").display
            assert panes[0].region.right <= panes[1].region.x and panes[1].region.right <= panes[2].region.x
            assert panes[2].region.right <= 160 and all(p.region.width >= 30 for p in panes)

    run(scenario())


def test_at_80x24_every_field_of_the_briefing_scrolls_into_view_when_reached(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            editor = app.screen.query_one("#editor")
            reached = []
            for _ in range(12):
                focused = app.focused
                reached.append(focused.id)
                # The whole control is inside the editor's visible area, not clipped below it.
                assert editor.region.contains_region(focused.region), (focused.id, focused.region, editor.region)
                await pilot.press("tab")
                await settle(pilot)
                if app.focused.id == "sec-related":
                    break
            assert "sec-watch_next" in reached and app.focused.id == "sec-related"
            assert editor.region.contains_region(app.focused.region)

    run(scenario())


def test_a_broken_theme_gives_a_notification_and_the_default(tmp_path):
    async def scenario() -> None:
        themes = locations.user_themes_dir()
        themes.mkdir(parents=True)
        (themes / "broken.toml").write_text("name = 'broken'\nprimary = 'not a colour'\n", "utf-8")
        config_file = locations.config_file()
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config_file.write_text('theme = "no-such-theme"\n', "utf-8")
        app = demo_app(tmp_path, config=load_config())
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.theme == "briefdesk-dark"
            text = "\n".join(_messages(app))
            assert "broken.toml" in text and "no-such-theme" in text
        # The fallback is not written over the editor's own setting.
        assert load_config().theme == "no-such-theme"

    run(scenario())


def test_a_theme_chosen_in_the_app_is_remembered_in_the_config(tmp_path):
    async def scenario() -> None:
        config_file = locations.config_file()
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config_file.write_text("# my settings\ntheme = \"briefdesk-dark\"\n", "utf-8")
        repo = ContentRepo.init(tmp_path / "content")
        app = BriefDeskApp(repo=repo, queue_path=tmp_path / "desk.db", drafts_dir=tmp_path / "drafts", config=load_config())
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.theme = "briefdesk-light"
            await pilot.pause()
        assert load_config().theme == "briefdesk-light"
        assert config_file.read_text("utf-8").startswith("# my settings")

    run(scenario())


def test_filter_narrows_the_queue_and_escape_goes_back_to_the_list(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            everything = len(_rows(app))
            await pilot.press("slash", *"volunteers")
            await pilot.pause()
            rows = _rows(app)
            assert 0 < len(rows) < everything
            assert all("volunteers" in row.lower() for row in rows)
            await pilot.press("escape")
            await pilot.pause()
            assert app.focused.id == "queue-list"
            # Typing in a section never triggers the single-letter keys.
            await pilot.press("enter")
            await settle(pilot)
            area = app.screen.query_one("#sec-summary", TextArea)
            area.focus()
            await pilot.press(*"done fixed")
            await pilot.pause()
            assert area.text == "done fixed"
            assert not isinstance(app.screen, ReasonScreen)

    run(scenario())


def test_plain_briefdesk_creates_its_content_repo_and_works_offline(tmp_path):
    from tui.commands.app import open_repo

    repo = open_repo(locations.default_repo())
    assert (repo.root / "desk.toml").is_file()
    again = open_repo(locations.default_repo())
    assert again.root == repo.root
    store = QueueStore(locations.queue_db())
    store.close()

    async def scenario() -> None:
        app = BriefDeskApp(repo=again, queue_path=locations.queue_db(), drafts_dir=locations.drafts_dir())
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            status = app.screen.query_one("#status").build().plain
            # A repo with no remote says so; "offline" would send the editor looking for a network fault.
            assert status.startswith("main") and "no remote" in status and "offline" not in status
            assert app.started_ms is not None and app.started_ms > 0  # logged as "started in N ms"
            await pilot.press("y")  # sync with no remote: a clear word, no crash
            await settle(pilot)
            assert any(n.startswith("Sync") for n in _messages(app))
            assert "no remote" in app.screen.query_one("#status").build().plain

    run(scenario())


def test_sync_pushes_to_the_remote_and_the_status_goes_online(tmp_path):
    from desk_helpers import git

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))

    async def scenario() -> None:
        app = demo_app(tmp_path)
        content = tmp_path / "content"
        git(content, "remote", "add", "origin", str(remote))
        git(content, "push", "-q", "-u", "origin", "main")
        git(content, "commit", "-q", "--allow-empty", "-m", "A local commit not pushed yet")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "↑1" in app.screen.query_one("#status").build().plain
            await pilot.press("y")
            await settle(pilot)
            status = app.screen.query_one("#status").build().plain
            assert "online" in status and "↑" not in status
            assert git(remote, "log", "-1", "--format=%s", "main").strip() == "A local commit not pushed yet"

    run(scenario())


def test_throw_away_a_draft_from_the_palette(tmp_path):
    from tui.screens.dialogs import ConfirmScreen

    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            item_id = app.screen.draft.item_id
            await pilot.press(*"A headline to throw away")
            await settle(pilot)
            assert app.queue.item(item_id).state == "drafting"
            await run_command(pilot, "Throw away draft")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await settle(pilot)
            assert app.screen.draft is None
            assert app.drafts.list() == []
            assert app.queue.item(item_id).state == "new"
            assert not any(row.startswith("✎") for row in _rows(app))

    run(scenario())


def test_fetch_in_the_demo_reads_the_bundled_feeds_not_the_network(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path, demo=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            before = len(_rows(app))
            await pilot.press("f")
            await settle(pilot)
            assert len(_rows(app)) == before
            assert any("bundled sample feeds" in n for n in _messages(app))

    run(scenario())


def test_first_run_and_demo_need_no_git_identity(tmp_path, monkeypatch):
    from tui.commands.app import open_repo
    from tui.commands.demo import DEMO_EDITOR, prepare

    nobody = tmp_path / "empty-gitconfig"
    nobody.write_text("", "utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(nobody))
    # briefdesk with no config and no git identity still gets its content repo.
    repo = open_repo(locations.default_repo(), Config())
    assert (repo.root / "desk.toml").is_file()
    # The demo publishes as its demo editor.
    demo_repo, queue_path, drafts_dir, sources = prepare(tmp_path / "demo")
    assert [s.name for s in demo_repo.profile.sources] == [s.name for s in sources]
    from desk_helpers import git

    assert git(demo_repo.root, "log", "-1", "--format=%an").strip() == DEMO_EDITOR[0]
