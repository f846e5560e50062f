"""The checks panel: findings grouped by section, with severity marks; Enter jumps to one.

``w`` on a finding asks why it does not apply and posts
``ChecksPanel.WaiveRequested(finding, reason)``; the screen that holds the
draft records it (``stories.checks.waive``) and checks again. A waived
finding stays in the list, marked as waived, with who and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from stories.checks import Finding
from stories.checks.copying import SectionCopy
from stories.profile import Profile
from stories.text import plural
from tui.messages import FindingChosen

MARKS = {
    "ok": ("✓", "$text-success"),
    "error": ("✗", "$text-error"),
    "warning": ("⚠", "$text-warning"),
    "info": ("·", "$text-muted"),
    "waived": ("○", "$text-muted"),
}
EXTRA_GROUPS = (("topics", "Topics"), ("related", "Related stories"), ("source", "Source"))
_RANK = {"error": 0, "warning": 1, "info": 2}


def summary(errors: int, warnings: int, waived: int = 0) -> Content:
    """``1 error · 2 warnings``, or ``all clear``; waived findings counted after."""
    if waived:
        return Content.assemble(summary(errors, warnings), (f"  ○ {waived} waived", "$text-muted"))
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

    DEFAULT_CSS = """
    ChecksPanel #checks-reason { display: none; }
    ChecksPanel.-asking #checks-reason { display: block; }
    """
    BINDINGS = [Binding("w", "waive", "Waive", id="checks.waive", tooltip="Waive the highlighted finding, with a reason")]

    @dataclass
    class WaiveRequested(Message):
        """The editor waived one finding of the open story, with a reason."""

        finding: Finding
        reason: str

    def __init__(self, profile: Profile, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile = profile
        self.findings: list[Any] = []
        self.meters: dict[tuple[str, int | None], SectionCopy] = {}
        self._asking: Finding | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("No briefing open."), id="checks-summary", markup=False)
        yield OptionList(id="checks-list", markup=False)
        yield Input(placeholder="Why does this not apply? (Enter waives, Esc cancels)", id="checks-reason")

    def show(self, findings: Sequence[Any], meters: Sequence[SectionCopy] = ()) -> None:
        """Show a new set of findings (and each section's copy meter), keeping the cursor where it was."""
        self.meters = {(m.section, m.item): m for m in meters}
        self.findings = sorted(findings, key=lambda f: (getattr(f, "waiver", None) is not None, _RANK.get(f.severity, 3)))
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        waived = sum(1 for f in findings if getattr(f, "waiver", None) is not None)
        self.query_one("#checks-summary", Static).update(summary(errors, warnings, waived))

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
            options.append(Option(Content.assemble((f"{mark} ", style), (label, "bold"), self._meter(key)), id=f"s:{key}"))
            for index, finding in mine:
                waiver = getattr(finding, "waiver", None)
                mark, style = MARKS["waived"] if waiver else MARKS.get(finding.severity, MARKS["info"])
                where = f" (point {finding.item + 1})" if finding.item is not None else ""
                text = Content(finding.message + where)
                if waiver is not None:
                    text = Content.assemble(text, (f" — waived by {waiver.by}: {waiver.reason}", "$text-muted"))
                options.append(Option(Content.assemble(("  ", ""), (f"{mark} ", style), text), id=f"f:{index}"))
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

    def _meter(self, key: str) -> Content:
        """`` · copy 23%, longest 9 words`` for a section with words from the source."""
        mine = [m for (section, _), m in self.meters.items() if section == key and m.words]
        if not mine:
            return Content("")
        words = sum(m.words for m in mine)
        share = round(100 * sum(m.shared for m in mine) / words) if words else 0
        longest = max((m.longest.words for m in mine if m.longest), default=0)
        if not share and not longest:
            return Content("")
        return Content.assemble((f"  copy {share}%, longest {longest} words", "$text-muted"))

    def action_waive(self) -> None:
        """Ask for the reason to waive the highlighted finding."""
        option_list = self.query_one("#checks-list", OptionList)
        option = option_list.highlighted_option
        if option is None or not (option.id or "").startswith("f:"):
            self.app.bell()
            return
        finding = self.findings[int(option.id[2:])]  # type: ignore[index]
        if finding.severity not in ("error", "warning") or getattr(finding, "waiver", None) is not None:
            self.app.bell()
            return
        self._asking = finding
        self.add_class("-asking")
        reason = self.query_one("#checks-reason", Input)
        reason.value = ""
        reason.focus()

    @on(Input.Submitted, "#checks-reason")
    def _reason_given(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.notify("A waiver needs a reason: say why this finding does not apply.", severity="warning")
            return
        finding, self._asking = self._asking, None
        self._close_reason()
        if finding is not None:
            self.post_message(self.WaiveRequested(finding, event.value.strip()))

    def _close_reason(self) -> None:
        self.remove_class("-asking")
        self.query_one("#checks-list", OptionList).focus()

    def key_escape(self) -> None:
        if self._asking is not None:
            self._asking = None
            self._close_reason()

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
