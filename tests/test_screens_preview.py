"""The preview: a briefing as a reader sees it, with the profile's attribution and standards lines."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from screens_host import HostApp, sample_briefing, screen_text
from textual.containers import VerticalScroll

from stories.model import SourceRef
from stories.profile import load_profile, profile_from_text
from tui.screens.preview import PreviewScreen, fill_template, render_preview, terminal_safe

# The default desk profile's attribution and standards lines, filled in for the sample story.
ATTRIBUTION = (
    "Source assisted: This briefing began from a discovered source item from "
    "Hopeful Health Wire Health HTML category news. Open the original source."
)
STANDARDS = "How Happy Read Daily reports: feeds and outside sources are used for discovery."


def test_preview_reads_like_the_house_format() -> None:
    briefing = sample_briefing()
    text = render_preview(briefing, load_profile()).plain
    order = [
        "Lab-grown skin patch heals stubborn leg ulcers in a small hospital trial",
        "Doctors in Bristol grew small patches of skin",
        "  • A skin patch grown from each patient’s cells covered their ulcers.",
        "  • Seven of nine volunteers healed fully within three months.",
        "  • A larger trial of 120 patients starts next spring.",
        "What happened",
        "Surgeons at Harbourside University Hospital",
        "All nine patients had lived with venous leg ulcers",
        "Why it feels good",
        "What to enjoy or watch next",
        ATTRIBUTION,
        "https://www.example.org/news/lab-grown-skin-patch-leg-ulcers",
        STANDARDS,
        "Related stories",
        "  • river-otters-return-to-the-thames",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    # The lede and the bullets carry no heading, as in the house format.
    assert "Summary" not in text and "Key points" not in text
    # Paragraphs of a section stay apart.
    assert "under a normal bandage.\n\nAll nine patients" in text


def test_related_stories_show_their_headlines_when_known() -> None:
    text = render_preview(sample_briefing(), load_profile(), {"river-otters-return-to-the-thames": "River otters return to the Thames"}).plain
    assert "  • River otters return to the Thames" in text


def test_unwritten_sections_are_named_not_hidden() -> None:
    briefing = sample_briefing(what_happened="", key_points=[], related=[], source=None)
    text = render_preview(briefing, load_profile()).plain
    assert "(What happened: not written yet)" in text
    assert "(Key points: not written yet)" in text
    assert "No source is recorded for this briefing yet." in text
    assert "Related stories" not in text  # no heading over nothing (issue 13 point 27)


def test_section_labels_and_templates_come_from_the_desk_profile() -> None:
    profile = profile_from_text(
        """
[desk]
name = "Calm Weekly"
[[sections]]
key = "headline"
[[sections]]
key = "what_happened"
label = "The story"
[templates]
attribution = "Found via {source_name} ({source_feed}). {{not a field}} {mystery}"
standards = "{desk_name} checks every number."
"""
    )
    text = render_preview(sample_briefing(), profile).plain
    assert "The story\n\nSurgeons at Harbourside University Hospital" in text
    assert "What happened" not in text and "Why it feels good" not in text
    assert "Found via Hopeful Health Wire (Health). {not a field} {mystery}" in text
    assert "Calm Weekly checks every number." in text


def test_template_values_are_never_read_as_templates_or_markup() -> None:
    source = SourceRef(name="Calm {desk_name} [/] Wire", feed="{source_name}", format="[b]HTML[/b]", url="https://example.org/a")
    content = render_preview(sample_briefing(source=source), load_profile())
    assert (
        "from Calm {desk_name} [/] Wire {source_name} [b]HTML[/b] category news." in content.plain
    )
    assert "Happy Read Daily [/]" not in content.plain


def test_empty_source_fields_leave_no_double_spaces() -> None:
    values = {"source_name": "Hopeful Health Wire", "source_feed": "", "source_format": "HTML", "desk_name": "D"}
    assert fill_template("from {source_name} {source_feed} {source_format} category", values) == "from Hopeful Health Wire HTML category"


def test_hostile_headline_shows_literally_and_carries_no_action() -> None:
    for hostile, shown in (
        ("[/]", "[/]"),
        ("[@click=app.quit]x", "[@click=app.quit]x"),
        ("[b]bold[/b] \x1b[31mred\x1b]8;;https://x.example\x07link", "[b]bold[/b] redlink"),
    ):
        briefing = sample_briefing(headline=hostile, summary=hostile, key_points=[hostile, "[/", "two"])
        content = render_preview(briefing, load_profile())
        assert content.plain.startswith(shown + "\n")
        assert f"\n\n{shown}\n\n  • {shown}\n  • [/\n" in content.plain
        assert "\x1b" not in content.plain
        for span in content.spans:
            style = span.style
            text = str(style)
            assert "@click" not in text and "link" not in text.replace("underline", "")


def test_preview_screen_shows_hostile_text_literally_and_clicking_it_does_nothing() -> None:
    asyncio.run(_hostile_on_screen())


async def _hostile_on_screen() -> None:
    briefing = sample_briefing(headline="[@click=app.quit]x", summary="[/] and [b]not bold[/b] and \x1b[2J")
    app = HostApp(lambda: PreviewScreen(briefing, load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "[@click=app.quit]x" in shown
        assert "[/] and [b]not bold[/b] and\n" in shown + "\n"
        assert "[2J" not in shown
        await pilot.click("#preview-body", offset=(2, 0))
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, PreviewScreen)


def test_preview_screen_scrolls_with_keys_and_escape_goes_back() -> None:
    asyncio.run(_scroll_and_close())


async def _scroll_and_close() -> None:
    app = HostApp(lambda: PreviewScreen(sample_briefing(), load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scroll = app.screen.query_one("#preview-scroll", VerticalScroll)
        assert scroll.has_focus
        assert "Related stories" not in screen_text(app)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        assert "Related stories" in screen_text(app)
        await pilot.press("home")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("j", "j")
        await pilot.pause()
        assert scroll.scroll_y == 2
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PreviewScreen)


def test_every_preview_binding_has_an_id() -> None:
    assert all(binding.id for binding in PreviewScreen.BINDINGS)


@given(value=st.text(min_size=1).filter(lambda s: s == s.strip()))
def test_any_source_name_is_filled_in_exactly_as_written(value: str) -> None:
    assert fill_template("from {source_name} news {{x}}", {"source_name": value}) == f"from {value} news {{x}}"


@settings(max_examples=60, deadline=None)
@given(headline=st.text(), item=st.text(), name=st.text())
def test_any_text_in_any_field_renders_without_error_and_shows_literally(headline: str, item: str, name: str) -> None:
    briefing = sample_briefing(headline=headline, key_points=[item], source=SourceRef(name=name, url="https://example.org/"))
    plain = render_preview(briefing, load_profile()).plain
    one_line = " ".join(terminal_safe(headline).split())
    if one_line:
        assert plain.startswith(one_line)
    assert "\x1b" not in plain and "\x9b" not in plain


def test_13_27_no_link_label_without_a_link_and_no_empty_related_heading() -> None:
    profile = load_profile()
    assert not profile.standards_url
    text = render_preview(sample_briefing(related=[]), profile).plain
    assert STANDARDS in text and "Public stories are edited" in text
    assert "Read the standards" not in text
    assert "Related stories" not in text
    linked = profile_from_text('[desk]\nstandards_url = "https://example.org/standards"\n')
    text = render_preview(sample_briefing(), linked).plain
    assert "Read the standards\nhttps://example.org/standards" in text
    assert "Related stories\n\n  • river-otters-return-to-the-thames" in text
