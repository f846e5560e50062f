"""Shared by claim, release, dismiss and restore: find the item, write the desk state, share it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def configure_item(parser: argparse.ArgumentParser, force: bool = True) -> None:
    """The item id (or the first characters ``briefdesk queue`` shows) and, where it applies, --force."""
    parser.add_argument("item_id", metavar="ID", help="a queue item id (the first characters shown by briefdesk queue are enough)")
    if force:
        parser.add_argument("--force", action="store_true", help="take over an item a colleague holds, and say so")


def act(args: argparse.Namespace, verb: str, write: Callable[[Any, str, Any], Any], apply_local: Callable[[Any, str, Any], None]) -> int:
    """Fetch the desk state, write one event, apply it to the local queue, push; print what happened."""
    from stories.team.gitrun import TeamError
    from stories.team.state import DeskState
    from tui import locations
    from tui.commands import CommandError, open_queue
    from tui.commands._repo import repo_path
    from tui.commands.review import reviewer_from

    root, config = repo_path(args)
    try:
        desk = DeskState(root)
    except TeamError as exc:
        raise CommandError(str(exc)) from None
    store = open_queue(locations.queue_db()) if locations.queue_db().exists() else None
    try:
        editor = reviewer_from(config, desk)
        fetched = desk.fetch(editor=editor)  # a colleague's claim must be known before we write
        item_id = _resolve(args.item_id, store, desk)
        change = write(desk, item_id, editor)
        if store is not None and store.item(item_id) is not None:
            apply_local(store, item_id, change.entry)
        pushed = desk.push(editor=editor)
    except TeamError as exc:
        raise CommandError(str(exc), 1) from None
    finally:
        desk.close()
        if store is not None:
            store.close()
    previous = change.previous
    took = ""
    if verb == "claimed" and previous is not None and previous.state == "claimed" and not previous.held_by(editor):
        took = f", taken over from {previous.name} (--force)"
    print(f"{verb} {item_id}{took}")
    if pushed.state != "synced" or fetched.state == "offline":
        print(f"{pushed.message if pushed.state != 'synced' else fetched.message}; your change is kept here and goes with the next sync")
    return 0


def _resolve(given: str, store: Any, desk: Any) -> str:
    """The full item id for what the editor typed: the id itself, or a prefix only one item starts with."""
    from stories.team.gitrun import TeamError

    known = set(desk.entries())
    if store is not None:
        if store.item(given) is not None:
            return given
        known |= {it.id for it in store.items()}
    if given in known:
        return given
    matches = sorted(i for i in known if i.startswith(given)) if len(given) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise TeamError(f"{given!r} starts {len(matches)} item ids; give more of it")
    raise TeamError(f"no queue item {given!r} here (briefdesk fetch brings the desk's items; briefdesk queue lists them)")


def share_desk_state(root: Any, config: Any, remote: str | None = None) -> str:
    """For ``briefdesk sync``: fetch, merge and push the desk state and update the local queue; one status line."""
    from stories.team.gitrun import TeamError
    from stories.team.queue_state import sync_desk_state
    from tui import locations
    from tui.commands import open_queue
    from tui.commands._repo import editor_from

    store = open_queue(locations.queue_db()) if locations.queue_db().exists() else None
    try:
        return sync_desk_state(root, store, editor_from(config), remote).message
    except TeamError as exc:
        return f"desk state not shared: {exc}"
    finally:
        if store is not None:
            store.close()
