"""The article behind a thin feed item (issue 10), fetched from a real server on 127.0.0.1.

The pages in tests/articles/ wrap an article in navigation, a cookie banner,
a newsletter box, reader comments and a footer; the feed items that link to
them carry one sentence each. The tests name passages that must be in the
source text and furniture that must not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feed_server import FeedServer
from stories.profile import Source
from stories.queue import QueueStore
from stories.sources.articles import save_pasted, source_text_for
from stories.sources.fetch import fetch_article, fetch_sources
from stories.sources.http import Http, Limits

ROOT = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).resolve().parent / "articles"

HARBOUR_PASSAGES = [
    "Two hundred children from four primary schools spent the weekend turning the grey sea wall of Porthmellin",
    'asking why the wall was "the saddest thing in town"',
    '"We expected fifty volunteers and two hundred came," said art teacher Lowenna Hicks',
    "57 species of seabird",
    "cost 4,800 pounds and was paid for by the harbour trust",
]
HARBOUR_FURNITURE = ["cookies", "Subscribe today", "Tide tables", "newsletter", "seagull_watcher", "grandson painted the puffins",
                     "Waste of council money", "All rights reserved", "Privacy policy", "Advertise with us"]
LIBRARY_PASSAGES = [
    "after a petition signed by 3,127 residents asked for longer hours",
    "Head librarian Ingrid Solberg said Sunday was the only free day",
    "The extra hours will cost about 38,000 pounds a year",
]
LIBRARY_FURNITURE = ["cookie policy", "Libraries and archives", "Most read", "Bypass roadworks", "Share this article", "Join the conversation",
                     "Took them long enough", "Careers", "Example Regional Media"]


def teaser_feed(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed whose items carry one sentence each (title, link, guid)."""
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>"
        f"<description>&lt;p&gt;{title}. Continue reading…&lt;/p&gt;</description></item>"
        for title, link, guid in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>{body}</channel></rss>'.encode()


def briefdesk(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env=os.environ.copy(), input=stdin)


@pytest.fixture
def server():
    with FeedServer() as srv:
        for name in ("harbour.html", "library.html", "login.html"):
            srv.add_file(name, (PAGES / name).read_bytes(), "text/html; charset=utf-8")
        yield srv


@pytest.fixture
def store(tmp_path: Path):
    with QueueStore(tmp_path / "desk.db") as queue:
        yield queue


def by_title(store: QueueStore) -> dict[str, str]:
    return {item.title: item.id for item in store.items()}


def test_briefdesk_source_holds_the_article_and_not_its_furniture(server: FeedServer, tmp_path: Path) -> None:
    server.add_file("teasers.xml", teaser_feed([
        ("Harbour town paints its sea wall", server.url("harbour.html", "a"), "h-1"),
        ("Library opens on Sundays", server.url("library.html", "a"), "l-1"),
    ]))
    repo = tmp_path / "content"
    repo.mkdir()
    (repo / "desk.toml").write_text(f'[desk]\nname = "Test Desk"\n\n[[sources]]\nname = "Teasers"\nurl = "{server.url("teasers.xml")}"\n')
    fetched = briefdesk("fetch", "--repo", str(repo))
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert "2 articles fetched, 0 could not be" in fetched.stdout
    listing = json.loads(briefdesk("queue", "--format", "json").stdout)
    ids = {row["title"]: row["id"] for row in listing}
    assert {row["link"] for row in listing} == {server.url("harbour.html", "a"), server.url("library.html", "a")}

    for title, passages, furniture in (
        ("Harbour town paints its sea wall", HARBOUR_PASSAGES, HARBOUR_FURNITURE),
        ("Library opens on Sundays", LIBRARY_PASSAGES, LIBRARY_FURNITURE),
    ):
        shown = briefdesk("source", ids[title], "--repo", str(repo))
        assert shown.returncode == 0, shown.stderr
        for passage in passages:
            assert passage in shown.stdout, passage
        for phrase in furniture:
            assert phrase.lower() not in shown.stdout.lower(), phrase
        assert shown.stdout.startswith(title + "\n\n")

    record = json.loads(briefdesk("source", ids["Harbour town paints its sea wall"], "--format", "json").stdout)
    assert record["origin"] == "article" and record["url"] == server.url("harbour.html", "a")
    assert record["fetched_at"] and record["note"] == ""
    assert record["metadata"] == {
        "title": "Harbour town paints its sea wall with 200 children",
        "author": "Mara Ellison",
        "date": "2026-11-24",
        "site": "Coastal Ledger",
        "canonical_url": "https://coastal-ledger.example/2026/11/harbour-sea-wall",
    }


@pytest.mark.timeout(90)
def test_each_bad_article_link_gets_its_own_message_and_the_fetch_carries_on(server: FeedServer, store: QueueStore) -> None:
    server.trickle_interval = 0.2
    server.add_file("report.pdf", b"%PDF-1.7\n" + b"0" * 2000, "application/pdf")
    links = {
        "Gone": f"{server.base}/status/404",
        "Login wall": server.url("login.html", "a"),
        "Login status": f"{server.base}/status/401",
        "Huge": f"{server.base}/huge/x",
        "Huge, no length": f"{server.base}/huge/nolength",
        "Report": server.url("report.pdf", "a"),
        "Loop": f"{server.base}/loop/x",
        "Never ends": f"{server.base}/trickle/x",
        "Harbour": server.url("harbour.html", "a"),
    }
    server.add_file("bad.xml", teaser_feed([(title, link, title) for title, link in links.items()]))
    summary = fetch_sources(store, [Source("Bad links", server.url("bad.xml"))], articles=True, article_limits=Limits(deadline=2, read_timeout=10, max_bytes=10 * 1024 * 1024))
    assert summary.failed == 0 and summary.new == len(links) and summary.articles == 1
    expected = {
        "Gone": "The page was not found (404).",
        "Login wall": "The page needs a login: it shows a sign-in form instead of the article.",
        "Login status": "The page needs a login (HTTP 401).",
        "Huge": "The page is too large (over 10 MB); not read.",
        "Huge, no length": "The page is too large (over 10 MB); not read.",
        "Report": "Not an article page: the link leads to application/pdf, not a web page.",
        "Loop": "The page redirected too many times; not followed.",
        "Never ends": "The page did not finish loading in time (gave up after 2 s).",
    }
    assert sorted(summary.article_failures) == sorted(f"{title}: {message}" for title, message in expected.items())
    ids = by_title(store)
    for title, message in expected.items():
        source = source_text_for(store, ids[title])
        assert source.origin == "feed" and source.note == f"The article could not be fetched: {message}"
        assert source.text == f"{title}\n\n{title}. Continue reading…"
    assert source_text_for(store, ids["Harbour"]).origin == "article"


@pytest.mark.timeout(60)
def test_article_pages_never_starve_the_feeds_of_their_host(server: FeedServer, store: QueueStore) -> None:
    # Every article page trickles for a minute; the feeds on the same host must all arrive meanwhile.
    import threading

    server.trickle_interval = 0.5
    for n in range(6):
        server.add_file(f"feed{n}.xml", teaser_feed([(f"Story {n}", f"{server.base}/trickle/{n}", f"s{n}")]))
    stop = threading.Event()
    seen = {}

    def progress(event) -> None:
        if event.done == 1:
            # One feed at a time, and the next only once the first one's article page is loading.
            deadline = time.monotonic() + 20
            while server.active["all"] < 1 and time.monotonic() < deadline:
                time.sleep(0.02)
        if event.done == event.total:
            seen["pages still loading"] = server.active["all"]
            stop.set()  # the feeds are all in: end the run instead of waiting out the pages

    summary = fetch_sources(store, [Source(f"Feed {n}", server.url(f"feed{n}.xml")) for n in range(6)], progress=progress, workers=1,
                            articles=True, article_limits=Limits(deadline=60, read_timeout=60), stop=stop)
    assert summary.changed == 6 and summary.failed == 0 and store.count() == 6
    assert seen["pages still loading"] >= 1 and summary.articles == 0
    assert server.max_active <= 2  # and the host never had more than two requests at once


def test_full_text_per_source_auto_always_never(server: FeedServer, store: QueueStore) -> None:
    long_text = " ".join(["The council met and spoke at length about the harbour."] * 20)
    full = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Full</title>'
        f"<item><title>Whole story</title><link>{server.url('harbour.html', 'a')}</link><guid isPermaLink=\"false\">w</guid>"
        f"<description>{long_text}</description></item></channel></rss>"
    ).encode()
    server.add_file("full.xml", full)
    server.add_file("thin.xml", teaser_feed([("Library opens on Sundays", server.url("library.html", "a"), "lib")]))
    sources = [Source("Full, auto", server.url("full.xml")), Source("Thin, never", server.url("thin.xml"), full_text="never")]
    summary = fetch_sources(store, sources, articles=True)
    assert summary.articles == 0 and server.requests["/a/harbour.html"] == 0 and server.requests["/a/library.html"] == 0
    ids = by_title(store)
    assert source_text_for(store, ids["Whole story"]).note == ""  # the feed carried enough
    thin = source_text_for(store, ids["Library opens on Sundays"])
    assert thin.origin == "feed" and thin.note == "The article has not been fetched yet; this is what the feed carried."
    # "always" fetches the page even when the feed text is long.
    server.add_file("full2.xml", full.replace(b"/a/harbour.html", b"/c/harbour.html").replace(b"Whole story", b"Another whole story"))
    summary = fetch_sources(store, [Source("Full, always", server.url("full2.xml"), full_text="always")], articles=True)
    assert summary.articles == 1
    assert source_text_for(store, by_title(store)["Another whole story"]).origin == "article"


def test_refetch_is_conditional_offline_keeps_the_text_and_pasted_text_wins(server: FeedServer, store: QueueStore) -> None:
    server.add_file("teasers.xml", teaser_feed([("Harbour town paints its sea wall", server.url("harbour.html", "a"), "h-1")]))
    fetch_sources(store, [Source("Teasers", server.url("teasers.xml"))], articles=True)
    [item] = store.items()
    first = source_text_for(store, item.id)
    assert first.origin == "article" and HARBOUR_PASSAGES[0] in first.text
    with Http() as client:
        assert fetch_article(store, client, item.id) == ""
    assert server.not_modified["harbour.html"] == 1
    assert source_text_for(store, item.id).text == first.text
    # The site is gone: the text fetched before is still there, and a re-fetch says why it failed.
    port = server.httpd.server_address[1]
    server.__exit__()
    with Http(Limits(connect_timeout=2)) as client:
        problem = fetch_article(store, client, item.id)
    assert "refused the connection" in problem
    offline = source_text_for(store, item.id)
    assert offline.origin == "article" and offline.text == first.text and "refused the connection" in offline.note
    # Paywalled or offline: the editor pastes the text, and that is what the checks use.
    save_pasted(store, item.id, "The harbour trust paid 4,800 pounds.\x1b[2J", "Test Editor")
    pasted = source_text_for(store, item.id)
    assert pasted.origin == "pasted" and pasted.metadata["pasted_by"] == "Test Editor"
    assert pasted.text == "Harbour town paints its sea wall\n\nThe harbour trust paid 4,800 pounds."
    assert port


def test_briefdesk_source_pastes_and_refuses_unknown_items_in_words(server: FeedServer, tmp_path: Path) -> None:
    server.add_file("teasers.xml", teaser_feed([("Library opens on Sundays", server.url("library.html", "a"), "l-1")]))
    repo = tmp_path / "content"
    repo.mkdir()
    (repo / "desk.toml").write_text(f'[desk]\nname = "Test Desk"\n\n[[sources]]\nname = "Teasers"\nurl = "{server.url("teasers.xml")}"\n')
    assert briefdesk("fetch", "--no-articles", "--repo", str(repo)).returncode == 0
    [row] = json.loads(briefdesk("queue", "--format", "json").stdout)
    plain = briefdesk("source", row["id"], "--repo", str(repo))
    assert plain.returncode == 0 and "has not been fetched yet" in plain.stderr and "3,127" not in plain.stdout
    fetched = briefdesk("source", row["id"], "--fetch", "--format", "json", "--repo", str(repo))
    assert json.loads(fetched.stdout)["origin"] == "article" and LIBRARY_PASSAGES[0] in json.loads(fetched.stdout)["text"]
    pasted = briefdesk("source", row["id"], "--paste", "-", "--editor", "Night Editor", "--format", "json", stdin="Opening hours: 11 to 4 on Sundays.\n")
    record = json.loads(pasted.stdout)
    assert record["origin"] == "pasted" and record["metadata"]["pasted_by"] == "Night Editor" and "11 to 4" in record["text"]
    unknown = briefdesk("source", "0000nothere")
    assert unknown.returncode == 2 and "no queue item '0000nothere'" in unknown.stderr and "Traceback" not in unknown.stderr
    binary = tmp_path / "scan.bin"
    binary.write_bytes(b"\xff\xfe\x00binary")
    refused = briefdesk("source", row["id"], "--paste", str(binary))
    assert refused.returncode == 2 and "not UTF-8 text" in refused.stderr and "Traceback" not in refused.stderr


def test_a_briefing_from_a_thin_item_is_checked_against_the_article(server: FeedServer, store: QueueStore) -> None:
    from repo_helpers import make_briefing

    from stories.checks.traceability import check
    from stories.profile import load_profile

    profile = load_profile()
    server.add_file("teasers.xml", teaser_feed([("Harbour town paints its sea wall", server.url("harbour.html", "a"), "h-1")]))
    fetch_sources(store, [Source("Teasers", server.url("teasers.xml"))], articles=True)
    [item] = store.items()
    article = source_text_for(store, item.id, profile.short_source_words)
    assert article.origin == "article"
    sections = {
        "headline": "Children paint a harbour town's grey sea wall",
        "summary": "Two hundred children from four schools turned the town's sea wall into a mural.",
        "key_points": ["The mural shows 57 species of seabird.", "The harbour trust paid 4,800 pounds for the paint."],
        "what_happened": "Pupils and their art teacher drew the outline over several weeks before the weekend of painting.",
        "why_it_feels_good": "A wall that a pupil called the saddest thing in town now brightens the harbour.",
        "watch_next": "The trust expects the mural to last at least fifteen years.",
    }
    numbers = [f for f in check(make_briefing("harbour-wall", **sections), article.text, profile) if f.check == "traceability.number"]
    assert numbers == []  # 57 and 4,800 are only in the article, and they pass
    invented = {**sections, "key_points": ["The mural shows 57 species of seabird.", "Volunteers gave 900 hours to the wall."]}
    findings = [f for f in check(make_briefing("harbour-wall", **invented), article.text, profile) if f.check == "traceability.number"]
    assert [(f.severity, f.message) for f in findings] == [("error", '"900 hours" is not in the source')]
    # Against the feed's one sentence the same numbers could not be traced at all.
    feed_only = store.source_text(item.id)
    assert any(f.check == "traceability.short_source" for f in check(make_briefing("harbour-wall", **sections), feed_only, profile))
