"""The check engine: pure functions of (briefing, source text, profile, published stories).

The same engine serves the live checks panel of the app and ``briefdesk check``
on the command line. Every family lives in its own module and returns
``Finding`` values; ``run_checks`` runs them all in a fixed order, then
applies the desk's ``[checks.severity]`` and the story's waivers (``finish``).

- ``waive(briefing, finding, by, reason)`` records a waiver on the briefing;
  a waived finding comes back with ``waiver`` set and severity ``info``, so
  publishing and ``briefdesk check`` let it pass while its text is unchanged.
- ``trailer_counts(findings).text()`` is the ``Checks:`` trailer of a publish
  commit: ``25 passed, 0 warnings, 1 waived``.
- ``stories.checks.story_file.check_story`` checks a story file where it
  lives (snapshot, id, published stories); ``traceability.copy_meters`` gives
  each section's copy meter and ``traceability.source_marks`` the spans to
  highlight in the source ("quote", "number", "copy").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from stories.checks.finding import SEVERITIES, Finding, finding_text
from stories.model import Briefing, PublishedStory, SourceRef, Waiver
from stories.profile import Profile

__all__ = [
    "Finding", "SEVERITIES", "CHECK_IDS", "CheckCounts", "run_checks", "counts", "trailer_counts",
    "apply_waivers", "waive", "waiver_for", "finding_text", "finish",
]  # fmt: skip

# Every check id ``run_checks`` can report (``briefdesk check`` adds structure.id
# and traceability.snapshot, which need the story file and the content repo).
CHECK_IDS: tuple[str, ...] = (
    "structure.required",
    "structure.length",
    "structure.items",
    "structure.headline",
    "structure.paragraphs",
    "structure.next_step",
    "structure.topics",
    "structure.control",
    "tone.hype",
    "tone.superlative",
    "tone.substitution",
    "tone.exclamation",
    "tone.caps",
    "attribution.missing",
    "attribution.url",
    "attribution.name",
    "attribution.feed",
    "attribution.title",
    "attribution.published",
    "attribution.mismatch",
    "traceability.no_source",
    "traceability.short_source",
    "traceability.quote",
    "traceability.number",
    "traceability.verbatim",
    "traceability.copied_section",
    "repository.duplicate",
    "repository.related",
)


def run_checks(
    briefing: Briefing,
    source_text: str | None,
    profile: Profile,
    published: Sequence[PublishedStory] | None = None,
    *,
    queue_source: SourceRef | None = None,
) -> list[Finding]:
    """Every finding for this briefing: structure, tone, attribution, traceability, repository.

    ``source_text`` is the plain text of the source item (None when there is
    none); ``published`` the content repo's published stories (None skips the
    repository checks); ``queue_source`` the queue item's source block, to
    compare the briefing's attribution with.
    """
    from stories.checks import attribution, repository, structure, tone, traceability

    findings: list[Finding] = []
    findings.extend(structure.check(briefing, profile))
    findings.extend(tone.check(briefing, profile, source_text))
    findings.extend(attribution.check(briefing, profile, queue_source))
    findings.extend(traceability.check(briefing, source_text, profile))
    if published is not None:
        findings.extend(repository.check(briefing, profile, published))
    return finish(briefing, profile, findings)


def finish(briefing: Briefing, profile: Profile, findings: Iterable[Finding]) -> list[Finding]:
    """Findings with the desk's severities (``[checks.severity]``) and the story's waivers applied.

    Callers that add findings of their own (``briefdesk check`` adds the story
    file's) pass them through here too, so every finding obeys the same rules.
    """
    return apply_waivers(briefing, _with_severities(profile, findings))


def _with_severities(profile: Profile, findings: Iterable[Finding]) -> list[Finding]:
    rules = profile.severity
    if not rules:
        return list(findings)
    result = []
    for finding in findings:
        wanted = rules.get(f"{finding.check}.{finding.section}", rules.get(finding.check))
        if wanted == "off":
            continue
        result.append(replace(finding, severity=wanted) if wanted and wanted != finding.severity else finding)  # type: ignore[arg-type]
    return result


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def waiver_for(briefing: Briefing, finding: Finding) -> Waiver | None:
    """The story's waiver of this finding: same check, same section, and the waived text still there."""
    if finding.severity not in ("error", "warning"):
        return None
    text = finding_text(briefing, finding)
    for waiver in briefing.waivers:
        if waiver.check == finding.check and waiver.section == finding.section and _same_text(waiver.text, text):
            return waiver
    return None


def waive(briefing: Briefing, finding: Finding, by: str, reason: str, at: str = "") -> Waiver:
    """Record on the briefing that this finding does not apply (who and why); the new waiver.

    The waiver holds the finding's text: it lasts while that text is there.
    A reason is required: a waiver without one tells a reviewer nothing.
    """
    if not reason.strip():
        raise ValueError("a waiver needs a reason")
    if not at:
        from stories.model import utcnow

        at = utcnow().isoformat().replace("+00:00", "Z")
    waiver = Waiver(finding.check, finding.section, finding_text(briefing, finding), by, reason.strip(), at)
    briefing.waivers = [w for w in briefing.waivers if (w.check, w.section, w.text) != (waiver.check, waiver.section, waiver.text)] + [waiver]
    return waiver


def apply_waivers(briefing: Briefing, findings: Iterable[Finding]) -> list[Finding]:
    """Findings with the waived ones marked (``waiver``) and counted as info, not errors or warnings."""
    result = []
    for finding in findings:
        waiver = waiver_for(briefing, finding) if briefing.waivers else None
        result.append(replace(finding, severity="info", waiver=waiver, waived_from=finding.severity) if waiver else finding)
    return result


@dataclass(frozen=True)
class CheckCounts:
    """What the ``Checks:`` trailer of a publish commit says: checks passed, warnings, waived findings."""

    passed: int
    warnings: int
    waived: int

    def text(self) -> str:
        """``25 passed, 0 warnings`` or ``25 passed, 1 warning, 1 waived``."""
        warnings = f"{self.warnings} warning" + ("s" if self.warnings != 1 else "")
        return f"{self.passed} passed, {warnings}" + (f", {self.waived} waived" if self.waived else "")


def trailer_counts(findings: Iterable[Finding]) -> CheckCounts:
    """Checks passed (every known check id that raised no error or warning), warnings, and waived findings."""
    findings = list(findings)
    fired = {f.check for f in findings if f.severity in ("error", "warning")}
    warnings = sum(1 for f in findings if f.severity == "warning")
    waived = sum(1 for f in findings if f.waiver is not None)
    return CheckCounts(len(set(CHECK_IDS) - fired), warnings, waived)


def counts(findings: Iterable[Finding]) -> tuple[int, int, int]:
    """(errors, warnings, infos) among these findings (a waived finding counts as info)."""
    errors = warnings = infos = 0
    for finding in findings:
        if finding.severity == "error":
            errors += 1
        elif finding.severity == "warning":
            warnings += 1
        else:
            infos += 1
    return errors, warnings, infos
