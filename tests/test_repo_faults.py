"""Faults: each one a clear message, and the repo exactly as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from repo_helpers import SOURCE_TEXT, assert_fsck_clean, git, make_briefing, porcelain
from stories.repo import ContentRepo, RepoError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def desk(tmp_path: Path):
    repo = ContentRepo.init(tmp_path / "desk")
    yield repo
    repo.close()
    assert_fsck_clean(repo.root)


def snapshot(repo: ContentRepo) -> tuple[str, str, str]:
    return (
        git(repo.root, "rev-parse", "HEAD").strip(),
        porcelain(repo.root),
        git(repo.root, "for-each-ref", "--format=%(refname) %(objectname)"),
    )


def test_a_live_index_lock_is_reported_and_left_alone(desk: ContentRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stories.repo.handle.GIT_LOCK_WAIT_SECONDS", 0.2)  # how long publish waits for git to finish
    before = snapshot(desk)
    lock = desk.git_dir / "index.lock"
    lock.write_text("")
    with pytest.raises(RepoError, match=r"another git command is using the content repo.*Wait for it to finish"):
        desk.publish(make_briefing(), SOURCE_TEXT)
    assert lock.exists()
    lock.unlink()
    assert snapshot(desk) == before


def test_a_stale_index_lock_says_it_is_left_over_and_how_to_remove_it(desk: ContentRepo) -> None:
    desk.publish(make_briefing("an-earlier-otter-story", headline="An earlier story about otters on the Millbrook river"), SOURCE_TEXT)
    before = snapshot(desk)
    lock = desk.git_dir / "index.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    with pytest.raises(RepoError) as raised:
        desk.publish(make_briefing(), SOURCE_TEXT)
    assert "60 minutes old" in str(raised.value) and "crashed" in str(raised.value) and f"rm {lock}" in str(raised.value)
    assert lock.exists()  # never removed behind the editor's back
    lock.unlink()
    assert snapshot(desk) == before
    story = make_briefing()
    story.source.url += "?edition=2"
    assert desk.publish(story, SOURCE_TEXT).action == "publish"


def test_detached_head_is_refused(desk: ContentRepo) -> None:
    git(desk.root, "checkout", "-q", "--detach")
    before = snapshot(desk)
    with pytest.raises(RepoError, match=r"HEAD is detached.*git switch main"):
        desk.publish(make_briefing(), SOURCE_TEXT)
    with pytest.raises(RepoError, match="detached"):
        desk.sync()
    assert snapshot(desk) == before


def _conflicting_branch(repo: ContentRepo) -> None:
    git(repo.root, "checkout", "-q", "-b", "other")
    (repo.root / "README.md").write_text("theirs\n")
    git(repo.root, "commit", "-q", "-am", "Theirs")
    git(repo.root, "checkout", "-q", "main")
    (repo.root / "README.md").write_text("ours\n")
    git(repo.root, "commit", "-q", "-am", "Ours")


def test_a_merge_in_progress_is_refused(desk: ContentRepo) -> None:
    _conflicting_branch(desk)
    git(desk.root, "merge", "-q", "other", check=False)
    before = snapshot(desk)
    with pytest.raises(RepoError, match=r"a merge is in progress.*git merge --abort"):
        desk.publish(make_briefing(), SOURCE_TEXT)
    assert snapshot(desk) == before
    git(desk.root, "merge", "--abort")


def test_a_rebase_in_progress_is_refused(desk: ContentRepo) -> None:
    _conflicting_branch(desk)
    git(desk.root, "rebase", "-q", "other", check=False)
    assert (desk.git_dir / "rebase-merge").exists() or (desk.git_dir / "rebase-apply").exists()
    with pytest.raises(RepoError, match=r"a rebase is in progress.*git rebase --abort"):
        desk.publish(make_briefing(), SOURCE_TEXT)
    with pytest.raises(RepoError, match="rebase is in progress"):
        desk.sync()
    git(desk.root, "rebase", "--abort")
    assert git(desk.root, "log", "-1", "--format=%s").strip() == "Ours"


def test_an_empty_repo_is_refused_with_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    git(root, "init", "-q")
    (root / "desk.toml").write_text("")
    repo = ContentRepo.open(root)
    with pytest.raises(RepoError, match=r"no commits yet.*briefdesk init"):
        repo.publish(make_briefing(), SOURCE_TEXT)
    assert porcelain(root) == "?? desk.toml\n" and repo.log() == [] and repo.published() == []
    repo.close()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write to read-only folders")
def test_a_read_only_repo_is_refused(desk: ContentRepo) -> None:
    before = snapshot(desk)
    folders = [p for p in [desk.root, *desk.root.rglob("*")] if p.is_dir()]
    for folder in folders:
        folder.chmod(0o555)
    try:
        with pytest.raises(RepoError, match="read-only"):
            desk.publish(make_briefing(), SOURCE_TEXT)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert snapshot(desk) == before


def test_a_failed_write_undoes_the_commit(desk: ContentRepo) -> None:
    # A file where the stories folder should be: the story cannot be written to the work tree.
    (desk.root / "stories").write_text("not a folder\n")
    before = snapshot(desk)
    with pytest.raises(RepoError, match=r"could not write .*Nothing was published"):
        desk.publish(make_briefing(), SOURCE_TEXT)
    assert snapshot(desk) == before
    assert not list(desk.root.glob("sources/*"))


def test_a_broken_desk_file_is_reported_on_open(desk: ContentRepo) -> None:
    (desk.root / "desk.toml").write_text('[publish]\nmode = "sometimes"\n')
    with pytest.raises(RepoError, match=r"desk.toml: publish.mode"):
        ContentRepo.open(desk.root)
    git(desk.root, "checkout", "--", "desk.toml")


def test_two_processes_publishing_at_once_both_succeed(desk: ContentRepo) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]
        from repo_helpers import SOURCE_TEXT, make_briefing
        from stories.repo import ContentRepo
        story_id = sys.argv[1]
        briefing = make_briefing(story_id, headline="Otters return to the Millbrook, report from the " + story_id.rsplit("-", 1)[1])
        briefing.source.url += "-" + story_id
        print(ContentRepo.open({str(desk.root)!r}).publish(briefing, SOURCE_TEXT).action)
        """
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script, f"otters-report-{n}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in ("north", "south", "east")
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    assert sorted(out.strip() for out, _ in outputs) == ["publish"] * 3
    subjects = git(desk.root, "log", "--format=%s").splitlines()
    assert len(subjects) == 4 and sorted(subjects[:3]) == [f"Publish: Otters return to the Millbrook, report from the {n}" for n in ("east", "north", "south")]
    assert porcelain(desk.root) == ""
    assert sorted(row.id for row in desk.published()) == ["otters-report-east", "otters-report-north", "otters-report-south"]


def test_hand_edits_to_the_story_file_are_never_overwritten(desk: ContentRepo) -> None:
    desk.publish(make_briefing(), SOURCE_TEXT)
    path = desk.root / "stories" / "2026" / "otters-return-to-the-millbrook.toml"
    path.write_text(path.read_text() + "# a note typed by hand\n")
    before = snapshot(desk)
    revised = make_briefing(summary=make_briefing().text("summary").replace("whole river", "river and the town"))
    with pytest.raises(RepoError, match=r"changes that are not committed.*Nothing was published"):
        desk.publish(revised, SOURCE_TEXT)
    assert snapshot(desk) == before and path.read_text().endswith("# a note typed by hand\n")


def test_publishing_again_repairs_a_story_file_lost_from_the_work_tree(desk: ContentRepo) -> None:
    # As if a publish was killed after its commit but before the file reached the disk.
    desk.publish(make_briefing(), SOURCE_TEXT)
    path = desk.root / "stories" / "2026" / "otters-return-to-the-millbrook.toml"
    path.unlink()
    git(desk.root, "rm", "-q", "--cached", str(path.relative_to(desk.root)))
    assert porcelain(desk.root).startswith("D ")
    assert desk.publish(make_briefing(), SOURCE_TEXT).action == "unchanged"
    assert path.exists() and porcelain(desk.root) == ""


def test_publishing_from_inside_a_git_hook_of_another_repo_commits_to_the_content_repo(desk: ContentRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A pre-commit hook elsewhere runs with GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE of its own repo.
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", str(other))
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    repo = ContentRepo.open(desk.root)
    result = repo.publish(make_briefing(), SOURCE_TEXT)
    repo.close()
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name)
    assert git(desk.root, "log", "-1", "--format=%s").strip() == "Publish: Otters return to the Millbrook after ten years of volunteer river repair"
    assert git(desk.root, "rev-parse", "HEAD").strip() == result.commit
    assert porcelain(desk.root) == ""
    assert git(other, "rev-parse", "--verify", "-q", "HEAD", check=False) == ""  # the other repo got nothing
    assert not (other / ".git" / "index").exists()


def test_a_sha256_repository_is_refused_in_words(tmp_path: Path) -> None:
    folder = tmp_path / "sha256-desk"
    git(tmp_path, "init", "-q", "--object-format=sha256", str(folder))
    with pytest.raises(RepoError, match="sha256 object names"):
        ContentRepo.init(folder)
    assert not (folder / "desk.toml").exists()  # refused before anything was written


def test_a_repo_deleted_while_open_says_so(desk: ContentRepo, tmp_path: Path) -> None:
    desk.publish(make_briefing(), SOURCE_TEXT)
    moved = tmp_path / "moved"
    desk.root.rename(moved)
    try:
        with pytest.raises(RepoError, match="not there any more"):
            desk.log()
        with pytest.raises(RepoError, match="not there any more"):
            desk.published()
    finally:
        moved.rename(desk.root)
