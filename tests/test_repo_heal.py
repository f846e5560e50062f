"""A publish cut short by a kill or a full disk: detected and finished, never left to the editor's next commit.

The faults are real: a ``git`` wrapper on PATH kills its caller (``kill -9
$PPID``) at one git step, or fills a real tmpfs right before git runs that
step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from repo_helpers import SECTIONS, SOURCE_TEXT, assert_fsck_clean, git, make_briefing, porcelain
from stories import codec
from stories.model import content_hash
from stories.profile import load_profile
from stories.repo import ContentRepo, RepoError

STORY = "otters-return-to-the-millbrook"
STORY_PATH = f"stories/2026/{STORY}.toml"
REAL_GIT = shutil.which("git")

WRAPPER = """#!/bin/sh
# A git that misbehaves at one step: BRIEFDESK_FAULT_AT names the git command.
if [ "$1" = "$BRIEFDESK_FAULT_AT" ]; then
  case "$BRIEFDESK_FAULT" in
    kill) kill -9 $PPID; exit 137 ;;
    fill) [ -e "$BRIEFDESK_FILL" ] || dd if=/dev/zero of="$BRIEFDESK_FILL" bs=4096 2>/dev/null ;;
  esac
fi
exec {git} "$@"
"""


def faulty_git(tmp_path: Path) -> Path:
    """A folder with the misbehaving ``git``, to put first on PATH."""
    folder = tmp_path / "faulty-bin"
    folder.mkdir()
    script = folder / "git"
    script.write_text(WRAPPER.format(git=REAL_GIT))
    script.chmod(0o755)
    return folder


def publish_as_a_process(repo: Path, story: Path, source: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``briefdesk --repo R publish STORY --source-text FILE``, as an editor runs it."""
    code = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
    args = [sys.executable, "-c", code, "--repo", str(repo), "publish", str(story), "--source-text", str(source)]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])


def story_file(tmp_path: Path, **sections: str) -> Path:
    path = tmp_path / "otters.toml"
    path.write_text(codec.render(make_briefing(**sections), load_profile()), "utf-8")
    return path


def source_file(tmp_path: Path) -> Path:
    path = tmp_path / "otters-source.txt"
    path.write_text(SOURCE_TEXT, "utf-8")
    return path


def killed_at(step: str, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{faulty_git(tmp_path)}{os.pathsep}{env['PATH']}"
    env.update(BRIEFDESK_FAULT_AT=step, BRIEFDESK_FAULT="kill")
    return env


def test_a_new_story_killed_at_update_index_is_healed_on_the_next_open(tmp_path: Path) -> None:
    desk = ContentRepo.init(tmp_path / "desk")
    desk.close()
    done = publish_as_a_process(desk.root, story_file(tmp_path), source_file(tmp_path), killed_at("update-index", tmp_path))
    assert done.returncode == -9, done.stdout + done.stderr
    # The fault as issue 14 found it: the branch moved, the index did not.
    assert git(desk.root, "ls-tree", "--name-only", "HEAD", STORY_PATH).strip() == STORY_PATH
    assert f"D  {STORY_PATH}" in porcelain(desk.root)

    reopened = ContentRepo.open(desk.root)
    assert porcelain(reopened.root) == ""
    # The editor's next ordinary commit keeps the story.
    (desk.root / "README.md").write_text("Our desk.\n")
    git(desk.root, "commit", "-q", "-am", "Say what the desk is")
    assert git(desk.root, "ls-tree", "--name-only", "HEAD", STORY_PATH).strip() == STORY_PATH
    assert git(desk.root, "show", "--name-only", "--format=", "HEAD").split() == ["README.md"]
    assert [r.id for r in reopened.published()] == [STORY]
    reopened.close()
    assert_fsck_clean(desk.root)


def test_a_revision_killed_at_update_index_is_healed_by_the_open_app_and_not_reverted(tmp_path: Path) -> None:
    desk = ContentRepo.init(tmp_path / "desk")
    desk.publish(make_briefing(), SOURCE_TEXT)
    revised = SECTIONS["summary"].replace("whole river", "river and the town")
    story = story_file(tmp_path, summary=revised)
    done = publish_as_a_process(desk.root, story, source_file(tmp_path), killed_at("update-index", tmp_path))
    assert done.returncode == -9, done.stdout + done.stderr
    assert porcelain(desk.root) == f"MM {STORY_PATH}\n"  # the stale state of issue 14: the next commit would revert it

    # The app that stayed open heals it the next time it asks where the desk stands.
    desk.status()
    assert porcelain(desk.root) == ""
    # Publishing the same text again says it is already there, and stays clean.
    assert desk.publish(codec.read_story(story, desk.profile), SOURCE_TEXT).action == "unchanged"
    assert porcelain(desk.root) == ""
    (desk.root / "README.md").write_text("Our desk.\n")
    git(desk.root, "commit", "-q", "-am", "Say what the desk is")
    assert "river and the town" in git(desk.root, "show", f"HEAD:{STORY_PATH}")
    desk.close()
    assert_fsck_clean(desk.root)


def test_a_publish_killed_before_the_branch_moved_leaves_nothing_to_heal(tmp_path: Path) -> None:
    desk = ContentRepo.init(tmp_path / "desk")
    before = git(desk.root, "rev-parse", "HEAD")
    done = publish_as_a_process(desk.root, story_file(tmp_path), source_file(tmp_path), killed_at("update-ref", tmp_path))
    assert done.returncode == -9, done.stdout + done.stderr
    reopened = ContentRepo.open(desk.root)
    assert git(desk.root, "rev-parse", "HEAD") == before and porcelain(desk.root) == ""
    assert not (desk.git_dir / "briefdesk-publish.json").exists()
    assert reopened.publish(make_briefing(), SOURCE_TEXT).action == "publish"
    assert porcelain(desk.root) == ""
    reopened.close()
    desk.close()
    assert_fsck_clean(desk.root)


# -- a full disk -------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 16 MB tmpfs (root only; skipped where it cannot be mounted)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill up ({done.stderr.strip() or 'not root'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def filled_at(step: str, tmp_path: Path, disk: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fill ``disk`` right before git runs ``step``; returns the filler to delete."""
    filler = disk / "filler"
    monkeypatch.setenv("PATH", f"{faulty_git(tmp_path)}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("BRIEFDESK_FAULT_AT", step)
    monkeypatch.setenv("BRIEFDESK_FAULT", "fill")
    monkeypatch.setenv("BRIEFDESK_FILL", str(filler))
    return filler


def test_a_full_disk_at_the_branch_lock_says_the_disk_is_full_not_that_someone_committed(
    tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = ContentRepo.init(small_disk / "desk")
    before = git(desk.root, "rev-parse", "HEAD"), porcelain(desk.root)
    filler = filled_at("update-ref", tmp_path, small_disk, monkeypatch)
    with pytest.raises(RepoError) as raised:
        desk.publish(make_briefing(), SOURCE_TEXT)
    words = str(raised.value)
    assert "the disk is full" in words and "Nothing was published" in words
    assert "someone else" not in words
    filler.unlink()
    monkeypatch.delenv("BRIEFDESK_FAULT_AT")
    assert (git(desk.root, "rev-parse", "HEAD"), porcelain(desk.root)) == before
    assert desk.publish(make_briefing(), SOURCE_TEXT).action == "publish"
    assert porcelain(desk.root) == ""
    desk.close()
    assert_fsck_clean(desk.root)


def test_a_full_disk_when_writing_the_story_is_a_message_and_writes_nothing(
    tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = ContentRepo.init(small_disk / "desk")
    before = git(desk.root, "rev-parse", "HEAD"), porcelain(desk.root)
    filler = filled_at("hash-object", tmp_path, small_disk, monkeypatch)
    with pytest.raises(RepoError, match=r"the disk is full, so writing the story failed.*Nothing was published"):
        desk.publish(make_briefing(), SOURCE_TEXT)
    filler.unlink()
    assert (git(desk.root, "rev-parse", "HEAD"), porcelain(desk.root)) == before
    desk.close()
    assert_fsck_clean(desk.root)


def test_a_disk_full_at_update_index_is_healed_once_there_is_space_again(
    tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = ContentRepo.init(small_disk / "desk")
    filler = filled_at("update-index", tmp_path, small_disk, monkeypatch)
    result = desk.publish(make_briefing(), SOURCE_TEXT)
    assert result.action == "publish" and any("next time it opens the repo" in note for note in result.notes)
    # git's index could not take it yet (asked without writing, as git status would need space).
    assert git(desk.root, "diff-index", "--cached", "--name-only", "HEAD").split() == [f"sources/{content_hash(SOURCE_TEXT)}.txt", STORY_PATH]
    desk.close()
    filler.unlink()
    monkeypatch.delenv("BRIEFDESK_FAULT_AT")
    reopened = ContentRepo.open(desk.root)
    assert porcelain(desk.root) == ""
    (desk.root / "README.md").write_text("Our desk.\n")
    git(desk.root, "commit", "-q", "-am", "Say what the desk is")
    assert git(desk.root, "ls-tree", "--name-only", "HEAD", STORY_PATH).strip() == STORY_PATH
    reopened.close()
    assert_fsck_clean(desk.root)
