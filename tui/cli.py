"""The ``briefdesk`` command line: the app by default, and subcommands for scripts and cron.

Each subcommand lives in ``tui/commands/<name>.py`` with ``HELP``,
``configure(parser)`` and ``run(args) -> int``; heavy imports happen inside
``run`` so ``briefdesk check`` never pays for textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = (
    "init",
    "demo",
    "locate",
    "fetch",
    "queue",
    "check",
    "publish",
    "log",
    "sync",
    "import-opml",
    "export-opml",
    "review",
    "claim",
    "release",
    "dismiss",
    "restore",
    "stories",
    "serve",
    "source",
)


def _module(name: str):
    return importlib.import_module(f"tui.commands.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="briefdesk",
        description="Briefing Desk: turn incoming news into calm, well-attributed briefings.",
    )
    parser.add_argument("--repo", metavar="DIR", help="the content repo (default: BRIEFDESK_REPO, the config, or the one under the data folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _module(name)
        child = sub.add_parser(name, help=module.HELP, description=module.HELP)
        child.add_argument("--repo", metavar="DIR", default=argparse.SUPPRESS, help="the content repo")
        module.configure(child)
        child.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``briefdesk`` script: the exit code follows the README's "Exit codes"."""
    parser = build_parser()
    args = parser.parse_args(argv)  # a usage error exits 2 here, with argparse's own message
    try:
        if args.command is None:
            from tui.commands import app as app_command

            return int(app_command.run(args) or 0)
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("briefdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place a fault becomes an exit code, never a traceback
        from tui.commands import classify, report_bug, safe_text

        known = classify(exc)
        if known is None:
            return report_bug(exc, sys.argv[1:] if argv is None else argv)
        code, message = known
        print(f"briefdesk: {safe_text(message)}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
