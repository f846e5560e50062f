"""Three-way merge of a story's sections and key points."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from repo_helpers import make_briefing
from stories.model import Briefing, SourceRef
from stories.team.merge import SectionConflict, merge_list, merge_story

KEYS = ("headline", "summary", "key_points", "what_happened", "watch_next")
words = st.text(alphabet="abcdefg ", min_size=0, max_size=12)
points = st.lists(st.sampled_from(["one", "two", "three", "four", "five", "six"]), max_size=6)


@st.composite
def briefings(draw: st.DrawFn) -> Briefing:
    sections = {}
    for key in KEYS:
        if draw(st.booleans()):
            sections[key] = draw(points) if key == "key_points" else draw(words)
    return Briefing(
        id="a-story",
        status=draw(st.sampled_from(["draft", "ready", "published"])),
        sections=sections,
        topics=draw(st.lists(st.sampled_from(["earth", "animals", "science"]), max_size=3, unique=True)),
        related=draw(st.lists(st.sampled_from(["x", "y", "z"]), max_size=3, unique=True)),
        source=draw(st.sampled_from([None, SourceRef(name="Trust", url="https://a.example/1"), SourceRef(name="Lab", url="https://b.example/2")])),
    )


@settings(max_examples=200, deadline=None)
@given(briefings())
def test_merging_three_identical_sides_changes_nothing(story: Briefing) -> None:
    result = merge_story(story, story, story)
    assert result.merged == story and result.conflicts == []


@settings(max_examples=200, deadline=None)
@given(briefings(), briefings())
def test_a_change_made_on_one_side_only_is_taken(base: Briefing, changed: Briefing) -> None:
    assert merge_story(base, changed, base).merged == changed
    assert merge_story(base, base, changed).merged == changed
    assert merge_story(base, changed, base).conflicts == merge_story(base, base, changed).conflicts == []


@settings(max_examples=200, deadline=None)
@given(briefings(), briefings(), st.sets(st.sampled_from(KEYS)))
def test_edits_of_different_sections_are_combined(base: Briefing, other: Briefing, mine: set[str]) -> None:
    ours = replace(base, sections=dict(base.sections))
    theirs = replace(base, sections=dict(base.sections))
    for key in KEYS:
        target = ours if key in mine else theirs
        if key in other.sections:
            target.sections[key] = other.sections[key]
        else:
            target.sections.pop(key, None)
    result = merge_story(base, ours, theirs)
    assert result.conflicts == []
    for key in KEYS:
        assert result.merged.sections.get(key) == other.sections.get(key)


@settings(max_examples=200, deadline=None)
@given(briefings(), briefings(), briefings())
def test_conflicts_do_not_depend_on_who_is_ours(base: Briefing, ours: Briefing, theirs: Briefing) -> None:
    one = {c.key for c in merge_story(base, ours, theirs).conflicts}
    other = {c.key for c in merge_story(base, theirs, ours).conflicts}
    assert one == other
    # Whatever was not in conflict is the same story either way round.
    left, right = merge_story(base, ours, theirs).merged, merge_story(base, theirs, ours).merged
    for key in set(left.sections) | set(right.sections):
        if key not in one:
            assert left.sections.get(key) == right.sections.get(key)


@settings(max_examples=300, deadline=None)
@given(points, points, points)
def test_a_list_merge_keeps_every_one_sided_item_change(base: list[str], ours: list[str], theirs: list[str]) -> None:
    merged = merge_list(base, ours, theirs)
    if ours == theirs:
        assert merged == ours
    if merged is not None:
        assert merge_list(base, theirs, ours) is not None


def test_two_editors_rewording_different_key_points_both_survive() -> None:
    base = make_briefing()
    points = base.items("key_points")
    ours = make_briefing(key_points=[points[0].replace("14 times", "on 14 occasions"), points[1], points[2]])
    theirs = make_briefing(key_points=[points[0], points[1], points[2].replace("doubled", "risen twofold")])
    result = merge_story(base, ours, theirs)
    assert result.clean
    assert result.merged.items("key_points") == [ours.items("key_points")[0], points[1], theirs.items("key_points")[2]]


def test_one_edits_the_summary_the_other_the_headline_and_both_are_kept() -> None:
    base = make_briefing()
    ours = make_briefing(summary=base.text("summary") + " Volunteers plan more.")
    theirs = make_briefing(headline="Otters settle on the Millbrook after a decade of volunteer work")
    result = merge_story(base, ours, theirs)
    assert result.clean
    assert result.merged.headline == theirs.headline and result.merged.text("summary") == ours.text("summary")


def test_the_same_section_changed_both_ways_is_a_conflict_and_can_be_settled() -> None:
    base = make_briefing()
    ours = make_briefing(watch_next="Ours: the county will survey again in spring.", headline="A new headline from us, long enough to pass")
    theirs = make_briefing(watch_next="Theirs: the spring survey will tell if they bred.")
    result = merge_story(base, ours, theirs)
    assert result.conflicts == [SectionConflict("watch_next", base.text("watch_next"), ours.text("watch_next"), theirs.text("watch_next"))]
    assert result.merged.headline == ours.headline  # the clean part is merged already
    settled = result.resolved({"watch_next": theirs.text("watch_next")})
    assert settled.text("watch_next") == theirs.text("watch_next") and settled.headline == ours.headline
    assert result.merged.text("watch_next") == ours.text("watch_next")  # settling makes a new story


def test_the_same_key_point_changed_both_ways_is_a_conflict() -> None:
    base = make_briefing()
    p = base.items("key_points")
    ours = make_briefing(key_points=["Ours: " + p[0], p[1], p[2]])
    theirs = make_briefing(key_points=["Theirs: " + p[0], p[1], p[2]])
    result = merge_story(base, ours, theirs)
    assert [c.key for c in result.conflicts] == ["key_points"]
    assert merge_story(base, ours, ours).clean  # the same change on both sides is no clash


def test_topics_merge_as_a_list_and_a_source_clash_is_reported() -> None:
    base = make_briefing()
    ours = replace(make_briefing(), topics=["earth", "animals", "community"])
    theirs = replace(make_briefing(), topics=["earth"], source=replace(base.source, url="https://other.example/x"))
    result = merge_story(base, ours, theirs)
    assert result.clean and result.merged.source.url == "https://other.example/x"
    assert merge_list(["earth", "animals"], ["earth", "animals", "community"], ["earth"]) == ["earth", "community"]
    clash = replace(make_briefing(), source=replace(base.source, url="https://mine.example/y"))
    assert [c.key for c in merge_story(base, clash, theirs).conflicts] == ["source"]


def test_story_files_merge_by_section_and_keep_both_editors_changes() -> None:
    from stories.codec import loads, render
    from stories.profile import load_profile
    from stories.team.merge import merge_story_files

    profile = load_profile(None)
    base_story = make_briefing()
    base = render(base_story, profile)
    ours = render(make_briefing(headline="Otters settle on the Millbrook after a decade of volunteer work"), profile)
    p = base_story.items("key_points")
    theirs = render(make_briefing(key_points=[p[0], p[1], "Oxygen in the lower river has doubled since 2016."]), profile)
    merged = merge_story_files(base, ours, theirs, profile)
    assert merged.text is not None, merged
    story = loads(merged.text, profile)
    assert story.headline.startswith("Otters settle") and story.items("key_points")[2].startswith("Oxygen in the lower river has")
    clash = merge_story_files(base, ours, render(make_briefing(headline="Otters are back on the Millbrook after ten years of work"), profile), profile)
    assert clash.text is None and [c.key for c in clash.result.conflicts] == ["headline"]
    broken = merge_story_files(base, "not = [toml", theirs, profile)
    assert broken.text is None and broken.error
