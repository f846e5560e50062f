"""The labelled evaluation set: every planted fault is found, every clean variant passes."""

from __future__ import annotations

from collections import Counter

import pytest

from checks_eval import FAMILIES, PROFILE, clean_story, judge, load_cases
from stories.checks import run_checks

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
