"""Sync between clones through a bare remote: push, pull, offline, and a real conflict."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_helpers import SECTIONS, SOURCE_TEXT, assert_fsck_clean, desk_with_remote, git, make_briefing, porcelain
from stories import codec
from stories.repo import ContentRepo, RepoError

STORY = "otters-return-to-the-millbrook"
STORY_PATH = f"stories/2026/{STORY}.toml"


@pytest.fixture
def clones(tmp_path: Path):
    """Two editors' clones of one content repo, and the bare remote between them."""
    first, remote = desk_with_remote(tmp_path, "ada")
    git(tmp_path, "clone", "-q", str(remote), str(tmp_path / "ben"))
    second = ContentRepo.open(tmp_path / "ben")
    yield first, second, remote
    for repo in (first, second):
        repo.close()
        assert_fsck_clean(repo.root)
    assert_fsck_clean(remote)


def remote_log(remote: Path) -> list[str]:
    return git(remote, "log", "--format=%s", "main").splitlines()


def test_sync_pushes_and_the_other_clone_pulls(clones) -> None:
    ada, ben, remote = clones
    ada.publish(make_briefing(), SOURCE_TEXT)
    assert ada.status().waiting == 1 and ada.status().ahead == 1
    result = ada.sync()
    assert result.ok and result.state == "synced" and "pushed 1 story" in result.message
    assert remote_log(remote)[0].startswith("Publish: Otters return")
    assert ada.status().ahead == 0 and ada.status().waiting == 0

    pulled = ben.sync()
    assert pulled.ok and "up to date" in pulled.message
    assert (ben.root / STORY_PATH).exists() and porcelain(ben.root) == ""
    assert [row.id for row in ben.published()] == [STORY]


def test_stories_from_both_clones_are_replayed_not_lost(clones) -> None:
    ada, ben, remote = clones
    ada.publish(make_briefing(), SOURCE_TEXT)
    ben.publish(make_briefing("volunteers-bring-otters-home-to-the-millbrook", headline="Volunteers bring otters home to the Millbrook river"), SOURCE_TEXT)
    (ben.root / "desk-notes.txt").write_text("not mine to commit\n")
    (ben.root / "README.md").write_text("hand edit, staged\n")
    git(ben.root, "add", "README.md")
    before = porcelain(ben.root)
    assert ada.sync().ok
    result = ben.sync()
    assert result.ok and "pulled 1 commit" in result.message and "pushed 1 story" in result.message, result.message
    subjects = remote_log(remote)
    assert subjects[:2] == ["Publish: Volunteers bring otters home to the Millbrook river", "Publish: Otters return to the Millbrook after ten years of volunteer river repair"]
    # The replayed commit keeps its author and trailers; the editor's own changes are untouched.
    assert git(remote, "log", "-1", "--format=%an|%(trailers:key=Story-Id,valueonly)", "main").strip() == "Test Editor|volunteers-bring-otters-home-to-the-millbrook"
    assert porcelain(ben.root) == before
    assert (ben.root / STORY_PATH).exists()


def test_two_clones_revising_one_story_keep_both_versions(clones) -> None:
    ada, ben, remote = clones
    ada.publish(make_briefing(), SOURCE_TEXT)
    ada.sync()
    ben.sync()
    ada_text = SECTIONS["summary"].replace("for the whole river", "for the river, says Ada")
    ben_text = SECTIONS["summary"].replace("for the whole river", "for the river, says Ben")
    ada.publish(make_briefing(summary=ada_text), SOURCE_TEXT)
    assert ada.sync().ok
    ben.publish(make_briefing(summary=ben_text), SOURCE_TEXT)
    ben_commit = git(ben.root, "rev-parse", "HEAD").strip()

    result = ben.sync()
    assert not result.ok and result.state == "conflict"
    assert result.conflict_branch and result.conflict_branch.startswith(f"conflict/{STORY}-")
    assert result.conflict_branch in result.message and "Otters return to the Millbrook" in result.message
    # Nothing lost: Ben's revision is on the conflict branch (here and on the remote), Ada's is main.
    assert git(ben.root, "rev-parse", result.conflict_branch).strip() == ben_commit
    assert git(remote, "rev-parse", result.conflict_branch).strip() == ben_commit
    assert ben_text in git(ben.root, "show", f"{result.conflict_branch}:{STORY_PATH}")
    assert ada_text in git(remote, "show", f"main:{STORY_PATH}")
    # Ben's checkout matches the remote and is clean, so he can carry on.
    assert git(ben.root, "rev-parse", "HEAD").strip() == git(remote, "rev-parse", "main").strip()
    assert porcelain(ben.root) == "" and ada_text in (ben.root / STORY_PATH).read_text()
    assert codec.loads((ben.root / STORY_PATH).read_text(), ben.profile).text("summary") == ada_text
    assert not (ben.git_dir / "rebase-merge").exists()


def test_offline_or_without_a_remote_sync_is_a_status_line(tmp_path: Path) -> None:
    repo = ContentRepo.init(tmp_path / "desk")
    repo.publish(make_briefing(), SOURCE_TEXT)
    lonely = repo.sync()
    assert lonely.ok and lonely.state == "no-remote" and "1 story waiting to be pushed" in lonely.message
    # A network remote that does not answer (nothing listens on port 9): offline, nothing lost.
    git(repo.root, "remote", "add", "origin", "http://127.0.0.1:9/desk.git")
    offline = repo.sync()
    assert offline.ok and offline.state == "offline"
    assert offline.message.startswith("offline — 1 story waiting to be pushed")
    assert "\n" not in offline.message
    status = repo.status()
    assert status.has_remote and status.waiting == 1
    # A remote folder that is not there is a setting to fix, not "offline".
    git(repo.root, "remote", "set-url", "origin", str(tmp_path / "moved-away.git"))
    broken = repo.sync()
    assert not broken.ok and broken.state == "bad-remote"
    assert "moved-away.git, which is not a git repository" in broken.message and "git remote set-url origin" in broken.message
    assert "1 story waiting to be pushed" in broken.message
    repo.close()
    assert_fsck_clean(repo.root)


def test_a_rejected_push_is_retried_after_replaying(clones, tmp_path: Path) -> None:
    ada, ben, remote = clones
    # Someone pushes while Ben is syncing: a hook on the remote lets one other commit land first.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    (other / "desk-notes.md").write_text("a colleague's note\n")
    git(other, "add", "desk-notes.md")
    git(other, "commit", "-q", "-m", "Notes from a colleague")
    sneaky = git(other, "rev-parse", "HEAD").strip()
    git(other, "push", "-q", "origin", f"HEAD:refs/heads/sneaky")
    hook = remote / "hooks" / "pre-receive"
    marker = tmp_path / "hook-ran"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -e '{marker}' ]; then touch '{marker}'; env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main {sneaky}; "
        "echo 'someone pushed first' >&2; exit 1; fi\nexit 0\n"
    )
    hook.chmod(0o755)
    ben.publish(make_briefing(), SOURCE_TEXT)
    result = ben.sync()
    assert result.ok and "pushed 1 story" in result.message, result.message
    assert remote_log(remote)[:2] == ["Publish: Otters return to the Millbrook after ten years of volunteer river repair", "Notes from a colleague"]
    assert (ben.root / "desk-notes.md").exists() and porcelain(ben.root) == ""


def test_review_mode_sync_pushes_story_branches_for_pull_requests(clones) -> None:
    ada, _, remote = clones
    desk_file = ada.root / "desk.toml"
    desk_file.write_text(desk_file.read_text() + '\n[publish]\nmode = "branch"\n')
    git(ada.root, "commit", "-q", "-am", "Review stories on branches")
    ada.reload_profile()
    ada.publish(make_briefing(), SOURCE_TEXT)
    result = ada.sync()
    assert result.ok and result.message.endswith("pushed 1 story branch for review"), result.message
    assert git(remote, "rev-parse", f"story/{STORY}").strip() == git(ada.root, "rev-parse", f"story/{STORY}").strip()
    assert git(remote, "rev-parse", f"story/{STORY}~1").strip() == git(remote, "rev-parse", "main").strip()
    assert "story branch" not in ada.sync().message  # nothing left to push


def test_sync_never_overwrites_an_uncommitted_change_to_an_incoming_file(clones) -> None:
    ada, ben, _ = clones
    ada.publish(make_briefing(), SOURCE_TEXT)
    ada.sync()
    ben.sync()
    ada.publish(make_briefing(summary=SECTIONS["summary"].replace("whole river", "river and the town")), SOURCE_TEXT)
    ada.sync()
    story = ben.root / STORY_PATH
    story.write_text(story.read_text() + "# Ben's note, not committed\n")
    before = git(ben.root, "rev-parse", "HEAD")
    with pytest.raises(RepoError, match=rf"sync stopped.*{STORY_PATH}.*Nothing was changed"):
        ben.sync()
    assert git(ben.root, "rev-parse", "HEAD") == before
    assert story.read_text().endswith("# Ben's note, not committed\n")


def test_a_remote_that_keeps_refusing_is_reported_not_retried_forever(clones) -> None:
    ada, _, remote = clones
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the desk is frozen for the holidays' >&2\nexit 1\n")
    hook.chmod(0o755)
    ada.publish(make_briefing(), SOURCE_TEXT)
    result = ada.sync()
    assert not result.ok and result.state == "rejected"
    assert "did not take the push" in result.message and "pre-receive hook declined" in result.message
    assert result.message.endswith("nothing was lost — 1 story waiting to be pushed")
    assert ada.status().waiting == 1


def test_several_local_commits_are_replayed_one_by_one_onto_the_remote(clones) -> None:
    ada, ben, remote = clones
    # Ada publishes a story and changes the top of the README; both reach the remote.
    ada.publish(make_briefing(), SOURCE_TEXT)
    readme = (ada.root / "README.md").read_text()
    (ada.root / "README.md").write_text("# The Millbrook desk\n" + readme.split("\n", 1)[1])
    git(ada.root, "commit", "-q", "-am", "Name the desk")
    assert ada.sync().ok
    # Meanwhile Ben publishes a story, revises it, and adds a line at the end of the README.
    other = "volunteers-bring-otters-home-to-the-millbrook"
    ben.publish(make_briefing(other, headline="Volunteers bring otters home to the Millbrook river"), SOURCE_TEXT)
    revised = SECTIONS["summary"].replace("whole river", "river and the town")
    ben.publish(make_briefing(other, headline="Volunteers bring otters home to the Millbrook river", summary=revised), SOURCE_TEXT)
    with (ben.root / "README.md").open("a") as handle:
        handle.write("\nAsk Ben about the river stories.\n")
    git(ben.root, "commit", "-q", "-am", "Say who to ask")

    result = ben.sync()
    assert result.ok and "pulled 2 commits" in result.message and "pushed 1 story" in result.message, result.message
    assert remote_log(remote)[:5] == [
        "Say who to ask",
        "Revise: Volunteers bring otters home to the Millbrook river",
        "Publish: Volunteers bring otters home to the Millbrook river",
        "Name the desk",
        "Publish: Otters return to the Millbrook after ten years of volunteer river repair",
    ]
    merged = git(ben.root, "show", "HEAD:README.md")
    assert merged.startswith("# The Millbrook desk\n") and merged.endswith("Ask Ben about the river stories.\n")
    assert "river and the town" in git(ben.root, "show", f"HEAD:stories/2026/{other}.toml")
    # Authors and trailers survive the replay.
    assert git(ben.root, "log", "-1", "--format=%(trailers:key=Story-Id,valueonly)", "HEAD~1").strip() == other
    assert porcelain(ben.root) == "" and git(ben.root, "rev-parse", "HEAD").strip() == git(remote, "rev-parse", "main").strip()
    assert sorted(row.id for row in ben.published()) == sorted([STORY, other])
