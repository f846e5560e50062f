"""Every shared fixture feed, served by a real HTTP server on 127.0.0.1, through the real fetch path.

The ``large/`` files are fetched too, but only to show the size cap: the
50 MB one (5.5 MB gzipped) stops at the 20 MB cap while it is being unpacked,
and the 19 MB single-item one is fetched with a 5 MB cap. Parsing them in full
takes feedparser 12 to 25 s each, so that is left to the benchmark
(tests/bench/test_bench_queue.py).
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest

from feed_server import FeedServer
from stories.sources.feeds import MAX_ITEMS
from stories.sources.fetch import fetch_sources
from stories.profile import Source
from stories.queue import QueueStore

# Items feedparser finds that are the same story as an earlier item of the
# same feed, and so are one queue entry, not two.
DUPLICATES = {
    # Two items repeat the guid of an earlier item (the feed re-posted them).
    "real/scriptingnews_untitled_dupguid.rss": 2,
    # Synthetic: a guid used twice with different content; two guid-less items
    # with one link; two items with the same title and neither guid, link nor
    # date; " whitespace-guid " padded, which is "whitespace-guid" once stripped.
    "adversarial/duplicate_guids_conflicting_content.xml": 4,
}

# Files that are not usable feeds, and what the editor is told.
REFUSED = {
    "adversarial/empty_file.xml": "empty",
    "adversarial/html_not_feed_cloudflare_like.html": "web page, not a feed",
    "adversarial/xml_bomb_billion_laughs.xml": "declares XML entities",
    "adversarial/xml_bomb_quadratic_small.xml": "declares XML entities",
    "adversarial/xxe_file_passwd.xml": "declares XML entities",
    "adversarial/xxe_http_canary.xml": "declares XML entities",
    "encoding/utf-16be_no_bom_no_decl.xml": "not well-formed XML",
    "encoding/utf-16le_no_bom_no_decl.xml": "not well-formed XML",
}

BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
GOOD_LINK = re.compile(r"^https?://[^\s]+$")


def served_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.suffix not in (".tsv", ".py") and p.parent.name != "large")


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory):
    from conftest import SHARED_FEEDS

    if not SHARED_FEEDS.is_dir():
        pytest.skip("the shared fixture feeds are not beside this clone (expected ../shared/fixtures/feeds)")
    folder = tmp_path_factory.mktemp("queue")
    with FeedServer(SHARED_FEEDS) as server, QueueStore(folder / "desk.db") as store:
        names = served_files(SHARED_FEEDS)
        sources = [Source(name, server.url(name), "Test", "HTML") for name in names]
        first = fetch_sources(store, sources)
        parses_first = first.parses
        yield server, store, sources, first, parses_first, SHARED_FEEDS


@pytest.mark.timeout(120)
def test_each_real_feed_ingests_every_item_feedparser_finds_less_duplicates(fetched) -> None:
    server, store, sources, summary, _, root = fetched
    checked = 0
    for source in sources:
        name = source.name
        if not name.startswith(("real/", "adversarial/", "encoding/")) or name in REFUSED:
            continue
        found = len(feedparser.parse((root / name).read_bytes()).entries)
        stored = len(store.items(source=source.url))
        # A feed longer than the per-feed cap keeps its newest MAX_ITEMS entries.
        assert stored == min(found - DUPLICATES.get(name, 0), MAX_ITEMS), name
        checked += 1
    assert checked >= 40
    # feedparser does not read JSON Feed; the queue does.
    for name in ("jsonfeed/daringfireball.json", "jsonfeed/inessential.json"):
        expected = len(json.loads((root / name).read_bytes())["items"])
        assert len(store.items(source=server.url(name))) == expected


@pytest.mark.timeout(120)
def test_unusable_files_fail_with_a_message_per_source(fetched) -> None:
    server, store, sources, summary, _, _ = fetched
    assert summary.failed == len(REFUSED)
    assert set(summary.failures) == set(REFUSED)
    for name, words in REFUSED.items():
        assert words in summary.failures[name]
        status = store.source_status(server.url(name))
        assert words in status.last_error and status.failures == 1
        assert store.items(source=server.url(name)) == []


def test_no_stored_field_holds_controls_escapes_or_bad_links(fetched) -> None:
    _, store, _, _, _, _ = fetched
    db = sqlite3.connect(store.path)
    for table in ("items", "sources", "item_sources"):
        for row in db.execute(f"SELECT * FROM {table}"):
            for value in row:
                if isinstance(value, str):
                    assert not BAD_CHARS.search(value), (table, value[:200])
    links = [row[0] for row in db.execute("SELECT link FROM items")]
    assert all(link == "" or GOOD_LINK.match(link) for link in links)
    assert all(len(title) <= 300 for (title,) in db.execute("SELECT title FROM items"))


def test_hostile_files_reach_the_queue_defused(fetched) -> None:
    server, store, _, summary, _, _ = fetched

    def items(name: str):
        return store.items(source=server.url(name))

    # Terminal escapes: the visible words survive, the escapes do not.
    escapes = items("adversarial/term_escapes_raw_bytes.xml")
    assert len(escapes) == 14 and all(it.title for it in escapes)
    assert not any("\x1b" in store.source_text(it.id) or "\x07" in store.source_text(it.id) for it in escapes)
    # Markup-looking titles are kept literally: showing them safely is the UI's job.
    titles = " ".join(it.title for it in items("adversarial/rich_textual_markup_titles.xml"))
    assert "[/]" in titles and "[@click=app.quit]" in titles
    # A 1,000,000-character title is cut to a readable length.
    longest = max(items("adversarial/long_title_1MB.xml"), key=lambda it: len(it.title))
    assert 100 < len(longest.title) <= 300 and longest.title.endswith("…")
    # javascript:, data:, file:, ssh: and spoofed links are dropped, the items kept.
    hostile = items("adversarial/hostile_links.xml")
    assert len(hostile) == 10
    assert all(it.link == "" or GOOD_LINK.match(it.link) for it in hostile)
    assert any(it.link == "" for it in hostile)
    # Dates: none before 1990 or in the far future; an epoch string is read as one.
    now = datetime.now(timezone.utc)
    dated = items("adversarial/date_edge_cases.xml")
    assert all(it.published is None or datetime(1990, 1, 1, tzinfo=timezone.utc) <= it.published <= now + timedelta(days=2) for it in dated)
    by_title = {it.title.split(":", 1)[0]: it.published for it in dated}
    assert by_title["date 12"] == datetime(2025, 1, 6, 10, 0, tzinfo=timezone.utc)  # "1736157600", not the year 1736
    assert by_title["date 3"] is None and by_title["date 4"] is None  # year 9999, year 1
    assert by_title["date 9"] is None  # a "+2500" offset
    assert by_title["date 0"] == datetime(2025, 1, 6, 10, 0, tzinfo=timezone.utc)
    # Items without a title get one from their first words.
    untitled = items("real/scriptingnews_untitled_dupguid.rss")
    assert all(it.title and it.title != "(untitled)" for it in untitled)
    # Relative links are made absolute against the feed's address.
    assert all(it.link.startswith(server.base) for it in items("real/samruby_relative_links.xml"))
    # 5,000 items: the newest 2,000 are taken, and the summary says what was left out.
    assert len(items("adversarial/many_items_5000.xml")) == MAX_ITEMS
    assert "adversarial/many_items_5000.xml: took the newest 2,000 of 5,000 items; the 3,000 older ones were left out." in summary.notes
    assert len(items("adversarial/truncated_mid_item.xml")) == 10


def test_second_fetch_is_answered_304_and_parses_nothing(fetched) -> None:
    server, store, sources, first, parses_first, _ = fetched
    # The first fetch ran feedparser once per XML document it got: every changed
    # feed but the two JSON Feeds, plus the web page and the two UTF-16 files it
    # could not read. The entity-declaring files were refused before parsing.
    assert parses_first == first.changed - 2 + 3
    before_items = store.count()
    server.conditional.clear()
    server.not_modified.clear()
    second = fetch_sources(store, sources)
    assert second.parses == 0, "an unchanged feed was parsed again"
    assert second.new == 0 and second.changed == 0 and second.unchanged == first.changed
    # Every source asked with its stored validators and was told 304.
    assert sum(server.conditional.values()) == len(sources)
    assert sum(server.not_modified.values()) == len(sources)
    # Broken feeds that did not change still report their problem, without a parse.
    assert set(second.failures) == set(REFUSED)
    assert store.count() == before_items


@pytest.mark.timeout(60)
def test_large_feeds_stop_at_the_size_cap(shared_feeds: Path, tmp_path: Path) -> None:
    with FeedServer(shared_feeds) as server, QueueStore(tmp_path / "desk.db") as store:
        big = Source("big", server.url("large/big_50MB_from_giantbomb.rss.gz"))
        summary = fetch_sources(store, [big])
        # 5.5 MB on the wire, 53 MB unpacked: refused while unpacking.
        assert "larger than 20 MB once unpacked" in summary.failures["big"]
        long_item = Source("long", server.url("large/long_description_20MB_single_item.xml.gz"))
        summary = fetch_sources(store, [long_item], max_bytes=5 * 1024 * 1024)
        assert "larger than 5 MB once unpacked" in summary.failures["long"]
        assert store.count() == 0
        # The server really sent them gzip-encoded, with the compressed size on the wire.
        assert gzip.decompress((shared_feeds / "large/long_description_20MB_single_item.xml.gz").read_bytes())[:5] == b"<?xml"


HOSTILE_CHILD = r"""
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from feed_server import FeedServer
from stories.sources.fetch import fetch_sources
from stories.profile import Source
from stories.queue import QueueStore
root = Path(sys.argv[1])
names = [p.relative_to(root).as_posix() for p in sorted(root.rglob("*")) if p.is_file() and p.parent.name in ("adversarial", "encoding")]
with FeedServer(root) as server, QueueStore(sys.argv[2]) as store:
    summary = fetch_sources(store, [Source(n, server.url(n)) for n in names])
# VmHWM is this program's own peak; ru_maxrss can carry the forked parent's across exec.
with open("/proc/self/status") as status:
    peak_kb = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), None)
if peak_kb is None:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"sources": summary.sources, "failed": summary.failed, "peak_mb": peak_kb / 1024}))
"""


@pytest.mark.timeout(120)
def test_hostile_files_fetch_in_bounded_memory(shared_feeds: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    tests = Path(__file__).resolve().parent
    result = subprocess.run(
        [sys.executable, "-c", HOSTILE_CHILD, str(shared_feeds), str(tmp_path / "desk.db"), str(tests)],
        capture_output=True, text=True, timeout=110, cwd=tests.parent,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["sources"] == 26 and report["failed"] == len(REFUSED)
    # The quadratic entity bomb alone takes feedparser to about 92 MB; the
    # 1 MB title and the 5,000 items are the heaviest files that are read.
    assert report["peak_mb"] < 200, report
