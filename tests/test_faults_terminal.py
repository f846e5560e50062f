"""What the CLI prints from a repo or a story reaches the terminal without escape sequences or control characters."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from faults_helpers import briefdesk
from repo_helpers import SECTIONS, SOURCE_TEXT, make_briefing
from stories import codec
from stories.profile import load_profile
from tui.commands import safe_line, safe_text

CLEAR_SCREEN = "\x1b[H\x1b[J"


def _raw(output: str) -> bool:
    return any(ch in output for ch in ("\x1b", "\x07", "\x9b", "\x08", "\r"))


def test_log_prints_a_colleagues_hostile_name_and_subject_safely(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert briefdesk("init", str(desk), cwd=tmp_path).returncode == 0
    env = {**os.environ, "GIT_AUTHOR_NAME": "Mal\x1b[5mlory", "GIT_AUTHOR_EMAIL": "m@example.org"}
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", f"Fix{CLEAR_SCREEN} the \x07typo\x1b]0;owned\x07"], cwd=desk, env=env, check=True)
    result = briefdesk("log", "--repo", str(desk), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not _raw(result.stdout + result.stderr)
    first = result.stdout.splitlines()[0]
    assert "Mallory" in first and "Fix the typo" in first


def test_publish_never_echoes_escape_codes_from_a_headline(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert briefdesk("init", str(desk), cwd=tmp_path).returncode == 0
    story = tmp_path / "otters.toml"
    headline = SECTIONS["headline"].replace("Otters", f"Otters{CLEAR_SCREEN}")
    story.write_text(codec.render(make_briefing(headline=headline), load_profile()), "utf-8")
    source = tmp_path / "source.txt"
    source.write_text(SOURCE_TEXT, "utf-8")
    result = briefdesk("--repo", str(desk), "publish", str(story), "--source-text", str(source), cwd=tmp_path)
    # Refused by the control-character check, and nothing raw reaches the terminal.
    assert result.returncode == 1, result.stderr
    assert not _raw(result.stdout + result.stderr)
    assert "headline: Headline holds control characters or terminal escape codes" in result.stdout


def test_safe_line_and_safe_text_keep_words_and_drop_controls() -> None:
    assert safe_line("[red]x[/] \x1b[31mred\x1b[0m\nnext") == "[red]x[/] red next"
    assert safe_text("refused:\n  summary: too \x1b[2Jshort\n  headline: ok") == "refused:\n  summary: too short\n  headline: ok"
