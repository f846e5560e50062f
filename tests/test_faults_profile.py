"""Every number in desk.toml has a ceiling: far past any real desk is a message naming the file, the key and the ceiling."""

from __future__ import annotations

from pathlib import Path

import pytest

from stories.profile import CEILINGS, ProfileError, load_profile

LIST_SECTION = '[[sections]]\nkey = "headline"\nkind = "line"\n\n[[sections]]\nkey = "key_points"\nkind = "list"\n'


def _desk(tmp_path: Path, text: str) -> Path:
    (tmp_path / "desk.toml").write_text(text, "utf-8")
    return tmp_path


@pytest.mark.parametrize("value", [20_000, 10**9, 2**63 - 1])
def test_a_huge_min_items_is_a_message_not_a_freeze_or_memory_error(tmp_path: Path, value: int) -> None:
    desk = _desk(tmp_path, LIST_SECTION + f"min_items = {value}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(desk)
    error = caught.value
    assert (error.path, error.key) == (str(desk / "desk.toml"), "sections.key_points.min_items")
    assert str(error) == f"{desk / 'desk.toml'}: sections.key_points.min_items: is {value:,}, over the ceiling of 50"


@pytest.mark.parametrize(
    ("table", "key", "where"),
    [
        ("tone", "max_exclamations", "tone.max_exclamations"),
        ("checks", "verbatim_run_words", "checks.verbatim_run_words"),
        ("checks", "short_source_words", "checks.short_source_words"),
    ],
)
def test_every_number_outside_sections_has_a_ceiling_too(tmp_path: Path, table: str, key: str, where: str) -> None:
    ceiling = CEILINGS[key]
    desk = _desk(tmp_path, f"[{table}]\n{key} = {ceiling + 1}\n")
    with pytest.raises(ProfileError, match=f"{where}: is {ceiling + 1:,}, over the ceiling of {ceiling:,}"):
        load_profile(desk)
    _desk(tmp_path, f"[{table}]\n{key} = {ceiling}\n")
    assert load_profile(tmp_path) is not None  # the ceiling itself is allowed


def test_word_and_char_limits_and_section_counts_are_bounded(tmp_path: Path) -> None:
    for setting, shown in (("max_words", "max_words: is 1,000,000"), ("max_chars", "max_chars: is 1,000,000"), ("paragraphs", "paragraphs: is 1,000,000")):
        _desk(tmp_path, LIST_SECTION + f"{setting} = 1000000\n")
        with pytest.raises(ProfileError, match=shown):
            load_profile(tmp_path)
    many = "".join(f'[[sections]]\nkey = "s{n}"\n\n' for n in range(60))
    _desk(tmp_path, '[[sections]]\nkey = "headline"\n\n' + many)
    with pytest.raises(ProfileError, match="sections: has 61 sections, over the ceiling of 50"):
        load_profile(tmp_path)


def test_the_house_format_is_well_inside_every_ceiling() -> None:
    profile = load_profile()
    for section in profile.sections:
        for name, ceiling in CEILINGS.items():
            value = getattr(section, name, None)
            assert value is None or value <= ceiling


def test_a_source_list_past_its_ceiling_is_a_message(tmp_path: Path) -> None:
    from stories.profile import MAX_SOURCES

    many = "".join(f'[[sources]]\nname = "S{n}"\nurl = "https://example.org/{n}.xml"\n' for n in range(MAX_SOURCES + 1))
    _desk(tmp_path, many)
    with pytest.raises(ProfileError, match=f"sources: has {MAX_SOURCES + 1:,} sources, over the ceiling of {MAX_SOURCES:,}"):
        load_profile(tmp_path)


def test_a_desk_toml_over_4_mb_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    with open(tmp_path / "desk.toml", "wb") as handle:
        handle.truncate(5 * 1024 * 1024)
    with pytest.raises(ProfileError, match="desk.toml: is 5 MB; files over 4 MB are refused"):
        load_profile(tmp_path)
