"""The labelled evaluation set: every planted fault is found, every clean variant passes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from checks_eval import FAMILIES, PROFILE, clean_story, judge, load_cases
from stories.checks import run_checks
from stories.model import Briefing

CASES = load_cases()
STORIES = sorted({case.story for case in CASES})


def test_the_set_is_big_enough_and_covers_every_family() -> None:
    assert len(CASES) >= 60 and len(STORIES) >= 8
    kinds = Counter((case.family, case.kind) for case in CASES)
    for family in FAMILIES:
        assert kinds[(family, "fault")] >= 3 and kinds[(family, "clean")] >= 3, family
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("name", STORIES)
def test_each_clean_briefing_has_no_errors(name: str) -> None:
    briefing, source = clean_story(name)
    errors = [f for f in run_checks(briefing, source, PROFILE, []) if f.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case) -> None:  # type: ignore[no-untyped-def]
    verdict = judge(case)
    if case.kind == "fault":
        assert verdict.right, f"{case.check} {case.severity} not found on the edit; found: " + "; ".join(
            f"{f.severity} {f.check} {f.section}: {f.message}" for f in verdict.findings if f.severity != "info"
        )
    else:
        assert verdict.right, "a clean variant has errors: " + "; ".join(f"{f.check}: {f.message}" for f in verdict.findings if f.severity == "error")


# -- the published seed briefing --------------------------------------------------

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "briefing-example.txt"


def seed_briefing(text: str) -> Briefing:
    """The house example, read section by section from its published text."""

    def between(start: str, end: str) -> str:
        return text.split(start, 1)[1].split(end, 1)[0].strip()

    briefing, _ = clean_story("lupus")  # the same story's headline and source block
    briefing.sections.update(
        summary=text.split("\n", 1)[0].strip(),
        key_points=[line.strip().lstrip("•").strip() for line in text.splitlines() if line.strip().startswith("•")],
        what_happened=between("What happened\n", "Why it feels good"),
        why_it_feels_good=between("Why it feels good\n", "What to enjoy or watch next"),
        watch_next=between("What to enjoy or watch next\n", "Source assisted"),
    )
    return briefing


def test_the_seed_briefing_checks_with_no_errors_against_a_source_sharing_its_clauses() -> None:
    if not SEED.is_file():
        pytest.skip(f"the seed briefing is not here ({SEED.name} next to the repo)")
    briefing = seed_briefing(SEED.read_text("utf-8"))
    _, source = clean_story("lupus")
    findings = run_checks(briefing, source, PROFILE, [])
    assert [f for f in findings if f.severity == "error"] == []
    # The clause it shares with its source is seen, and graded a warning.
    shared = [f for f in findings if f.check == "traceability.verbatim"]
    assert shared and all(f.severity == "warning" for f in shared)
    text = briefing.text("what_happened")
    assert any("extracting a patient’s T cells and genetically modifying them" in text[f.start : f.end] for f in shared)
