"""The queue store: states, dedupe, filters and the bundled demo feeds (real SQLite)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from stories.sources.feeds import parse_feed
from stories.profile import Source
from stories.queue import QueueStore, demo_sources, load_demo


@pytest.fixture
def store(tmp_path: Path):
    with QueueStore(tmp_path / "desk.db") as queue:
        yield queue


def rss(*items: str, title: str = "Test feed") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>' + "".join(items) + "</channel></rss>").encode()


def item(title: str, link: str = "", guid: str = "", body: str = "Some words.", date: str = "Tue, 24 Nov 2026 08:30:00 +0000") -> str:
    parts = [f"<title>{title}</title>", f"<description>{body}</description>", f"<pubDate>{date}</pubDate>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    return "<item>" + "".join(parts) + "</item>"


def ingest(store: QueueStore, source: Source, data: bytes) -> int:
    return store.add_entries(source, parse_feed(data, source.url))


ONE = Source("One Feed", "https://one.example.org/feed", "Earth", "HTML")
TWO = Source("Two Feed", "https://two.example.org/rss", "People", "HTML")


def test_demo_loads_without_network_and_is_ready_to_brief(store: QueueStore) -> None:
    new = load_demo(store)
    items = store.items()
    assert new == len(items) >= 10
    names = {source.name for source in demo_sources()}
    assert {name for it in items for name in it.sources} == names
    for it in items:
        assert it.link.startswith("https://") and it.published is not None and it.state == "new"
        text = store.source_text(it.id)
        # An editor needs numbers and quotations to write a briefing from.
        assert len(text.split()) > 80 and '"' in text and any(ch.isdigit() for ch in text)
        assert "<p>" not in text
    # The same story is in two demo feeds: one entry listing both.
    shared = [it for it in items if len(it.sources) == 2]
    assert len(shared) == 1 and shared[0].sources[0] == "Green Shoots Weekly"
    assert load_demo(store) == 0 and store.count() == len(items)


def test_states_and_source_ref(store: QueueStore) -> None:
    load_demo(store)
    first, second, third = store.items()[:3]
    store.claim(first.id, "Test Editor")
    claimed = store.item(first.id)
    assert claimed.state == "claimed" and claimed.claimed_by == "Test Editor" and claimed.claimed_at is not None
    store.set_state(first.id, "drafting")
    store.dismiss(second.id, "not our beat")
    assert store.item(second.id).dismissed_reason == "not our beat"
    assert [it.id for it in store.items(state="dismissed")] == [second.id]
    assert store.count("drafting") == 1 and store.count() == len(store.items())
    with pytest.raises(ValueError):
        store.set_state(third.id, "archived")
    with pytest.raises(KeyError):
        store.dismiss("no-such-item", "x")
    ref = store.source_ref(third.id)
    assert (ref.url, ref.title, ref.name, ref.feed, ref.format) == (third.link, third.title, third.source, third.category, "HTML")
    assert ref.published == third.published


def test_mark_published_matches_links_without_tracking(store: QueueStore) -> None:
    load_demo(store)
    river = next(it for it in store.items() if "River cleanup" in it.title)
    # The stored link has lost the feed's utm_* parameters.
    assert "utm_" not in river.link
    assert store.mark_published(["http://greenshoots.example.org/2026/11/river-cleanup-fewer-bottles/?utm_campaign=x#top"]) == 1
    assert store.item(river.id).state == "published"


def test_dismissed_item_never_comes_back(store: QueueStore) -> None:
    data = rss(item("A calm story about a park", "https://one.example.org/a", "a-1"), item("Another one", "https://one.example.org/b", "b-1"))
    assert ingest(store, ONE, data) == 2
    target = store.items(text="park")[0]
    store.dismiss(target.id, "duplicate of yesterday")
    assert ingest(store, ONE, data) == 0
    assert store.item(target.id).state == "dismissed"
    assert store.count() == 2


def test_same_story_in_two_feeds_is_one_entry(store: QueueStore) -> None:
    ingest(store, ONE, rss(item("Bridge reopens", "https://news.example.net/bridge?utm_source=one", "one-77")))
    ingest(store, TWO, rss(item("Bridge reopens after repairs", "https://www.news.example.net/bridge/#comments", "two-12")))
    items = store.items()
    assert len(items) == 1 and items[0].sources == ["One Feed", "Two Feed"]
    store.dismiss(items[0].id, "seen")
    ingest(store, TWO, rss(item("Bridge reopens after repairs", "https://www.news.example.net/bridge/#comments", "two-12")))
    assert [it.state for it in store.items()] == ["dismissed"]
    assert store.items(source="Two Feed")[0].id == items[0].id


def test_distinct_guids_with_one_link_in_one_feed_stay_distinct(store: QueueStore) -> None:
    # A feed that points every item at one article page must not lose items.
    data = rss(item("Part one", "https://one.example.org/series", "p1"), item("Part two", "https://one.example.org/series", "p2"))
    assert ingest(store, ONE, data) == 2


def test_filters_by_text_source_state_and_age(store: QueueStore) -> None:
    load_demo(store)
    assert {it.title for it in store.items(text="OYSTER")} == {"Volunteers replant 12,000 oyster shells to rebuild a river reef"}
    assert all("Field Notes Science" in it.sources for it in store.items(source="Field Notes Science"))
    assert len(store.items(text="field notes wheat")) == 1
    assert store.items(text="no such words anywhere") == []
    assert len(store.items(limit=3)) == 3


def test_age_filter(store: QueueStore) -> None:
    from datetime import datetime, timezone
    from email.utils import format_datetime

    now = datetime.now(timezone.utc)
    fresh = format_datetime(now - timedelta(hours=2))
    old = format_datetime(now - timedelta(days=30))
    ingest(store, ONE, rss(item("Fresh news", "https://one.example.org/fresh", "f", date=fresh), item("Old news", "https://one.example.org/old", "o", date=old)))
    assert [it.title for it in store.items(max_age=timedelta(days=1))] == ["Fresh news"]
    assert [it.title for it in store.items()] == ["Fresh news", "Old news"]


def test_two_stores_on_one_file_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    with QueueStore(path) as app, QueueStore(path) as cron:
        load_demo(cron)
        assert app.count() == cron.count() > 0
        first = app.items()[0]
        app.claim(first.id, "Test Editor")
        assert cron.item(first.id).state == "claimed"
    assert (tmp_path / "desk.db").exists()
    # WAL mode is on the file itself, for every later connection.
    import sqlite3

    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_items_carry_sources_as_a_list(store: QueueStore) -> None:
    load_demo(store)
    for it in store.items():
        assert isinstance(it.sources, list) and all(isinstance(name, str) for name in it.sources)
    json.dumps([it.sources for it in store.items()])


def test_back_to_new_clears_the_claim_and_the_listing_follows(store: QueueStore) -> None:
    load_demo(store)
    first = store.items()[0]
    assert store.items(state="claimed") == []  # the listing is cached now
    store.claim(first.id, "Test Editor")
    assert [it.claimed_by for it in store.items(state="claimed")] == ["Test Editor"]
    store.set_state(first.id, "new")
    again = store.item(first.id)
    assert (again.state, again.claimed_by, again.claimed_at) == ("new", "", None)
    assert store.items(state="claimed") == [] and store.items()[0] == again
