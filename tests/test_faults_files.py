"""Only regular files are read, and only up to a sane size: a pipe, a huge story or a deep nest is a message, never a hang."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faults_helpers import briefdesk, make_fifo, nested_arrays
from repo_helpers import make_briefing
from stories import codec
from stories.codec import STORY_LIMIT, StoryFileError, loads
from stories.drafts import DraftStore
from stories.fsutil import FileReadError, read_regular_text
from stories.profile import ProfileError, default_desk_text, load_profile

PROFILE = load_profile()


def test_a_pipe_is_never_opened_for_reading(tmp_path: Path) -> None:
    pipe = make_fifo(tmp_path / "story.toml")
    # Nobody writes to it: a plain open() would wait here for ever.
    with pytest.raises(FileReadError, match="is a pipe, not an ordinary file; skipped"):
        read_regular_text(pipe, 1024)


def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB that take no disk
    with pytest.raises(FileReadError, match=r"is 50 MB; files over 1 MB are refused"):
        read_regular_text(big, STORY_LIMIT)
    assert read_regular_text(_write(tmp_path / "ok.txt", "otters\n"), 1024) == "otters\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_check_skips_a_pipe_in_a_folder_and_checks_the_rest(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    (desk / "stories" / "2026").mkdir(parents=True)
    (desk / "desk.toml").write_text(default_desk_text(), "utf-8")
    good = desk / "stories" / "2026" / "otters-return-to-the-millbrook.toml"
    good.write_text(codec.render(make_briefing(), PROFILE), "utf-8")
    make_fifo(desk / "stories" / "2026" / "waiting.toml")
    result = briefdesk("check", str(desk), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "waiting.toml: is a pipe, not an ordinary file; skipped without reading it" in result.stdout
    assert "checked 1 story" in result.stderr and "1 could not be read" in result.stderr
    # Named on the command line it is the same message, not "no such file".
    named = briefdesk("check", str(desk / "stories" / "2026" / "waiting.toml"), cwd=tmp_path, timeout=60)
    assert named.returncode == 2 and "is a pipe" in named.stdout


def test_a_desk_toml_that_is_a_pipe_is_a_message(tmp_path: Path) -> None:
    make_fifo(tmp_path / "desk.toml")
    with pytest.raises(ProfileError, match="desk.toml: is a pipe, not an ordinary file"):
        load_profile(tmp_path)


def test_a_50_mb_story_is_refused_in_words_and_quickly(tmp_path: Path) -> None:
    story = tmp_path / "huge.toml"
    line = 'summary = """' + "calm " * 200 + '"""\n'
    with open(story, "w", encoding="utf-8") as handle:
        handle.write('id = "huge"\nstatus = "draft"\n')
        for number in range(50 * 1024 * 1024 // len(line)):
            handle.write(line.replace("summary", f"extra_{number}"))
    result = briefdesk("check", str(story), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert re.search(r"huge.toml: is 50\.\d MB; files over 1 MB are refused", result.stdout), result.stdout
    assert "Traceback" not in result.stderr


def test_loads_refuses_oversized_text_and_deep_nesting_with_a_message() -> None:
    with pytest.raises(StoryFileError, match="story files over 1,024 KB are refused"):
        loads('id = "x"\n' + "# padding\n" * 120_000, PROFILE, "big.toml")
    for value in (nested_arrays(500), nested_arrays(5000), "{a = " * 2000 + "1" + "}" * 2000):
        with pytest.raises(StoryFileError, match="nested too deep to read"):
            loads(f'id = "x"\nstatus = "draft"\ntopics = {value}\n', PROFILE, "deep.toml")


def test_a_draft_that_is_a_pipe_or_deeply_nested_is_listed_as_a_problem_and_never_waited_on(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, PROFILE)
    make_fifo(tmp_path / "waiting.toml")
    (tmp_path / "deep.toml").write_text(f'id = "d"\nstatus = "draft"\ntopics = {nested_arrays(800)}\n', "utf-8")
    assert store.list() == []
    problems = store.problems()
    assert any("waiting.toml: is a pipe" in p for p in problems)
    assert any("deep.toml: has arrays or tables nested too deep" in p for p in problems)
    with pytest.raises(StoryFileError, match="is a pipe"):
        store.load("waiting")
    assert (tmp_path / "waiting.toml").exists()  # a pipe is skipped, not renamed or read


def test_a_deeply_nested_desk_toml_is_a_profile_error(tmp_path: Path) -> None:
    (tmp_path / "desk.toml").write_text(f"[desk]\ntopics = {nested_arrays(700)}\n", "utf-8")
    with pytest.raises(ProfileError, match="desk.toml: has arrays or tables nested too deep to read"):
        load_profile(tmp_path)


def test_import_opml_from_a_pipe_is_a_message(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert briefdesk("init", str(desk), cwd=tmp_path).returncode == 0
    pipe = make_fifo(tmp_path / "feeds.opml")
    result = briefdesk("--repo", str(desk), "import-opml", str(pipe), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"briefdesk: {pipe}: is a pipe, not an ordinary file; skipped without reading it\n"
