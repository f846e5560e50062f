"""One exit-code convention for the whole CLI, each code reached on real inputs (README "Exit codes").

0 ok, 1 the checks refused, 2 bad input or usage, 3 the environment (git,
disk, network), 4 a bug: a one-line message naming a log file, never a traceback.
"""

from __future__ import annotations

import socket
import types
from pathlib import Path

import pytest

from faults_helpers import briefdesk, fill, free, nested_arrays, small_disk
from stories import codec
from stories.profile import load_profile
from repo_helpers import SOURCE_TEXT, make_briefing

import tui.cli as cli


def _story(path: Path, **sections) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(codec.render(make_briefing(**sections), load_profile()), "utf-8")
    return path


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


def test_0_a_clean_story_checks_ok(tmp_path: Path) -> None:
    story = _story(tmp_path / "otters.toml")
    (tmp_path / "otters.source.txt").write_text(SOURCE_TEXT, "utf-8")
    result = briefdesk("check", str(story), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stderr


def test_1_the_checks_refuse_a_story_with_errors(tmp_path: Path) -> None:
    story = _story(tmp_path / "short.toml", summary="Too short.")
    result = briefdesk("check", str(story), cwd=tmp_path)
    assert result.returncode == 1
    assert "1 error" in result.stderr and ": error " in result.stdout
    _no_traceback(result)


def test_2_usage_errors_and_bad_input(tmp_path: Path) -> None:
    usage = briefdesk("check", cwd=tmp_path)
    assert usage.returncode == 2 and "the following arguments are required: PATH" in usage.stderr

    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\nheadline = \n', "utf-8")
    result = briefdesk("check", str(broken), cwd=tmp_path)
    assert result.returncode == 2 and "broken.toml:2: not valid TOML" in result.stdout
    _no_traceback(result)


def test_2_a_desk_toml_past_a_ceiling(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "desk.toml").write_text('[[sections]]\nkey = "headline"\nkind = "line"\n\n[[sections]]\nkey = "key_points"\nkind = "list"\nmin_items = 20000\n', "utf-8")
    _story(desk / "stories" / "2026" / "otters.toml")
    result = briefdesk("check", str(desk), cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert "sections.key_points.min_items: is 20,000, over the ceiling of 50" in result.stdout
    _no_traceback(result)


def test_2_a_non_utf8_source_text_for_publish(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert briefdesk("init", str(desk), cwd=tmp_path).returncode == 0
    story = _story(tmp_path / "otters.toml")
    latin1 = tmp_path / "source.txt"
    latin1.write_bytes("Caf\xe9 owners and otters".encode("latin-1"))
    result = briefdesk("--repo", str(desk), "publish", str(story), "--source-text", str(latin1), cwd=tmp_path)
    assert result.returncode == 2
    assert f"briefdesk: {latin1}: not UTF-8 text (byte 3 is not valid UTF-8)" in result.stderr
    _no_traceback(result)


def test_2_a_story_nested_hundreds_deep(tmp_path: Path) -> None:
    story = tmp_path / "deep.toml"
    story.write_text(f'id = "deep"\nstatus = "draft"\ntopics = {nested_arrays(600)}\n', "utf-8")
    result = briefdesk("check", str(story), cwd=tmp_path)
    assert result.returncode == 2
    assert "deep.toml: has arrays or tables nested too deep to read" in result.stdout
    _no_traceback(result)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_3_a_feed_that_cannot_be_reached(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    url = f"http://127.0.0.1:{_closed_port()}/feed.xml"
    (desk / "desk.toml").write_text(f'[[sources]]\nname = "Gone"\nurl = "{url}"\n', "utf-8")
    result = briefdesk("fetch", "--no-articles", "--repo", str(desk), "--quiet", cwd=tmp_path)
    assert result.returncode == 3
    assert "1 failed" in result.stdout and "refused the connection" in result.stdout
    _no_traceback(result)


def test_3_a_full_disk_under_a_new_content_repo(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "128k") as disk:
        fill(disk)
        result = briefdesk("init", str(disk / "desk"), cwd=tmp_path)
        free(disk)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith("briefdesk: ") and len(result.stderr.strip().splitlines()) <= 3
    _no_traceback(result)


def test_4_a_bug_is_one_line_and_a_log_file_with_the_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], isolated_home: Path) -> None:
    # A command with a real bug in it: the line convention must hold for code nobody has written yet.
    def run(args):
        return {}["missing key"]

    broken = types.SimpleNamespace(HELP="a command with a bug", configure=lambda parser: None, run=run)
    real = cli._module
    monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, "explode"))
    monkeypatch.setattr(cli, "_module", lambda name: broken if name == "explode" else real(name))

    assert cli.main(["explode"]) == 4
    err = capsys.readouterr().err
    assert "Traceback" not in err
    first, second = err.strip().splitlines()
    assert first == "briefdesk: something went wrong that should not have (KeyError: 'missing key'); this is a bug."
    logs = sorted((isolated_home / "data" / "logs").glob("crash-*.log"))
    assert len(logs) == 1 and second == f"briefdesk: the details are in {logs[0]}"
    logged = logs[0].read_text("utf-8")
    assert "Traceback (most recent call last)" in logged and "KeyError: 'missing key'" in logged and "briefdesk explode" in logged


def test_3_publishing_onto_a_full_disk_is_one_message(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        desk = disk / "desk"
        assert briefdesk("init", str(desk), cwd=tmp_path).returncode == 0
        story = _story(tmp_path / "otters.toml")
        source = tmp_path / "source.txt"
        source.write_text(SOURCE_TEXT, "utf-8")
        fill(disk)
        result = briefdesk("--repo", str(desk), "publish", str(story), "--source-text", str(source), cwd=tmp_path)
        free(disk)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith("briefdesk: ")
    _no_traceback(result)
    assert result.stderr.startswith("briefdesk: the disk is full, so ") and result.stderr.count("\n") == 1
    assert "Nothing was published" in result.stderr


def test_classify_words_real_faults_and_leaves_bugs_alone(tmp_path: Path) -> None:
    import errno
    import sqlite3

    from tui.commands import BAD_INPUT, ENVIRONMENT, classify

    garbage = tmp_path / "desk.db"
    garbage.write_bytes(b"a shopping list, not a database" * 200)
    with pytest.raises(sqlite3.DatabaseError) as damaged:
        sqlite3.connect(garbage).execute("select * from items")
    assert classify(damaged.value) == (ENVIRONMENT, "the queue database (desk.db) failed: file is not a database")

    try:
        (tmp_path / "latin1.txt").write_bytes(b"caf\xe9")
        (tmp_path / "latin1.txt").read_text("utf-8")
    except UnicodeDecodeError as exc:
        assert classify(exc) == (BAD_INPUT, "a file is not UTF-8 text (unexpected end of data at byte 3)")
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))
    assert classify(full) == (ENVIRONMENT, f"{tmp_path / 'x'}: the disk is full; free some space and run the command again")
    assert classify(KeyError("bug")) is None and classify(RecursionError()) is None
