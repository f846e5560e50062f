"""Shared by the workflow commands (claim, release, dismiss, restore, publish): the one Desk they act through."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stories.desk import Desk
from stories.profile import Profile
from stories.queue import QueueStore, SourceItem
from stories.repo import ContentRepo
from tui.config import Config


def build_desk(
    repo: ContentRepo | None,
    queue: QueueStore,
    drafts_dir: Path | str,
    config: Config,
    profile: Profile | None = None,
    problems: list[str] | None = None,
) -> Desk:
    """The Desk for this editor, the same for the app and every command (identity from the config, else git).

    A desk.toml that cannot be read leaves the house format in charge; what
    was wrong is added to ``problems`` for the editor to be told.
    """
    from stories.drafts import DraftStore
    from stories.profile import load_profile
    from stories.repo import Editor

    if profile is None and repo is not None:
        try:
            profile = repo.profile
        except Exception as exc:  # a broken desk.toml: say so and carry on with the house format
            if problems is not None:
                problems.append(str(exc))
    if profile is None:
        profile = load_profile(None)
    name, email = config.editor_name.strip(), config.editor_email.strip()
    if not name or not email:
        git_name, git_email = git_identity(repo.root if repo is not None else None)
        name, email = name or git_name, email or git_email
    editor = Editor(name, email) if name and email else None
    return Desk(repo, queue, DraftStore(drafts_dir, profile), profile, name or "editor", editor)


def git_identity(root: Path | None) -> tuple[str, str]:
    """The user.name and user.email git would use (empty when unset)."""
    import subprocess

    values = []
    for key in ("user.name", "user.email"):
        try:
            out = subprocess.run(["git", "config", key], cwd=root or None, capture_output=True, text=True, timeout=5)
            values.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            values.append("")
    return values[0], values[1]


@contextmanager
def queue_desk(args: argparse.Namespace) -> Iterator[Desk]:
    """A Desk on the user's queue and drafts for the queue-only steps (no content repo needed)."""
    from tui import locations
    from tui.commands import CommandError, open_queue
    from tui.config import load_config

    path = locations.queue_db()
    if not path.exists():
        raise CommandError("The queue is empty: run `briefdesk fetch` (or `briefdesk demo`) first.")
    config = load_config()
    with open_queue(path) as store:
        yield build_desk(None, store, locations.drafts_dir(), config)


def item_step(args: argparse.Namespace, step: Callable[[Desk], SourceItem], done: str, claiming: bool = False) -> int:
    """Run one queue step on the Desk and say what happened; 2 with the reason when it cannot be done."""
    from stories.clean import clean_line
    from stories.desk import WORKING, DeskError, ItemMoved
    from stories.queue import QueueError
    from tui.commands import CommandError

    with queue_desk(args) as desk:
        try:
            item = step(desk)
        except ItemMoved as exc:
            hint = " Use --force to take it over." if claiming and exc.item.state in WORKING else ""
            raise CommandError(clean_line(str(exc), 400) + hint) from None
        except (DeskError, QueueError) as exc:
            raise CommandError(clean_line(str(exc), 400)) from None
    who = f" by {clean_line(item.claimed_by, 60)}" if item.state == "claimed" and item.claimed_by else ""
    print(f"{done}: {clean_line(item.title, 160) or item.id} (now {item.state}{who})")
    return 0
