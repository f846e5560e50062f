"""A real HTTP server on 127.0.0.1 for fetch tests: serves feed files with ETags and counts requests.

``.gz`` files are served under their name without ``.gz``, as the compressed
bytes with ``Content-Encoding: gzip``: that is what a real server that
pre-compresses its feeds sends, and it makes the client's gunzip (and its size
cap after gunzip) part of every test that touches them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LAST_MODIFIED = "Tue, 24 Nov 2026 08:00:00 GMT"


class FeedServer:
    """Serve every file under ``root`` at ``/<prefix>/<relative path>`` (any prefix), plus a few special routes."""

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1") -> None:
        self.root = root
        self.files: dict[str, tuple[bytes, str, bool]] = {}
        self.types: dict[str, str] = {}
        self.trickle_interval = 1.0
        self.requests: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.active: Counter[str] = Counter()
        self.max_active = 0
        self.delay = 0.0
        self._lock = threading.Lock()
        if root is not None:
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix not in (".tsv", ".py"):
                    self.add_file(path.relative_to(root).as_posix(), path.read_bytes())
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add_file(self, name: str, data: bytes, content_type: str = "application/xml") -> None:
        """Serve ``data`` at ``/<prefix>/name`` (a ``.gz`` name is served gzip-encoded without the suffix)."""
        gz = name.endswith(".gz")
        key = name[:-3] if gz else name
        self.files[key] = (data, '"' + hashlib.sha1(data).hexdigest() + '"', gz)
        self.types[key] = content_type

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, name: str, prefix: str = "f") -> str:
        return f"{self.base}/{prefix}/{name[:-3] if name.endswith('.gz') else name}"

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        with self._lock:
            self.requests[path] += 1
            self.active["all"] += 1
            self.max_active = max(self.max_active, self.active["all"])
        counted = [True]

        def answered() -> None:
            # A request stops counting as active once its answer starts going out: the
            # client may then rightly start its next request while this thread winds down.
            with self._lock:
                if counted[0]:
                    counted[0] = False
                    self.active["all"] -= 1

        h.answered = answered  # type: ignore[attr-defined]
        try:
            if self.delay:
                time.sleep(self.delay)
            self._route(h, path)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            answered()

    def _route(self, h: BaseHTTPRequestHandler, path: str) -> None:
        parts = path.lstrip("/").split("/", 1)
        if parts[0] == "redirect" and len(parts) == 2:
            # /redirect/<n>/<target path>: n hops, then the target
            count, _, rest = parts[1].partition("/")
            n = int(count)
            location = f"/redirect/{n - 1}/{rest}" if n > 1 else "/" + rest
            return self._send(h, 302, b"", {"Location": location})
        if parts[0] == "redirect-scheme":
            return self._send(h, 301, b"", {"Location": "file:///etc/passwd"})
        if parts[0] == "status" and len(parts) == 2:
            return self._send(h, int(parts[1]), b"nope", {"Content-Type": "text/plain"})
        if parts[0] == "stall":
            # Headers, then a body that never comes.
            h.send_response(200)
            h.send_header("Content-Length", "100000")
            h.end_headers()
            h.wfile.write(b"<rss>")
            h.wfile.flush()
            time.sleep(float(parts[1]) if len(parts) == 2 else 5)
            return
        special = self._misbehave(h, parts)
        if special is not False:
            return
        if parts[0] == "plain" and len(parts) == 2:
            # No ETag, no Last-Modified: the client must notice identical bytes itself.
            entry = self.files.get(parts[1])
            if entry is None:
                return self._send(h, 404, b"not found", {})
            return self._send(h, 200, entry[0], {"Content-Type": "application/xml", **({"Content-Encoding": "gzip"} if entry[2] else {})})
        if parts[0] == "nolength" and len(parts) == 2:
            # No Content-Length: the body ends when the connection closes, so
            # only counting while reading can enforce a size cap.
            entry = self.files.get(parts[1])
            if entry is None:
                return self._send(h, 404, b"not found", {})
            h.send_response(200)
            if entry[2]:
                h.send_header("Content-Encoding", "gzip")
            h.end_headers()
            h.wfile.write(entry[0])
            h.close_connection = True
            return
        name = parts[1] if len(parts) == 2 else ""
        entry = self.files.get(name)
        if entry is None:
            return self._send(h, 404, b"not found", {"Content-Type": "text/plain"})
        data, etag, gz = entry
        inm, ims = h.headers.get("If-None-Match"), h.headers.get("If-Modified-Since")
        if inm or ims:
            with self._lock:
                self.conditional[name] += 1
            if inm == etag or (not inm and ims == LAST_MODIFIED):
                with self._lock:
                    self.not_modified[name] += 1
                return self._send(h, 304, b"", {"ETag": etag})
        headers = {"Content-Type": self.types.get(name, "application/xml"), "ETag": etag, "Last-Modified": LAST_MODIFIED}
        if gz:
            headers["Content-Encoding"] = "gzip"
        self._send(h, 200, data, headers)

    def _misbehave(self, h: BaseHTTPRequestHandler, parts: list[str]) -> object:
        # The hostile servers of the fault report; False when the route is not one of them.
        route = parts[0]
        rest = parts[1] if len(parts) == 2 else ""
        if route == "goto":
            # /goto/<absolute URL>: one redirect, anywhere.
            return self._send(h, 302, b"", {"Location": rest})
        if route == "loop":
            return self._send(h, 302, b"", {"Location": "/loop/" + rest})
        if route == "retry-after":
            # /retry-after/<seconds>: 429 Too Many Requests, wait that long.
            return self._send(h, 429, b"slow down", {"Retry-After": rest, "Content-Type": "text/plain"})
        if route == "trickle":
            # Headers at once, then one byte per interval, for ever.
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "1000000")
            h.end_headers()
            while True:
                h.wfile.write(b"<")
                h.wfile.flush()
                time.sleep(self.trickle_interval)
        if route == "slow-headers":
            # The status line, then the headers one byte per interval.
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            h.wfile.flush()
            while True:
                h.wfile.write(b"X")
                h.wfile.flush()
                time.sleep(self.trickle_interval)
        if route == "short":
            # /short/<name>: a body cut short against its Content-Length, with validators.
            data, etag, _gz = self.files[rest]
            h.send_response(200)
            h.send_header("Content-Type", "application/xml")
            h.send_header("ETag", etag)
            h.send_header("Last-Modified", LAST_MODIFIED)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data[: len(data) * 3 // 5])
            h.wfile.flush()
            h.close_connection = True
            return None
        if route == "validators":
            # /validators/<kind>/<name>: an ETag or Last-Modified no client can send back as it came.
            kind, _, name = rest.partition("/")
            data = self.files[name][0]
            values = {
                "long-etag": b'ETag: "' + b"e" * 600 + b'"',
                "long-lm": b"Last-Modified: " + b"Tue, 24 Nov 2026 08:00:00 GMT " * 10,
                "utf8-etag": 'ETag: "caf\u00e9-\u2713"'.encode("utf-8"),
            }
            with self._lock:
                if h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since"):
                    self.conditional[name] += 1
            h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n" + values[kind] + b"\r\nContent-Length: " + str(len(data)).encode() + b"\r\nConnection: close\r\n\r\n" + data)
            h.wfile.flush()
            h.close_connection = True
            return None
        if route == "deflate-bomb":
            import zlib

            bomb = zlib.compress(b"\0" * (30 * 1024 * 1024), 9)
            return self._send(h, 200, bomb, {"Content-Type": "application/xml", "Content-Encoding": "deflate"})
        if route == "huge":
            # 30 MB of page; "nolength" under it streams it without a Content-Length.
            block = b"<p>" + b"filler words " * 600 + b"</p>\n"
            count = 30 * 1024 * 1024 // len(block) + 1
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            if rest != "nolength":
                h.send_header("Content-Length", str(len(block) * count))
            h.end_headers()
            for _ in range(count):
                h.wfile.write(block)
            h.close_connection = True
            return None
        return False

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
        getattr(h, "answered", lambda: None)()
        h.send_response(status)
        for key, value in headers.items():
            h.send_header(key, value)
        if status != 304:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body and status != 304:
            h.wfile.write(body)
