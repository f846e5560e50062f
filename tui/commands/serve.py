"""``briefdesk serve``: the same desk in a web browser, through textual-serve.

Every browser tab that connects gets its own ``briefdesk`` process (that is how
textual-serve works), so the desk behaves exactly as it does in a terminal:
same config, same content repo, same queue.
"""

from __future__ import annotations

import argparse
import shlex
import sys

HELP = "serve the desk to a web browser (http://HOST:PORT), for editors who are not on SSH"


def configure(parser: argparse.ArgumentParser) -> None:
    """``--host``, ``--port`` and ``--demo``."""
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    parser.add_argument("--demo", action="store_true", help="serve the throwaway demo desk instead of the configured one")


def app_command(repo: str | None, demo: bool) -> str:
    """The shell command textual-serve starts for each browser session."""
    words = [sys.executable, "-m", "tui.cli"]
    if repo:
        words += ["--repo", repo]
    if demo:
        words.append("demo")
    return " ".join(shlex.quote(word) for word in words)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 with a message when the port cannot be used."""
    from tui.commands import CommandError

    if not 0 < args.port < 65536:
        raise CommandError(f"the port must be between 1 and 65535, not {args.port}")
    try:
        from textual_serve.server import Server
    except ImportError:
        raise CommandError("serving to a browser needs textual-serve: pip install textual-serve") from None
    import socket

    # Say so in plain words before textual-serve starts and fails with a traceback.
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    title = "Briefing Desk (demo)" if args.demo else "Briefing Desk"
    server = Server(app_command(getattr(args, "repo", None), args.demo), host=args.host, port=args.port, title=title)
    print(f"Serving Briefing Desk on http://{args.host}:{args.port} (ctrl+c stops it)", flush=True)
    server.serve()
    return 0
