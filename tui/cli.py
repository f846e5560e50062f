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
    """Entry point of the ``briefdesk`` script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from tui.commands import app as app_command

        return app_command.run(args)
    from tui.commands import CommandError
    from tui.config import ConfigError

    try:
        return int(args._run(args) or 0)
    except CommandError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return exc.code
    except ConfigError as exc:
        print(f"briefdesk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("briefdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
