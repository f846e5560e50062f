"""``briefdesk demo``: the desk on bundled sample feeds and a throwaway content repo, offline."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()

DEMO_EDITOR = ("Demo Editor", "demo@example.invalid")
"""Who the throwaway demo repo's commits are by when the config and git name nobody."""

HELP = "open the desk on bundled sample feeds and a throwaway content repo (no network, no setup)"


def configure(parser: argparse.ArgumentParser) -> None:
    """``--keep`` leaves the throwaway folder in place and prints where it is."""
    parser.add_argument("--keep", action="store_true", help="keep the demo's content repo, queue and drafts afterwards")


DEMO_PREFIX = "briefdesk-demo-"


def remove_stale_demos(temp: Path) -> list[Path]:
    """Delete demo folders whose demo is gone (killed, so it never cleaned up); the folders removed."""
    removed = []
    try:
        candidates = list(temp.glob(f"{DEMO_PREFIX}*"))
    except OSError:
        return removed
    for folder in candidates:
        pid = folder.name[len(DEMO_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or folder.stat().st_uid != os.getuid() or _alive(int(pid)):
            continue  # not ours, not a demo of this kind, or still running
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def add_sources(root: Path, sources) -> None:
    """Append the sample sources to desk.toml and commit it, as a desk would after importing OPML."""
    import subprocess

    from stories.codec import toml_string
    from stories.fsutil import atomic_write

    desk = root / "desk.toml"
    lines = [desk.read_text("utf-8").rstrip("\n"), "", "# The demo's sample feeds (bundled, read without network)."]
    for source in sources:
        lines += ["", "[[sources]]", f"name = {toml_string(source.name)}", f"url = {toml_string(source.url)}",
                  f"category = {toml_string(source.category)}", f"format = {toml_string(source.format)}"]
    atomic_write(desk, "\n".join(lines) + "\n")
    name, email = DEMO_EDITOR
    subprocess.run(
        ["git", "-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q", "-m", "Follow the demo's sample feeds", "--", "desk.toml"],
        cwd=root,
        check=True,
        capture_output=True,
    )


def prepare(folder: Path):
    """A content repo, a queue loaded with the sample feeds, and a drafts folder under ``folder``."""
    from stories.queue import QueueStore, demo_sources, load_demo
    from stories.repo import ContentRepo

    from stories.repo import Editor

    repo = ContentRepo.init(folder / "content", editor=Editor(*DEMO_EDITOR))
    add_sources(repo.root, demo_sources())
    repo.reload_profile()
    store = QueueStore(folder / "desk.db")
    try:
        load_demo(store)
    finally:
        store.close()
    return repo, folder / "desk.db", folder / "drafts", demo_sources()


def run(args: argparse.Namespace) -> int:
    """Open the app on a fresh demo; everything is thrown away on exit unless --keep."""
    from tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        print(f"briefdesk: {exc} (the demo goes on with default settings)", file=sys.stderr)
        from tui.config import Config

        config = Config()
    remove_stale_demos(Path(tempfile.gettempdir()))
    # The pid in the name lets the next demo tell a killed demo's folder from a running one's.
    folder = Path(tempfile.mkdtemp(prefix=f"{DEMO_PREFIX}{os.getpid()}-"))
    try:
        repo, queue_path, drafts_dir, sources = prepare(folder)
        from tui.app import BriefDeskApp

        from tui.commands.app import known_identity

        if not all(known_identity(config)):
            # The demo is throwaway: it needs no setup to publish.
            config.editor_name, config.editor_email = DEMO_EDITOR
        from stories.queue import QueueStore
        from tui.commands._desk import build_desk

        problems: list[str] = []
        desk = build_desk(repo, QueueStore(queue_path), drafts_dir, config, problems=problems)
        app = BriefDeskApp(desk=desk, config=config, sources=sources, started=STARTED, demo=True, problems=problems)
        app.demo_kept = bool(getattr(args, "keep", False))
        app.run()
        return app.return_code or 0
    finally:
        if getattr(args, "keep", False):
            print(f"briefdesk: the demo is kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
