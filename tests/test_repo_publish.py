"""Publishing into a real content repo: commits, revisions, review branches, the editor's own work."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from repo_helpers import SECTIONS, SOURCE_TEXT, assert_fsck_clean, desk_with_remote, git, make_briefing, porcelain
from stories import codec
from stories.index import _full_facts, blob_facts
from stories.model import content_hash
from stories.profile import load_profile
from stories.repo import ContentRepo, Editor, PublishRefused, RepoError

STORY = "otters-return-to-the-millbrook"
STORY_PATH = f"stories/2026/{STORY}.toml"


@pytest.fixture
def desk(tmp_path: Path):
    """A fresh content repo with a bare remote; git fsck must be clean after the test."""
    repo, remote = desk_with_remote(tmp_path)
    yield repo
    repo.close()
    assert_fsck_clean(repo.root)
    assert_fsck_clean(remote)


def head(repo: ContentRepo) -> str:
    return git(repo.root, "rev-parse", "HEAD").strip()


def test_init_makes_a_content_repo_with_one_commit(tmp_path: Path) -> None:
    repo = ContentRepo.init(tmp_path / "new-desk")
    assert git(repo.root, "log", "--format=%s").splitlines() == ["Start the content repo"]
    assert sorted(git(repo.root, "ls-files").split()) == ["README.md", "desk.toml"]
    desk_text = (repo.root / "desk.toml").read_text()
    assert "# [[sources]]" in desk_text and '# mode = "branch"' in desk_text
    assert repo.profile.publish_mode == "current" and repo.profile.sources == ()
    assert porcelain(repo.root) == ""
    with pytest.raises(RepoError, match="already"):
        ContentRepo.init(repo.root)
    assert_fsck_clean(repo.root)


def test_opening_a_folder_that_is_not_a_content_repo_says_how_to_fix_it(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(RepoError, match=r"not a git repository.*briefdesk init"):
        ContentRepo.open(plain)
    git(plain, "init", "-q")
    with pytest.raises(RepoError, match=r"no desk.toml.*briefdesk init"):
        ContentRepo.open(plain)
    with pytest.raises(RepoError, match="does not exist"):
        ContentRepo.open(tmp_path / "missing")
    # init on an existing git repo adds the desk files and keeps the rest as it was.
    (plain / "notes.txt").write_text("mine\n")
    repo = ContentRepo.init(plain)
    assert porcelain(repo.root) == "?? notes.txt\n"
    assert_fsck_clean(repo.root)


def test_publish_commits_the_story_and_its_source_and_nothing_else(desk: ContentRepo) -> None:
    before = head(desk)
    result = desk.publish(make_briefing(), SOURCE_TEXT, editor=Editor("Ada Lane", "ada@example.org"))
    assert result.action == "publish" and result.path == STORY_PATH
    snapshot = f"sources/{content_hash(SOURCE_TEXT)}.txt"
    assert git(desk.root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split() == sorted([snapshot, STORY_PATH])
    assert git(desk.root, "rev-parse", "HEAD~1").strip() == before
    assert git(desk.root, "log", "-1", "--format=%s%n%an <%ae>").splitlines() == [
        "Publish: Otters return to the Millbrook after ten years of volunteer river repair",
        "Ada Lane <ada@example.org>",
    ]
    # The real git CLI reads the trailers.
    trailers = git(desk.root, "log", "-1", "--format=%(trailers)")
    assert f"Story-Id: {STORY}" in trailers
    assert "Source-URL: https://millbrook-river.example.org/news/otters-return" in trailers
    assert re.search(r"^Checks: \d+ passed, 0 warnings$", trailers, re.M)
    assert "Editor: Ada Lane <ada@example.org>" in trailers
    assert git(desk.root, "log", "-1", "--format=%(trailers:key=Story-Id,valueonly)").strip() == STORY
    # The work tree and the index agree with the commit.
    assert porcelain(desk.root) == ""
    stored = codec.loads((desk.root / STORY_PATH).read_text(), desk.profile)
    assert stored.status == "published" and stored.updated is not None
    assert stored.source.snapshot == content_hash(SOURCE_TEXT)
    assert (desk.root / snapshot).read_text() == SOURCE_TEXT
    assert desk.source_text(content_hash(SOURCE_TEXT)) == SOURCE_TEXT
    assert desk.story(STORY).headline == SECTIONS["headline"]


def test_author_falls_back_to_git_config_and_a_missing_identity_writes_nothing(desk: ContentRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desk.publish(make_briefing(), SOURCE_TEXT)
    assert git(desk.root, "log", "-1", "--format=%an <%ae>").strip() == "Test Editor <editor@example.org>"
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    before = head(desk)
    with pytest.raises(RepoError, match=r"who is publishing.*Nothing was written"):
        desk.publish(make_briefing("a-second-otter-story"), SOURCE_TEXT)
    assert head(desk) == before and porcelain(desk.root) == ""


def test_revise_changes_only_the_edited_lines_and_no_change_makes_no_commit(desk: ContentRepo) -> None:
    desk.publish(make_briefing(), SOURCE_TEXT)
    first = head(desk)
    again = desk.publish(make_briefing(), SOURCE_TEXT)
    assert again.action == "unchanged" and again.commit is None and head(desk) == first

    new_summary = SECTIONS["summary"].replace("for the whole river", "for the river and the town")
    result = desk.publish(make_briefing(summary=new_summary), SOURCE_TEXT)
    assert result.action == "revise"
    assert git(desk.root, "log", "-1", "--format=%s").startswith("Revise: Otters return")
    assert git(desk.root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split() == [STORY_PATH]
    diff = git(desk.root, "diff", "-U0", "HEAD~1", "HEAD")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert all(line[1:].startswith(("updated = ", "A family of otters")) for line in changed), changed
    assert any("the river and the town" in line for line in changed)
    assert porcelain(desk.root) == ""

    changes = desk.section_diff(STORY, "HEAD~1", "HEAD")
    assert [(c.key, c.label, c.change) for c in changes] == [("summary", "Summary", "changed")]
    assert ("+", new_summary) in changes[0].lines() and ("-", SECTIONS["summary"]) in changes[0].lines()
    added = desk.section_diff(STORY, None, first)
    assert {c.key for c in added} >= {"headline", "summary", "key_points", "source"} and all(c.change == "added" for c in added)

    history = desk.log(STORY)
    assert [c.subject.split(":")[0] for c in history] == ["Revise", "Publish"]
    assert history[0].story_id == STORY and history[0].author == "Test Editor"
    assert [c.subject for c in desk.log()][-1] == "Start the content repo"


def test_published_index_follows_revisions_and_survives_a_restart(desk: ContentRepo) -> None:
    assert desk.published() == []
    desk.publish(make_briefing(), SOURCE_TEXT)
    desk.publish(make_briefing(headline="Otters settle on the Millbrook after ten years of river repair"), SOURCE_TEXT)
    rows = desk.published()
    assert [(r.id, r.headline, r.path) for r in rows] == [(STORY, "Otters settle on the Millbrook after ten years of river repair", STORY_PATH)]
    assert rows[0].source_url.endswith("/news/otters-return") and rows[0].updated is not None
    reopened = ContentRepo.open(desk.root)
    assert reopened.published() == rows
    assert (desk.common_dir / "briefdesk-index.sqlite").exists()
    # A story file changed by hand (not through publish) is picked up from its new blob.
    path = desk.root / STORY_PATH
    path.write_text(path.read_text().replace("Otters settle", "Otters stay"))
    git(desk.root, "commit", "-q", "-am", "Hand edit")
    assert reopened.published()[0].headline.startswith("Otters stay")
    git(desk.root, "rm", "-q", STORY_PATH)
    git(desk.root, "commit", "-q", "-m", "Withdraw the otter story")
    assert reopened.published() == []
    reopened.close()


def test_index_reads_unusual_files_the_same_as_a_full_parse() -> None:
    story = make_briefing(headline='A "quoted" headline with a \\ and a tab\tinside it, calmly')
    story.status = "published"
    text = codec.render(story, load_profile())
    assert blob_facts(text, "x") == _full_facts(text, "x")
    odd = '# hand-written\nid = "odd-one"\nheadline = \'literal string\'\nstatus = "published"\n[source]\nurl = "https://a.example.org/x"\n'
    assert blob_facts(odd, "x") == _full_facts(odd, "x") == ("odd-one", "literal string", "https://a.example.org/x", "", "published")
    assert blob_facts("not = [toml", "fallback")[0] == "fallback"


def test_checks_refuse_a_story_with_errors_and_nothing_is_written(desk: ContentRepo) -> None:
    before = head(desk)
    bad = make_briefing(summary="Too short.")
    with pytest.raises(PublishRefused) as refused:
        desk.publish(bad, SOURCE_TEXT)
    assert any(f.section == "summary" and f.severity == "error" for f in refused.value.findings)
    assert "summary" in str(refused.value)
    assert head(desk) == before and porcelain(desk.root) == ""
    assert not (desk.root / "stories").exists()


def test_staged_and_unstaged_changes_to_other_files_survive_a_publish(desk: ContentRepo) -> None:
    (desk.root / "notes.md").write_text("Ideas for next week\n")
    git(desk.root, "add", "notes.md")
    git(desk.root, "commit", "-q", "-m", "Notes")
    (desk.root / "notes.md").write_text("Ideas for next week\n- ask the river trust for photos\n")  # unstaged
    (desk.root / "README.md").write_text((desk.root / "README.md").read_text() + "\nStaged by hand.\n")
    git(desk.root, "add", "README.md")  # staged
    (desk.root / "scratch.txt").write_text("untracked\n")
    before = porcelain(desk.root)
    staged, unstaged = git(desk.root, "diff", "--cached"), git(desk.root, "diff")
    assert before == "M  README.md\n M notes.md\n?? scratch.txt\n"

    desk.publish(make_briefing(), SOURCE_TEXT)
    assert porcelain(desk.root) == before
    assert git(desk.root, "diff", "--cached") == staged and git(desk.root, "diff") == unstaged
    assert sorted(git(desk.root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split())[1] == STORY_PATH
    desk.publish(make_briefing(summary=SECTIONS["summary"].replace("whole river", "river and the town")), SOURCE_TEXT)
    assert porcelain(desk.root) == before


def test_branch_mode_puts_each_story_on_its_own_branch_and_leaves_the_checkout_alone(desk: ContentRepo) -> None:
    desk_file = desk.root / "desk.toml"
    desk_file.write_text(desk_file.read_text() + '\n[publish]\nmode = "branch"\n')
    git(desk.root, "commit", "-q", "-am", "Review stories on branches")
    desk.reload_profile()
    (desk.root / "README.md").write_text("edited by hand\n")
    base = head(desk)
    before_status, before_index = porcelain(desk.root), git(desk.root, "ls-files", "-s")

    result = desk.publish(make_briefing(), SOURCE_TEXT)
    assert result.branch == f"story/{STORY}" and result.action == "publish"
    assert git(desk.root, "symbolic-ref", "HEAD").strip() == "refs/heads/main" and head(desk) == base
    assert porcelain(desk.root) == before_status and git(desk.root, "ls-files", "-s") == before_index
    assert not (desk.root / STORY_PATH).exists()
    assert git(desk.root, "rev-parse", f"story/{STORY}~1").strip() == base
    assert git(desk.root, "log", "-1", "--format=%(trailers:key=Story-Id,valueonly)", f"story/{STORY}").strip() == STORY

    revised = desk.publish(make_briefing(summary=SECTIONS["summary"].replace("whole river", "river and the town")), SOURCE_TEXT)
    assert revised.action == "revise"
    assert git(desk.root, "rev-parse", f"story/{STORY}~2").strip() == base
    assert git(desk.root, "diff-tree", "--no-commit-id", "--name-only", "-r", f"story/{STORY}").split() == [STORY_PATH]
    assert desk.publish(make_briefing(summary=SECTIONS["summary"].replace("whole river", "river and the town")), SOURCE_TEXT).action == "unchanged"
    assert head(desk) == base and porcelain(desk.root) == before_status
    assert [c.subject.split(":")[0] for c in desk.log(STORY)] == ["Revise", "Publish"]

    # Once the story branch is merged, the next revision starts from the base branch again.
    git(desk.root, "checkout", "-q", "--", "README.md")
    git(desk.root, "merge", "-q", "--no-ff", "-m", "Merge the otter story", f"story/{STORY}")
    merged = head(desk)
    desk.publish(make_briefing(summary=SECTIONS["summary"].replace("whole river", "river, the town and its otters")), SOURCE_TEXT)
    assert git(desk.root, "rev-parse", f"story/{STORY}~1").strip() == merged and head(desk) == merged


def _git_tree_of(folder: Path, files: dict[str, str]) -> str:
    """git's own tree for these files (path -> blob id): a fresh index and write-tree."""
    index = folder / "check.index"
    index.unlink(missing_ok=True)
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    info = "".join(f"100644 {sha}\t{path}\n" for path, sha in files.items())
    subprocess.run(["git", "update-index", "--add", "--index-info"], cwd=folder, input=info, text=True, env=env, check=True)
    return subprocess.run(["git", "write-tree"], cwd=folder, capture_output=True, text=True, env=env, check=True).stdout.strip()


def test_trees_put_together_are_ordered_exactly_as_git_orders_them(tmp_path: Path) -> None:
    import random

    from stories.repo.handle import GitHandle
    from stories.repo.trees import put_files

    git(tmp_path, "init", "-q")
    handle = GitHandle(tmp_path, tmp_path / ".git", tmp_path / ".git")
    blob = git(tmp_path, "hash-object", "-w", "--stdin", input="x").strip()
    names = ["a", "a.b", "a-b", "a0", "b", "ab", "a.toml", "z", "a_", "A", "2026", "2026.toml"]
    chooser = random.Random(2026)
    try:
        for _ in range(25):
            files: dict[str, str] = {}
            for name in chooser.sample(names, chooser.randint(1, len(names))):
                files[f"{name}/f" if chooser.random() < 0.3 else name] = blob
            ours = put_files(handle, None, files)
            assert ours == _git_tree_of(tmp_path, files), files
            # One more file put into that tree keeps every other entry, in git's order.
            again = put_files(handle, ours, {"stories/2026/new.toml": blob})
            assert again == _git_tree_of(tmp_path, {**files, "stories/2026/new.toml": blob}), files
    finally:
        handle.close()
    assert_fsck_clean(tmp_path)


def test_a_damaged_story_index_is_built_again_from_the_repo(desk: ContentRepo) -> None:
    desk.publish(make_briefing(), SOURCE_TEXT)
    index_file = desk.common_dir / "briefdesk-index.sqlite"
    assert index_file.is_file()
    reopened = ContentRepo.open(desk.root)
    assert [r.id for r in reopened.published()] == [STORY]
    reopened.close()
    desk.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{index_file}{suffix}").unlink(missing_ok=True)
    index_file.write_bytes(b"not a database at all" * 100)  # a torn or foreign file
    reopened = ContentRepo.open(desk.root)
    assert [r.id for r in reopened.published()] == [STORY]
    assert reopened.story_index().exists(STORY)
    reopened.close()
