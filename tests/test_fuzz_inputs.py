"""Fuzz: any bytes as a story file, a draft, a desk.toml or an OPML file give a typed error with words, never another exception."""

from __future__ import annotations

from pathlib import Path

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stories.codec import StoryFileError, loads
from stories.drafts import DraftStore
from stories.fsutil import FileReadError, read_regular_text
from stories.sources.opml import OpmlError, parse_opml
from stories.profile import ProfileError, load_profile

PROFILE = load_profile()
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

STORY_KEYS = ["id", "status", "headline", "summary", "key_points", "what_happened", "topics", "related", "created", "updated", "source", "draft"]
DESK_KEYS = ["desk", "sections", "tone", "checks", "templates", "publish", "sources"]
SETTINGS = ["name", "topics", "key", "label", "kind", "required", "min_items", "max_items", "min_words", "max_chars", "hype", "substitutions", "max_exclamations", "verbatim_run_words", "mode", "url", "source_text", "cursor"]

# TOML values of every kind, nested: what a hand-edited or hostile file may hold where text is expected.
scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.datetimes(),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(SETTINGS), inner, max_size=4), max_leaves=20)


def _words(error: Exception) -> None:
    # A message an editor can read: it says something beyond the class name.
    assert len(str(error).strip()) > 5


def _as_bytes(document: dict, noise: bytes, cut: int) -> bytes:
    data = tomlkit.dumps(document).encode("utf-8")
    data = data[:cut] if cut < len(data) else data  # a file cut short by a crash
    return data + noise


toml_documents = st.builds(
    _as_bytes,
    st.dictionaries(st.sampled_from(STORY_KEYS + DESK_KEYS), values, max_size=8),
    st.binary(max_size=8),
    st.integers(min_value=0, max_value=4000),
)
any_bytes = st.one_of(st.binary(max_size=2000), toml_documents)


def _story_from_file(path: Path) -> None:
    try:
        loads(read_regular_text(path, 1024 * 1024), PROFILE, str(path))
    except (StoryFileError, FileReadError) as exc:
        _words(exc)


@FUZZ
@given(data=any_bytes)
def test_any_bytes_as_a_story_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "story.toml"
    path.write_bytes(data)
    _story_from_file(path)


@FUZZ
@given(data=any_bytes)
def test_any_bytes_as_a_draft(tmp_path: Path, data: bytes) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / "item.toml").write_bytes(data)
    store = DraftStore(folder, PROFILE)
    try:
        store.load("item")
    except StoryFileError as exc:
        _words(exc)
    store.list()
    for problem in store.problems():
        assert problem.startswith(str(folder / "item.toml"))


@FUZZ
@given(data=any_bytes)
def test_any_bytes_as_a_desk_toml(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "desk.toml").write_bytes(data)
    try:
        load_profile(tmp_path)
    except ProfileError as exc:
        _words(exc)
        assert exc.path.endswith("desk.toml")


def _opml(outlines: list[tuple[str, str, int]], noise: bytes) -> bytes:
    body = "".join(f'<outline text="{text}" xmlUrl="{url}">' * depth + "</outline>" * depth for text, url, depth in outlines)
    return f'<?xml version="1.0"?><opml version="2.0"><head/><body>{body}</body></opml>'.encode("utf-8", "replace") + noise


attribute = st.text(alphabet=st.characters(blacklist_characters='<>&"', blacklist_categories=("Cs",)), max_size=40)
opml_documents = st.builds(_opml, st.lists(st.tuples(attribute, st.one_of(attribute, st.just("https://example.org/feed.xml")), st.integers(1, 40)), max_size=6), st.binary(max_size=6))


@FUZZ
@given(data=st.one_of(st.binary(max_size=2000), opml_documents))
def test_any_bytes_as_opml(data: bytes) -> None:
    try:
        sources = parse_opml(data)
    except OpmlError as exc:
        _words(exc)
        return
    for source in sources:
        assert source.url.startswith(("http://", "https://")) and "\x1b" not in source.name


section_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    headline=section_text,
    summary=section_text,
    points=st.lists(section_text, max_size=5),
    happened=section_text,
    source_text=section_text,
)
def test_any_text_in_a_well_formed_story_checks_with_a_verdict_never_a_bug(tmp_path: Path, capsys, headline, summary, points, happened, source_text) -> None:
    from dataclasses import replace

    from repo_helpers import make_briefing
    from stories.codec import render
    from stories.model import content_hash
    from stories.profile import default_desk_text
    from tui.cli import main

    # A content repo, so the traceability checks run against the (random) source snapshot.
    (tmp_path / "desk.toml").write_text(default_desk_text(), "utf-8")
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / f"{content_hash(source_text)}.txt").write_text(source_text, "utf-8")
    briefing = make_briefing(headline=headline, summary=summary, key_points=points, what_happened=happened)
    briefing.source = replace(briefing.source, snapshot=content_hash(source_text))
    story = tmp_path / "stories" / "story.toml"
    story.parent.mkdir(exist_ok=True)
    story.write_text(render(briefing, PROFILE), "utf-8")
    code = main(["check", str(story)])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), err
    assert "this is a bug" not in err and "Traceback" not in err
    # The snapshot was found and matched, so the source text itself was checked.
    assert "is not in the content repo" not in out and "does not match its hash" not in out
