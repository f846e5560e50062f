"""The story file format: round trips, small diffs, and clear errors."""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stories import codec
from stories.codec import StoryFileError
from stories.model import STATUSES, Briefing, SourceRef
from stories.profile import load_profile

DATA = Path(__file__).parent / "data"
PROFILE = load_profile()
STORY = (DATA / "skin-patch-story.toml").read_text("utf-8")

# Text that tries hard to break TOML: quote runs, backslashes, table headers,
# emoji, right-to-left text, control characters, CR, and quotes at the end.
NASTY = st.sampled_from(
    ['"""', '""', '"', "'''", "\\", "\\n", "\\u0041", "[table]", "[[sections]]", "\n[source]\nurl = 1\n", "key = 1", "# not a comment",
     "🐝", "👩🏽‍⚕️", "שלום עולם", "مرحبا", "\u202e", "\u200f", "\x00", "\x07", "\x1b[31m", "\x7f", "\r", "\r\n", "\t", "\x0c", "\x85", "\u2028", "\ufeff", " ", "\n"]
)  # fmt: skip
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=12)), max_size=8).map("".join)
WHEN = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc))


@st.composite
def briefings(draw: st.DrawFn) -> Briefing:
    sections: dict[str, str | list[str]] = {}
    for section in PROFILE.sections:
        sections[section.key] = draw(st.lists(TEXT, max_size=4)) if section.kind == "list" else draw(TEXT)
    source = draw(
        st.none()
        | st.builds(
            SourceRef,
            name=TEXT, feed=TEXT, format=TEXT, url=TEXT, title=TEXT, published=st.none() | WHEN, guid=TEXT, snapshot=TEXT,
        )
    )  # fmt: skip
    return Briefing(
        id=draw(TEXT),
        status=draw(st.sampled_from(STATUSES)),
        sections=sections,
        topics=draw(st.lists(TEXT, max_size=3)),
        related=draw(st.lists(TEXT, max_size=3)),
        created=draw(st.none() | WHEN),
        updated=draw(st.none() | WHEN),
        source=source,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(briefings())
def test_any_briefing_survives_a_round_trip(briefing: Briefing) -> None:
    text = codec.render(briefing, PROFILE)
    assert codec.loads(text, PROFILE) == briefing
    # Any TOML reader can read it, not just ours.
    data = tomllib.loads(text)
    assert data["id"] == briefing.id
    assert codec.render(briefing, PROFILE) == text  # the same briefing, the same file


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(briefings(), briefings())
def test_updating_a_file_gives_the_new_briefing(first: Briefing, second: Briefing) -> None:
    text = codec.update(codec.render(first, PROFILE), second, PROFILE)
    assert codec.loads(text, PROFILE) == second
    tomllib.loads(text)


def test_the_example_file_is_in_the_canonical_layout() -> None:
    briefing = codec.loads(STORY, PROFILE, "skin-patch-story.toml")
    assert codec.render(briefing, PROFILE) == STORY
    keys = [line.split(" =")[0] for line in STORY.splitlines() if " = " in line and not line.startswith(" ")]
    assert keys[:6] == ["id", "headline", "status", "topics", "created", "updated"]
    assert keys[6:12] == ["summary", "key_points", "what_happened", "why_it_feels_good", "watch_next", "related"]
    assert "\n[source]\n" in STORY


HAND_EDITED = STORY.replace('status = "published"', 'status = "published"  # approved at the morning meeting').replace(
    "why_it_feels_good = ", "# Reviewer: keep this section under 120 words.\nwhy_it_feels_good = "
).replace("[source]\n", "[source]\nlicence = \"CC BY 4.0\"\n")


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_editing_one_section_changes_only_its_lines() -> None:
    briefing = codec.loads(HAND_EDITED, PROFILE)
    old_section = briefing.text("why_it_feels_good")
    briefing.sections["why_it_feels_good"] = old_section.replace("ordinary pleasures", "small everyday pleasures")
    after = codec.update(HAND_EDITED, briefing, PROFILE)
    assert changed_lines(HAND_EDITED, after) == [
        "-A treatment made from a person’s own cells, applied under an ordinary bandage, could mean fewer nursing visits and more time for ordinary pleasures, like an afternoon at the allotment.\"\"\"",
        "+A treatment made from a person’s own cells, applied under an ordinary bandage, could mean fewer nursing visits and more time for small everyday pleasures, like an afternoon at the allotment.\"\"\"",
    ]
    # Comments and keys the desk does not know survive.
    assert "# approved at the morning meeting" in after and "# Reviewer: keep this section" in after and 'licence = "CC BY 4.0"' in after
    assert codec.loads(after, PROFILE) == briefing


def test_editing_a_key_point_and_the_update_time_changes_two_lines() -> None:
    briefing = codec.loads(HAND_EDITED, PROFILE)
    points = briefing.items("key_points")
    points[1] = "Seven of the nine volunteers healed fully within three months."
    briefing.sections["key_points"] = points
    briefing.updated = briefing.updated + timedelta(hours=1)  # type: ignore[operator]
    after = codec.update(HAND_EDITED, briefing, PROFILE)
    assert changed_lines(HAND_EDITED, after) == [
        "-updated = 2026-11-24T10:03:00Z",
        "+updated = 2026-11-24T11:03:00Z",
        "-    \"Seven of nine volunteers healed fully within three months.\",",
        "+    \"Seven of the nine volunteers healed fully within three months.\",",
    ]


def test_an_unchanged_briefing_leaves_the_file_as_it_was() -> None:
    assert codec.update(HAND_EDITED, codec.loads(HAND_EDITED, PROFILE), PROFILE) == HAND_EDITED


def test_a_new_source_url_changes_one_line() -> None:
    briefing = codec.loads(HAND_EDITED, PROFILE)
    briefing.source = dataclasses.replace(briefing.source, url="https://www.example.org/news/skin-patch")  # type: ignore[arg-type]
    after = codec.update(HAND_EDITED, briefing, PROFILE)
    assert changed_lines(HAND_EDITED, after) == [
        '-url = "https://www.example.org/news/lab-grown-skin-patch-leg-ulcers"',
        '+url = "https://www.example.org/news/skin-patch"',
    ]


@pytest.mark.parametrize(
    "text, line, problem",
    [
        (STORY.replace('status = "published"', 'status = "published'), 3, "not valid TOML"),
        (STORY.replace("]\nwhat_happened", "\nwhat_happened"), 14, "not valid TOML"),
        (STORY + "[source]\n", 39, "not valid TOML"),
        (STORY.replace('id = "lab-grown-skin-patch-heals-stubborn-leg-ulcers-in-a-small"\n', ""), 1, "id: is missing"),
        (STORY.replace('status = "published"\n', ""), 1, "status: is missing"),
        (STORY.replace('headline = "Lab-grown', 'headline = 5\nx = "Lab-grown'), 2, "headline: must be text, not a number"),
        (STORY.replace('status = "published"', "status = true"), 3, "status: must be text, not true/false"),
        (STORY.replace('related = []', 'related = "none"'), 28, "related: must be a list of text values"),
        (STORY.replace("published = 2026-11-20T14:00:00Z", 'published = "last week"'), 36, "source.published: must be a date and time"),
        (STORY.replace('url = "https', "url = 12\nx = \"https"), 34, "source.url: must be text, not a number"),
        (STORY.replace("[source]", "source = 3\n[sourcex]"), 30, "source: must be a [source] table"),
    ],
)
def test_a_broken_file_names_file_line_and_problem(text: str, line: int | None, problem: str) -> None:
    with pytest.raises(StoryFileError) as caught:
        codec.loads(text, PROFILE, "stories/2026/x.toml")
    error = caught.value
    assert (error.path, error.line) == ("stories/2026/x.toml", line)
    assert error.problem.startswith(problem), error.problem
    assert str(error).startswith(f"stories/2026/x.toml:{line}: " if line else "stories/2026/x.toml: ")


def test_read_story_names_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('headline = "Caf\xe9"'.encode("latin-1"))
    with pytest.raises(StoryFileError, match="latin1.toml: not UTF-8 text"):
        codec.read_story(path, PROFILE)
    with pytest.raises(StoryFileError, match="missing.toml: cannot be read"):
        codec.read_story(tmp_path / "missing.toml", PROFILE)


def test_key_lines_counts_toml_lines_only() -> None:
    # U+2028 and U+0085 are not line breaks in TOML: line numbers must not drift past them.
    text = 'id = "a\u2028b\x85c"\nstatus = "draft"\n'
    assert codec.key_lines(text) == {"id": 1, "status": 2}


def test_source_origin_and_fetched_round_trip_and_stay_out_of_old_files() -> None:
    from stories.model import Waiver

    text = (DATA / "skin-patch-story.toml").read_text("utf-8")
    briefing = codec.loads(text, PROFILE)
    assert (briefing.source.origin, briefing.source.fetched) == ("feed", "")
    assert codec.render(briefing, PROFILE) == text  # defaults are not written: old files keep their layout
    briefing.source.origin = "article"
    briefing.source.fetched = "2026-11-24T08:55:00Z"
    briefing.waivers = [Waiver("tone.caps", "summary", "NHS", "Sam Editor", "a name", "2026-11-24T09:00:00Z")]
    updated = codec.update(text, briefing, PROFILE)
    assert changed_lines(text, updated) == [
        '+origin = "article"',
        '+fetched = "2026-11-24T08:55:00Z"',
        "+",
        "+[[waivers]]",
        '+check = "tone.caps"',
        '+section = "summary"',
        '+text = "NHS"',
        '+by = "Sam Editor"',
        '+reason = "a name"',
        '+at = "2026-11-24T09:00:00Z"',
    ]
    assert codec.loads(updated, PROFILE) == briefing == codec.loads(codec.render(briefing, PROFILE), PROFILE)


def test_a_bad_origin_or_waiver_names_its_line() -> None:
    text = (DATA / "skin-patch-story.toml").read_text("utf-8")
    with pytest.raises(StoryFileError, match="source.origin: must be one of feed, article, pasted"):
        codec.loads(text + 'origin = "rumour"\n', PROFILE)
    with pytest.raises(StoryFileError, match=r"waivers\[1\].reason: is missing"):
        codec.loads(text + '\n[[waivers]]\ncheck = "tone.caps"\nsection = "summary"\ntext = "X"\nby = "Sam"\n', PROFILE)
