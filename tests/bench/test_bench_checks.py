"""Benchmark: all checks on a full briefing against a 5,000-word source (limit: < 5 ms median).

Run: python -m pytest tests/bench/test_bench_checks.py -m bench --benchmark-enable
"""

from __future__ import annotations

import random
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
