"""The published-story index: lookups the repository checks need, kept up to date by what changed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from repo_helpers import SOURCE_TEXT, assert_fsck_clean, git, make_briefing
from stories import codec
from stories.model import content_hash
from stories.repo import ContentRepo, PublishRefused

ARCHIVE = 300


def archive(repo: ContentRepo, count: int = ARCHIVE) -> None:
    """``count`` published stories committed at once with git fast-import (as an imported archive would be)."""
    template = make_briefing("story-id-placeholder")
    template.status = "published"
    template.source.snapshot = content_hash(SOURCE_TEXT)
    text = codec.render(template, repo.profile)
    head = git(repo.root, "rev-parse", "HEAD").strip()
    message = "Import the story archive\n"
    chunks = [f"commit refs/heads/main\ncommitter Archive Import <archive@example.org> 1764000000 +0000\ndata {len(message)}\n{message}from {head}\n"]
    for number in range(count):
        body = text.replace("story-id-placeholder", f"archive-{number:04d}").replace("otters-return", f"otters-return-{number}")
        chunks.append(f"M 100644 inline stories/2025/archive-{number:04d}.toml\ndata {len(body.encode())}\n{body}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.root, input="".join(chunks).encode(), check=True)
    git(repo.root, "reset", "-q", "--hard", "main")


def git_commands(trace: Path) -> list[list[str]]:
    """The git commands a traced run started (git's own trace2 event log)."""
    if not trace.exists():
        return []
    return [event["argv"][1:] for event in map(json.loads, trace.read_text().splitlines()) if event.get("event") == "start"]


@pytest.fixture
def desk(tmp_path: Path):
    repo = ContentRepo.init(tmp_path / "desk")
    yield repo
    repo.close()
    assert_fsck_clean(repo.root)


def test_lookups_by_id_and_by_canonical_source_url(desk: ContentRepo) -> None:
    archive(desk, 20)
    index = desk.story_index()
    assert index.exists("archive-0007") and not index.exists("archive-9999")
    row = index.by_id("archive-0007")
    assert row is not None and row.path == "stories/2025/archive-0007.toml"
    # The same page however its address is written: scheme, www, case, tracking tags, trailing slash.
    url = "http://WWW.millbrook-river.example.org/news/otters-return-7/?utm_source=feed#top"
    assert [r.id for r in index.by_url(url)] == ["archive-0007"]
    assert index.by_url("https://millbrook-river.example.org/news/nothing-like-it") == []
    assert len(index.stories()) == 20


def test_publish_finds_a_duplicate_source_and_related_stories_through_the_index(desk: ContentRepo) -> None:
    archive(desk, 20)
    story = make_briefing("otters-again")
    story.related = ["archive-0003"]
    story.source.url = "https://www.millbrook-river.example.org/news/otters-return-5?utm_medium=rss"
    relevant = desk.relevant(story)
    assert sorted(r.id for r in relevant) == ["archive-0003", "archive-0005"]
    with pytest.raises(PublishRefused) as refused:  # the same source twice is an error, unless waived
        desk.publish(story, SOURCE_TEXT)
    findings = refused.value.findings
    duplicates = [f for f in findings if f.check == "repository.duplicate"]
    assert len(duplicates) == 1 and "archive-0005" in duplicates[0].message
    assert not [f for f in findings if f.check == "repository.related"]


def test_a_publish_reads_only_what_changed_never_every_story(desk: ContentRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive(desk)
    assert len(desk.published()) == ARCHIVE  # the one full build
    # A colleague's commit lands in between (pulled, or made by hand): the index follows it by diff.
    path = desk.root / "stories/2025/archive-0001.toml"
    path.write_text(path.read_text().replace("Otters return", "Otters stay"))
    git(desk.root, "commit", "-q", "-am", "Hand edit")
    trace = tmp_path / "trace.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(trace))
    reopened = ContentRepo.open(desk.root)
    story = make_briefing("a-new-otter-story")
    story.source.url += "/new"
    assert reopened.publish(story, SOURCE_TEXT).action == "publish"
    assert reopened.story_index().by_id("archive-0001").headline.startswith("Otters stay")
    reopened.close()
    commands = git_commands(trace)
    assert commands, "git wrote no trace"
    listed = [c for c in commands if c[:1] == ["ls-tree"] and "-r" in c]
    batch_reads = [c for c in commands if c[:2] == ["cat-file", "--batch"]]
    assert listed == [], listed  # no listing of every story
    assert len(batch_reads) == 1  # the one long-lived reader, not a batch of all blobs
    assert any(c[:1] == ["diff-tree"] for c in commands)


def test_the_index_file_follows_commits_made_by_another_process(desk: ContentRepo) -> None:
    archive(desk, 10)
    assert desk.story_index().exists("archive-0004")  # this repo now holds that tree in memory
    git(desk.root, "rm", "-q", "stories/2025/archive-0004.toml")
    git(desk.root, "commit", "-q", "-m", "Withdraw a story")
    other = ContentRepo.open(desk.root)
    assert not other.story_index().exists("archive-0004")  # the shared file moved to the new tree
    other.close()
    # Asked for the tree it held, the first repo checks the file instead of trusting its memory.
    assert desk.story_index("HEAD~1").exists("archive-0004")
    assert not desk.story_index().exists("archive-0004")
