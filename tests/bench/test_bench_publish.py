"""Benchmark: publishing one story into a content repo of 50,000 stories, as the editor meets it: a process.

DESIGN.md holds us to 1.0x the work of a plain ``git add`` + ``git commit`` of
the same file, after the start-up floor of each side is taken away (a
``briefdesk --help`` process for us, ``git --version`` for each of git's two
processes). Both are run as processes, interleaved, in the same repository.
``briefdesk check`` of one story in that repo is timed too (goal: under 0.3 s).

    pytest -m bench tests/bench/test_bench_publish.py -s
"""

from __future__ import annotations

import os
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
from stories.profile import load_profile  # noqa: E402
from stories.repo import ContentRepo  # noqa: E402

STORIES = 50_000
ROUNDS = 7
CHECK_ROUNDS = 3  # briefdesk check reads every story file today (see the note it prints)
YEARS = range(2019, 2027)
ROOT = Path(__file__).resolve().parents[2]
BRIEFDESK = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"]


def build_big_repo(root: Path, count: int = STORIES) -> Path:
    """A content repo with ``count`` published stories, written with one git fast-import and checked out."""
    repo = ContentRepo.init(root)
    profile = repo.profile
    repo.close()
    template = make_briefing("story-id-placeholder")
    template.status = "published"
    template.source = replace(template.source, snapshot=content_hash(SOURCE_TEXT))
    text = codec.render(template, profile)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    chunks = ["commit refs/heads/main\ncommitter Archive Import <archive@example.org> 1764000000 +0000\n"]
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
    return root


# As an installed desk runs: with Python's bytecode caches (a sandbox may turn writing them off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args: list[str], cwd: Path) -> float:
    """Seconds one process takes, start to exit (it must succeed)."""
    began = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - began
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return elapsed


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


@pytest.mark.bench
@pytest.mark.timeout(1200)  # 50,000 stories to build, and briefdesk check reads them all today
def test_publish_as_a_process_against_git_add_and_commit(tmp_path: Path) -> None:
    began = time.perf_counter()
    desk = build_big_repo(tmp_path / "desk")
    built = time.perf_counter() - began
    began = time.perf_counter()
    with ContentRepo.open(desk) as repo:
        assert len(repo.published()) == STORIES  # the first build of the story index
    first_index = time.perf_counter() - began
    profile = load_profile(desk)
    work = tmp_path / "work"
    work.mkdir()
    source = work / "source.txt"
    source.write_text(SOURCE_TEXT, "utf-8")
    env_cwd = ROOT

    # One round not counted: bytecode caches written, git's and the index's files warm.
    warm = work / "warm-up.toml"
    story = make_briefing("bench-warm-up")
    story.source.url += "/warm-up"
    warm.write_text(codec.render(story, profile), "utf-8")
    timed([*BRIEFDESK, "--repo", str(desk), "publish", str(warm), "--source-text", str(source)], env_cwd)
    timed([*BRIEFDESK, "--help"], env_cwd)

    ours: list[float] = []
    plain: list[float] = []
    our_floor: list[float] = []
    git_floor: list[float] = []
    checks: list[float] = []
    for number in range(ROUNDS):
        story = make_briefing(f"bench-publish-{number}")
        story.source.url = f"https://millbrook-river.example.org/news/bench-{number}"
        story_file = work / f"{story.id}.toml"
        story_file.write_text(codec.render(story, profile), "utf-8")
        ours.append(timed([*BRIEFDESK, "--repo", str(desk), "publish", str(story_file), "--source-text", str(source)], env_cwd))

        twin = make_briefing(f"bench-plain-{number}")
        twin.status = "published"
        twin.source.url = f"https://millbrook-river.example.org/news/plain-{number}"
        path = desk / "stories" / "2026" / f"{twin.id}.toml"
        path.write_text(codec.render(twin, profile), "utf-8")
        began = time.perf_counter()
        subprocess.run(["git", "add", "--", str(path)], cwd=desk, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"Publish: {twin.headline}", "--", str(path)], cwd=desk, check=True)
        plain.append(time.perf_counter() - began)

        our_floor.append(timed([*BRIEFDESK, "--help"], env_cwd))
        git_floor.append(timed(["git", "--version"], env_cwd))
        if number < CHECK_ROUNDS:
            published = desk / "stories" / "2026" / f"{story.id}.toml"
            checks.append(timed([*BRIEFDESK, "--repo", str(desk), "check", str(published)], env_cwd))

    our_work = statistics.median(ours) - statistics.median(our_floor)
    git_work = statistics.median(plain) - 2 * statistics.median(git_floor)
    ratio = our_work / git_work
    print(
        f"\n{STORIES:,}-story repo built in {built:.1f} s; first build of the story index {first_index:.1f} s"
        f"\nbriefdesk publish (process) median {ms(ours)}, start-up floor (briefdesk --help) {ms(our_floor)}"
        f"\ngit add + git commit (2 processes) median {ms(plain)}, start-up floor (git --version) {ms(git_floor)} each"
        f"\nwork: ours {our_work * 1000:.0f} ms, git {git_work * 1000:.0f} ms, work ratio {ratio:.2f} (goal <= 1.0)"
        f"\nbriefdesk check of one story (process) median {ms(checks)} (goal < 300 ms)"
    )
    status = subprocess.run(["git", "status", "--porcelain"], cwd=desk, capture_output=True, text=True).stdout
    assert status == ""
    assert_fsck_clean(desk)
