"""Content-repo test helpers: a briefing that passes the checks, its source, and git on the CLI."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

from stories.model import Briefing, SourceRef

SOURCE_TEXT = """Volunteers bring otters back to the Millbrook after a decade of river repair

Riverside volunteers in the town of Millbrook have spent ten years pulling shopping trolleys, tyres and plastic out of the Millbrook river, and this autumn their work was rewarded: a family of otters has settled along the lower stretch of the river for the first time in living memory.

The Millbrook River Trust said its members logged 4,200 volunteer hours last year alone. Since the project began they have removed 38 tonnes of rubbish, planted 2,600 native trees along the banks and rebuilt three weirs so that fish can move upstream again. Water samples taken by the trust show oxygen levels in the lower river have doubled since 2016.

Camera traps placed by the trust recorded an adult female otter and two cubs on 14 occasions between August and October. Otters need clean water and plenty of fish, and their return is widely seen as a sign that a river is recovering.

"We used to count trolleys, now we count otter footprints," said Hannah Okafor, who coordinates the volunteers. "Every Saturday morning was worth it."

The trust plans to extend the work upstream next year, where farm runoff still clouds the water after heavy rain. A survey by the county ecology service will check in the spring whether the otters have bred again and whether the fish population can support a larger group. The trust also warns that a single pollution incident could undo years of progress, and asks residents to report any spills.

School groups will help plant another 500 trees in March, and the trust is looking for more volunteers for its monthly clean-up days. A guided walk along the river is planned for the first weekend of December, though the trust asks visitors to keep dogs on leads and to stay well back from the banks where the otters rest.
"""

SECTIONS: dict[str, str | list[str]] = {
    "headline": "Otters return to the Millbrook after ten years of volunteer river repair",
    "summary": (
        "A family of otters has settled on the lower Millbrook river, a sign that a decade of work by local "
        "volunteers to clear rubbish, plant trees and rebuild weirs is paying off for the whole river."
    ),
    "key_points": [
        "Camera traps recorded an adult otter and two cubs 14 times.",
        "Volunteers have removed 38 tonnes of rubbish from the river.",
        "Oxygen levels in the lower river have doubled since 2016.",
    ],
    "what_happened": (
        "Volunteers with the Millbrook River Trust have spent ten years hauling trolleys, tyres and plastic out of "
        "their local river. In that time the group cleared 38 tonnes of waste, put 2,600 native trees into the "
        "riverbanks and rebuilt three weirs, which lets fish travel upstream once more. Last year alone they gave 4,200 hours.\n\n"
        "This autumn the trust's cameras filmed a mother otter with two cubs on 14 occasions from "
        "late summer into October. The trust's own testing finds twice the oxygen in the lower river compared with 2016. "
        "\u201cWe used to count trolleys, now we count otter footprints,\u201d said Hannah Okafor, who coordinates the volunteers."
    ),
    "why_it_feels_good": (
        "Otters only stay where the water is clean and the fish are plentiful, so their return tells everyone in "
        "town that the river is healing. It also shows what steady, unglamorous work can do: a few hours on a "
        "Saturday morning, repeated for years by neighbours, has turned a dumping ground into a home for wildlife."
    ),
    "watch_next": (
        "It is still early. County ecologists will look again in the spring to see if the family has "
        "grown, and runoff from farms upstream still muddies the water when it rains hard. School groups will plant "
        "500 more trees in March, and a guided walk is planned for December."
    ),
}

SOURCE = SourceRef(
    name="Millbrook River Trust",
    feed="Earth",
    format="RSS",
    url="https://millbrook-river.example.org/news/otters-return",
    title="Volunteers bring otters back to the Millbrook after a decade of river repair",
    published=datetime(2026, 11, 18, 8, 30, tzinfo=timezone.utc),
    guid="https://millbrook-river.example.org/?p=1187",
)


def make_briefing(story_id: str = "otters-return-to-the-millbrook", **sections: str | list[str]) -> Briefing:
    """A complete, check-clean briefing; keyword arguments replace sections."""
    merged = {**SECTIONS, **sections}
    return Briefing(
        id=story_id,
        status="ready",
        sections={k: list(v) if isinstance(v, list) else v for k, v in merged.items()},
        topics=["earth", "animals"],
        related=[],
        created=datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc),
        source=SourceRef(**{**SOURCE.__dict__}),
    )


def git(cwd: Path, *args: str, check: bool = True, input: str | None = None) -> str:
    """Run the real git CLI and return its stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def assert_fsck_clean(path: Path) -> None:
    """``git fsck --full`` reports no error, missing or broken object."""
    done = subprocess.run(["git", "fsck", "--full", "--no-dangling", "--no-progress"], cwd=path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    # "notice:" lines only say a repo has no commits yet; anything else is a problem.
    problems = [line for line in (done.stdout + done.stderr).splitlines() if line.strip() and not line.startswith("notice:")]
    assert problems == [], problems


def porcelain(path: Path) -> str:
    """``git status --porcelain`` (untracked files included)."""
    return git(path, "status", "--porcelain=v1", "--untracked-files=all")


def desk_with_remote(tmp_path: Path, name: str = "desk"):
    """A new content repo under ``tmp_path/name`` whose main branch is pushed to a bare ``remote.git``."""
    from stories.repo import ContentRepo

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo = ContentRepo.init(tmp_path / name)
    git(repo.root, "remote", "add", "origin", str(remote))
    git(repo.root, "push", "-q", "-u", "origin", "main")
    return repo, remote
