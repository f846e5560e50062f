"""Shared by the workflow commands (claim, release, dismiss, restore, publish): the one Desk they act through."""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from collections.abc import Iterator

from stories.desk import Desk


def build_desk(repo, queue, drafts_dir, config, profile=None) -> Desk:
    """The Desk for this editor: the same one the app gets (identity from the config, else git)."""
    from stories.drafts import DraftStore
    from stories.profile import load_profile
    from stories.repo import Editor
    from tui.commands.app import known_identity

    if profile is None:
        profile = repo.profile if repo is not None else load_profile(None)
    name, email = known_identity(config)
    editor = Editor(name, email) if name and email else None
    return Desk(repo, queue, DraftStore(drafts_dir, profile), profile, name or "editor", editor)


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


def item_step(args: argparse.Namespace, step: str, done: str) -> int:
    """Run one queue step (``Desk.<step>(item_id)``) and say what happened; 2 with the reason when it cannot."""
    from stories.clean import clean_line
    from stories.desk import DeskError
    from stories.queue import QueueError
    from tui.commands import CommandError

    with queue_desk(args) as desk:
        try:
            item = getattr(desk, step)(args.id, **_extra(args, step))
        except (DeskError, QueueError) as exc:
            raise CommandError(clean_line(str(exc), 400)) from None
    who = f" by {clean_line(item.claimed_by, 60)}" if item.state == "claimed" and item.claimed_by else ""
    print(f"{done}: {clean_line(item.title, 160) or item.id} (now {item.state}{who})")
    return 0


def _extra(args: argparse.Namespace, step: str) -> dict[str, object]:
    if step == "claim":
        return {"force": bool(getattr(args, "force", False))}
    if step == "dismiss":
        return {"reason": args.reason}
    return {}
