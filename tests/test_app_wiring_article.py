"""Issue 10 in the app: fetch the article behind a thin item, paste a source by hand, see where the text came from.

A real FeedServer on 127.0.0.1 serves a teaser feed (one sentence per item)
and the article pages of tests/articles/; the real app runs under Pilot.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events
from textual.widgets import Static, TextArea

from desk_helpers import run_command, settle, write
from feed_server import FeedServer
from stories.model import content_hash
from stories.profile import Source
from stories.queue import QueueStore
from stories.repo import ContentRepo
from stories.sources.articles import source_text_for
from stories.sources.fetch import fetch_sources
from test_fetch_articles import HARBOUR_FURNITURE, HARBOUR_PASSAGES, PAGES, teaser_feed
from tui.app import BriefDeskApp
from tui.screens.dialogs import PasteSourceScreen
from tui.widgets.queue import DRAFT_PREFIX, ITEM_PREFIX

HARBOUR = "Harbour town paints its sea wall"
LIBRARY = "Library opens on Sundays"
MEMBERS = "Members only: the council's budget"


def run(coro) -> None:
    asyncio.run(coro)


def desk_on(server: FeedServer, tmp_path: Path) -> tuple[BriefDeskApp, dict[str, str]]:
    """An app on a fresh repo and a queue holding two thin items whose articles are not fetched yet."""
    for name in ("harbour.html", "library.html", "login.html"):
        server.add_file(name, (PAGES / name).read_bytes(), "text/html; charset=utf-8")
    server.add_file("teasers.xml", teaser_feed([
        (HARBOUR, server.url("harbour.html", "a"), "h-1"),
        (LIBRARY, server.url("library.html", "a"), "l-1"),
        (MEMBERS, server.url("login.html", "a"), "m-1"),
    ]))
    source = Source("Teasers", server.url("teasers.xml"))
    with QueueStore(tmp_path / "desk.db") as store:
        fetch_sources(store, [source], articles=False)
        ids = {item.title: item.id for item in store.items()}
    repo = ContentRepo.init(tmp_path / "content")
    return BriefDeskApp(repo=repo, queue_path=tmp_path / "desk.db", drafts_dir=tmp_path / "drafts", sources=[source]), ids


def _messages(app) -> list[str]:
    # The session's message log: every notification, even one whose toast has timed out.
    return [f"{m.title}: {m.message}" for m in app.message_log]


def _plain(app, selector: str) -> str:
    return app.screen.query_one(selector, Static).render().plain  # type: ignore[union-attr]


async def until(pilot, condition, tries: int = 400) -> None:
    """Wait for a condition (bounded), letting workers and messages run."""
    for _ in range(tries):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met")


async def highlight(pilot, item_id: str) -> None:
    """Focus the queue and move its highlight to an item (or its draft's row)."""
    await pilot.press("escape")
    queue = pilot.app.screen.queue_pane.option_list
    await until(pilot, lambda: pilot.app.screen.focused is queue)
    wanted = {ITEM_PREFIX + item_id} | {DRAFT_PREFIX + d.key for d in pilot.app.drafts.list() if d.item_id == item_id}
    for key in ("down", "up"):  # the list does not wrap: down to the end, then up to the top
        for _ in range(queue.option_count + 1):
            if queue.highlighted_id in wanted:
                return
            await pilot.press(key)
            await pilot.pause()
    raise AssertionError(f"no row for {item_id} in {[str(o.id) for o in queue.options]} (at {queue.highlighted_id})")


async def open_briefing(pilot, item_id: str, headline: str) -> None:
    await highlight(pilot, item_id)
    await pilot.press("n")
    await settle(pilot)
    main = pilot.app.screen
    assert main.draft is not None and main.draft.item_id == item_id
    await write(pilot, headline)
    await settle(pilot)


def test_the_article_key_makes_the_article_the_open_drafts_source_and_keeps_the_typing(tmp_path):
    async def scenario() -> None:
        with FeedServer() as server:
            app, ids = desk_on(server, tmp_path)
            async with app.run_test(size=(160, 50)) as pilot:
                await settle(pilot)
                main = app.screen
                await open_briefing(pilot, ids[HARBOUR], "Children paint a harbour sea wall")
                draft = main.draft
                assert draft.source_text == f"{HARBOUR}\n\n{HARBOUR}. Continue reading…"
                assert _plain(app, "#editor-source-url").startswith("feed text · the article has not been fetched yet")
                assert any(f.check == "traceability.short_source" for f in main.findings)

                await pilot.press("escape", "a")
                await until(pilot, lambda: any(m.startswith("Article:") for m in _messages(app)))
                await settle(pilot)
                assert server.requests["/a/harbour.html"] == 1
                text = main.draft.source_text
                assert text.startswith(HARBOUR + "\n\n")
                for passage in HARBOUR_PASSAGES:
                    assert passage in text, passage
                for phrase in HARBOUR_FURNITURE:
                    assert phrase.lower() not in text.lower(), phrase
                ref = main.draft.briefing.source
                assert ref.origin == "article" and ref.snapshot == content_hash(text) and ref.fetched
                # The typed briefing stays, and the checks ran again against the article.
                assert main.read_briefing().sections["headline"] == "Children paint a harbour sea wall"
                assert main.checked_generation == main.generation
                assert not any(f.check == "traceability.short_source" for f in main.findings)
                # Saved: the draft on disk holds the article as its source.
                saved = app.drafts.load(main.draft.key)
                assert saved.source_text == text and saved.briefing.source.origin == "article"
                assert saved.briefing.sections["headline"] == "Children paint a harbour sea wall"
                # One line above the source says where it came from: the article, just fetched, from the site.
                heading = _plain(app, "#editor-source-url")
                assert heading.startswith("article · fetched just now · Coastal Ledger · " + server.url("harbour.html", "a")), heading
                assert HARBOUR_PASSAGES[0] in _plain(app, "#editor-source")
                assert "The article is the source now (article · fetched just now · Coastal Ledger)." in _messages(app)[-1]

    run(scenario())


def test_the_palette_refetches_offline_the_text_fetched_before_stays_and_a_never_fetched_item_says_so(tmp_path):
    async def scenario() -> None:
        server = FeedServer().__enter__()
        try:
            app, ids = desk_on(server, tmp_path)
            async with app.run_test(size=(160, 50)) as pilot:
                await settle(pilot)
                main = app.screen
                await open_briefing(pilot, ids[HARBOUR], "Children paint a harbour sea wall")
                await run_command(pilot, "Fetch the article")
                await until(pilot, lambda: main.draft.briefing.source.origin == "article")
                await settle(pilot)
                article = main.draft.source_text
                assert HARBOUR_PASSAGES[0] in article
                # The palette again: a re-fetch is a conditional GET.
                await run_command(pilot, "Fetch the article")
                await until(pilot, lambda: server.not_modified["harbour.html"] == 1 and len([m for m in _messages(app) if m.startswith("Article:")]) == 2)
                await settle(pilot)
                assert main.draft.source_text == article

                server.__exit__()  # the site (and the network) is gone
                notes = len(_messages(app))
                await run_command(pilot, "Fetch the article")
                await until(pilot, lambda: len(_messages(app)) > notes)
                await settle(pilot)
                failed = _messages(app)[-1]
                assert failed.startswith("Article: ") and "refused the connection" in failed
                assert failed.endswith("The text fetched before stays the source."), failed
                assert main.draft.source_text == article and main.draft.briefing.source.origin == "article"
                assert main.read_briefing().sections["headline"] == "Children paint a harbour sea wall"

                # An item never fetched: the queue's source pane says so, and so does a failed fetch.
                await highlight(pilot, ids[LIBRARY])
                assert _plain(app, "#source-url").startswith("feed text · the article has not been fetched yet")
                notes = len(_messages(app))
                await pilot.press("a")
                await until(pilot, lambda: len(_messages(app)) > notes)
                failed = _messages(app)[-1]
                assert "refused the connection" in failed
                assert failed.endswith("The article has not been fetched yet: the source is still what the feed carried."), failed
                assert source_text_for(app.queue, ids[LIBRARY]).origin == "feed"
                # The open draft was not touched by the other item's fetch.
                assert main.draft.item_id == ids[HARBOUR] and main.draft.source_text == article
        finally:
            server.__exit__()

    run(scenario())


def test_a_login_wall_is_a_notification_in_words_and_the_feed_text_stays(tmp_path):
    async def scenario() -> None:
        with FeedServer() as server:
            app, ids = desk_on(server, tmp_path)
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                main = app.screen
                await open_briefing(pilot, ids[MEMBERS], "The council sets its budget")
                before = main.draft.source_text
                notes = len(_messages(app))
                await pilot.press("escape", "a")
                await until(pilot, lambda: len(_messages(app)) > notes)
                await settle(pilot)
                assert _messages(app)[-1] == (
                    "Article: The page needs a login: it shows a sign-in form instead of the article. "
                    "The article has not been fetched yet: the source is still what the feed carried."
                )
                assert main.draft.source_text == before and main.draft.briefing.source.origin == "feed"
                assert main.read_briefing().sections["headline"] == "The council sets its budget"

    run(scenario())


def test_a_pasted_source_becomes_the_drafts_source_as_pasted_by_the_editor_never_as_markup(tmp_path):
    async def scenario() -> None:
        with FeedServer() as server:
            app, ids = desk_on(server, tmp_path)
            async with app.run_test(size=(160, 50)) as pilot:
                await settle(pilot)
                main = app.screen
                await open_briefing(pilot, ids[LIBRARY], "Library opens on Sundays")
                await run_command(pilot, "Paste the source text")
                await until(pilot, lambda: isinstance(app.screen, PasteSourceScreen))
                pasted = "The library opens from 11 to 4 on Sundays, [bold]said[/bold] the [red]council[/].\nIt cost 38,000 pounds."
                app.post_message(events.Paste(pasted))  # as the terminal sends a paste
                await until(pilot, lambda: app.screen.query_one("#paste-source", TextArea).text == pasted)
                await pilot.press("ctrl+s")
                await until(pilot, lambda: not isinstance(app.screen, PasteSourceScreen))
                await settle(pilot)
                expected = f"{LIBRARY}\n\n{pasted}"
                assert main.draft.source_text == expected
                ref = main.draft.briefing.source
                assert ref.origin == "pasted" and ref.snapshot == content_hash(expected) and ref.fetched
                stored = source_text_for(app.queue, ids[LIBRARY])
                assert stored.origin == "pasted" and stored.metadata["pasted_by"] == app.editor_name
                assert app.drafts.load(main.draft.key).source_text == expected
                assert main.read_briefing().sections["headline"] == "Library opens on Sundays"
                assert main.checked_generation == main.generation
                heading = _plain(app, "#editor-source-url")
                assert heading.startswith(f"pasted by {app.editor_name} · just now"), heading
                # Untrusted text is shown as typed, never read as markup.
                assert "[bold]said[/bold] the [red]council[/]." in _plain(app, "#editor-source")
                # Escape in the dialog changes nothing.
                await run_command(pilot, "Paste the source text")
                await until(pilot, lambda: isinstance(app.screen, PasteSourceScreen))
                await pilot.press("escape")
                await until(pilot, lambda: not isinstance(app.screen, PasteSourceScreen))
                assert main.draft.source_text == expected

    run(scenario())
