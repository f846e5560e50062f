"""Bring the shared desk state into this machine's queue, so colleagues' claims and dismissals show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stories.team.state import CLAIMED, DISMISSED, RELEASED, RESTORED, DeskEntry

# Local states the shared state may move; a story being written or already
# published here stays as it is (its draft is this editor's, not the desk's).
_MOVABLE = ("new", "claimed", "dismissed")


def apply_desk_state(store: Any, entries: Mapping[str, DeskEntry]) -> int:
    """Set the queue state of every item the desk state names; returns how many items changed.

    ``store`` is the ``QueueStore``; items this machine has not fetched are
    skipped (they show once fetched, since ids are the same on every machine).
    """
    changed = 0
    for item_id, entry in entries.items():
        item = store.item(item_id)
        if item is None or item.state not in _MOVABLE:
            continue
        if entry.state == CLAIMED:
            if item.state == "claimed" and item.claimed_by == entry.name:
                continue
            store.claim(item_id, entry.name, force=True, since=entry.at.timestamp())
        elif entry.state == DISMISSED:
            if item.state == "dismissed" and item.dismissed_reason == entry.reason:
                continue
            store.dismiss(item_id, entry.reason)
        elif entry.state in (RELEASED, RESTORED):
            if item.state == "new":
                continue
            store.set_state(item_id, "new")
        else:
            continue
        changed += 1
    return changed


def sync_desk_state(repo_root: Any, store: Any | None, editor: Any | None, remote: str | None = None) -> Any:
    """What ``briefdesk sync`` and the app's background sync do for the desk: share the state, update the queue.

    Returns the ``DeskSync`` status (offline and no remote are statuses, not
    errors); the local queue is updated from the merged state either way.
    """
    from stories.team.state import DeskState

    with DeskState(repo_root) as desk:
        result = desk.sync(remote, editor)
        if store is not None:
            apply_desk_state(store, desk.entries())
    return result
