"""Drafts never lose typing: damaged files are kept aside, failed saves are retried, a second instance is told."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from faults_helpers import ROOT, fill, free, small_disk
from stories.autosave import AutosaveRetry
from stories.drafts import Draft, DraftSaveError, DraftStore, new_briefing
from stories.profile import load_profile

PROFILE = load_profile()


def _draft(key: str = "item-1", headline: str = "Volunteers return shells to the estuary reef") -> Draft:
    briefing = new_briefing(PROFILE)
    briefing.sections["headline"] = headline
    return Draft(key=key, briefing=briefing, source_text="Twelve thousand shells went back.", item_id=key)


def test_a_truncated_draft_is_kept_aside_and_never_overwritten(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, PROFILE)
    store.save(_draft(headline="What the editor wrote before the crash"))
    path = store.path("item-1")
    whole = path.read_bytes()
    cut = whole[: whole.index(b"[draft]")]  # the disk kept only the first part
    path.write_bytes(cut)

    problems = store.problems()
    assert len(problems) == 1 and "ends early" in problems[0] and "kept as item-1.toml.damaged-" in problems[0]
    [aside] = store.damaged()
    assert aside.read_bytes() == cut and not path.exists()

    # A new draft for the same item lands in a fresh file; the damaged text is still there.
    store.save(_draft(headline=""))
    assert aside.read_bytes() == cut
    assert store.load("item-1").briefing.headline == ""


def test_the_first_save_keeps_a_damaged_file_aside_even_unasked(tmp_path: Path) -> None:
    (tmp_path / "item-1.toml").write_text('id = "x"\nheadline = """half a sent', "utf-8")
    store = DraftStore(tmp_path, PROFILE)
    store.save(_draft())
    [aside] = store.damaged()
    assert aside.read_text("utf-8") == 'id = "x"\nheadline = """half a sent'
    assert store.load("item-1").briefing.headline.startswith("Volunteers")
    # A good draft is simply replaced on later saves: nothing else is set aside.
    store.save(_draft(headline="A second version of the headline here"))
    assert len(store.damaged()) == 1


def test_a_full_disk_says_so_keeps_the_old_file_and_the_retry_saves_when_space_returns(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "256k") as disk:
        store = DraftStore(disk / "drafts", PROFILE)
        autosave = AutosaveRetry(store, first=1.0, longest=8.0)
        autosave.save(_draft(headline="The first words, saved while there was room"))
        fill(disk)

        typed = _draft(headline="Words typed while the disk was full")
        typed.briefing.sections["summary"] = "calm " * 4000  # bigger than what is left
        with pytest.raises(DraftSaveError) as caught:
            autosave.save(typed)
        assert str(caught.value).startswith("The disk is full, so the draft could not be saved. Your text is kept")
        assert autosave.unsaved and [d.briefing.headline for d in autosave.pending()] == ["Words typed while the disk was full"]
        # The file on disk is the last good one, whole, and no temp file is left behind.
        assert store.load("item-1").briefing.headline == "The first words, saved while there was room"
        assert sorted(p.name for p in (disk / "drafts").iterdir()) == ["item-1.toml"]

        with pytest.raises(DraftSaveError):
            autosave.retry()
        assert autosave.delay == 2.0  # the app waits longer while the disk stays full

        free(disk)
        written = autosave.retry()
        assert written == [store.path("item-1")]
        assert not autosave.unsaved and autosave.delay == 1.0
        back = store.load("item-1")
        assert back.briefing.headline == "Words typed while the disk was full" and back.briefing.text("summary").startswith("calm calm")


def test_a_second_instance_is_told_who_has_the_draft(tmp_path: Path) -> None:
    first, second = DraftStore(tmp_path, PROFILE), DraftStore(tmp_path, PROFILE)
    lock = first.lock("item-1")
    assert lock is not None and first.lock("item-1") is lock
    assert second.lock("item-1") is None
    holder = second.holder("item-1")
    assert holder is not None and (holder.pid, holder.host) == (os.getpid(), socket.gethostname())
    assert holder.describe().startswith(f"another Briefing Desk (process {os.getpid()} on this computer) since ")
    assert first.holder("item-1") is None  # not "someone else" to its own holder
    lock.release()
    assert not first.lock_path("item-1").exists()
    assert second.lock("item-1") is not None and first.lock("item-1") is None


def _lock_in_child(folder: Path) -> subprocess.Popen[str]:
    code = (
        "import sys\nfrom stories.drafts import DraftStore\n"
        f"lock = DraftStore({str(folder)!r}).lock('item-1')\n"
        "print('held' if lock else 'refused', flush=True)\nsys.stdin.read()\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_lock_of_a_killed_instance_is_taken_over(tmp_path: Path) -> None:
    child = _lock_in_child(tmp_path)
    store = DraftStore(tmp_path, PROFILE)
    try:
        assert store.lock("item-1") is None and store.holder("item-1").pid == child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The process is gone but its lock file stays: it is stale, so this instance takes it.
    assert json.loads(store.lock_path("item-1").read_text())["pid"] == child.pid
    assert store.holder("item-1") is None
    lock = store.lock("item-1")
    assert lock is not None and json.loads(store.lock_path("item-1").read_text())["pid"] == os.getpid()


def test_a_lock_from_another_computer_is_respected_and_a_garbled_one_is_taken(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, PROFILE)
    store.lock_path("item-1").write_text(json.dumps({"pid": 4242, "host": "newsroom-laptop", "since": "2026-12-01 09:00 UTC"}))
    assert store.lock("item-1") is None
    assert store.holder("item-1").describe() == "another Briefing Desk (process 4242 on newsroom-laptop) since 2026-12-01 09:00 UTC"
    store.lock_path("item-2").write_text("\0\0 half a lock")
    assert store.lock("item-2") is not None


def test_a_draft_locked_by_another_instance_is_never_written_over(tmp_path: Path) -> None:
    first, second = DraftStore(tmp_path, PROFILE), DraftStore(tmp_path, PROFILE)
    lock = first.lock("item-1")
    first.save(_draft(headline="The holder's own words, saved as usual"))
    with pytest.raises(DraftSaveError, match=r"This draft is open in another Briefing Desk \(process \d+ on this computer\)"):
        second.save(_draft(headline="A stale second window's words"))
    assert second.load("item-1").briefing.headline == "The holder's own words, saved as usual"
    lock.release()
    second.save(_draft(headline="Saved once the other instance let go"))
    assert first.load("item-1").briefing.headline == "Saved once the other instance let go"
