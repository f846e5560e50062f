"""The one HTTP client of the desk (httpx), for feeds and article pages alike.

Polite: at most two connections per host, conditional GET with validators that
are sent back verbatim, and a host that answers Retry-After is left alone for
that long. Bounded: connect and read timeouts, and one wall-clock deadline for
the whole request, headers and body, even when bytes trickle in one a second;
a size cap counted on the wire and again while unpacking (a gzip or deflate
bomb stops at the cap); at most five redirects, http(s) only. Never misled: a
name is resolved once, and a private, loopback, link-local or reserved address
is refused before connecting unless it is the configured source's own host.
Every failure is a ``FetchError`` whose message an editor can act on.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
DEADLINE = 120.0
PER_HOST = 2
#: Longest validators stored and sent back; longer ones are not kept at all.
ETAG_MAX = 500
LAST_MODIFIED_MAX = 200
#: The longest a Retry-After is honoured (a site asking for a week gets a day).
RETRY_AFTER_MAX = 24 * 3600.0
USER_AGENT = "BriefingDesk/0.1 (feed reader; +https://briefdesk.example/)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


class FetchError(Exception):
    """A request that failed; the message is in words an editor understands.

    ``kind`` names the failure for callers that word it their own way
    ("status", "too_large", "redirects", "slow", "no_answer", "timeout",
    "address", "scheme", "broken", "network", "tls", "compression", "wait",
    "stopped");
    ``status`` is the HTTP status when there was one; ``retry_after`` is how
    many seconds the site asked us to wait.
    """

    def __init__(self, message: str, kind: str = "network", status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass
class Response:
    """What came back: the status (200 or 304), the unpacked body, lower-case headers and the final address."""

    status: int
    body: bytes | None
    headers: dict[str, str]
    url: str


@dataclass(frozen=True)
class Limits:
    """The bounds of one request."""

    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    deadline: float = DEADLINE
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS


def sendable_validator(value: str, limit: int) -> str:
    """``value`` if it can go back in a header exactly as it came (latin-1, printable, at most ``limit``), else ""."""
    if not value or len(value) > limit:
        return ""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return ""
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        return ""
    return value


class HostLimiter:
    """At most ``per_host`` requests to any one host at a time, and no request to a host that asked us to wait."""

    def __init__(self, per_host: int = PER_HOST) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._held: dict[str, float] = {}

    def slot(self, host: str, lane: str = "") -> threading.BoundedSemaphore:
        """The semaphore of one host (use it as a context manager).

        The "page" lane (article pages) holds at most ``per_host - 1`` of a
        host's slots, so article fetches never starve the feeds of that host;
        a page takes its lane's slot and then a host slot.
        """
        key = f"{lane}:{host}"
        with self._lock:
            if key not in self._slots:
                size = self.per_host if not lane else max(1, self.per_host - 1)
                self._slots[key] = threading.BoundedSemaphore(size)
            return self._slots[key]

    def hold(self, host: str, seconds: float) -> None:
        """Ask nothing of ``host`` for ``seconds`` (it sent Retry-After)."""
        with self._lock:
            self._held[host] = max(self._held.get(host, 0.0), time.time() + seconds)

    def held_until(self, host: str) -> float | None:
        """When ``host`` may be asked again, if it asked us to wait."""
        with self._lock:
            until = self._held.get(host)
        return until if until is not None and until > time.time() else None


# -- the guarded connection: deadline and address checks --------------------


#: How often a blocked read looks whether the run was stopped (quitting the
#: app must never wait on the network).
STOP_POLL = 0.25


@dataclass
class _Guard:
    # The bounds of the request running in this thread, read by every socket
    # operation the connection pool does for it.
    deadline_at: float
    own_host: str
    own_addresses: frozenset[str] | None = None
    phase: str = "headers"
    stop: threading.Event | None = None


_GUARD: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("briefdesk_http_guard", default=None)


class _DeadlinePassed(Exception):
    pass


class _Stopped(Exception):
    pass


class _AddressRefused(Exception):
    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def _bounded(timeout: float | None) -> float | None:
    guard = _GUARD.get()
    if guard is None:
        return timeout
    if guard.stop is not None and guard.stop.is_set():
        raise _Stopped()
    left = guard.deadline_at - time.monotonic()
    if left <= 0:
        raise _DeadlinePassed()
    return left if timeout is None else min(timeout, left)


def _sliced(operation, timeout: float | None, timed_out: type[Exception]):
    # A wait that can be stopped: the socket operation runs in short slices,
    # looking at the stop flag (and the deadline) between them. Only reads
    # and connects are sliced: a timed-out recv or connect consumed nothing.
    guard = _GUARD.get()
    if guard is None or guard.stop is None:
        return operation(_bounded(timeout))
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if end is None else end - time.monotonic()
        if left is not None and left <= 0:
            raise timed_out("timed out")
        budget = _bounded(left)
        try:
            return operation(STOP_POLL if budget is None else min(budget, STOP_POLL))
        except timed_out:
            continue


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback or ip.is_private


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise httpcore.ConnectError("name not found") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def _checked_address(host: str, port: int) -> str:
    # Resolve once, check the addresses, and connect to the checked one: a
    # name cannot point somewhere else between the check and the connection.
    addresses = _resolve(host, port)
    guard = _GUARD.get()
    if guard is None or host.lower() == guard.own_host:
        return addresses[0]
    for address in addresses:
        if not _forbidden(address):
            return address
    if guard.own_addresses is None:
        try:
            guard.own_addresses = frozenset(_resolve(guard.own_host, port))
        except httpcore.ConnectError:
            guard.own_addresses = frozenset()
    for address in addresses:
        if address in guard.own_addresses:
            return address
    raise _AddressRefused(addresses[0])


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _sliced(lambda step: self._inner.read(max_bytes, step), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options=None) -> httpcore.NetworkStream:
        address = _checked_address(host, port)
        stream = _sliced(lambda step: self._inner.connect_tcp(address, port, step, local_address, socket_options), timeout, httpcore.ConnectTimeout)
        return _GuardedStream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _Transport(httpx.BaseTransport):
    # httpx's own transport, on a connection pool whose sockets are guarded.
    def __init__(self, tls: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=tls, max_connections=64, keepalive_expiry=5.0, network_backend=_GuardedBackend())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        resp = self._pool.handle_request(req)
        return httpx.Response(status_code=resp.status, headers=resp.headers, stream=_Body(resp), extensions=resp.extensions)

    def close(self) -> None:
        self._pool.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, resp: httpcore.Response) -> None:
        self._resp = resp

    def __iter__(self):
        yield from self._resp.stream

    def close(self) -> None:
        self._resp.close()


_tls: ssl.SSLContext | None = None
_tls_lock = threading.Lock()


def _tls_context() -> ssl.SSLContext:
    # Loading the system's certificates takes a while; one context serves every client.
    global _tls
    with _tls_lock:
        if _tls is None:
            _tls = ssl.create_default_context()
        return _tls


# -- the client --------------------------------------------------------------

_STATUS_WORDS = {
    400: "The site rejected the request (HTTP 400).",
    401: "The {what} needs a login (HTTP 401); Briefing Desk reads public pages only.",
    403: "The site refuses to serve the {what} to readers (HTTP 403 Forbidden).",
    404: "The {what} is not at this address any more (HTTP 404 Not Found); check the URL.",
    410: "The site says the {what} is gone for good (HTTP 410); remove or replace it.",
    429: "The site asks us to slow down (HTTP 429 Too Many Requests); will try later.",
}


def _status_message(status: int, reason: str, what: str) -> str:
    if status in _STATUS_WORDS:
        return _STATUS_WORDS[status].format(what=what)
    if 500 <= status < 600:
        return f"The site had a problem of its own (HTTP {status}); will try again later."
    reason = "".join(ch for ch in reason if ch.isprintable())[:60].strip()
    return f"The site answered with HTTP {status} {reason} instead of the {what}."


def retry_after_seconds(value: str, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped at a day; None if unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), RETRY_AFTER_MAX)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min(when.timestamp() - (now or time.time()), RETRY_AFTER_MAX))


def _check_url(url: str, what: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port
    except ValueError:
        raise FetchError(f"The {what} address is not a valid web address.", "scheme") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"Only web addresses (http/https) are fetched, not {scheme or 'this kind of'} addresses.", "scheme")
    if not parts.hostname or any(ch.isspace() for ch in url):
        raise FetchError(f"The {what} address is not a valid web address.", "scheme")
    return parts.hostname.lower()


def _caused_by(exc: BaseException, kind: type) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


@dataclass
class Http:
    """The desk's HTTP client: one per fetch run, shared by its threads (feeds and articles)."""

    limits: Limits = field(default_factory=Limits)
    limiter: HostLimiter = field(default_factory=HostLimiter)
    #: Set it to stop every request of this client within a quarter of a second.
    stop: threading.Event | None = None

    def __post_init__(self) -> None:
        timeout = httpx.Timeout(self.limits.read_timeout, connect=self.limits.connect_timeout)
        self._client = httpx.Client(transport=_Transport(_tls_context()), timeout=timeout, follow_redirects=False, trust_env=False)

    def close(self) -> None:
        """Close every connection."""
        self._client.close()

    def __enter__(self) -> "Http":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        own_host: str = "",
        accept: str = FEED_ACCEPT,
        what: str = "feed",
        limits: Limits | None = None,
    ) -> Response:
        """GET ``url`` (conditionally), following redirects within the limits; FetchError on failure.

        ``own_host`` is the configured source's host, the one host that may
        be on a private or local network (default: the host of ``url``).
        ``what`` ("feed", "page") is the word the messages use.
        """
        limits = limits or self.limits
        own = (own_host or _check_url(url, what)).lower()
        started = time.monotonic()
        guard = _Guard(deadline_at=started + limits.deadline, own_host=own, stop=self.stop)
        token = _GUARD.set(guard)
        try:
            for _hop in range(limits.max_redirects + 1):
                host = _check_url(url, what)
                held = self.limiter.held_until(host)
                if held is not None:
                    wait = time.strftime("%H:%M", time.localtime(held))
                    raise FetchError(f"The site asked us to wait until {wait} before asking again.", "wait", retry_after=held - time.time())
                waited = time.monotonic()
                with self.limiter.slot(host, what) if what == "page" else contextlib.nullcontext(), self.limiter.slot(host):
                    # Waiting for our own turn at the host is not the site being slow.
                    guard.deadline_at += time.monotonic() - waited
                    status, headers, body = self._once(url, etag, last_modified, accept, what, limits, guard)
                if status in (301, 302, 303, 307, 308):
                    location = headers.get("location", "").strip()
                    if not location:
                        raise FetchError(f"The site redirects (HTTP {status}) without saying where to.", "redirects", status)
                    try:
                        url = urljoin(url, location)
                        target = urlsplit(url).scheme.lower()
                    except ValueError:
                        target = ""
                    if target not in ("http", "https"):
                        raise FetchError(f"The {what} redirects to a non-web address ({target or 'unknown'}:); not followed.", "scheme", status)
                    continue
                if status == 304:
                    return Response(304, None, headers, url)
                if status != 200:
                    wait = retry_after_seconds(headers.get("retry-after", "")) if status in (429, 503) else None
                    if wait:
                        self.limiter.hold(host, wait)
                    raise FetchError(_status_message(status, headers.get(":reason", ""), what), "status", status, wait)
                assert body is not None
                return Response(200, _decode(body, headers.get("content-encoding", ""), limits.max_bytes, what), headers, url)
            raise FetchError(f"The {what} redirects more than {limits.max_redirects} times; not followed.", "redirects")
        finally:
            _GUARD.reset(token)

    def _once(self, url: str, etag: str, last_modified: str, accept: str, what: str, limits: Limits, guard: _Guard) -> tuple[int, dict[str, str], bytes | None]:
        headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        etag = sendable_validator(etag, ETAG_MAX)
        last_modified = sendable_validator(last_modified, LAST_MODIFIED_MAX)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        guard.phase = "headers"
        try:
            request = self._client.build_request("GET", url, headers=headers)
            response = self._client.send(request, stream=True)
            try:
                guard.phase = "body"
                got = {name.lower(): value for name, value in response.headers.items()}
                got[":reason"] = response.reason_phrase or ""
                if response.status_code != 200:
                    return response.status_code, got, None
                cap = limits.max_bytes // (1024 * 1024)
                length = got.get("content-length", "").strip()
                if length.isdigit() and int(length) > limits.max_bytes:
                    raise FetchError(f"The {what} is larger than {cap} MB; not read.", "too_large")
                chunks = []
                size = 0
                for chunk in response.iter_raw(65536):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise FetchError(f"The {what} is larger than {cap} MB; not read.", "too_large")
                    chunks.append(chunk)
                if length.isdigit() and size < int(length):
                    raise httpx.RemoteProtocolError("short body")
                return 200, got, b"".join(chunks)
            finally:
                response.close()
        except FetchError:
            raise
        except _DeadlinePassed:
            raise self._late(guard, limits, what) from None
        except _Stopped:
            raise FetchError("The fetch was stopped before the site answered.", "stopped") from None
        except _AddressRefused as exc:
            raise FetchError(
                f"The {what} leads to a private or local network address ({exc.address}); not followed.", "address"
            ) from None
        except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
            if time.monotonic() >= guard.deadline_at - 0.05:
                raise self._late(guard, limits, what) from None
            if isinstance(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout)):
                raise FetchError(f"The site did not answer in time (no connection after {limits.connect_timeout:g} s).", "timeout") from None
            raise FetchError(f"The site did not answer in time (waited {limits.read_timeout:g} s).", "timeout") from None
        except (httpx.RemoteProtocolError, httpcore.RemoteProtocolError):
            if guard.phase == "body":
                raise FetchError(
                    f"The connection broke off before the whole {what} arrived; nothing of it was kept, and the next fetch tries again.", "broken"
                ) from None
            raise FetchError("The site's answer was not valid HTTP.", "broken") from None
        except (httpx.ConnectError, httpcore.ConnectError) as exc:
            if _caused_by(exc, ssl.SSLCertVerificationError):
                raise FetchError("The site's security certificate could not be verified; not read.", "tls") from None
            if _caused_by(exc, ssl.SSLError):
                raise FetchError("A secure connection to the site could not be made.", "tls") from None
            if _caused_by(exc, ConnectionRefusedError):
                raise FetchError("The site refused the connection; it may be down.", "network") from None
            if "name not found" in str(exc) or _caused_by(exc, socket.gaierror):
                raise FetchError("The site's address could not be found; check the URL, or the network is down.", "network") from None
            raise FetchError("The connection to the site failed.", "network") from None
        except (httpx.HTTPError, httpcore.ConnectionNotAvailable, httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError) as exc:
            raise FetchError(f"The connection to the site failed ({type(exc).__name__}).", "network") from None

    @staticmethod
    def _late(guard: _Guard, limits: Limits, what: str) -> FetchError:
        if guard.phase == "headers":
            return FetchError(f"The server did not answer in time (no complete answer after {limits.deadline:g} s).", "no_answer")
        return FetchError(f"The site sent the {what} too slowly; gave up after {limits.deadline:g} s.", "slow")


def fetch_url(url: str, *, etag: str = "", last_modified: str = "", limiter: HostLimiter | None = None, **limits: float) -> Response:
    """One GET with a client of its own (see ``Http.get``); ``limits`` may set any field of ``Limits``."""
    with Http(Limits(**limits), limiter or HostLimiter()) as client:
        return client.get(url, etag=etag, last_modified=last_modified)


# -- unpacking ---------------------------------------------------------------


def _decode(body: bytes, encoding: str, max_bytes: int, what: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip") or (not encoding and body[:2] == b"\x1f\x8b"):
        return _inflate(body, zlib.MAX_WBITS | 16, max_bytes, what)
    if encoding == "deflate":
        # "deflate" is meant to be zlib-wrapped, but many servers send it raw:
        # the first two bytes tell which.
        wrapped = len(body) >= 2 and (body[0] & 0x0F) == 8 and ((body[0] << 8) | body[1]) % 31 == 0
        return _inflate(body, zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, max_bytes, what)
    if encoding in ("", "identity"):
        return body
    shown = "".join(ch for ch in encoding if ch.isalnum() or ch in "-_")[:20]
    raise FetchError(f"The site compressed the {what} in a way we do not read ({shown}).", "compression")


def _inflate(body: bytes, wbits: int, max_bytes: int, what: str) -> bytes:
    # Decompress in bounded steps: a small body that expands to gigabytes
    # stops at the cap instead of filling memory.
    inflater = zlib.decompressobj(wbits)
    out = bytearray()
    data = body
    try:
        while data:
            out += inflater.decompress(data, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise FetchError(
                    f"The {what} is larger than {max_bytes // (1024 * 1024)} MB once unpacked (a compressed bomb?); not read.", "too_large"
                )
            data = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        raise FetchError(f"The {what}'s compression is broken; it could not be unpacked.", "compression") from None
    return bytes(out)
