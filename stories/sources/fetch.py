"""Fetching every source into the queue, and the article pages behind thin items.

Each source is fetched by ``fetch_one``, which touches no database: it returns
a ``FetchOutcome`` (the parse, the validators, or the failure in words), and
``record`` writes that outcome in one transaction. Feeds are fetched by a
bounded pool of threads; the articles behind new thin items by a second,
smaller pool, so article pages never hold up feeds and a cron run of many
sources stays bounded in time (``article_budget``). Parsing may run in forked
worker processes, which die with their parent, even on ``kill -9``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from stories.profile import Source
from stories.queue import QueueError, QueueStore, queue_problem
from stories.sources.extract import Article, NotAnArticle, extract_article, needs_article
from stories.sources.feeds import MAX_ITEMS, FeedError, ParsedFeed, item_id, parse_feed
from stories.sources.http import (
    ETAG_MAX,
    LAST_MODIFIED_MAX,
    PAGE_ACCEPT,
    PER_HOST,
    FetchError,
    HostLimiter,
    Http,
    Limits,
    sendable_validator,
)

WORKERS = 8
#: Article pages are fetched by their own, smaller pool, beside the feeds.
ARTICLE_WORKERS = 4
#: The newest thin items of one source whose articles are fetched in one run.
ARTICLES_PER_SOURCE = 25
#: Seconds after the start of a run past which no new article fetch starts
#: (what is left is fetched on demand: ``briefdesk source ID --fetch``).
ARTICLE_BUDGET = 180.0
ARTICLE_LIMITS = Limits(connect_timeout=10.0, read_timeout=15.0, deadline=30.0, max_bytes=10 * 1024 * 1024, max_redirects=5)

__all__ = [
    "FetchError",
    "FetchOutcome",
    "FetchProgress",
    "FetchSummary",
    "HostLimiter",
    "fetch_article",
    "fetch_one",
    "fetch_sources",
    "record",
    "stop_workers",
    "article_problem",
]


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
    message. ``parses`` counts feedparser runs (an unchanged feed costs none).
    ``notes`` are things an editor should know that are not failures (items
    left out of an oversized feed). ``article_failures`` has one line per
    item whose article could not be fetched.
    """

    new: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    changed: int = 0
    sources: int = 0
    seconds: float = 0.0
    parses: int = 0
    notes: list[str] = field(default_factory=list)
    articles: int = 0
    article_failures: list[str] = field(default_factory=list)
    articles_left: int = 0
    stopped: bool = False

    def line(self) -> str:
        """The summary as one line for a terminal or a log."""
        text = f"{self.sources} sources: {self.new} new items, {self.changed} updated, {self.unchanged} unchanged, {self.failed} failed"
        if self.articles or self.article_failures:
            text += f"; {self.articles} articles fetched, {len(self.article_failures)} could not be"
        if self.articles_left:
            text += f", {self.articles_left} left for later"
        if self.stopped:
            text += "; stopped before the end"
        return text + f" ({self.seconds:.1f} s)"


@dataclass
class FetchOutcome:
    """What fetching one source came to, before anything is written.

    ``kind`` is "new" (a parse to store), "unchanged", "failed",
    "waiting" or "stopped" (the run was stopped first: nothing is recorded). ``validators`` = (etag, last_modified, body_hash) to keep;
    ``content_error`` says the site answered but the body was unusable.
    """

    source: Source
    kind: str
    parsed: ParsedFeed | None = None
    validators: tuple[str, str, str] = ("", "", "")
    message: str = ""
    content_error: bool = False
    retry_after: float | None = None
    parses: int = 0


# -- parsing ----------------------------------------------------------------

def _die_with_parent() -> None:
    # Runs first in every worker process: ask the kernel to kill it when the
    # fetch that forked it dies (SIGTERM from cron or timeout, or kill -9).
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # The parent may have died before the call: then nobody would tell us.
        if os.getppid() == 1:
            os._exit(0)
    except (OSError, AttributeError):
        pass
    import signal as _signal

    # The parent's own handlers (a SIGTERM that stops the run) are not ours.
    _signal.signal(_signal.SIGTERM, _signal.SIG_DFL)
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)


class Parser:
    """Runs parse_feed in this thread, or in worker processes so a cold fetch of many feeds uses every core.

    The processes start on the first parse (a run of 304s starts none) and
    are forked, so they start in milliseconds; they die with the process that
    started them. A worker that dies (out of memory on a monstrous feed) fails
    that one feed, in words.
    """

    def __init__(self, processes: int = 0, max_items: int = MAX_ITEMS) -> None:
        self.processes = processes
        self.max_items = max_items
        self._pool = None
        self._lock = threading.Lock()

    def _get_pool(self):
        with self._lock:
            if self._pool is None and self.processes > 1:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                if "fork" in multiprocessing.get_all_start_methods():
                    self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent)
                else:
                    self.processes = 0
            return self._pool

    def __call__(self, body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
        pool = self._get_pool()
        if pool is None:
            return parse_feed(body, url, headers, self.max_items)
        from concurrent.futures.process import BrokenProcessPool

        try:
            parsed, problem, runs = pool.submit(_parse_in_worker, body, url, headers, self.max_items).result()
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
                self.processes = 0  # do not fork again after a worker died
            raise FeedError("The feed could not be read: reading it took more memory than the computer could give.") from None
        if problem is not None:
            raise FeedError(problem, parser_runs=runs)
        return parsed

    def extract(self, body: bytes, url: str, content_type: str) -> Article:
        """``extract_article`` in a worker process when there are any (article pages use every core too)."""
        pool = self._get_pool()
        if pool is None:
            return extract_article(body, url, content_type)
        from concurrent.futures.process import BrokenProcessPool

        try:
            article, problem = pool.submit(_extract_in_worker, body, url, content_type).result()
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
                self.processes = 0
            raise NotAnArticle("The page could not be read: reading it took more memory than the computer could give.") from None
        if problem is not None:
            raise NotAnArticle(problem)
        return article

    def prewarm(self, articles: bool = False) -> None:
        """Start the workers now and load the parser (and the extractor) in them, while the first feeds download."""
        pool = self._get_pool()
        if pool is not None:
            for _ in range(self.processes):
                pool.submit(_load_parser, articles)

    def close(self) -> None:
        """Stop the worker processes, if any."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

def stop_workers() -> None:
    """Kill every parse worker of this process at once (a SIGTERM handler calls it before exiting)."""
    import multiprocessing

    for process in multiprocessing.active_children():
        process.kill()


def _load_parser(articles: bool = False) -> None:
    import feedparser  # noqa: F401

    if articles:
        import trafilatura  # noqa: F401


def _extract_in_worker(body: bytes, url: str, content_type: str) -> tuple[Article | None, str | None]:
    try:
        return extract_article(body, url, content_type), None
    except NotAnArticle as exc:
        return None, str(exc)


def _parse_in_worker(body: bytes, url: str, headers: dict[str, str], max_items: int) -> tuple[ParsedFeed | None, str | None, int]:
    # Runs in a worker process: returns the parse or the problem, and how many
    # times feedparser ran, so the parent's count stays true.
    try:
        return parse_feed(body, url, headers, max_items), None, 0
    except FeedError as exc:
        return None, str(exc), exc.parser_runs


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

    def parse(self, digest: str, body: bytes, url: str, headers: dict[str, str]) -> tuple[ParsedFeed, int]:
        """The parse of these bytes from this address, shared when it would come out the same, and the parser runs it cost."""
        base = headers.get("content-location") or url
        with self._lock:
            slot = self._slots.setdefault(digest, (threading.Lock(), []))
        lock, done = slot
        with lock:
            for scope, parsed in done:
                if scope == self._scope(parsed, base):
                    return parsed, 0
            parsed = self._parser(body, url, headers)
            done.append((self._scope(parsed, base), parsed))
            return parsed, parsed.parser_runs


# -- one source --------------------------------------------------------------


def fetch_one(
    store: QueueStore,
    source: Source,
    client: Http,
    *,
    force: bool = False,
    cache: ParseCache | None = None,
    parser: Callable[[bytes, str, dict[str, str]], ParsedFeed] = parse_feed,
) -> FetchOutcome:
    """Fetch and parse one source; writes nothing (``record`` stores the outcome). Never raises for a bad feed."""
    status = store.source_status(source.url)
    now = datetime.now(timezone.utc)
    if status is not None and not force and status.retry_after is not None and status.retry_after > now:
        wait = status.retry_after.astimezone().strftime("%H:%M")
        return FetchOutcome(source, "waiting", message=f"Failed {status.failures} times in a row; next try after {wait}. Last error: {status.last_error}")
    etag = "" if force or status is None else status.etag
    last_modified = "" if force or status is None else status.last_modified
    try:
        response = client.get(source.url, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        if exc.kind == "stopped":
            return FetchOutcome(source, "stopped", message=str(exc))
        return FetchOutcome(source, "failed", message=str(exc), retry_after=exc.retry_after)
    except Exception as exc:  # never let one feed take the run down
        return FetchOutcome(source, "failed", message=f"Unexpected problem while fetching ({type(exc).__name__}).")
    # Keep only validators that can be sent back exactly as they came.
    new_etag = sendable_validator(response.headers.get("etag", etag if response.status == 304 else ""), ETAG_MAX)
    new_lm = sendable_validator(response.headers.get("last-modified", last_modified if response.status == 304 else ""), LAST_MODIFIED_MAX)
    if response.status == 304 or (not force and status is not None and status.body_hash and status.body_hash == _digest(response.body)):
        # Not modified (or, from a server without validators, the very same
        # bytes again): no parse.
        body_hash = status.body_hash if status else ""
        if status is not None and status.content_error:
            return FetchOutcome(source, "failed", validators=(new_etag, new_lm, body_hash), message=status.content_error, content_error=True)
        return FetchOutcome(source, "unchanged", validators=(new_etag, new_lm, body_hash))
    body = response.body or b""
    digest = _digest(body)
    headers = dict(response.headers)
    location = headers.get("content-location", "")
    headers["content-location"] = urljoin(response.url, location) if location else response.url
    if not headers["content-location"].lower().startswith(("http://", "https://")):
        headers["content-location"] = response.url
    try:
        if cache is not None:
            parsed, runs = cache.parse(digest, body, response.url, headers)
        else:
            parsed = parser(body, response.url, headers)
            runs = parsed.parser_runs
    except FeedError as exc:
        return FetchOutcome(source, "failed", validators=(new_etag, new_lm, digest), message=str(exc), content_error=True, parses=exc.parser_runs)
    except Exception as exc:
        return FetchOutcome(source, "failed", message=f"The feed could not be read ({type(exc).__name__}).")
    return FetchOutcome(source, "new", parsed=parsed, validators=(new_etag, new_lm, digest), parses=runs)


def record(store: QueueStore, outcome: FetchOutcome) -> list[str]:
    """Write one source's outcome to the queue in one transaction; returns the ids of new items."""
    if outcome.kind in ("waiting", "stopped"):
        return []
    if outcome.kind == "failed":
        store.record_fetch(outcome.source, validators=outcome.validators, error=outcome.message, content_error=outcome.content_error, retry_after=outcome.retry_after)
        return []
    return store.record_fetch(outcome.source, parsed=outcome.parsed, validators=outcome.validators)


def _digest(body: bytes | None) -> str:
    return hashlib.sha256(body).hexdigest() if body is not None else ""


# -- articles ----------------------------------------------------------------


def article_problem(exc: FetchError, limits: Limits = ARTICLE_LIMITS) -> str:
    """A failed article fetch, in the words an editor reads beside the item."""
    if exc.kind == "status":
        if exc.status in (404, 410):
            return f"The page was not found ({exc.status})."
        if exc.status in (401, 403):
            return f"The page needs a login (HTTP {exc.status})."
        return str(exc)
    if exc.kind == "too_large":
        return f"The page is too large (over {limits.max_bytes // (1024 * 1024)} MB); not read."
    if exc.kind == "redirects":
        return "The page redirected too many times; not followed."
    if exc.kind in ("slow", "no_answer"):
        return f"The page did not finish loading in time (gave up after {limits.deadline:g} s)."
    if exc.kind == "timeout":
        return f"The page did not finish loading in time (the site stopped answering for {limits.read_timeout:g} s)."
    return str(exc)


def fetch_article(
    store: QueueStore,
    client: Http,
    item: str,
    *,
    own_host: str = "",
    limits: Limits = ARTICLE_LIMITS,
    extract: Callable[[bytes, str, str], Article] = extract_article,
) -> str:
    """Fetch (or re-fetch, conditionally) the article page of a queue item and store it; "" or the problem in words.

    ``own_host`` is the host of the item's source, the one host that may be on
    a private network (default: the host of the first source that carried
    the item). A failed fetch keeps an article fetched before.
    """
    from stories.sources.articles import save_article, save_article_error, save_unchanged, stored_article

    queued = store.item(item)
    if queued is None:
        raise KeyError(item)
    if not queued.link:
        message = "The item has no link to an article page."
        save_article_error(store, item, "", message)
        return message
    if not own_host:
        rows = store.query("SELECT source_url FROM item_sources WHERE item_id = ? LIMIT 1", (item,))
        own_host = (urlsplit(rows[0][0]).hostname or "") if rows else ""
    stored = stored_article(store, item)
    fetched_before = stored is not None and stored.origin == "article" and bool(stored.text)
    try:
        response = client.get(
            queued.link,
            etag=stored.etag if fetched_before else "",
            last_modified=stored.last_modified if fetched_before else "",
            own_host=own_host or "-",
            accept=PAGE_ACCEPT,
            what="page",
            limits=limits,
        )
    except FetchError as exc:
        message = article_problem(exc, limits)
        if exc.kind != "stopped":
            save_article_error(store, item, queued.link, message)
        return message
    if response.status == 304 and fetched_before:
        save_unchanged(store, item)
        return ""
    try:
        article = extract(response.body or b"", response.url, response.headers.get("content-type", ""))
    except NotAnArticle as exc:
        save_article_error(store, item, queued.link, str(exc))
        return str(exc)
    except Exception as exc:  # a page that breaks the extractor fails that item only
        message = f"The page could not be read ({type(exc).__name__})."
        save_article_error(store, item, queued.link, message)
        return message
    save_article(
        store,
        item,
        article,
        sendable_validator(response.headers.get("etag", ""), ETAG_MAX),
        sendable_validator(response.headers.get("last-modified", ""), LAST_MODIFIED_MAX),
    )
    return ""


# -- the run -----------------------------------------------------------------


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
    max_items: int = MAX_ITEMS,
    articles: bool = False,
    short_words: int = 150,
    article_workers: int = ARTICLE_WORKERS,
    article_budget: float = ARTICLE_BUDGET,
    article_limits: Limits = ARTICLE_LIMITS,
    stop: threading.Event | None = None,
    **limits: float,
) -> FetchSummary:
    """Fetch every source into the queue, then the articles behind its new thin items; returns the summary. Never raises for a bad feed.

    ``force`` ignores backoff and stored validators (a full refetch).
    ``share_parses`` parses identical bytes from several addresses once.
    ``parse_processes`` > 1 parses in that many forked worker processes (the
    command line uses it; an app may prefer to keep to threads).
    ``max_items`` caps the entries taken from one feed (the newest).
    ``articles`` (off unless asked: ``briefdesk fetch`` asks) fetches the
    article page of each new item whose feed text is thin (fewer than ``short_words`` words, or a teaser), as each source's
    ``full_text`` says; no article fetch starts ``article_budget`` seconds
    after the run began.
    ``stop``, once set, ends the run within a quarter of a second: requests
    under way give up, nothing more is asked, and what was fetched is kept
    (an app sets it when the editor quits).
    ``limits`` may set connect_timeout, read_timeout, deadline, max_bytes, max_redirects.
    """
    started = time.monotonic()
    limiter = HostLimiter(per_host)
    client = Http(Limits(**limits), limiter, stop)
    parser = Parser(parse_processes, max_items)
    cache = ParseCache(parser) if share_parses else None
    if parse_processes > 1 and len(sources) > 1:
        # A first fetch parses nearly everything: have the workers ready by the
        # time the first feed arrives. A warm run (mostly 304s) starts none.
        known = {status.url for status in store.sources_status() if status.last_success is not None}
        if sum(1 for source in sources if source.url not in known) * 2 >= len(sources):
            if articles:
                # Loaded once here, the extractor is shared by the forked
                # workers instead of being loaded again in each.
                import trafilatura  # noqa: F401
            parser.prewarm(articles)
    summary = FetchSummary(sources=len(sources))
    lock = threading.Lock()
    progress_lock = threading.Lock()
    done = 0
    unique: dict[str, Source] = {}
    for source in sources:
        unique.setdefault(source.url, source)
    summary.sources = len(unique)
    article_pool = ThreadPoolExecutor(max_workers=max(1, article_workers), thread_name_prefix="briefdesk-article") if articles else None
    article_jobs: list[Future] = []

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    def article(item: str, title: str, host: str) -> None:
        if stopped():
            return
        if time.monotonic() - started > article_budget:
            with lock:
                summary.articles_left += 1
            return
        try:
            problem = fetch_article(store, client, item, own_host=host, limits=article_limits, extract=parser.extract)
        except Exception as exc:  # one page never takes the run down
            problem = f"Unexpected problem while fetching the article ({type(exc).__name__})."
        with lock:
            if stopped():
                return
            if problem:
                summary.article_failures.append(f"{title}: {problem}")
            else:
                summary.articles += 1

    def one(source: Source) -> None:
        nonlocal done
        if stopped():
            with lock:
                summary.stopped = True
            return
        try:
            outcome = fetch_one(store, source, client, force=force, cache=cache, parser=parser)
            new_ids = record(store, outcome)
        except QueueError as exc:  # the database said no: that source failed, the run goes on
            outcome = FetchOutcome(source, "failed", message=exc.problem)
            new_ids = []
        except sqlite3.Error as exc:
            outcome = FetchOutcome(source, "failed", message=queue_problem(exc))
            new_ids = []
        except Exception as exc:  # one source never takes the run down
            outcome = FetchOutcome(source, "failed", message=f"The queue could not store this feed ({type(exc).__name__}).")
            new_ids = []
        if article_pool is not None and new_ids and outcome.parsed is not None:
            host = (urlsplit(source.url).hostname or "").lower()
            for iid, title in _thin_items(outcome.parsed, source, new_ids, short_words):
                article_jobs.append(article_pool.submit(article, iid, title, host))
        with lock:
            done += 1
            summary.parses += outcome.parses
            if outcome.kind == "new":
                summary.changed += 1
                summary.new += len(new_ids)
                if outcome.parsed is not None and outcome.parsed.left_out:
                    kept = len(outcome.parsed.entries)
                    summary.notes.append(
                        f"{source.name}: took the newest {kept:,} of {kept + outcome.parsed.left_out:,} items; "
                        f"the {outcome.parsed.left_out:,} older ones were left out."
                    )
            elif outcome.kind == "unchanged":
                summary.unchanged += 1
            elif outcome.kind == "stopped":
                summary.stopped = True
            else:
                summary.failed += 1
                summary.failures[source.name] = outcome.message
            event = FetchProgress(done, summary.sources, source.name, outcome.kind, len(new_ids), outcome.message)
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
        if article_pool is not None:
            for job in list(article_jobs):
                job.result()
    finally:
        if article_pool is not None:
            article_pool.shutdown(wait=True, cancel_futures=True)
        parser.close()
        client.close()
    summary.errors = [f"{name}: {message}" for name, message in sorted(summary.failures.items())]
    summary.article_failures.sort()
    summary.seconds = time.monotonic() - started
    return summary


def _thin_items(parsed: ParsedFeed, source: Source, new_ids: list[str], short_words: int) -> list[tuple[str, str]]:
    # The newest new items of this source whose feed text is too thin to check against.
    if source.full_text == "never":
        return []
    fresh = set(new_ids)
    chosen: list[tuple[str, str]] = []
    for entry in parsed.entries:
        iid = item_id(entry.key, source.url)
        if iid in fresh and entry.link and needs_article(f"{entry.title}\n\n{entry.body or entry.summary}", source.full_text, short_words):
            chosen.append((iid, entry.title))
            if len(chosen) >= ARTICLES_PER_SOURCE:
                break
    return chosen
