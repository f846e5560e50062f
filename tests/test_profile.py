"""The desk profile: the bundled house format, desk.toml overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from stories.profile import ProfileError, default_desk_text, load_profile, profile_from_text


def test_the_default_is_the_house_format() -> None:
    profile = load_profile()
    assert profile.keys == ["headline", "summary", "key_points", "what_happened", "why_it_feels_good", "watch_next"]
    headline, summary, points, happened, feels, watch = profile.sections
    assert (headline.kind, headline.min_chars, headline.max_chars) == ("line", 30, 90)
    assert (summary.min_words, summary.max_words, summary.paragraphs) == (20, 60, 1)
    assert (points.kind, points.min_items, points.max_items, points.min_words, points.max_words) == ("list", 3, 3, 4, 16)
    assert (happened.min_words, happened.max_words) == (60, 220)
    assert (feels.min_words, feels.max_words) == (40, 180)
    assert (watch.min_words, watch.max_words) == (30, 150) and "next" in watch.expects_any
    assert "miracle" in profile.tone.hype and profile.tone.substitutions["groundbreaking"] == "new"
    assert "{source_name}" in profile.templates["attribution"]


def test_a_repo_without_desk_toml_gets_the_default(tmp_path: Path) -> None:
    assert load_profile(tmp_path) == load_profile()


def test_desk_toml_overrides_only_what_it_names(tmp_path: Path) -> None:
    (tmp_path / "desk.toml").write_text(
        '[desk]\nname = "Morning Calm"\n\n[checks]\nverbatim_run_words = 8\n\n[tone]\nhype = ["wow"]\n', "utf-8"
    )
    profile = load_profile(tmp_path)
    assert profile.name == "Morning Calm" and profile.verbatim_run_words == 8 and profile.tone.hype == ("wow",)
    default = load_profile()
    assert profile.sections == default.sections and profile.tone.superlatives == default.tone.superlatives


def test_a_section_override_changes_only_its_fields() -> None:
    profile = profile_from_text('[[sections]]\nkey = "headline"\nmax_chars = 70\n\n[[sections]]\nkey = "summary"\n')
    assert profile.keys == ["headline", "summary"]
    assert profile.section("headline").max_chars == 70 and profile.section("headline").min_chars == 30
    assert profile.section("headline").label == "Headline"


def test_the_bundled_text_loads_as_a_desk_toml() -> None:
    assert profile_from_text(default_desk_text()) == load_profile()


@pytest.mark.parametrize(
    "text, key, problem",
    [
        ("[checks\nverbatim_run_words = 3\n", "", "not valid TOML"),
        ('[checks]\nverbatim_run_words = "twelve"\n', "checks.verbatim_run_words", "must be a whole number of 0 or more, not 'twelve'"),
        ("[checks]\nverbatim_run_words = 2\n", "checks.verbatim_run_words", "must be 4 or more"),
        ("[checks]\nverbatim_words = 10\n", "checks.verbatim_words", "is not a [checks] setting"),
        ('[tone]\nhype = "miracle"\n', "tone.hype", "must be a list of text values"),
        ("[tone]\nhyp = []\n", "tone.hyp", "is not a [tone] setting"),
        ('[tone.substitutions]\nbreakthrough = 1\n', "tone.substitutions", "must be a table of word"),
        ('[[sections]]\nkey = "headline"\nkind = "essay"\n', "sections.headline.kind", "must be line, text or list, not 'essay'"),
        ('[[sections]]\nkey = "headline"\nmax_char = 40\n', "sections.headline.max_char", "is not a section setting"),
        ('[[sections]]\nkey = "headline"\nmin_chars = 80\nmax_chars = 40\n', "sections.headline.min_chars", "is larger than max_chars"),
        ('[[sections]]\nkey = "headline"\nrequired = "yes"\n', "sections.headline.required", "must be true or false"),
        ('[[sections]]\nkey = "summary"\n', "sections", 'must include a section with key = "headline"'),
        ('[[sections]]\nkey = "headline"\n[[sections]]\nkey = "headline"\n', "sections.headline", "is defined twice"),
        ('[[sections]]\nkey = "headline"\n[[sections]]\nkey = "status"\n', "sections.status", "is a reserved key"),
        ('[[sections]]\nkey = "my summary"\n', "sections[1].key", "must be a name"),
        ("sections = 3\n", "sections", "must be a list of [[sections]] tables"),
        ('desk = "x"\n', "desk", "must be a table"),
        ('[desk]\ntopics = "earth"\n', "desk.topics", "must be a list of text values"),
        ('[[sources]]\nname = "Feed"\nurl = "javascript:x"\n', "sources[1].url", "must be an http(s) address"),
        ('[[sources]]\nurl = "https://example.org/feed"\n', "sources[1].name", "is missing"),
        ('[templates]\nattribution = 5\n', "templates.attribution", "must be text, not a number"),
    ],
)
def test_a_broken_desk_toml_names_file_key_and_problem(tmp_path: Path, text: str, key: str, problem: str) -> None:
    (tmp_path / "desk.toml").write_text(text, "utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path)
    error = caught.value
    assert error.path == str(tmp_path / "desk.toml")
    assert error.key == key
    assert error.problem.startswith(problem), error.problem
    assert str(error).startswith(f"{tmp_path / 'desk.toml'}: {key + ': ' if key else ''}{problem}")


def test_a_desk_toml_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "desk.toml").write_bytes('[desk]\nname = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ProfileError, match="desk.toml: not UTF-8 text"):
        load_profile(tmp_path)
