"""The content-repo commands as a user types them: init, publish, log, sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_helpers import SECTIONS, SOURCE_TEXT, assert_fsck_clean, git, make_briefing, porcelain
from stories import codec
from stories.drafts import Draft, DraftStore
from stories.profile import load_profile
from tui.cli import main

STORY = "otters-return-to-the-millbrook"


def write_story(path: Path, **sections: str) -> Path:
    path.write_text(codec.render(make_briefing(**sections), load_profile()), "utf-8")
    return path


def test_init_publish_log_and_sync_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    assert f"Made a content repo in {desk}" in capsys.readouterr().out

    story = write_story(tmp_path / "otters.toml")
    source = tmp_path / "otters-source.txt"
    source.write_text(SOURCE_TEXT, "utf-8")
    assert main(["--repo", str(desk), "publish", str(story), "--source-text", str(source)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Published {SECTIONS['headline']} as ") and f"stories/2026/{STORY}.toml" in out

    # A revision of the committed file finds its source text from the snapshot the story names.
    committed = (desk / f"stories/2026/{STORY}.toml").read_text("utf-8")
    story.write_text(committed.replace("whole river", "river and the town"), "utf-8")
    assert main(["publish", "--repo", str(desk), str(story)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Revised ") and "source text from sources/" in out
    assert main(["publish", "--repo", str(desk), str(story)]) == 0
    assert capsys.readouterr().out.startswith("Unchanged:")

    assert main(["log", "--repo", str(desk), STORY]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Revise: Otters return" in lines[0] and lines[1].strip() == "Summary changed"
    assert "Publish: Otters return" in lines[2]
    assert main(["log", "--repo", str(desk)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("Start the content repo")

    assert main(["sync", "--repo", str(desk)]) == 0
    said = capsys.readouterr().out.strip().splitlines()
    assert said[0] == "no remote — 1 story waiting to be pushed (add one: git remote add origin URL)"
    assert said[1] == "desk state is only on this machine (no remote)"
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(desk, "remote", "add", "origin", str(remote))
    assert main(["sync", "--repo", str(desk)]) == 0
    assert "pushed 1 story" in capsys.readouterr().out
    assert porcelain(desk) == ""
    assert_fsck_clean(desk)
    assert_fsck_clean(remote)


def test_publish_refuses_with_the_findings_and_takes_a_draft_with_its_source(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    desk = tmp_path / "desk"
    monkeypatch.setenv("BRIEFDESK_REPO", str(desk))
    assert main(["init"]) == 0
    capsys.readouterr()
    bad = write_story(tmp_path / "bad.toml", summary="Too short.")
    assert main(["publish", str(bad), "--source-text", str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("briefdesk: not published: the checks found problems:") and "summary:" in out
    assert git(desk, "log", "--format=%s").splitlines() == ["Start the content repo"]

    store = DraftStore(tmp_path / "drafts")
    draft_file = store.save(Draft(key="item-1187", briefing=make_briefing(), source_text=SOURCE_TEXT))
    assert main(["publish", str(draft_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Published ") and "source text from the draft" in out
    assert git(desk, "show", "--stat", "--format=", "HEAD").count("|") == 2  # story + snapshot
    assert_fsck_clean(desk)


def test_commands_on_a_folder_that_is_not_a_content_repo_say_how_to_fix_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for argv in (["log"], ["sync"], ["publish", str(tmp_path / "x.toml")]):
        assert main(["--repo", str(plain), *argv]) == 2
        err = capsys.readouterr().err
        assert f"briefdesk init {plain}" in err and "not a git repository" in err


def test_log_never_hands_a_colleagues_escape_codes_to_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    (desk / "README.md").write_text("Edited by a colleague.\n")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Mal\x1b[5mlory")
    git(desk, "commit", "-q", "-am", "Tidy \x1b[H\x1b[Jthe README \x1b]0;owned\x07now")
    monkeypatch.delenv("GIT_AUTHOR_NAME")
    capsys.readouterr()
    assert main(["log", "--repo", str(desk)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Mallory" in out and "Tidy the README now" in out
