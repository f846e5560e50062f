"""The labelled evaluation set of the checks (tests/data/eval): load the cases and judge each one."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from stories import codec
from stories.checks import Finding, run_checks
from stories.model import Briefing, PublishedStory, Waiver
from stories.profile import Profile, load_profile

EVAL = Path(__file__).parent / "data" / "eval"
PROFILE = load_profile()
# The checks each family is about: a clean case must raise none of them as an error.
FAMILIES = {
    "copying": ("traceability.verbatim", "traceability.copied_section"),
    "numbers": ("traceability.number",),
    "quotes": ("traceability.quote",),
    "tone": ("tone.caps", "tone.exclamation", "tone.hype"),
    "repository": ("repository.duplicate", "repository.related"),
}


@dataclass
class Case:
    """One labelled case: an edit of a clean briefing, and what the checks must say about it."""

    id: str
    story: str
    family: str
    kind: str  # "fault" | "clean"
    section: str
    find: str = ""
    replace: str = ""
    item: int | None = None
    check: str = ""
    severity: str = ""
    published: list[list[str]] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    waive: list[str] = field(default_factory=list)


def load_cases() -> list[Case]:
    """Every case of cases.toml."""
    data = tomllib.loads((EVAL / "cases.toml").read_text("utf-8"))
    return [Case(**entry) for entry in data["case"]]


def clean_story(name: str) -> tuple[Briefing, str]:
    """A clean briefing of the set and its source text."""
    briefing = codec.loads((EVAL / f"{name}.toml").read_text("utf-8"), PROFILE, f"{name}.toml")
    return briefing, (EVAL / f"{name}.txt").read_text("utf-8")


def apply(case: Case, briefing: Briefing) -> tuple[int, int]:
    """Make the case's edit; the span of the new text in its section (or list item)."""
    briefing = briefing
    if case.related:
        briefing.related = list(case.related)
    if case.waive:
        check, section, text, reason = case.waive
        briefing.waivers.append(Waiver(check, section, text, "Eval Editor", reason))
    if not case.find:
        return 0, 0
    if case.item is not None:
        items = briefing.items(case.section)
        assert case.find in items[case.item], f"{case.id}: {case.find!r} is not in item {case.item}"
        at = items[case.item].index(case.find)
        items[case.item] = items[case.item].replace(case.find, case.replace, 1)
        briefing.sections[case.section] = items
    else:
        text = briefing.text(case.section)
        assert case.find in text, f"{case.id}: {case.find!r} is not in {case.section}"
        at = text.index(case.find)
        briefing.sections[case.section] = text.replace(case.find, case.replace, 1)
    return at, at + len(case.replace)


@dataclass
class Verdict:
    """What the checks said about a case, and whether that is right."""

    case: Case
    findings: list[Finding]
    flagged: bool  # a finding of the family's checks at error (or the case's severity) on the edit
    right: bool


def judge(case: Case, profile: Profile = PROFILE) -> Verdict:
    """Run the checks on the case and compare with its label."""
    briefing, source = clean_story(case.story)
    briefing = copy.deepcopy(briefing)
    start, end = apply(case, briefing)
    published = [PublishedStory(story_id, f"Story {story_id}", url, f"stories/2026/{story_id}.toml") for story_id, url in case.published]
    findings = run_checks(briefing, source, profile, published)
    checks = FAMILIES[case.family]
    if case.kind == "fault":
        hits = [
            f
            for f in findings
            if f.check == case.check
            and f.severity == case.severity
            and f.section == case.section
            and (case.item is None or f.item == case.item)
            and (not case.find or f.start < end and f.end > start or f.start == f.end == 0)
        ]
        return Verdict(case, findings, bool(hits), bool(hits))
    errors = [f for f in findings if f.severity == "error"]
    flagged = any(f.check in checks for f in errors)
    return Verdict(case, findings, flagged, not errors)
