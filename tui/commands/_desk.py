"""Shared by the workflow commands (claim, release, dismiss, restore, publish, sync): the one Desk they act through.

A queue step changes this machine's queue through the Desk and, where the
content repo is a git repository, writes the same event to the shared desk
state (``refs/briefdesk/desk``) and pushes it, so colleagues see it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stories.desk import Desk
from stories.profile import Profile
from stories.queue import QueueStore, SourceItem
from stories.repo import ContentRepo
from tui.config import Config

if TYPE_CHECKING:
    from stories.repo import Editor
    from stories.team.state import DeskState


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
    """The user.name and user.email git would use (empty when unset): the content repo's one reader."""
    from stories.repo.identity import git_identity as read

    return read(root)


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


Share = Callable[["DeskState", str, "Editor"], object]


def item_step(args: argparse.Namespace, step: Callable[[Desk, str], SourceItem], done: str, claiming: bool = False, share: Share | None = None) -> int:
    """Run one queue step on the Desk, share it through the desk state, and say what happened.

    A colleague's claim is fetched before anything is written, so it is
    refused naming them (``--force`` takes it over, and says so). 2 with the
    reason when the step cannot be done.
    """
    from stories.clean import clean_line
    from stories.desk import WORKING, DeskError, ItemMoved
    from stories.queue import QueueError
    from stories.team.gitrun import TeamError
    from stories.team.queue_state import apply_desk_state
    from tui.commands import CommandError

    with queue_desk(args) as desk, _shared_state(args) as shared:
        state, editor = shared
        took, later = "", ""
        try:
            if state is not None:
                fetched = state.fetch(editor=editor)  # a colleague's claim must be known before we write
                apply_desk_state(desk.queue, state.entries())
                if fetched.state == "offline":
                    later = fetched.message
            item_id = _resolve(args.id, desk.queue, state)
            if state is not None and share is not None:
                change = share(state, item_id, editor)
                previous = getattr(change, "previous", None)
                if claiming and previous is not None and previous.state == "claimed" and not previous.held_by(editor):
                    took = f", taken over from {clean_line(previous.name, 60)} (--force)"
            item = step(desk, item_id)
            if state is not None:
                pushed = state.push(editor=editor)
                if pushed.state not in ("synced", "no-remote"):
                    later = pushed.message
        except ItemMoved as exc:
            hint = " Use --force to take it over." if claiming and exc.item.state in WORKING else ""
            raise CommandError(clean_line(str(exc), 400) + hint) from None
        except (DeskError, QueueError, TeamError) as exc:
            hint = " Use --force to take it over." if claiming and "claimed by" in str(exc) and "--force" not in str(exc) else ""
            raise CommandError(clean_line(str(exc), 400) + hint) from None
    who = f" by {clean_line(item.claimed_by, 60)}" if item.state == "claimed" and item.claimed_by else ""
    print(f"{done}: {clean_line(item.title, 160) or item.id} (now {item.state}{who}){took}")
    if later:
        print(f"{clean_line(later, 300)}; your change is kept here and goes with the next sync")
    return 0


@contextmanager
def _shared_state(args: argparse.Namespace) -> Iterator[tuple["DeskState | None", "Editor | None"]]:
    """The content repo's shared desk state and this editor, or (None, None) where there is no git content repo."""
    from stories.team.gitrun import TeamError
    from stories.team.state import DeskState
    from tui.commands import CommandError
    from tui.commands._repo import repo_path
    from tui.commands.review import reviewer_from

    try:
        root, config = repo_path(args)
        state = DeskState(root)
    except (CommandError, TeamError):
        yield None, None  # no content repo yet: the step is this machine's alone
        return
    try:
        yield state, reviewer_from(config, state)
    finally:
        state.close()


def _resolve(given: str, store: QueueStore, state: "DeskState | None") -> str:
    """The full item id for what the editor typed: the id itself, or a prefix only one item starts with."""
    from tui.commands import CommandError

    if store.item(given) is not None:
        return given
    known = {it.id for it in store.items()} | (set(state.entries()) if state is not None else set())
    matches = sorted(i for i in known if i.startswith(given)) if len(given) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise CommandError(f"{given!r} starts {len(matches)} item ids; give more of it")
    return given  # the Desk says there is no such item, in its own words


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
