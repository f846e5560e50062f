"""Benchmark: all checks on a full briefing against a 5,000-word source (limit: < 5 ms median).

Run: python -m pytest tests/bench/test_bench_checks.py -m bench --benchmark-enable
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stories import codec
from stories.checks import counts, run_checks
from stories.checks.traceability import source_index, source_marks
from stories.model import PublishedStory
from stories.profile import load_profile

DATA = Path(__file__).resolve().parents[1] / "data"
PROFILE = load_profile()
BRIEFING = codec.loads((DATA / "skin-patch-story.toml").read_text("utf-8"), PROFILE)
WORDS = (
    "the a of and to in for on with from by at trial patients doctors hospital study team results skin patch cells wound "
    "ulcer bandage nurses clinic care months weeks year early larger research charity funding volunteers healing follow-up "
    "community garden river school library children teachers volunteers planted trees birds returned town council"
).split()


def five_thousand_word_source() -> str:
    """The story's real source, padded deterministically to 5,000 words of plausible prose."""
    rng = random.Random(20261124)
    real = (DATA / "skin-patch-source.txt").read_text("utf-8")
    words = len(real.split())
    paragraphs = [real]
    while words < 5000:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24)))
        number = rng.choice(["", f" in {rng.randint(2, 90)} towns", f" for {rng.randint(2, 12)} months", f" at {rng.randint(10, 99)}%"])
        text = sentence.capitalize() + number + "."
        paragraphs.append(text)
        words += len(text.split())
    return "\n\n".join(paragraphs)


SOURCE = five_thousand_word_source()
PUBLISHED = [
    PublishedStory(id=f"story-{n}", headline=f"Story {n}", source_url=f"https://news.example.org/{n}", path=f"stories/2026/story-{n}.toml")
    for n in range(2_000)
]


def test_the_benchmark_input_is_realistic() -> None:
    assert 5_000 <= len(SOURCE.split()) < 5_100
    assert counts(run_checks(BRIEFING, SOURCE, PROFILE, PUBLISHED))[0] == 0


@pytest.mark.bench
def test_bench_all_checks_keystroke(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Re-checking after a keystroke: the source index is already cached."""
    run_checks(BRIEFING, SOURCE, PROFILE, PUBLISHED)
    findings = benchmark(run_checks, BRIEFING, SOURCE, PROFILE, PUBLISHED)
    assert counts(findings)[0] == 0
    print(f"\nall checks, full briefing vs a 5,000-word source: median {benchmark.stats.stats.median * 1000:.2f} ms (limit 5 ms)")
    assert benchmark.stats.stats.median < 0.005


@pytest.mark.bench
def test_bench_all_checks_new_source(benchmark) -> None:  # type: ignore[no-untyped-def]
    """The first check against a source text: the index is built as well."""

    def cold() -> None:
        source_index.cache_clear()
        run_checks(BRIEFING, SOURCE, PROFILE, PUBLISHED)

    benchmark(cold)


@pytest.mark.bench
def test_bench_source_marks(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Marking the draft's quotes and numbers in the source pane."""
    marks = benchmark(source_marks, BRIEFING, SOURCE, PROFILE)
    assert marks


# -- the evaluation set, per family ---------------------------------------------


@pytest.mark.bench
def test_bench_eval_precision_and_recall_per_family() -> None:
    """Precision and recall of the checks on the labelled set (tests/data/eval), per family."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from checks_eval import FAMILIES, judge, load_cases

    rows = []
    for family in FAMILIES:
        tp = fp = fn = tn = 0
        for case in (c for c in load_cases() if c.family == family):
            verdict = judge(case)
            if case.kind == "fault":
                tp, fn = (tp + 1, fn) if verdict.right else (tp, fn + 1)
            else:
                fp, tn = (fp + 1, tn) if not verdict.right else (fp, tn + 1)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        rows.append((family, tp, fp, fn, tn, precision, recall))
    print("\nfamily       faults found  false alarms  missed  clean passed  precision  recall")
    for family, tp, fp, fn, tn, precision, recall in rows:
        print(f"{family:<12} {tp:>12}  {fp:>12}  {fn:>6}  {tn:>12}  {precision:>9.2f}  {recall:>6.2f}")
    assert all(precision == 1.0 and recall == 1.0 for *_, precision, recall in rows)


# -- `briefdesk check` of one story in a repo of 50,000 stories, as a process -----


def _run(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=_ENV)
    elapsed = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return elapsed


_ROOT = Path(__file__).resolve().parents[2]
_ENV = {**os.environ, "PYTHONPATH": str(_ROOT)}


@pytest.mark.bench
def test_bench_check_one_story_in_a_repo_of_50000(tmp_path: Path) -> None:
    """`briefdesk check` of one story as a process (limit 0.3 s), beside Python's own start-up."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_bench_publish import build_big_repo

    root = build_big_repo(tmp_path / "desk")
    story = "stories/2026/archive-story-00007.toml"
    assert (root / story).is_file()
    check = [sys.executable, "-P", "-m", "tui.cli", "check", story]
    bare = [sys.executable, "-P", "-c", "pass"]
    first = _run(check, root)  # builds the repo's story index cache once
    ours, floor = [], []
    for _ in range(7):
        ours.append(_run(check, root))
        floor.append(_run(bare, root))
    print(
        f"\nbriefdesk check, one story of 50,000: median {statistics.median(ours) * 1000:.0f} ms "
        f"(first run, index cold: {first * 1000:.0f} ms); bare python start-up: median {statistics.median(floor) * 1000:.0f} ms"
    )
    assert statistics.median(ours) < 0.3
