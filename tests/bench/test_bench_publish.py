"""Benchmark: publishing one story into a content repo of 50,000 stories.

DESIGN.md holds us to 1.5x the time of a plain ``git add`` + ``git commit`` of
the same file. Both are measured here, interleaved, in the same repository.

    pytest -m bench --benchmark-enable tests/bench/test_bench_publish.py -s
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repo_helpers import SOURCE_TEXT, assert_fsck_clean, make_briefing  # noqa: E402
from stories import codec  # noqa: E402
from stories.model import content_hash  # noqa: E402
from stories.repo import ContentRepo, Editor  # noqa: E402

STORIES = 50_000
ROUNDS = 9
YEARS = range(2019, 2027)


def build_big_repo(root: Path, count: int = STORIES) -> ContentRepo:
    """A content repo with ``count`` published stories, written with one git fast-import."""
    repo = ContentRepo.init(root)
    profile = repo.profile
    template = make_briefing("story-id-placeholder")
    template.status = "published"
    template.source = replace(template.source, snapshot=content_hash(SOURCE_TEXT))
    text = codec.render(template, profile)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    chunks = [f"commit refs/heads/main\ncommitter Archive Import <archive@example.org> 1764000000 +0000\n"]
    message = "Import the story archive\n"
    chunks.append(f"data {len(message.encode())}\n{message}from {head}\n")
    for number in range(count):
        story_id = f"archive-story-{number:05d}"
        year = YEARS[number % len(YEARS)]
        body = (
            text.replace("story-id-placeholder", story_id)
            .replace("otters-return", f"otters-return-{number}")
            .replace("Otters return to the Millbrook", f"Archive story {number:05d}: otters return")
        ).encode()
        chunks.append(f"M 100644 inline stories/{year}/{story_id}.toml\ndata {len(body)}\n")
        chunks.append(body.decode() + "\n")
    snapshot = SOURCE_TEXT.encode()
    chunks.append(f"M 100644 inline sources/{content_hash(SOURCE_TEXT)}.txt\ndata {len(snapshot)}\n{SOURCE_TEXT}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input="".join(chunks).encode(), check=True)
    # A real checkout: 50,000 files on disk and in the index, as an editor's clone would have.
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)
    return ContentRepo.open(root)


@pytest.mark.bench
def test_publish_within_one_and_a_half_times_plain_git_commit(tmp_path: Path) -> None:
    started = time.perf_counter()
    repo = build_big_repo(tmp_path / "desk")
    built = time.perf_counter() - started
    cold = time.perf_counter()
    assert len(repo.published()) == STORIES
    first_index = time.perf_counter() - cold
    warm = time.perf_counter()
    assert len(ContentRepo.open(repo.root).published()) == STORIES
    cached_index = time.perf_counter() - warm
    editor = Editor("Bench Editor", "bench@example.org")
    profile = repo.profile

    ours: list[float] = []
    plain: list[float] = []
    for number in range(ROUNDS):
        story = make_briefing(f"bench-publish-{number}")
        story.source.url = f"https://millbrook-river.example.org/news/bench-{number}"
        began = time.perf_counter()
        result = repo.publish(story, SOURCE_TEXT, editor=editor)
        ours.append(time.perf_counter() - began)
        assert result.action == "publish"

        twin = make_briefing(f"bench-plain-{number}")
        twin.status = "published"
        twin.source.url = f"https://millbrook-river.example.org/news/plain-{number}"
        path = repo.root / "stories" / "2026" / f"{twin.id}.toml"
        began = time.perf_counter()
        path.write_text(codec.render(twin, profile), "utf-8")
        subprocess.run(["git", "add", "--", str(path)], cwd=repo.root, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"Publish: {twin.headline}", "--", str(path)], cwd=repo.root, check=True)
        plain.append(time.perf_counter() - began)

    ratio = statistics.median(ours) / statistics.median(plain)
    print(
        f"\n50,000-story repo built in {built:.1f} s; index: first read {first_index:.2f} s, cached {cached_index:.3f} s"
        f"\npublish median {statistics.median(ours) * 1000:.1f} ms, plain git add+commit median"
        f" {statistics.median(plain) * 1000:.1f} ms, ratio {ratio:.2f}"
    )
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo.root, capture_output=True, text=True).stdout == ""
    assert ratio <= 1.5
    assert_fsck_clean(repo.root)
