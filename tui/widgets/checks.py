"""The checks panel: findings grouped by section, with severity marks; Enter jumps to one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from stories.profile import Profile
from stories.text import plural
from tui.messages import FindingChosen

MARKS = {
    "ok": ("✓", "$text-success"),
    "error": ("✗", "$text-error"),
    "warning": ("⚠", "$text-warning"),
    "info": ("·", "$text-muted"),
}
EXTRA_GROUPS = (("topics", "Topics"), ("related", "Related stories"), ("source", "Source"))
_RANK = {"error": 0, "warning": 1, "info": 2}


def summary(errors: int, warnings: int) -> Content:
    """``1 error · 2 warnings``, or ``all clear``."""
    if not errors and not warnings:
        return Content.assemble(("✓ all clear", "bold $text-success"))
    parts: list[Any] = []
    if errors:
        parts.append(("✗ " + plural(errors, "error"), "bold $text-error"))
    if warnings:
        if parts:
            parts.append("  ")
        parts.append(("⚠ " + plural(warnings, "warning"), "bold $text-warning"))
    return Content.assemble(*parts)


class ChecksPanel(Vertical):
    """Findings of the latest check run, grouped in the profile's section order."""

    def __init__(self, profile: Profile, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile = profile
        self.findings: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(Content("No briefing open."), id="checks-summary", markup=False)
        yield OptionList(id="checks-list", markup=False)

    def show(self, findings: Sequence[Any]) -> None:
        """Show a new set of findings, keeping the cursor on the same row when it still exists."""
        self.findings = sorted(findings, key=lambda f: _RANK.get(f.severity, 3))
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        self.query_one("#checks-summary", Static).update(summary(errors, warnings))

        groups: list[tuple[str, str]] = [(s.key, s.label) for s in self.profile.sections]
        known = {key for key, _ in groups}
        for key, label in EXTRA_GROUPS:
            groups.append((key, label))
            known.add(key)
        for finding in self.findings:
            if finding.section not in known:
                groups.append((finding.section, finding.section.replace("_", " ").capitalize()))
                known.add(finding.section)

        options: list[Option] = []
        for key, label in groups:
            mine = [(i, f) for i, f in enumerate(self.findings) if f.section == key]
            worst = mine[0][1].severity if mine else "ok"
            if not mine and key in ("topics", "related"):
                continue
            mark, style = MARKS.get(worst, MARKS["info"])
            options.append(Option(Content.assemble((f"{mark} ", style), (label, "bold")), id=f"s:{key}"))
            for index, finding in mine:
                mark, style = MARKS.get(finding.severity, MARKS["info"])
                where = f" (point {finding.item + 1})" if finding.item is not None else ""
                options.append(Option(Content.assemble(("  ", ""), (f"{mark} ", style), Content(finding.message + where)), id=f"f:{index}"))
        option_list = self.query_one("#checks-list", OptionList)
        keep = option_list.highlighted_option.id if option_list.highlighted_option else None
        option_list.set_options(options)
        if keep is not None:
            try:
                option_list.highlighted = option_list.get_option_index(keep)
            except Exception:
                option_list.highlighted = 0 if options else None
        elif options:
            option_list.highlighted = 0

    def clear(self) -> None:
        self.findings = []
        self.query_one("#checks-summary", Static).update(Content("No briefing open."))
        self.query_one("#checks-list", OptionList).clear_options()

    @on(OptionList.OptionSelected, "#checks-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option_id or ""
        if option_id.startswith("f:"):
            self.post_message(FindingChosen(self.findings[int(option_id[2:])]))
        elif option_id.startswith("s:"):
            self.post_message(FindingChosen(SectionOnly(option_id[2:])))


class SectionOnly:
    """A stand-in finding that just names a section (choosing a ✓ section moves there too)."""

    def __init__(self, section: str) -> None:
        self.section = section
        self.start = 0
        self.end = 0
        self.item = None
        self.severity = "ok"
