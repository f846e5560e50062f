"""The desk's workflow (stories.desk.Desk) from the command line and between two instances on one queue.

Real SQLite files, a real content repo, and ``briefdesk`` in fresh interpreters.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desk_helpers import OYSTER, OYSTER_FILTER
from stories.desk import Desk, ItemMoved, ReasonRequired
from stories.drafts import DraftStore
from stories.profile import load_profile
from stories.queue import QueueError, QueueStore, load_demo

ROOT = Path(__file__).resolve().parents[1]


def briefdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env=os.environ.copy())


def data_dir() -> Path:
    return Path(os.environ["BRIEFDESK_DATA_DIR"])


def queue_rows(*args: str) -> dict[str, dict]:
    result = briefdesk("queue", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return {row["id"]: row for row in json.loads(result.stdout)}


def demo_queue() -> str:
    """The user's queue loaded with the demo feeds; returns the oyster item's id."""
    with QueueStore(data_dir() / "desk.db") as store:
        load_demo(store)
        return store.items(text=OYSTER_FILTER)[0].id


def desk_on(path: Path, drafts: Path, editor: str) -> Desk:
    profile = load_profile(None)
    return Desk(None, QueueStore(path), DraftStore(drafts, profile), profile, editor)


def test_publish_from_the_command_line_marks_the_queue_item_published(tmp_path: Path) -> None:
    from stories.repo import ContentRepo

    oyster = demo_queue()
    repo = ContentRepo.init(tmp_path / "content")
    # The draft file the app leaves in the drafts folder after writing the briefing.
    drafts_dir = data_dir() / "drafts"
    with QueueStore(data_dir() / "desk.db") as store:
        desk = Desk(repo, store, DraftStore(drafts_dir, repo.profile), repo.profile, "Test Editor")
        draft = desk.start(oyster)
        draft.briefing.sections.update(OYSTER)
        desk.save_draft(draft)
    assert queue_rows()[oyster]["state"] == "drafting"
    draft_file = drafts_dir / f"{oyster}.toml"
    assert draft_file.is_file()

    result = briefdesk("--repo", str(repo.root), "publish", str(draft_file))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Published Volunteers return 12,000 oyster shells" in result.stdout
    row = queue_rows()[oyster]
    assert row["state"] == "published" and row["link"] and row["claimed_by"] == "Test Editor"
    # The draft is gone from the folder, so the app does not offer it again.
    assert not draft_file.exists()
    log = subprocess.run(["git", "log", "--format=%s"], cwd=repo.root, capture_output=True, text=True, check=True).stdout
    assert "12,000 oyster shells" in log


def test_claim_release_dismiss_and_restore_from_the_command_line() -> None:
    oyster = demo_queue()
    claimed = briefdesk("claim", oyster)
    assert claimed.returncode == 0 and "Claimed" in claimed.stdout
    assert (queue_rows()[oyster]["state"], queue_rows()[oyster]["claimed_by"]) == ("claimed", "Test Editor")

    # A colleague's claim is not taken over without --force.
    with QueueStore(data_dir() / "desk.db") as store:
        store.claim(oyster, "Another Editor", force=True)
    refused = briefdesk("claim", oyster)
    assert refused.returncode == 2 and "claimed by Another Editor" in refused.stderr and "--force" in refused.stderr
    assert briefdesk("claim", oyster, "--force").returncode == 0
    assert queue_rows()[oyster]["claimed_by"] == "Test Editor"

    released = briefdesk("release", oyster)
    assert released.returncode == 0 and queue_rows()[oyster]["state"] == "new"
    assert queue_rows()[oyster]["claimed_by"] == ""

    # The reason is required, and an empty one is refused in words.
    missing = briefdesk("dismiss", oyster)
    assert missing.returncode == 2 and "--reason" in missing.stderr
    blank = briefdesk("dismiss", oyster, "--reason", "   ")
    assert blank.returncode == 2 and "needs a reason" in blank.stderr and "Traceback" not in blank.stderr
    assert briefdesk("dismiss", oyster, "--reason", "covered last week").returncode == 0
    row = queue_rows()[oyster]
    assert (row["state"], row["dismissed_reason"]) == ("dismissed", "covered last week")

    # A dismissed item cannot be claimed until it is restored.
    again = briefdesk("claim", oyster)
    assert again.returncode == 2 and "dismissed (covered last week)" in again.stderr
    assert briefdesk("restore", oyster).returncode == 0
    assert queue_rows()[oyster]["state"] == "new"
    nothing = briefdesk("release", "no-such-item")
    assert nothing.returncode == 2 and "no item 'no-such-item'" in nothing.stderr


def test_a_stale_instance_cannot_put_back_a_claim_on_an_item_the_other_dismissed(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    with QueueStore(path) as store:
        load_demo(store)
        oyster = store.items(text=OYSTER_FILTER)[0].id
    # Two app instances of one machine: one queue file, one drafts folder.
    first = desk_on(path, tmp_path / "drafts", "Editor A")
    second = desk_on(path, tmp_path / "drafts", "Editor B")
    # Both instances listed the item as new; A starts a briefing on it.
    seen_by_b = second.item(oyster)
    assert seen_by_b.state == "new"
    first.start(oyster)
    # B, working from its old row, dismisses: the stored state is no longer "new", so nothing changes.
    with pytest.raises(ItemMoved, match="claimed by Editor A"):
        second.dismiss(oyster, "not our beat", expected=[seen_by_b.state])
    assert first.item(oyster).state == "claimed"
    # A releases; B dismisses it for real; A's stale claim is refused and says why.
    first.release(oyster)
    second.dismiss(oyster, "not our beat", expected=["new"])
    with pytest.raises(ItemMoved, match=r"dismissed \(not our beat\)"):
        first.claim(oyster)
    with pytest.raises(ItemMoved):
        first.start(oyster)
    stored = second.item(oyster)
    assert (stored.state, stored.claimed_by, stored.dismissed_reason) == ("dismissed", "", "not our beat")
    with pytest.raises(ReasonRequired):
        first.dismiss(oyster, " ")
    first.queue.close()
    second.queue.close()


def _damage_interior_pages(path: Path) -> None:
    """Overwrite pages in the middle of the file (the header and schema page stay whole)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    assert pages > 6
    with open(path, "r+b") as handle:
        for number in range(2, pages - 1):
            handle.seek(number * page)
            handle.write(b"\xa5" * page)


def test_a_queue_with_damaged_interior_pages_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    demo_queue()
    _damage_interior_pages(data_dir() / "desk.db")
    result = briefdesk("queue")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "not a usable queue database" in result.stderr and "move it aside" in result.stderr
    claimed = briefdesk("claim", "anything")
    assert claimed.returncode == 2 and "Traceback" not in claimed.stderr and "not a usable queue database" in claimed.stderr
    with pytest.raises(QueueError, match="not a usable queue database"):
        with QueueStore(data_dir() / "desk.db") as store:
            store.items()


def _read_only(paths: list[Path], on: bool) -> None:
    # Root writes through file modes, but not through the immutable flag.
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: a read-only file cannot be made")
        result = subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"this filesystem has no immutable flag: {result.stderr.strip()}")
        return
    for path in paths:
        path.chmod((0o555 if path.is_dir() else 0o444) if on else (0o755 if path.is_dir() else 0o644))


def test_a_read_only_queue_is_not_called_damaged(tmp_path: Path) -> None:
    demo_queue()
    folder = data_dir()
    paths = [*sorted(folder.glob("desk.db*")), folder]
    _read_only(paths, True)
    try:
        result = briefdesk("queue")
        claimed = briefdesk("claim", "anything")
    finally:
        _read_only(paths, False)
    for run in (result, claimed):
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert "move it aside" not in run.stderr and "not a usable queue database" not in run.stderr, run.stderr
        assert "read-only" in run.stderr or "cannot be opened" in run.stderr, run.stderr


def test_the_app_command_names_a_broken_queue_file_instead_of_starting(tmp_path: Path) -> None:
    from stories.repo import ContentRepo

    repo = ContentRepo.init(tmp_path / "content")
    data_dir().mkdir(parents=True, exist_ok=True)
    (data_dir() / "desk.db").write_bytes(b"SQLite format 3\x00" + b"\xa5" * 8000)
    result = briefdesk("--repo", str(repo.root))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "not a usable queue database" in result.stderr and "move it aside" in result.stderr
