"""A waiver's whole trip: waive, publish into a real git content repo, reopen, and `briefdesk check` it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from repo_helpers import SOURCE_TEXT, git, make_briefing
from stories.checks import counts, run_checks, trailer_counts, waive
from stories.repo import ContentRepo, Editor, PublishRefused

ROOT = Path(__file__).resolve().parents[1]
SHOUTING = "Otters return to the Millbrook after ten years of TINY volunteer repairs"


def briefdesk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    return subprocess.run([sys.executable, "-P", "-m", "tui.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def repo(tmp_path: Path) -> ContentRepo:
    return ContentRepo.init(tmp_path / "desk", Editor("Sam Editor", "sam@example.org"))


def test_waive_publish_reopen_and_check(repo: ContentRepo) -> None:
    editor = Editor("Sam Editor", "sam@example.org")
    story = make_briefing(headline=SHOUTING)
    [caps] = [f for f in run_checks(story, SOURCE_TEXT, repo.profile, []) if f.check == "tone.caps"]
    assert caps.severity == "error"
    with pytest.raises(PublishRefused):
        repo.publish(story, SOURCE_TEXT, editor)

    waive(story, caps, editor.name, "the charity's own campaign name")
    result = repo.publish(story, SOURCE_TEXT, editor)
    assert result.commit
    waived = [f for f in result.findings if f.waiver is not None]
    assert [f.check for f in waived] == ["tone.caps"]
    assert trailer_counts(result.findings).text().endswith(", 1 waived")
    # The commit's own Checks: trailer counts the waiver, as a reviewer reads it in git.
    trailer = git(repo.root, "log", "-1", "--format=%(trailers:key=Checks,valueonly)").strip()
    assert trailer.endswith(", 1 waived"), trailer
    repo.close()

    # Restart: a fresh handle reads the story back from the repo, waiver and all.
    again = ContentRepo.open(repo.root)
    stored = again.story(story.id)
    assert [(w.check, w.text, w.by, w.reason) for w in stored.waivers] == [("tone.caps", "TINY", "Sam Editor", "the charity's own campaign name")]
    assert counts(run_checks(stored, SOURCE_TEXT, again.profile, again.published()))[0] == 0
    path = result.path
    again.close()

    # The command line honours it and lists it.
    checked = briefdesk("check", path, cwd=repo.root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "waived tone.caps" in checked.stdout and "waived by Sam Editor: the charity's own campaign name" in checked.stdout
    assert "1 waived" in checked.stderr

    # Change the waived text and the finding is back.
    file = repo.root / path
    file.write_text(file.read_text("utf-8").replace(SHOUTING, SHOUTING.replace("TINY", "SMALL")), "utf-8")
    checked = briefdesk("check", path, cwd=repo.root)
    assert checked.returncode == 1
    assert "error tone.caps ALL CAPS reads as shouting: 'SMALL'" in checked.stdout


def test_a_second_story_from_a_published_source_is_refused_unless_waived(repo: ContentRepo) -> None:
    editor = Editor("Sam Editor", "sam@example.org")
    repo.publish(make_briefing(), SOURCE_TEXT, editor)
    # A revision of the story is no duplicate of itself.
    first = repo.story("otters-return-to-the-millbrook")
    first.sections["summary"] = first.text("summary").replace("is paying off", "is now paying off")
    assert repo.publish(first, SOURCE_TEXT, editor).action == "revise"
    second = make_briefing("otters-follow-up", headline="Otters on the Millbrook: the volunteers tell their side of it")
    with pytest.raises(PublishRefused) as refused:
        repo.publish(second, SOURCE_TEXT, editor)
    [dup] = [f for f in refused.value.findings if f.check == "repository.duplicate"]
    waive(second, dup, editor.name, "a follow-up with the volunteers, linked to the first story")
    assert repo.publish(second, SOURCE_TEXT, editor).commit
    assert "Publish: Otters on the Millbrook" in git(repo.root, "log", "--format=%s")
