"""The check engine: pure functions of (briefing, source text, profile, published stories).

The same engine serves the live checks panel of the app and ``briefdesk check``
on the command line. Every family lives in its own module and returns
``Finding`` values; ``run_checks`` runs them all in a fixed order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from stories.checks.finding import SEVERITIES, Finding
from stories.model import Briefing, PublishedStory, SourceRef
from stories.profile import Profile

__all__ = ["Finding", "SEVERITIES", "CHECK_IDS", "run_checks", "counts"]

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
    findings.extend(tone.check(briefing, profile))
    findings.extend(attribution.check(briefing, profile, queue_source))
    findings.extend(traceability.check(briefing, source_text, profile))
    if published is not None:
        findings.extend(repository.check(briefing, profile, published))
    return findings


def counts(findings: Iterable[Finding]) -> tuple[int, int, int]:
    """(errors, warnings, infos) among these findings."""
    errors = warnings = infos = 0
    for finding in findings:
        if finding.severity == "error":
            errors += 1
        elif finding.severity == "warning":
            warnings += 1
        else:
            infos += 1
    return errors, warnings, infos
