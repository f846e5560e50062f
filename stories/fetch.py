"""Fetching feeds into the queue: polite, bounded, and hard to hurt.

Standard library only (http.client) in worker threads: bounded concurrency with
at most two connections per host, conditional GET with the stored ETag and
Last-Modified (an unchanged feed is not parsed again), connect and read
timeouts plus an overall deadline, a size cap counted while reading and again
after gunzip (a gzip bomb stops at the cap), at most five redirects, http(s)
only, also on redirects. Every failure becomes a sentence an editor can act on,
stored per source; a source that keeps failing waits before the next try.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from stories.feeds import FeedError, ParsedFeed, parse_feed
from stories.profile import Source
from stories.queue import QueueStore

MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
DEADLINE = 120.0
WORKERS = 8
PER_HOST = 2
USER_AGENT = "BriefingDesk/0.1 (feed reader; +https://briefdesk.example/)"
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


class FetchError(Exception):
    """A fetch that failed; the message is in words an editor understands."""


@dataclass
class Response:
    """What came back from a feed address."""

    status: int
    body: bytes | None
    headers: dict[str, str]
    url: str


@dataclass
class FetchProgress:
    """One source done: sent to the progress callback as each finishes."""

    done: int
    total: int
    source: str
    outcome: str  # "new" (content fetched), "unchanged", "failed", "waiting"
    new_items: int = 0
    message: str = ""


@dataclass
class FetchSummary:
    """The end of a fetch run: new items, unchanged and failed sources, and why each failed.

    ``errors`` holds one printable line per failed source ("Name: what went
    wrong"), sorted by name; ``failures`` maps each failed source's name to its
    message.
    """

    new: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    changed: int = 0
    sources: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """The summary as one line for a terminal or a log."""
        text = f"{self.sources} sources: {self.new} new items, {self.changed} updated, {self.unchanged} unchanged, {self.failed} failed"
        return text + f" ({self.seconds:.1f} s)"


class HostLimiter:
    """At most ``per_host`` connections to any one host at a time."""

    def __init__(self, per_host: int = PER_HOST) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def slot(self, host: str) -> threading.BoundedSemaphore:
        """The semaphore of one host (use it as a context manager)."""
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.per_host)
            return self._slots[host]


_STATUS_WORDS = {
    400: "The site rejected the request (HTTP 400).",
    401: "The feed needs a login (HTTP 401); Briefing Desk reads public feeds only.",
    403: "The site refuses to serve the feed to readers (HTTP 403 Forbidden).",
    404: "The feed is not at this address any more (HTTP 404 Not Found); check the URL.",
    410: "The site says the feed is gone for good (HTTP 410); remove or replace this source.",
    429: "The site asks us to slow down (HTTP 429 Too Many Requests); will try later.",
}


def _status_message(status: int, reason: str) -> str:
    if status in _STATUS_WORDS:
        return _STATUS_WORDS[status]
    if 500 <= status < 600:
        return f"The site had a problem of its own (HTTP {status}); will try again later."
    return f"The site answered with HTTP {status} {reason.strip()[:60]} instead of the feed."


def _check_url(url: str) -> tuple[str, str, int | None, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("The feed address is not a valid web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"Only web addresses (http/https) are fetched, not {scheme or 'this kind of'} addresses.")
    if not parts.hostname or any(ch.isspace() for ch in url):
        raise FetchError("The feed address is not a valid web address.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port, path


def fetch_url(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    limiter: HostLimiter | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Response:
    """GET a feed (conditionally), following at most ``max_redirects`` http(s) redirects; FetchError on failure."""
    limiter = limiter or HostLimiter()
    started = time.monotonic()
    for _hop in range(max_redirects + 1):
        scheme, host, port, path = _check_url(url)
        with limiter.slot(host.lower()):
            status, reason, headers, body = _get_once(
                scheme, host, port, path, etag, last_modified, connect_timeout, read_timeout, started + deadline, max_bytes
            )
        if status in (301, 302, 303, 307, 308):
            location = headers.get("location", "").strip()
            if not location:
                raise FetchError(f"The site redirects (HTTP {status}) without saying where to.")
            url = urljoin(url, location)
            try:
                scheme_of_target = urlsplit(url).scheme.lower()
            except ValueError:
                scheme_of_target = ""
            if scheme_of_target not in ("http", "https"):
                raise FetchError(f"The feed redirects to a non-web address ({scheme_of_target or 'unknown'}:); not followed.")
            continue
        if status == 304:
            return Response(304, None, headers, url)
        if status != 200:
            raise FetchError(_status_message(status, reason))
        assert body is not None
        return Response(200, _decode(body, headers.get("content-encoding", ""), max_bytes), headers, url)
    raise FetchError(f"The feed redirects more than {max_redirects} times; not followed.")


_tls: ssl.SSLContext | None = None
_tls_lock = threading.Lock()


def _tls_context() -> ssl.SSLContext:
    # Loading the system's certificates takes a while; one context serves every thread.
    global _tls
    with _tls_lock:
        if _tls is None:
            _tls = ssl.create_default_context()
        return _tls


def _get_once(scheme, host, port, path, etag, last_modified, connect_timeout, read_timeout, deadline_at, max_bytes):
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=_tls_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
    try:
        try:
            conn.connect()
            conn.sock.settimeout(read_timeout)
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.putheader("User-Agent", USER_AGENT)
            conn.putheader("Accept", ACCEPT)
            conn.putheader("Accept-Encoding", "gzip, deflate")
            if etag:
                conn.putheader("If-None-Match", etag)
            if last_modified:
                conn.putheader("If-Modified-Since", last_modified)
            conn.endheaders()
            response = conn.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            if response.status != 200:
                return response.status, response.reason or "", headers, None
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"The feed is larger than {max_bytes // (1024 * 1024)} MB; not read.")
            chunks = []
            size = 0
            while True:
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"The feed is larger than {max_bytes // (1024 * 1024)} MB; not read.")
                if time.monotonic() > deadline_at:
                    raise FetchError("The site sent the feed too slowly; gave up.")
                chunks.append(chunk)
            return 200, response.reason or "", headers, b"".join(chunks)
        except FetchError:
            raise
        except ssl.SSLCertVerificationError:
            raise FetchError("The site's security certificate could not be verified; not read.") from None
        except ssl.SSLError:
            raise FetchError("A secure connection to the site could not be made.") from None
        except socket.gaierror:
            raise FetchError("The site's address could not be found; check the URL, or the network is down.") from None
        except ConnectionRefusedError:
            raise FetchError("The site refused the connection; it may be down.") from None
        except (socket.timeout, TimeoutError):
            raise FetchError(f"The site did not answer in time (waited {read_timeout:g} s).") from None
        except http.client.IncompleteRead:
            raise FetchError("The connection broke off in the middle of the feed.") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise FetchError(f"The connection to the site failed ({type(exc).__name__}).") from None
    finally:
        conn.close()


def _decode(body: bytes, encoding: str, max_bytes: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip") or (not encoding and body[:2] == b"\x1f\x8b"):
        return _inflate(body, zlib.MAX_WBITS | 16, max_bytes)
    if encoding == "deflate":
        try:
            return _inflate(body, zlib.MAX_WBITS, max_bytes)
        except FetchError:
            return _inflate(body, -zlib.MAX_WBITS, max_bytes)
    if encoding in ("", "identity"):
        return body
    raise FetchError(f"The site compressed the feed in a way we do not read ({encoding[:20]}).")


def _inflate(body: bytes, wbits: int, max_bytes: int) -> bytes:
    # Decompress in bounded steps: a small file that expands to gigabytes
    # stops at the cap instead of filling memory.
    inflater = zlib.decompressobj(wbits)
    out = bytearray()
    data = body
    try:
        while data:
            out += inflater.decompress(data, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise FetchError(f"The feed is larger than {max_bytes // (1024 * 1024)} MB once unpacked; not read.")
            data = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        raise FetchError("The feed's compression is broken; it could not be unpacked.") from None
    return bytes(out)


class Parser:
    """Runs parse_feed in this thread, or in worker processes so a cold fetch of many feeds uses every core.

    The processes start on the first parse (a run of 304s starts none) and
    are forked, so they start in milliseconds. A worker that dies (out of
    memory on a monstrous feed) fails that one feed, in words.
    """

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes
        self._pool = None
        self._lock = threading.Lock()

    def _get_pool(self):
        with self._lock:
            if self._pool is None and self.processes > 1:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                if "fork" in multiprocessing.get_all_start_methods():
                    self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("fork"))
                else:
                    self.processes = 0
            return self._pool

    def __call__(self, body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
        pool = self._get_pool()
        if pool is None:
            return parse_feed(body, url, headers)
        from concurrent.futures.process import BrokenProcessPool

        from stories import feeds

        try:
            parsed, problem, runs = pool.submit(_parse_in_worker, body, url, headers).result()
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
                self.processes = 0  # do not fork again after a worker died
            raise FeedError("The feed could not be read: reading it took more memory than the computer could give.") from None
        for _ in range(runs):
            feeds.count_parse()
        if problem is not None:
            raise FeedError(problem)
        return parsed

    def prewarm(self) -> None:
        """Start the workers now and load the parser in them, while the first feeds download."""
        pool = self._get_pool()
        if pool is not None:
            for _ in range(self.processes):
                pool.submit(_load_parser)

    def close(self) -> None:
        """Stop the worker processes, if any."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


def _load_parser() -> None:
    import feedparser  # noqa: F401


def _parse_in_worker(body: bytes, url: str, headers: dict[str, str]) -> tuple[ParsedFeed | None, str | None, int]:
    # Runs in a worker process: returns the parse or the problem, and how many
    # times feedparser ran, so the parent's count stays true.
    from stories import feeds

    before = feeds.PARSE_COUNT
    try:
        return parse_feed(body, url, headers), None, feeds.PARSE_COUNT - before
    except FeedError as exc:
        return None, str(exc), feeds.PARSE_COUNT - before


class ParseCache:
    """Within one run, identical feed bytes are parsed once.

    The same feed often sits behind several addresses (http and https, a
    mirror, a category alias). A parse is shared only where it cannot differ:
    when no link in it was relative, or when its relative links were all of
    the "/path" kind and the other address has the same scheme and host.
    Threads that bring the same bytes at the same moment wait for the first
    parse instead of repeating it.
    """

    def __init__(self, parser: Callable[[bytes, str, dict[str, str]], ParsedFeed] = parse_feed) -> None:
        self._parser = parser
        self._lock = threading.Lock()
        self._slots: dict[str, tuple[threading.Lock, list[tuple[str, ParsedFeed]]]] = {}

    @staticmethod
    def _scope(parsed: ParsedFeed, base: str) -> str:
        if parsed.link_base == "origin":
            parts = urlsplit(base)
            return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        return base if parsed.link_base else ""

    def parse(self, digest: str, body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
        """The parse of these bytes from this address, shared when it would come out the same."""
        base = headers.get("content-location") or url
        with self._lock:
            slot = self._slots.setdefault(digest, (threading.Lock(), []))
        lock, done = slot
        with lock:
            for scope, parsed in done:
                if scope == self._scope(parsed, base):
                    return parsed
            parsed = self._parser(body, url, headers)
            done.append((self._scope(parsed, base), parsed))
            return parsed


def fetch_sources(
    store: QueueStore,
    sources: Sequence[Source],
    progress: Callable[[FetchProgress], None] | None = None,
    *,
    workers: int = WORKERS,
    per_host: int = PER_HOST,
    force: bool = False,
    share_parses: bool = True,
    parse_processes: int = 0,
    **limits: float,
) -> FetchSummary:
    """Fetch every source into the queue; returns the summary. Never raises for a bad feed.

    ``force`` ignores backoff and stored validators (a full refetch).
    ``share_parses`` parses identical bytes from several addresses once.
    ``parse_processes`` > 1 parses in that many forked worker processes (the
    command line uses it; an app may prefer to keep to threads).
    ``limits`` may set connect_timeout, read_timeout, deadline, max_bytes, max_redirects.
    """
    started = time.monotonic()
    limiter = HostLimiter(per_host)
    parser = Parser(parse_processes)
    cache = ParseCache(parser) if share_parses else None
    if parse_processes > 1 and len(sources) > 1:
        # A first fetch parses nearly everything: have the workers ready by the
        # time the first feed arrives. A warm run (mostly 304s) starts none.
        known = {status.url for status in store.sources_status() if status.last_success is not None}
        if sum(1 for source in sources if source.url not in known) * 2 >= len(sources):
            parser.prewarm()
    summary = FetchSummary(sources=len(sources))
    lock = threading.Lock()
    progress_lock = threading.Lock()
    done = 0
    unique: dict[str, Source] = {}
    for source in sources:
        unique.setdefault(source.url, source)
    summary.sources = len(unique)

    def one(source: Source) -> None:
        nonlocal done
        outcome, new_items, message = _fetch_one(store, source, limiter, force, limits, cache, parser)
        with lock:
            done += 1
            if outcome == "new":
                summary.changed += 1
                summary.new += new_items
            elif outcome == "unchanged":
                summary.unchanged += 1
            else:
                summary.failed += 1
                summary.failures[source.name] = message
            event = FetchProgress(done, summary.sources, source.name, outcome, new_items, message)
        if progress is not None:
            # One call at a time, so a progress display never sees two at once.
            with progress_lock:
                try:
                    progress(event)
                except Exception:  # a broken progress display must not stop the fetch
                    pass

    try:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="briefdesk-fetch") as pool:
            for future in [pool.submit(one, source) for source in unique.values()]:
                future.result()
    finally:
        parser.close()
    summary.errors = [f"{name}: {message}" for name, message in sorted(summary.failures.items())]
    summary.seconds = time.monotonic() - started
    return summary


def _fetch_one(
    store: QueueStore,
    source: Source,
    limiter: HostLimiter,
    force: bool,
    limits: dict,
    cache: ParseCache | None = None,
    parser: Callable[[bytes, str, dict[str, str]], ParsedFeed] = parse_feed,
) -> tuple[str, int, str]:
    status = store.source_status(source.url)
    now = datetime.now(timezone.utc)
    if status is not None and not force and status.retry_after is not None and status.retry_after > now:
        wait = status.retry_after.astimezone().strftime("%H:%M")
        return "waiting", 0, f"Failed {status.failures} times in a row; next try after {wait}. Last error: {status.last_error}"
    etag = "" if force or status is None else status.etag
    last_modified = "" if force or status is None else status.last_modified
    try:
        response = fetch_url(source.url, etag=etag, last_modified=last_modified, limiter=limiter, **limits)
    except FetchError as exc:
        store.record_failure(source, str(exc))
        return "failed", 0, str(exc)
    except Exception as exc:  # never let one feed take the run down
        message = f"Unexpected problem while fetching ({type(exc).__name__})."
        store.record_failure(source, message)
        return "failed", 0, message
    new_etag = response.headers.get("etag", etag if response.status == 304 else "")
    new_lm = response.headers.get("last-modified", last_modified if response.status == 304 else "")
    if response.status == 304 or (not force and status is not None and status.body_hash and status.body_hash == _digest(response.body)):
        # Not modified (or, from a server without validators, the very same
        # bytes again): no parse.
        body_hash = status.body_hash if status else ""
        if status is not None and status.content_error:
            store.record_failure(source, status.content_error, content=(new_etag, new_lm, body_hash))
            return "failed", 0, status.content_error
        store.record_success(source, new_etag, new_lm, body_hash)
        return "unchanged", 0, ""
    body = response.body or b""
    digest = _digest(body)
    headers = dict(response.headers)
    location = headers.get("content-location", "")
    headers["content-location"] = urljoin(response.url, location) if location else response.url
    if not headers["content-location"].lower().startswith(("http://", "https://")):
        headers["content-location"] = response.url
    try:
        parsed = cache.parse(digest, body, response.url, headers) if cache else parser(body, response.url, headers)
        new_items = store.add_entries(source, parsed)
    except FeedError as exc:
        store.record_failure(source, str(exc), content=(new_etag, new_lm, digest))
        return "failed", 0, str(exc)
    except Exception as exc:
        message = f"The feed could not be read ({type(exc).__name__})."
        store.record_failure(source, message)
        return "failed", 0, message
    store.record_success(source, new_etag, new_lm, digest, feed_title=parsed.title)
    return "new", new_items, ""


def _digest(body: bytes | None) -> str:
    return hashlib.sha256(body).hexdigest() if body is not None else ""
