"""``briefdesk check`` as CI and a pre-commit hook use it: file:line: findings and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stories.model import content_hash
from stories.profile import default_desk_text
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SOURCE = (DATA / "skin-patch-source.txt").read_text("utf-8")
STORY = (DATA / "skin-patch-story.toml").read_text("utf-8")
STORY_ID = "lab-grown-skin-patch-heals-stubborn-leg-ulcers-in-a-small"
REL = f"stories/2026/{STORY_ID}.toml"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A content repo with desk.toml, the example story and its source snapshot; the current folder."""
    root = tmp_path / "desk"
    (root / "stories" / "2026").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "desk.toml").write_text(default_desk_text(), "utf-8")
    (root / REL).write_text(STORY, "utf-8")
    (root / "sources" / f"{content_hash(SOURCE)}.txt").write_text(SOURCE, "utf-8")
    monkeypatch.chdir(root)
    return root


def briefdesk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh interpreter (-P: a content repo's stories/ folder must not shadow the package)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    return subprocess.run([sys.executable, "-P", "-m", "tui.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def edit_story(root: Path, old: str, new: str) -> int:
    """Edit the story file; the 1-based line where the new text sits."""
    path = root / REL
    text = path.read_text("utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    return text[: text.index(new)].count("\n") + 1 if new else text[: text.index("\n", 0)].count("\n") + 1


def test_the_example_story_passes(repo: Path) -> None:
    result = briefdesk("check", REL, cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "checked 1 story: 0 errors, 0 warnings" in result.stderr


def test_twelve_patients_with_the_real_command(repo: Path) -> None:
    line = edit_story(repo, "All nine patients", "All twelve patients")
    result = briefdesk("check", REL, cwd=repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f'{REL}:{line}: error traceability.number "twelve" is not in the source']


PASTED = "technicians grew the cells on a thin scaffold made from plant cellulose until the sheet was roughly the size of a playing card"

EDITS = {
    "dropped key point": ('    "A larger trial of 120 patients starts next spring.",\n', "", "key_points = [", "error structure.items Key points: 2 items; exactly 3"),
    "miracle headline": (
        'headline = "Lab-grown skin patch heals stubborn leg ulcers in a small hospital trial"',
        'headline = "MIRACLE CURE FOR LUPUS!!!"',
        "headline = ",
        "error tone.caps ALL CAPS reads as shouting: 'MIRACLE'",
    ),
    "twelve patients": ("All nine patients", "All twelve patients", "All twelve patients", 'error traceability.number "twelve" is not in the source'),
    "invented quote": (
        "“This summer I grew my own tomatoes again,”",
        "“Best day of my life,”",
        "Best day of my life",
        "error traceability.quote Quotation “Best day of my life,” is not in the source",
    ),
    "pasted run": ("Leg ulcers are painful", f"In the lab, {PASTED}. Leg ulcers are painful", PASTED, "error traceability.verbatim 23 words copied from the source"),
    "empty url": ('url = "https://www.example.org/news/lab-grown-skin-patch-leg-ulcers"', 'url = ""', 'url = ""', "error attribution.url The source has no address"),
    "javascript url": (
        'url = "https://www.example.org/news/lab-grown-skin-patch-leg-ulcers"',
        'url = "javascript:alert(document.cookie)"',
        "url = ",
        "error attribution.url The source address must start with http:// or https://, not javascript:",
    ),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_each_bad_edit_is_reported_on_its_line(repo: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    old, new, marker, expected = EDITS[name]
    edit_story(repo, old, new)
    text = (repo / REL).read_text("utf-8")
    line = text[: text.index(marker)].count("\n") + 1
    assert main(["check", REL]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(row.startswith(f"{REL}:{line}: {expected}") for row in out), out


def test_json_output(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit_story(repo, "All nine patients", "All twelve patients")
    assert main(["check", "--format", "json", "."]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["errors"], report["problems"]) == (1, [])
    [story] = report["files"]
    assert story["path"].endswith(REL) and story["story"] == STORY_ID
    [finding] = [f for f in story["findings"] if f["severity"] == "error"]
    assert finding == {
        "line": line,
        "severity": "error",
        "check": "traceability.number",
        "section": "what_happened",
        "message": '"twelve" is not in the source',
        "start": finding["start"],
        "end": finding["start"] + len("twelve"),
        "item": None,
        "waiver": None,
    }


def test_a_folder_means_every_story_in_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = repo / "stories" / "2025" / "older.toml"
    second.parent.mkdir()
    second.write_text(STORY.replace(f'id = "{STORY_ID}"', 'id = "older"').replace("All nine patients", "All ten patients"), "utf-8")
    (repo / "stories" / ".drafts").mkdir()
    (repo / "stories" / ".drafts" / "x.toml").write_text("not = [valid", "utf-8")
    assert main(["check", "stories"]) == 1
    captured = capsys.readouterr()
    assert "checked 2 stories" in captured.err
    assert re.search(r"stories/2025/older\.toml:\d+: error traceability\.number \"ten\"", captured.out)
    # Two published stories from one source address: an error, until one is waived or revised.
    assert "error repository.duplicate" in captured.out
    # The content repo root as a folder means its stories/ tree.
    assert main(["check", str(repo)]) == 1
    assert "checked 2 stories" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, line, problem",
    [
        (STORY.replace('status = "published"', 'status = "published'), 3, "not valid TOML"),
        (STORY.replace(f'id = "{STORY_ID}"\n', ""), 1, "id: is missing"),
        (STORY.replace('topics = ["health"]', "topics = 7"), 4, "topics: must be a list of text values"),
        (STORY.replace("created = 2026-11-24T09:12:00Z", 'created = "yesterday"'), 5, "created: must be a date and time"),
        (STORY.replace('status = "published"', 'status = "done"'), 3, "status: must be one of draft, ready, published"),
    ],
)
def test_a_broken_story_file_is_unreadable_input(repo: Path, capsys: pytest.CaptureFixture[str], text: str, line: int | None, problem: str) -> None:
    (repo / REL).write_text(text, "utf-8")
    assert main(["check", REL]) == 2
    out = capsys.readouterr().out
    where = f"{REL}:{line}: " if line else f"{REL}: "
    assert out.startswith(where + problem), out


def test_a_missing_path_is_unreadable_input(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "stories/2026/nope.toml"]) == 2
    assert "stories/2026/nope.toml: no such file or folder" in capsys.readouterr().out


def test_a_broken_desk_toml_names_file_and_key(repo: Path) -> None:
    (repo / "desk.toml").write_text('[checks]\nverbatim_run_words = "twelve"\n', "utf-8")
    result = briefdesk("check", REL, cwd=repo)
    assert result.returncode == 2
    assert "desk.toml: checks.verbatim_run_words: must be a whole number" in result.stdout


def test_a_missing_snapshot_is_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (repo / "sources").iterdir():
        path.unlink()
    assert main(["check", REL]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"{REL}:\d+: warning traceability.no_source The source snapshot sources/[0-9a-f]{{64}}\.txt is not in the content repo", out)


def test_an_edited_snapshot_is_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [path] = (repo / "sources").iterdir()
    path.write_text(SOURCE + "\nAn extra line.\n", "utf-8")
    assert main(["check", REL]) == 0
    assert "warning traceability.snapshot" in capsys.readouterr().out


def test_related_stories_must_be_in_the_repo(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_story(repo, "related = []", 'related = [\n    "no-such-story",\n]')
    assert main(["check", REL]) == 1
    text = (repo / REL).read_text("utf-8")
    line = text[: text.index('"no-such-story"')].count("\n") + 1
    assert f"{REL}:{line}: error repository.related Related story 'no-such-story'" in capsys.readouterr().out


def test_errors_only_and_strict(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_story(repo, "Leg ulcers are painful", "A stunning result. Leg ulcers are painful")
    assert main(["check", REL]) == 0
    assert "warning tone.hype" in capsys.readouterr().out
    assert main(["check", "-q", REL]) == 0
    assert capsys.readouterr().out == ""
    assert main(["check", "--strict", REL]) == 1


def test_check_does_not_load_textual(repo: Path) -> None:
    code = "import sys\nfrom tui.cli import main\nrc = main(['check', sys.argv[1]])\nprint('textual' in sys.modules, rc)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-P", "-c", code, REL], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "False 0", result.stdout + result.stderr


def test_pre_commit_hook_definition() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8")
    assert re.search(r"^- id: briefdesk-check$", text, re.M)
    assert re.search(r"^  entry: briefdesk check$", text, re.M)
    assert re.search(r"^  language: python$", text, re.M)
    files = re.search(r"^  files: (.+)$", text, re.M).group(1)  # type: ignore[union-attr]
    assert re.search(files, "stories/2026/x.toml") and not re.search(files, "desk.toml") and not re.search(files, "sources/ab.txt")


def test_desk_toml_named_on_its_own_is_checked_as_a_profile(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "desk.toml"]) == 0
    (repo / "desk.toml").write_text('[[sections]]\nkey = "headline"\nkind = "essay"\n', "utf-8")
    assert main(["check", "desk.toml"]) == 2
    assert "desk.toml: sections.headline.kind: must be line, text or list, not 'essay'" in capsys.readouterr().out


def test_a_finding_in_a_key_point_is_reported_on_that_items_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit_story(repo, '"A larger trial of 120 patients starts next spring."', '"A larger trial of 150 patients starts next spring."')
    assert main(["check", REL]) == 1
    assert f'{REL}:{line}: error traceability.number "150" is not in the source' in capsys.readouterr().out.splitlines()


def test_json_lists_waivers_with_who_and_why(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_story(repo, "All nine patients", "All twelve patients")
    path = repo / REL
    path.write_text(
        path.read_text("utf-8")
        + '\n[[waivers]]\ncheck = "traceability.number"\nsection = "what_happened"\ntext = "twelve"\n'
        + 'by = "Sam Editor"\nreason = "the journal corrected the count"\nat = "2026-11-25T09:00:00Z"\n',
        "utf-8",
    )
    assert main(["check", "--format", "json", REL]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["errors"], report["waived"]) == (0, 1)
    [waived] = [f for f in report["files"][0]["findings"] if f["waiver"]]
    assert waived["check"] == "traceability.number" and waived["severity"] == "info"
    assert waived["waiver"] == {"by": "Sam Editor", "reason": "the journal corrected the count", "at": "2026-11-25T09:00:00Z", "text": "twelve", "severity": "error"}


def test_desk_severities_apply_on_the_command_line(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_story(repo, "All nine patients", "All twelve patients")
    (repo / "desk.toml").write_text(default_desk_text().replace("[checks.severity]\n", '[checks.severity]\n"traceability.number" = "warning"\n'), "utf-8")
    assert main(["check", REL]) == 0
    assert "warning traceability.number" in capsys.readouterr().out
    (repo / "desk.toml").write_text(default_desk_text().replace("[checks.severity]\n", '[checks.severity]\n"traceability.number" = "loud"\n'), "utf-8")
    assert main(["check", REL]) == 2
    assert 'checks.severity.traceability.number: must be "error", "warning", "info" or "off"' in capsys.readouterr().out
