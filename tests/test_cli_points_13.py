"""Issue 13's command-line points 19, 20, 21, 25 and 26, as a user types them (real git, real files)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from repo_helpers import SOURCE_TEXT, git, make_briefing
from stories import codec
from stories.drafts import Draft, DraftStore
from stories.model import content_hash
from stories.profile import Source, default_desk_text, load_profile
from stories.queue import QueueStore
from stories.sources.feeds import parse_feed
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


def briefdesk(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh interpreter (-P: a content repo's stories/ folder must not shadow the package)."""
    full = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])), **(env or {})}
    return subprocess.run([sys.executable, "-P", "-m", "tui.cli", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)


def test_13_19_publish_takes_a_saved_draft_with_no_story_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tui import locations

    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    # A new draft from the queue has no id yet: the drafts folder's file says id = "".
    store = DraftStore(locations.drafts_dir(), load_profile(desk))
    draft_file = store.save(Draft(key="item-1187", briefing=make_briefing(story_id=""), source_text=SOURCE_TEXT))
    assert 'id = ""' in draft_file.read_text("utf-8") and "[draft]" in draft_file.read_text("utf-8")
    capsys.readouterr()
    assert main(["--repo", str(desk), "publish", str(draft_file)]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    rel = "stories/2026/otters-return-to-the-millbrook-after-ten-years-of-volunteer.toml"
    assert out.startswith("Published Otters return") and rel in out and "source text from the draft" in out
    assert "cannot be a file name" not in out
    assert codec.loads((desk / rel).read_text("utf-8"), load_profile(desk), rel).id == Path(rel).stem
    assert git(desk, "log", "-1", "--format=%s").startswith("Publish: Otters return")
    assert not draft_file.exists()  # the drafts folder's own file is done with
