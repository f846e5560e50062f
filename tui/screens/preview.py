"""Preview: the briefing as a reader will see it.

Everything in a briefing may have come from a feed, so the text is put into
``Content`` spans and never parsed as markup; the attribution line and the
standards note come from the desk profile's templates, filled in one pass so a
source name holding ``{x}`` or ``[/]`` stays exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from stories.clean import terminal_safe
from stories.model import Briefing
from stories.profile import Profile

# Sections a reader sees without a heading: the lede paragraph and the bullets
# under it, as in the house format. Any other section gets its profile label.
LEDE_KEYS = ("summary",)
BULLET_KEYS = ("key_points",)

TITLE = "bold $primary"
META = "$foreground-muted"
HEADING = "bold $secondary"
BULLET = "$accent"
NOTE = "italic $foreground-muted"
MISSING = "italic $text-warning"
LINK = "underline $foreground-muted"

def safe(text: str, style: str = "") -> Content:
    """Untrusted text as Content: never parsed as markup, nothing a terminal would obey."""
    return Content.styled(terminal_safe(text), style) if style else Content(terminal_safe(text))


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def template_values(briefing: Briefing, profile: Profile) -> dict[str, str]:
    """The values a profile template may name: ``{source_name}``, ``{desk_name}`` …"""
    source = briefing.source
    values = {
        "desk_name": profile.name,
        "source_name": source.name if source else "",
        "source_feed": source.feed if source else "",
        "source_format": source.format if source else "",
        "source_title": source.title if source else "",
        "source_url": source.url if source else "",
        "headline": briefing.headline,
    }
    return {key: " ".join(value.split()) for key, value in values.items()}


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """The template with ``{name}`` replaced by its value, in one pass.

    A value is never read as a template itself, so ``{x}`` in a source name
    stays literal; ``{{`` and ``}}`` give single braces; an unknown ``{name}``
    is left as written. Spaces left by empty values are squeezed.
    """

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        return values[name] if name in values else token

    # Literal pieces and filled values alternate; an empty value drops one of
    # the spaces around it so "from {source_name} {source_feed}" never reads
    # "from  Earth".
    pieces: list[str] = []
    empty_after: set[int] = set()
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append(template[last : match.start()])
        value = replace(match)
        if value == "":
            empty_after.add(len(pieces) - 1)
        pieces.append(value)
        last = match.end()
    pieces.append(template[last:])
    for index in sorted(empty_after):
        before, after = pieces[index], pieces[index + 2]
        if before.endswith(" ") and (after == "" or after.startswith((" ", ".", ",", ")"))):
            pieces[index] = before[:-1]
    return "".join(pieces).strip()


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split on blank lines, each with its line breaks kept."""
    return [part.strip("\n") for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


_LINK_LABEL = re.compile(r"(?:^|(?<=[.!?]))\s*(?:Read|See|Open|Find)\b[^.!?]*[.!?]?\s*$")


def without_link_label(text: str) -> str:
    """``text`` without a last sentence that only invites the reader to follow a link ("Read the standards")."""
    return _LINK_LABEL.sub("", text).rstrip()


def render_preview(briefing: Briefing, profile: Profile, related_headlines: Mapping[str, str] | None = None) -> Content:
    """The briefing as a reader sees it, styled with theme variables (no markup is parsed)."""
    related_headlines = related_headlines or {}
    blocks: list[Content] = []

    def missing(label: str) -> Content:
        return safe(f"({label}: not written yet)", MISSING)

    # A headline is one line, whatever control characters or line breaks it was given.
    headline = " ".join(terminal_safe(briefing.headline).split())
    if "headline" in profile.keys:
        label = profile.section("headline").label
    else:
        label = "Headline"
    title = safe(headline, TITLE) if headline else missing(label)
    if briefing.topics:
        title = Content.assemble(title, "\n", safe(" · ".join(t.capitalize() for t in briefing.topics), META))
    blocks.append(title)

    for section in profile.sections:
        if section.key == "headline":
            continue
        items = [item.strip() for item in briefing.items(section.key) if item.strip()] if section.kind == "list" else []
        text = briefing.text(section.key).strip() if section.kind != "list" else ""
        heading = None if section.key in LEDE_KEYS or section.key in BULLET_KEYS else safe(section.label, HEADING)

        if section.kind == "list":
            body = (
                Content("\n").join(Content.assemble("  ", ("• ", BULLET), safe(item)) for item in items)
                if items
                else missing(section.label)
            )
            if heading is None:
                blocks.append(body)
            else:
                blocks.append(Content.assemble(heading, "\n\n", body))
            continue

        if not text:
            if heading is None:
                blocks.append(missing(section.label))
            else:
                blocks.append(Content.assemble(heading, "\n\n", missing(section.label)))
            continue
        paragraphs = [safe(p) for p in _paragraphs(text)] if section.kind == "text" else [safe(" ".join(text.split()))]
        if heading is not None:
            blocks.append(heading)
        blocks.extend(paragraphs)

    values = template_values(briefing, profile)
    attribution = profile.templates.get("attribution", "")
    standards = profile.templates.get("standards", "")
    source = briefing.source
    if attribution:
        line = safe(fill_template(attribution, values), NOTE)
        if source is None or source.is_empty():
            line = Content.assemble(line, "\n", ("(No source is recorded for this briefing yet.)", MISSING))
        elif source.url:
            line = Content.assemble(line, "\n", safe(source.url, LINK))
        blocks.append(line)
    if standards:
        filled = fill_template(standards, values)
        if profile.standards_url:
            line = Content.assemble(safe(filled, NOTE), "\n", safe(profile.standards_url, LINK))
        else:
            filled = without_link_label(filled)  # "Read the standards" with nowhere to go reads as a broken link
            line = safe(filled, NOTE)
        if filled.strip():
            blocks.append(line)

    # A reader sees no heading over nothing: the section appears once a story is related.
    if briefing.related:
        related = Content("\n").join(
            Content.assemble("  ", ("• ", BULLET), safe(related_headlines.get(story_id) or story_id)) for story_id in briefing.related
        )
        blocks.append(Content.assemble(Content.styled("Related stories", HEADING), "\n\n", related))

    return Content("\n\n").join(blocks)


class PreviewScreen(Screen[None]):
    """The briefing as a reader will see it; escape goes back to the editor."""

    DEFAULT_CSS = """
    PreviewScreen {
        background: $background;
        align-horizontal: center;
    }
    PreviewScreen #preview-scroll {
        width: 1fr;
        max-width: 100;
        height: 1fr;
        padding: 1 2;
        background: $surface;
        scrollbar-gutter: stable;
    }
    PreviewScreen #preview-scroll:focus {
        background-tint: $foreground 0%;
    }
    PreviewScreen #preview-banner {
        width: 1fr;
        max-width: 100;
        height: 1;
        padding: 0 2;
        background: $panel;
        color: $foreground-muted;
    }
    PreviewScreen #preview-body {
        width: 1fr;
        color: $foreground;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Back", id="preview.close"),
        Binding("q", "close", "Back", show=False, id="preview.close_q"),
        Binding("j", "scroll_down", "Down", show=False, id="preview.scroll_down"),
        Binding("k", "scroll_up", "Up", show=False, id="preview.scroll_up"),
        Binding("space", "page_down", "Page down", show=False, id="preview.page_down"),
        Binding("b", "page_up", "Page up", show=False, id="preview.page_up"),
    ]

    def __init__(
        self,
        briefing: Briefing,
        profile: Profile,
        related_headlines: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.briefing = briefing
        self.profile = profile
        self.related_headlines = dict(related_headlines or {})

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("Preview ", "bold"), "— as a reader will see it · escape to go back"),
            id="preview-banner",
        )
        with VerticalScroll(id="preview-scroll"):
            yield Static(render_preview(self.briefing, self.profile, self.related_headlines), id="preview-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#preview-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#preview-scroll", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#preview-scroll", VerticalScroll).scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.query_one("#preview-scroll", VerticalScroll).scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.query_one("#preview-scroll", VerticalScroll).scroll_page_up(animate=False)
