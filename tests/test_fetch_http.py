"""Fetching over a real HTTP server on 127.0.0.1: politeness, limits, redirects and failures in words."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import pytest

from feed_server import FeedServer
from stories.sources.fetch import FetchProgress, fetch_sources
from stories.profile import Source
from stories.queue import QueueStore


def rss(*items: tuple[str, str, str], title: str = "Feed") -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>"
        f"<description>&lt;p&gt;{t}, told in a few calm words.&lt;/p&gt;</description></item>"
        for t, link, guid in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path):
    with QueueStore(tmp_path / "desk.db") as queue:
        yield queue


def test_dismissed_item_stays_dismissed_after_refetch(server: FeedServer, store: QueueStore) -> None:
    server.add_file("a.xml", rss(("Park reopens", "https://news.example.org/park", "p-1"), ("Library extends hours", "https://news.example.org/library", "l-1")))
    source = Source("A", server.url("a.xml"), "People", "HTML")
    assert fetch_sources(store, [source]).new == 2
    park = store.items(text="park")[0]
    store.dismiss(park.id, "covered last week")
    # The feed changes (new ETag): a full parse, and the park story is in it again.
    server.add_file("a.xml", rss(("Park reopens", "https://news.example.org/park", "p-1"), ("Library extends hours", "https://news.example.org/library", "l-1"), ("Choir sings", "https://news.example.org/choir", "c-1")))
    summary = fetch_sources(store, [source])
    assert summary.new == 1 and summary.changed == 1
    assert store.item(park.id).state == "dismissed" and store.item(park.id).dismissed_reason == "covered last week"
    assert sorted(it.title for it in store.items(state="new")) == ["Choir sings", "Library extends hours"]


def test_one_story_in_two_feeds_is_one_entry(server: FeedServer, store: QueueStore) -> None:
    server.add_file("one.xml", rss(("Bridge reopens after repairs", "https://news.example.org/bridge?utm_source=one&utm_medium=rss", "one-77"), title="One"))
    server.add_file("two.xml", rss(("Town bridge is open again", "https://www.news.example.org/bridge#top", "two-3"), title="Two"))
    sources = [Source("One", server.url("one.xml"), "People"), Source("Two", server.url("two.xml"), "Community")]
    summary = fetch_sources(store, sources, workers=1)
    assert summary.new == 1 and summary.changed == 2
    [entry] = store.items()
    assert entry.sources == ["One", "Two"]
    assert entry.link == "https://news.example.org/bridge"
    # Once dismissed, neither feed brings it back.
    store.dismiss(entry.id, "not ours")
    fetch_sources(store, sources, force=True)
    assert [it.state for it in store.items()] == ["dismissed"]


def test_the_same_feed_under_two_addresses_merges_by_link(server: FeedServer, store: QueueStore, shared_feeds: Path) -> None:
    data = (shared_feeds / "real/hackernews_rss.xml").read_bytes()
    server.add_file("hn.xml", data)
    sources = [Source("HN 1", server.url("hn.xml", "x")), Source("HN 2", server.url("hn.xml", "y"))]
    fetch_sources(store, sources)
    items = store.items()
    assert len(items) == 30 and all(it.sources in (["HN 1", "HN 2"], ["HN 2", "HN 1"]) for it in items)


def test_at_most_two_connections_per_host(server: FeedServer, store: QueueStore) -> None:
    for n in range(8):
        server.add_file(f"f{n}.xml", rss((f"Story {n}", f"https://news.example.org/{n}", f"g{n}")))
    server.delay = 0.2
    events: list[FetchProgress] = []
    summary = fetch_sources(store, [Source(f"S{n}", server.url(f"f{n}.xml")) for n in range(8)], progress=events.append, workers=8)
    assert summary.new == 8 and summary.failed == 0
    assert server.max_active == 2
    # Progress arrives once per source, counting up to the total.
    assert sorted(e.done for e in events) == list(range(1, 9)) and {e.total for e in events} == {8}


def test_gzip_encoded_feed_is_read(server: FeedServer, store: QueueStore) -> None:
    server.add_file("z.xml.gz", gzip.compress(rss(("Quiet harbour", "https://news.example.org/harbour", "h"))))
    assert fetch_sources(store, [Source("Z", server.url("z.xml.gz"))]).new == 1
    # A server that forgets validators: the same bytes again are not parsed again.
    server.add_file("same.xml", rss(("Same", "https://news.example.org/same", "s")))
    plain = Source("Plain", f"{server.base}/plain/same.xml")
    assert fetch_sources(store, [plain]).new == 1
    summary = fetch_sources(store, [plain])
    assert summary.unchanged == 1 and summary.parses == 0


def test_redirects_are_followed_five_times_and_no_more(server: FeedServer, store: QueueStore) -> None:
    server.add_file("r.xml", rss(("Redirected story", "https://news.example.org/r", "r")))
    five = Source("Five hops", f"{server.base}/redirect/5/f/r.xml")
    six = Source("Six hops", f"{server.base}/redirect/6/f/r.xml")
    summary = fetch_sources(store, [five, six])
    assert summary.new == 1
    assert "redirects more than 5 times" in summary.failures["Six hops"]


def test_redirect_to_a_non_web_address_is_refused(server: FeedServer, store: QueueStore) -> None:
    summary = fetch_sources(store, [Source("Sneaky", f"{server.base}/redirect-scheme/x")])
    assert "non-web address (file:)" in summary.failures["Sneaky"]


def test_failures_are_told_in_words(server: FeedServer, store: QueueStore) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    sources = [
        Source("Gone", f"{server.base}/status/404"),
        Source("Broken site", f"{server.base}/status/503"),
        Source("Forbidden", f"{server.base}/status/403"),
        Source("Down", f"http://127.0.0.1:{port}/feed"),
        Source("Slow", f"{server.base}/stall/3"),
        Source("Not web", "ftp://127.0.0.1/feed"),
    ]
    summary = fetch_sources(store, sources, read_timeout=0.5)
    assert summary.failed == 6
    errors = summary.failures
    assert "not at this address any more (HTTP 404" in errors["Gone"]
    assert "HTTP 503" in errors["Broken site"] and "try again later" in errors["Broken site"]
    assert "HTTP 403" in errors["Forbidden"]
    assert "refused the connection" in errors["Down"]
    assert "did not answer in time" in errors["Slow"]
    assert "Only web addresses" in errors["Not web"]
    # The printable lines, one per failed source, sorted by name.
    assert summary.errors[0] == f"Broken site: {errors['Broken site']}" and len(summary.errors) == 6
    status = store.source_status(f"{server.base}/status/404")
    assert status.last_error == errors["Gone"] and status.failures == 1 and status.last_success is None


def test_repeated_failures_back_off_and_success_clears_them(server: FeedServer, store: QueueStore) -> None:
    source = Source("Flaky", server.url("later.xml"))
    for _ in range(3):
        assert fetch_sources(store, [source]).failed == 1
    status = store.source_status(source.url)
    assert status.failures == 3 and status.retry_after is not None
    requests = server.requests[f"/f/later.xml"]
    summary = fetch_sources(store, [source])
    # Waiting: counted as failed with the reason, and the site is not asked.
    assert "next try after" in summary.failures["Flaky"] and "not at this address" in summary.failures["Flaky"]
    assert server.requests["/f/later.xml"] == requests
    server.add_file("later.xml", rss(("Back again", "https://news.example.org/back", "b")))
    summary = fetch_sources(store, [source], force=True)
    assert summary.new == 1 and summary.failed == 0
    status = store.source_status(source.url)
    assert status.failures == 0 and status.last_error == "" and status.last_success is not None


def test_size_cap_counts_bytes_on_the_wire_and_after_gunzip(server: FeedServer, store: QueueStore) -> None:
    big = rss(*[(f"Story {n}", f"https://news.example.org/{n}", f"g{n}") for n in range(8000)])
    assert len(big) > 1024 * 1024
    server.add_file("big.xml", big)
    server.add_file("bomb.xml.gz", gzip.compress(b"<rss>" + b" " * (3 * 1024 * 1024) + b"</rss>"))
    sources = [
        Source("Big", server.url("big.xml")),
        Source("Big, no length", f"{server.base}/nolength/big.xml"),
        Source("Bomb", server.url("bomb.xml.gz")),
        Source("Bomb, no length", f"{server.base}/nolength/bomb.xml"),
    ]
    summary = fetch_sources(store, sources, max_bytes=1024 * 1024)
    assert summary.failed == 4
    assert "larger than 1 MB; not read" in summary.failures["Big"]
    assert "larger than 1 MB; not read" in summary.failures["Big, no length"]
    assert "larger than 1 MB once unpacked" in summary.failures["Bomb"]
    assert "larger than 1 MB once unpacked" in summary.failures["Bomb, no length"]
    assert store.count() == 0


def test_an_untrusted_certificate_is_refused_in_words(tmp_path: Path, store: QueueStore) -> None:
    import shutil
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(rss(("Should not be read", "https://news.example.org/x", "x")))

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        summary = fetch_sources(store, [Source("Self-signed", f"https://127.0.0.1:{httpd.server_address[1]}/feed")])
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert "security certificate could not be verified" in summary.failures["Self-signed"]
    assert store.count() == 0


def test_identical_bytes_are_parsed_once_unless_their_links_depend_on_the_address(server: FeedServer, store: QueueStore) -> None:
    absolute = rss(("Absolute", "https://news.example.org/abs", "a1"))
    rooted = rss(("Rooted", "/stories/rooted", "r1"))
    relative = rss(("Relative", "stories/relative", "l1"))
    for name, data in (("abs.xml", absolute), ("rooted.xml", rooted), ("relative.xml", relative)):
        server.add_file(name, data)
    sources = [Source(f"{name} {prefix}", server.url(name, prefix)) for name in ("abs.xml", "rooted.xml", "relative.xml") for prefix in ("a", "b")]
    summary = fetch_sources(store, sources)
    # Once each for the absolute and the rooted feed (same host), twice for the relative one.
    assert summary.parses == 4
    links = sorted(it.link for it in store.items())
    assert links == sorted([
        "https://news.example.org/abs",
        f"{server.base}/stories/rooted",
        f"{server.base}/a/stories/relative",
        f"{server.base}/b/stories/relative",
    ])


def test_parsing_in_worker_processes_gives_the_same_queue(shared_feeds: Path, tmp_path: Path) -> None:
    names = ["real/hackernews_rss.xml", "real/golem_de_iso-8859-1.xml", "jsonfeed/inessential.json", "adversarial/html_not_feed_cloudflare_like.html", "adversarial/xxe_file_passwd.xml"]
    results = []
    with FeedServer(shared_feeds) as server:
        for processes in (0, 2):
            with QueueStore(tmp_path / f"desk{processes}.db") as store:
                summary = fetch_sources(store, [Source(n, server.url(n)) for n in names], parse_processes=processes)
                runs = summary.parses
                results.append((sorted((it.title, it.link) for it in store.items()), summary.failures, runs))
    (threads, threads_failures, threads_runs), (workers, workers_failures, workers_runs) = results
    assert threads == workers and len(threads) == 30 + 40 + 20
    assert threads_failures == workers_failures and set(workers_failures) == {names[3], names[4]}
    # feedparser ran for the two XML feeds and the web page; not for JSON, not for the entity file.
    assert threads_runs == workers_runs == 3
