"""Issue 13, the editor for a working day at 80x24: points 2 to 9, driven through the real app."""

from __future__ import annotations

import asyncio

from textual.geometry import Region

from desk_helpers import demo_app, settle
from stories.checks import structure
from stories.model import Briefing
from stories.profile import load_profile
from stories.text import plural, reading_time
from tui.widgets.editor import KeyPointInput, SectionInput, SectionText, count_text

LONG_HEADLINE = "Volunteers replant twelve thousand oyster shells to rebuild a lost reef in the estuary"  # 86 chars
LONG_POINT = "Volunteers from three small villages carried recycled shells by hand across the muddy flats every weekend"  # 16 words


# A paste goes to the app, which hands it to the focused field, as the terminal driver does.


def run(coro) -> None:
    asyncio.run(coro)


def shown(widget) -> str:
    """The text a widget draws on screen, row by row."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)


async def start(pilot) -> None:
    await settle(pilot)
    await pilot.press("n")  # a briefing from the first queue item
    await settle(pilot)
    assert isinstance(pilot.app.focused, SectionInput)


def field(app, key: str):
    return app.screen.query_one(f"#sec-{key}")


def label(app, key: str) -> str:
    return str(app.screen.query_one(f"#label-{key}").render())


def test_13_02_tab_does_not_select_all(tmp_path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            await pilot.press(*"Otters return")
            await pilot.press("tab", "shift+tab", "x")  # away and back: the next letter must not replace the headline
            assert field(app, "headline").value == "Otters returnx"
            topics = app.screen.query_one("#sec-topics", SectionInput)
            topics.focus()
            before = topics.value  # the item's category, filled in at start
            await pilot.press(*", earth", "shift+tab", "tab", "s")
            assert topics.value == before + ", earths"

    run(scenario())


def test_13_02_ctrl_z_undoes_in_the_headline_and_key_points(tmp_path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            headline = field(app, "headline")
            await pilot.press(*"Otters return")
            await pilot.press("ctrl+u")  # wipe the line, as a slip of the hand would
            assert headline.value == ""
            await pilot.press("ctrl+z")
            assert headline.value == "Otters return"
            related = field(app, "related")
            related.focus()
            await pilot.press(*"otters-return", "ctrl+u", "ctrl+z")
            assert related.value == "otters-return"  # the topics and related stories have undo too
            point = field(app, "key_points").inputs[0]
            point.focus()
            await pilot.press(*"Two cubs seen", "ctrl+w")
            assert point.value == "Two cubs "
            await pilot.press("ctrl+z")
            assert point.value == "Two cubs seen"
            await settle(pilot)
            assert app.screen.draft.briefing.items("key_points")[0] == "Two cubs seen"  # the undo is saved too

    run(scenario())


def test_13_03_long_headline_and_key_point_wrap_at_80_columns(tmp_path) -> None:
    assert len(LONG_HEADLINE) == 86 and len(LONG_POINT.split()) == 16

    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            headline = field(app, "headline")
            from textual import events  # a paste is what a terminal sends for a long line

            app.post_message(events.Paste(LONG_HEADLINE))
            await settle(pilot)
            point = field(app, "key_points").inputs[0]
            point.focus()
            app.post_message(events.Paste(LONG_POINT))
            await settle(pilot)
            for widget, text in ((headline, LONG_HEADLINE), (point, LONG_POINT)):
                app.screen.editor.scroll_to_widget(widget, animate=False)
                await pilot.pause()
                assert widget.size.height >= 2, "the line wraps instead of scrolling sideways"
                assert " ".join(shown(widget).split()) == text  # every word on screen, none cut off
                assert widget.region.right <= 80
            assert app.screen.draft.briefing.headline == LONG_HEADLINE  # wrapping adds no line break to the text

    run(scenario())


def test_13_03_a_pasted_line_break_stays_out_of_the_headline(tmp_path) -> None:
    async def scenario() -> None:
        from textual import events

        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            headline = field(app, "headline")
            app.post_message(events.Paste("Otters return\nto the river"))
            await pilot.pause()
            assert headline.value == "Otters return to the river"
            await pilot.press("enter")  # moves on rather than breaking the line
            assert headline.value == "Otters return to the river"
            assert app.focused is not headline

    run(scenario())


def test_13_04_ctrl_home_and_ctrl_end_move_to_the_start_and_end_of_a_section(tmp_path) -> None:
    async def scenario() -> None:
        from textual import events

        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            text = field(app, "what_happened")
            assert isinstance(text, SectionText)
            text.focus()
            app.post_message(events.Paste("First paragraph here.\n\nSecond paragraph ends here."))
            await pilot.pause()
            await pilot.press("ctrl+home")
            assert text.cursor_location == (0, 0)
            await pilot.press("ctrl+end")
            assert text.cursor_location == (2, len("Second paragraph ends here."))
            points = field(app, "key_points")
            points.inputs[1].focus()
            await pilot.press(*"middle")
            await pilot.press("ctrl+home")
            await pilot.pause()
            assert app.focused is points.inputs[0] and points.inputs[0].cursor_position == 0
            await pilot.press("ctrl+end")
            await pilot.pause()
            assert app.focused is points.inputs[-1]

    run(scenario())


def test_13_04_the_field_with_the_cursor_is_marked(tmp_path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            headline_field = app.screen.query_one("#field-headline")
            summary_field = app.screen.query_one("#field-summary")
            focused_bar = headline_field.styles.border_left
            assert focused_bar != summary_field.styles.border_left
            assert headline_field.query_one(".section-label").styles.text_style.underline
            await pilot.press("tab")
            assert summary_field.styles.border_left == focused_bar
            assert not headline_field.query_one(".section-label").styles.text_style.underline

    run(scenario())


def test_13_05_counts_update_at_once(tmp_path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            await pilot.press(*"Otters")
            # No settle: the count follows the keystroke, not the checks' debounce.
            assert "6 chars" in label(app, "headline")
            field(app, "summary").focus()
            await pilot.press(*"A family of otters")
            assert "4 words" in label(app, "summary")

    run(scenario())


def test_13_06_counts_speak_in_the_singular() -> None:
    profile = load_profile()
    headline = profile.section("headline") if hasattr(profile, "section") else next(s for s in profile.sections if s.key == "headline")
    points = next(s for s in profile.sections if s.kind == "list")
    summary = next(s for s in profile.sections if s.key == "summary")
    assert count_text(headline, "A")[0].startswith("1 char ")
    assert count_text(points, ["one point"])[0].startswith("1 item ")
    assert count_text(summary, "Otters")[0].startswith("1 word ")
    assert plural(1, "story", "stories") == "1 story" and plural(2, "story", "stories") == "2 stories"
    briefing = Briefing(sections={"headline": "A"})
    messages = [f.message for f in structure.check(briefing, profile) if f.section == "headline"]
    assert "Headline is 1 character; at least 30" in messages


def test_13_07_one_missing_key_point_gives_one_error() -> None:
    from repo_helpers import make_briefing

    profile = load_profile()
    briefing = make_briefing()
    briefing.sections["key_points"] = list(briefing.items("key_points")[:2]) + [""]
    errors = [f for f in structure.check(briefing, profile) if f.section == "key_points" and f.severity == "error"]
    assert [f.message for f in errors] == ["Key points 3 is empty"]
    # Without the empty row, the count says it: still once.
    briefing.sections["key_points"] = list(briefing.items("key_points")[:2])
    errors = [f for f in structure.check(briefing, profile) if f.section == "key_points" and f.severity == "error"]
    assert [f.message for f in errors] == ["Key points: 2 items; exactly 3"]


def test_13_09_total_words_and_reading_time(tmp_path) -> None:
    assert reading_time(0) == "nothing to read yet"
    assert reading_time(230) == "1 min read" and reading_time(231) == "2 min read"

    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            totals = app.screen.query_one("#editor-totals")
            assert str(totals.render()) == "0 words in all · nothing to read yet"
            await pilot.press(*"Otters return")
            field(app, "summary").focus()
            await pilot.press(*"A family of otters")
            assert str(totals.render()) == "6 words in all · 1 min read"

    run(scenario())


def test_13_08_spelling_knows_british_forms_acronyms_and_the_source() -> None:
    from stories.spelling import misspellings

    text = "Neighbours at the UCLH centre recieve Okafor’s organisation plans"
    assert [m.word for m in misspellings(text)] == ["recieve", "Okafor’s"]
    assert [m.word for m in misspellings(text, house_words=["Okafor"])] == ["recieve"]
    assert [m.word for m in misspellings(text, also_known={"okafor"})] == ["recieve"]
    found = misspellings(text)[0]
    assert text[found.start : found.end] == "recieve"


def test_13_08_misspellings_marked_as_you_type_and_added_to_the_house_dictionary(tmp_path) -> None:
    async def scenario() -> None:
        from stories.profile import load_profile

        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await start(pilot)
            summary = field(app, "summary")
            summary.focus()
            await pilot.press(*"The otters recieve a welcome from Zorblat volunteers")
            await settle(pilot)
            line = app.screen.query_one("#spell-summary")
            assert line.display and line.words == ["recieve", "Zorblat"]
            assert "Spelling? recieve · Zorblat" in str(line.render())
            assert not app.screen.query_one("#spell-headline").display  # nothing unknown there
            summary.cursor_location = (0, summary.text.index("Zorblat") + 2)
            await pilot.press("f7")
            await settle(pilot)
            assert line.words == ["recieve"], [n.message for n in app._notifications]
            desk = app.repo.root / "desk.toml"
            assert load_profile(app.repo.root).house_words == ("Zorblat",)
            assert "# " in desk.read_text("utf-8")  # the file's comments are kept
            await pilot.press("f7")  # the cursor is no longer on an unknown word: the section's first one
            await settle(pilot)
            assert line.words == [] and not line.display
            assert load_profile(app.repo.root).house_words == ("Zorblat", "recieve")

    run(scenario())


def test_13_04_an_unfocused_queue_still_shows_its_highlighted_row(tmp_path) -> None:
    async def scenario() -> None:
        from tui.widgets.queue import QueueList

        app = demo_app(tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:  # side by side: the queue stays on screen
            await settle(pilot)
            queue = app.screen.query_one("#queue-list", QueueList)
            queue.focus()
            queue.highlighted = 1
            await pilot.pause()
            focused = queue.get_component_rich_style("queue-list--row-highlighted")
            app.screen.query_one("#queue-filter").focus()
            await pilot.pause()
            blurred = queue.get_component_rich_style("queue-list--row-highlighted")
            plain = queue.get_component_rich_style("queue-list--row")
            assert blurred.bgcolor != plain.bgcolor or blurred.bold, "the row under the cursor must stand out"
            assert blurred.bold and focused != blurred

    run(scenario())
