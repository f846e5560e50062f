"""Issue 13 points 22 to 24 and 28: the first run, as a new editor meets it on the command line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def nobody(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine where neither the config nor git names the editor."""
    gitconfig = isolated_home / ".gitconfig-nobody"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    for name in ("EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    return gitconfig


def _author(repo: Path) -> str:
    return subprocess.run(["git", "log", "-1", "--format=%an"], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def test_13_22_with_no_git_identity_init_and_the_first_run_agree(tmp_path: Path, nobody: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.commands.app import FIRST_COMMIT_IDENTITY, open_repo

    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    out = capsys.readouterr().out
    assert f"Made a content repo in {desk}" in out and "no editor name is set" in out
    first_run = open_repo(tmp_path / "first-run")  # what plain `briefdesk` does on its first start
    assert _author(desk) == _author(first_run.root) == FIRST_COMMIT_IDENTITY[0]


def test_13_22_init_that_fails_leaves_no_folder_behind(tmp_path: Path, nobody: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nobody.write_text("[init]\n\tdefaultBranch = not..a..branch\n")  # git init itself refuses this
    desk = tmp_path / "new" / "desk"
    assert main(["init", str(desk)]) == 3  # the environment: see "Exit codes"
    assert "git init failed" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_13_24_new_files_respect_the_umask(tmp_path: Path) -> None:
    script = (
        "import os, sys; os.umask(0o022); from tui.cli import main; sys.exit(main(['init', sys.argv[1]]))"
    )
    desk = tmp_path / "desk"
    subprocess.run([sys.executable, "-c", script, str(desk)], cwd=ROOT, check=True, capture_output=True)
    for name in ("desk.toml", "README.md"):
        assert stat.S_IMODE((desk / name).stat().st_mode) == 0o644, name
    from stories.fsutil import atomic_write

    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "draft.toml", "x = 1\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "draft.toml").stat().st_mode) == 0o640


def test_13_28_the_readme_install_commands_do_not_hide_a_long_wait() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = [line for line in readme.splitlines() if "pip install" in line]
    assert commands, "the README gives the install commands"
    assert all(" -q " not in line for line in commands), commands
    test_command = next(line for line in commands if "pytest" in line)
    assert test_command in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()  # CI runs exactly what the README says
