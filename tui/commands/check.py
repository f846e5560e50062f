"""``briefdesk check PATH…``: run the story checks on story files, for CI and pre-commit hooks.

Exit status: 0 when no story has errors, 1 when one has, 2 when an input
cannot be read (a missing path, broken TOML, a broken desk.toml).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HELP = "check story files (files or folders) and report findings as file:line: lines"


def configure(parser: argparse.ArgumentParser) -> None:
    """Paths, output format and strictness."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="story files, or folders to search for them")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text lines (default) or one JSON document")
    parser.add_argument("-q", "--errors-only", action="store_true", help="print errors only, not warnings")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too (exit 1)")


@dataclass
class Problem:
    """An input that could not be checked at all."""

    path: str
    line: int | None
    problem: str

    def text(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}" if self.line else f"{self.path}: {self.problem}"


@dataclass
class Report:
    """The findings for one story file, each with its line."""

    path: str
    story: str
    findings: list[tuple[int, Any]] = field(default_factory=list)


def _story_files(folder: Path) -> list[Path]:
    """Every story file in a folder: its stories/ tree when it is a content repo root."""
    if (folder / "desk.toml").is_file() and (folder / "stories").is_dir():
        folder = folder / "stories"
    found = []
    for path in sorted(folder.rglob("*.toml")):
        relative = path.relative_to(folder).parts
        if path.name == "desk.toml" or any(part.startswith(".") for part in relative):
            continue
        found.append(path)
    return found


class _Repos:
    """Per content repo root: the profile, and where its published stories are looked up (opened once)."""

    def __init__(self) -> None:
        self.profiles: dict[Path | None, Any] = {}
        self.neighbours: dict[Path, Any] = {}

    def profile(self, root: Path | None) -> Any:
        from stories.profile import load_profile

        if root not in self.profiles:
            self.profiles[root] = load_profile(root)
        return self.profiles[root]

    def published_for(self, root: Path, briefing: Any) -> list[Any]:
        """The published stories the repository checks need for this briefing."""
        from stories.checks.story_file import PublishedNeighbours

        if root not in self.neighbours:
            self.neighbours[root] = PublishedNeighbours(root, self.profile(root))
        return self.neighbours[root].of(briefing)

    def close(self) -> None:
        for neighbours in self.neighbours.values():
            neighbours.close()


def check_file(path: Path, shown: str, repos: _Repos, fallback_root: Path | None) -> Report | Problem:
    """Check one story file (the engine in stories.checks does the checking)."""
    from stories.checks.lines import StoryLines
    from stories.checks.story_file import check_story, find_root
    from stories.codec import STORY_LIMIT, StoryFileError, loads
    from stories.fsutil import FileReadError, read_regular_text
    from stories.profile import ProfileError

    root = find_root(path.resolve().parent) or fallback_root
    if path.name == "desk.toml":
        root = path.resolve().parent  # a desk.toml named on its own: check that it loads
    try:
        profile = repos.profile(root)
    except ProfileError as exc:
        return Problem(exc.path, None, f"{exc.key + ': ' if exc.key else ''}{exc.problem}")
    if path.name == "desk.toml":
        return Report(shown, "")
    try:
        text = read_regular_text(path, STORY_LIMIT)
    except FileReadError as exc:
        return Problem(shown, None, exc.problem)
    except OSError as exc:
        return Problem(shown, None, f"cannot be read: {exc.strerror or exc}")
    try:
        briefing = loads(text, profile, shown)
    except StoryFileError as exc:
        return Problem(shown, exc.line, exc.problem)

    published = repos.published_for(root, briefing) if root is not None else None
    result = check_story(briefing, path, root, profile, published)
    lines = StoryLines(text)
    report = Report(shown, briefing.id)
    for finding in result.findings:
        value = briefing.text(finding.section) if finding.item is None else None
        report.findings.append((lines.line(finding, value), finding))
    report.findings.sort(key=lambda pair: pair[0])
    return report


def run(args: argparse.Namespace) -> int:
    """Check every story file named or found under the given paths."""
    from stories.checks import counts

    from stories.profile import DESK_FILE
    from tui.commands._repo import repo_path
    from tui.config import ConfigError

    # A file outside any content repo is checked against the configured one
    # (--repo, BRIEFDESK_REPO, the config), when that folder is a content repo.
    try:
        configured, _config = repo_path(args)
    except ConfigError:  # an unreadable config: the file is still checked, without a repo
        configured = None
    fallback = configured if configured is not None and (configured / DESK_FILE).is_file() else None
    if fallback is None and getattr(args, "repo", None):
        fallback = Path(args.repo).expanduser()
    repos = _Repos()
    results: list[Report | Problem] = []
    try:
        for name in args.paths:
            path = Path(name)
            if path.is_dir():
                files = _story_files(path)
                for file in files:
                    results.append(check_file(file, str(file), repos, fallback))
            elif path.exists():  # a pipe or a device too: check_file says it is skipped, never waits on it
                results.append(check_file(path, name, repos, fallback))
            else:
                results.append(Problem(name, None, "no such file or folder"))
    finally:
        repos.close()

    reports = [r for r in results if isinstance(r, Report)]
    problems = [r for r in results if isinstance(r, Problem)]
    errors, warnings, infos = counts(f for r in reports for _, f in r.findings)
    waived = sum(1 for r in reports for _, f in r.findings if f.waiver is not None)

    if args.format == "json":
        json.dump(_as_json(reports, problems, (errors, warnings, infos), waived), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        show = ("error",) if args.errors_only else ("error", "warning")
        for result in results:
            if isinstance(result, Problem):
                print(result.text())
                continue
            for line, f in result.findings:
                if f.waiver is not None and not args.errors_only:
                    w = f.waiver
                    print(f"{result.path}:{line}: waived {f.check} {_one_line(f.message)} (waived by {_one_line(w.by)}: {_one_line(w.reason)})")
                elif f.severity in show:
                    print(f"{result.path}:{line}: {f.severity} {f.check} {_one_line(f.message)}")
        checked = sum(1 for r in reports if r.story)
        stories = "story" if checked == 1 else "stories"
        summary = f"checked {checked} {stories}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        if waived:
            summary += f", {waived} waived"
        if problems:
            summary += f"; {len(problems)} could not be read"
        print(summary, file=sys.stderr)

    if problems:
        return 2
    if errors or (args.strict and warnings):
        return 1
    return 0


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _as_json(reports: list[Report], problems: list[Problem], totals: tuple[int, int, int], waived: int) -> dict[str, Any]:
    from stories.checks import counts

    files = []
    for report in reports:
        e, w, i = counts(f for _, f in report.findings)
        files.append(
            {
                "path": report.path,
                "story": report.story,
                "errors": e,
                "warnings": w,
                "infos": i,
                "findings": [
                    {
                        "line": line,
                        "severity": f.severity,
                        "check": f.check,
                        "section": f.section,
                        "message": f.message,
                        "start": f.start,
                        "end": f.end,
                        "item": f.item,
                        "waiver": None if f.waiver is None else {
                            "by": f.waiver.by, "reason": f.waiver.reason, "at": f.waiver.at, "text": f.waiver.text, "severity": f.waived_from,
                        },
                    }
                    for line, f in report.findings
                ],
            }
        )
    return {
        "files": files,
        "problems": [{"path": p.path, "line": p.line, "problem": p.problem} for p in problems],
        "errors": totals[0],
        "warnings": totals[1],
        "infos": totals[2],
        "waived": waived,
    }
