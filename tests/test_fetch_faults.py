"""The HTTP faults of the fault report (issue 14), against misbehaving servers on 127.0.0.1.

Each test reproduces the fault with a real server and shows what the editor
is told now, and that nothing is lost or stored that should not be.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feed_server import FeedServer
from stories.profile import Source
from stories.queue import QueueStore
from stories.sources.fetch import fetch_sources
from stories.sources.opml import read_opml

ROOT = Path(__file__).resolve().parents[1]


def rss(count: int, title: str = "Feed", dated: bool = False) -> bytes:
    items = []
    for n in range(count):
        date = f"<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(1_764_000_000 - n * 60))}</pubDate>" if dated else ""
        items.append(f"<item><title>Story {n}</title><link>https://news.example.org/{n}</link><guid isPermaLink=\"false\">g{n}</guid>{date}<description>Story {n} in calm words.</description></item>")
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{"".join(items)}</channel></rss>'.encode()


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path):
    with QueueStore(tmp_path / "desk.db") as queue:
        yield queue


@pytest.mark.timeout(60)
def test_a_trickling_body_is_bounded_by_the_deadline(server: FeedServer, store: QueueStore) -> None:
    # 1 byte every 0.2 s of a million: read timeouts never fire, the wall clock does.
    server.trickle_interval = 0.2
    summary = fetch_sources(store, [Source("Trickle", f"{server.base}/trickle/feed")], deadline=2, read_timeout=30)
    assert "too slowly; gave up after 2 s" in summary.failures["Trickle"]


@pytest.mark.timeout(60)
def test_slow_headers_say_the_server_did_not_answer_not_that_the_feed_is_empty(server: FeedServer, store: QueueStore) -> None:
    server.trickle_interval = 0.2
    summary = fetch_sources(store, [Source("Slow headers", f"{server.base}/slow-headers/feed")], deadline=2, read_timeout=30)
    message = summary.failures["Slow headers"]
    assert "The server did not answer in time" in message and "empty" not in message


@pytest.mark.timeout(60)
def test_a_stopped_run_ends_at_once_instead_of_waiting_on_the_network(server: FeedServer, store: QueueStore) -> None:
    # What the app does on quit: without the stop, these requests would run to the 120 s deadline.
    import threading

    server.trickle_interval = 0.5
    server.add_file("quick.xml", rss(2))
    stop = threading.Event()
    result = {}
    sources = [Source("Quick", server.url("quick.xml"))] + [Source(f"Trickle {n}", f"{server.base}/trickle/{n}") for n in range(3)]
    run = threading.Thread(target=lambda: result.setdefault("summary", fetch_sources(store, sources, stop=stop)))
    run.start()
    assert _wait_for(lambda: store.count() == 2 and server.active["all"] >= 2, 20)
    stop.set()
    run.join(timeout=20)
    assert not run.is_alive(), "the run kept waiting on the network after it was stopped"
    summary = result["summary"]
    assert summary.stopped and "stopped before the end" in summary.line()
    assert summary.new == 2 and summary.failed == 0
    # Stopping is not the site's fault: no failure is held against the slow sources.
    assert store.source_status(f"{server.base}/trickle/0") is None or store.source_status(f"{server.base}/trickle/0").failures == 0


def test_a_body_short_of_its_length_is_an_error_and_its_validators_are_not_kept(server: FeedServer, store: QueueStore) -> None:
    server.add_file("fifty.xml", rss(50))
    short = Source("Short", f"{server.base}/short/fifty.xml")
    summary = fetch_sources(store, [short])
    assert "broke off before the whole feed arrived" in summary.failures["Short"]
    assert store.count() == 0
    status = store.source_status(short.url)
    assert status.etag == "" and status.last_modified == "" and status.body_hash == ""
    # The same address, served whole: all 50 arrive (no 304 on a half-read body).
    whole = Source("Short", server.url("fifty.xml"))
    assert fetch_sources(store, [whole]).new == 50


@pytest.mark.parametrize("kind", ["long-etag", "long-lm", "utf8-etag"])
def test_validators_that_cannot_be_sent_back_verbatim_are_not_stored(server: FeedServer, store: QueueStore, kind: str) -> None:
    server.add_file("v.xml", rss(3))
    source = Source("Odd validators", f"{server.base}/validators/{kind}/v.xml")
    assert fetch_sources(store, [source]).new == 3
    status = store.source_status(source.url)
    assert status.etag == "" and status.last_modified == ""
    # The source keeps working: the next fetch asks plainly and reads the same bytes.
    again = fetch_sources(store, [source])
    assert again.failed == 0 and again.unchanged == 1
    assert server.conditional["v.xml"] == 0


def test_a_damaged_validator_stored_earlier_is_never_sent(server: FeedServer, store: QueueStore) -> None:
    server.add_file("old.xml", rss(2))
    source = Source("Old", server.url("old.xml"))
    # What an older version stored: a long ETag cut with an ellipsis, not latin-1.
    store.record_success(source, etag='"' + "e" * 498 + "…", last_modified="Tue, 24 Nov 2026 08:00:00 GMT…")
    summary = fetch_sources(store, [source])
    assert summary.failed == 0 and summary.new == 2


def test_redirects_into_private_networks_are_refused_without_connecting(server: FeedServer, store: QueueStore) -> None:
    try:
        other = FeedServer(host="127.0.0.2")
    except OSError:
        pytest.skip("this machine cannot listen on 127.0.0.2")
    with other:
        other.add_file("inside.xml", rss(1, "Inside"))
        sources = [
            Source("Metadata", f"{server.base}/goto/http://169.254.169.254/latest/meta-data/"),
            Source("Other private", f"{server.base}/goto/{other.url('inside.xml')}"),
            Source("Own host", f"{server.base}/goto/{server.url('own.xml')}"),
        ]
        server.add_file("own.xml", rss(1, "Own"))
        summary = fetch_sources(store, sources)
        assert "private or local network address (169.254.169.254); not followed" in summary.failures["Metadata"]
        assert "private or local network address (127.0.0.2); not followed" in summary.failures["Other private"]
        assert sum(other.requests.values()) == 0
    # The source's own host stays reachable through a redirect.
    assert "Own host" not in summary.failures and summary.new == 1


def test_retry_after_is_honoured(server: FeedServer, store: QueueStore) -> None:
    source = Source("Busy", f"{server.base}/retry-after/120")
    first = fetch_sources(store, [source])
    assert "slow down (HTTP 429" in first.failures["Busy"]
    for _ in range(2):
        again = fetch_sources(store, [source])
        assert "next try after" in again.failures["Busy"]
    assert server.requests["/retry-after/120"] == 1
    status = store.source_status(source.url)
    assert status.retry_after is not None and status.retry_after.timestamp() > time.time() + 100


def test_a_full_disk_is_named_as_such_and_the_queue_is_kept(server: FeedServer, tmp_path: Path) -> None:
    point = tmp_path / "small-disk"
    point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(point)], capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        server.add_file("small.xml", rss(3, "Small"))
        server.add_file("big.xml", rss(3_000, "Big"))
        with QueueStore(point / "desk.db") as store:
            assert fetch_sources(store, [Source("Small", server.url("small.xml"))]).new == 3
            summary = fetch_sources(store, [Source("Big", server.url("big.xml"))])
            assert summary.failures["Big"] == "The disk that holds the queue is full; nothing was lost. Free some space and fetch again."
            assert "OperationalError" not in summary.failures["Big"]
            assert store.count() == 3
            assert store.query("PRAGMA integrity_check") == [("ok",)]
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_deflate_bomb_is_named_as_one(server: FeedServer, store: QueueStore) -> None:
    summary = fetch_sources(store, [Source("Bomb", f"{server.base}/deflate-bomb/x")])
    message = summary.failures["Bomb"]
    assert "larger than 20 MB once unpacked" in message and "bomb" in message and "broken" not in message


def test_an_oversized_feed_keeps_its_newest_items_and_says_what_was_left_out(server: FeedServer, store: QueueStore) -> None:
    server.add_file("many.xml", rss(2_500, dated=True))
    summary = fetch_sources(store, [Source("Many", server.url("many.xml"))])
    assert summary.new == 2_000
    assert summary.notes == ["Many: took the newest 2,000 of 2,500 items; the 500 older ones were left out."]
    titles = {item.title for item in store.items()}
    assert "Story 0" in titles and "Story 1999" in titles and "Story 2000" not in titles


def test_opml_with_100000_outlines_or_5000_nested_is_capped_with_a_note() -> None:
    wide = b"<opml><body>" + b"".join(b'<outline text="f%d" xmlUrl="https://feeds.example.org/%d"/>' % (n, n) for n in range(100_000)) + b"</body></opml>"
    result = read_opml(wide)
    assert len(result.sources) == 5_000
    assert result.notes == ["took the first 5,000 feeds of 100,000; the other 95,000 were left out"]
    deep = b"<opml><body>" + b"".join(b'<outline text="d%d" xmlUrl="https://feeds.example.org/d%d">' % (n, n) for n in range(5_000)) + b"</outline>" * 5_000 + b"</body></opml>"
    result = read_opml(deep)
    assert len(result.sources) == 50 and result.notes == ["4,950 feeds in folders nested more than 50 deep were left out"]


# -- worker processes die with the fetch (#9) ---------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(word) for word in task.read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.timeout(90)
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "kill -9"])
def test_no_parse_worker_outlives_a_stopped_fetch(server: FeedServer, tmp_path: Path, how: signal.Signals) -> None:
    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs Linux /proc to find child processes")
    for n in range(12):
        server.add_file(f"s{n}.xml", rss(5, f"Slow {n}"))
    server.delay = 30  # every feed takes half a minute: the run is surely busy when stopped
    repo = tmp_path / "content"
    repo.mkdir()
    lines = ["[desk]", 'name = "Test Desk"', ""]
    for n in range(12):
        lines += ["[[sources]]", f'name = "Slow {n}"', f'url = "{server.url(f"s{n}.xml")}"', ""]
    (repo / "desk.toml").write_text("\n".join(lines))
    fetch = subprocess.Popen([sys.executable, "-m", "tui.cli", "fetch", "--repo", str(repo)], cwd=ROOT, env=os.environ.copy(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The workers start while the first feeds download.
        assert _wait_for(lambda: len(_children(fetch.pid)) >= 2, 30), "the fetch started no parse workers"
        workers = _children(fetch.pid)
        os.kill(fetch.pid, how)
        fetch.wait(timeout=30)
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 20), f"workers left behind: {[p for p in workers if _alive(p)]}"
        if how == signal.SIGTERM:
            assert "fetch stopped (SIGTERM)" in fetch.stderr.read()
    finally:
        if fetch.poll() is None:
            fetch.kill()
            fetch.wait()


@pytest.mark.timeout(60)
def test_waiting_for_our_turn_at_a_host_does_not_use_up_the_deadline(server: FeedServer) -> None:
    # A page that waits behind a slow page of the same host is not "too slow" itself.
    import threading

    from stories.sources.http import FetchError, Http, Limits

    server.trickle_interval = 0.2
    server.add_file("page.html", b"<html><body><p>A page.</p></body></html>", "text/html")
    outcome = {}
    with Http() as client:
        def slow() -> None:
            try:
                client.get(f"{server.base}/trickle/x", what="page", limits=Limits(deadline=2))
            except FetchError as exc:
                outcome["slow"] = str(exc)

        first = threading.Thread(target=slow)
        first.start()
        assert _wait_for(lambda: server.active["all"] >= 1, 20)
        # Pages hold one connection per host here, so this one waits about 2 s for it: more than its own deadline.
        response = client.get(server.url("page.html"), what="page", limits=Limits(deadline=1))
        first.join(timeout=20)
    assert response.status == 200 and b"A page." in response.body
    assert "gave up after 2 s" in outcome["slow"]
