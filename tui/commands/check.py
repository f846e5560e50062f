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


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a desk.toml: the content repo root."""
    for folder in (start, *start.parents):
        if (folder / "desk.toml").is_file():
            return folder
    return None


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
    """Per content repo root: the profile, and the published stories (read once)."""

    def __init__(self) -> None:
        self.profiles: dict[Path | None, Any] = {}
        self.published: dict[Path, list[Any]] = {}

    def profile(self, root: Path | None) -> Any:
        from stories.profile import load_profile

        if root not in self.profiles:
            self.profiles[root] = load_profile(root)
        return self.profiles[root]

    def published_in(self, root: Path) -> list[Any]:
        if root not in self.published:
            self.published[root] = _scan_published(root, self.profile(root))
        return self.published[root]


def _scan_published(root: Path, profile: Any) -> list[Any]:
    """The published stories of a content repo, read from stories/**/*.toml (broken files skipped)."""
    from stories.codec import STORY_LIMIT, StoryFileError, loads
    from stories.fsutil import FileReadError, read_regular_text
    from stories.model import PublishedStory

    found = []
    stories = root / "stories"
    if not stories.is_dir():
        return found
    for path in sorted(stories.rglob("*.toml")):
        try:
            briefing = loads(read_regular_text(path, STORY_LIMIT), profile, str(path))
        except (StoryFileError, FileReadError, OSError):
            continue
        if briefing.status == "published":
            found.append(
                PublishedStory(
                    id=briefing.id,
                    headline=briefing.headline,
                    source_url=briefing.source.url if briefing.source else "",
                    path=path.relative_to(root).as_posix(),
                    updated=briefing.updated,
                )
            )
    return found


def _source_text(root: Path | None, snapshot: str) -> tuple[str | None, Any]:
    """The snapshot's text, and a finding that says why it is missing or wrong (or None)."""
    import re

    from stories.checks import Finding
    from stories.fsutil import FileReadError, read_regular_text
    from stories.model import content_hash

    if not snapshot:
        return None, Finding("traceability.no_source", "source", "warning", "The source block names no snapshot: quotes and numbers cannot be checked")
    if not re.fullmatch(r"[0-9a-f]{64}", snapshot):
        return None, Finding("traceability.snapshot", "source", "error", f"The snapshot {snapshot!r} is not a sha256 hex name")
    if root is None:
        return None, Finding("traceability.no_source", "source", "warning", "Not inside a content repo (no desk.toml above): the source snapshot cannot be found")
    path = root / "sources" / f"{snapshot}.txt"
    try:
        text = read_regular_text(path, 8 * 1024 * 1024)
    except FileNotFoundError:
        return None, Finding("traceability.no_source", "source", "warning", f"The source snapshot sources/{snapshot}.txt is not in the content repo")
    except (OSError, FileReadError) as exc:
        return None, Finding("traceability.no_source", "source", "warning", f"The source snapshot sources/{snapshot}.txt cannot be read: {exc}")
    if content_hash(text) != snapshot:
        return text, Finding("traceability.snapshot", "source", "warning", f"sources/{snapshot}.txt does not match its hash: it was edited after publishing")
    return text, None


def check_file(path: Path, shown: str, repos: _Repos, fallback_root: Path | None) -> Report | Problem:
    """Check one story file."""
    from stories.checks import Finding, run_checks
    from stories.checks.lines import StoryLines
    from stories.codec import STORY_LIMIT, StoryFileError, loads
    from stories.fsutil import FileReadError, read_regular_text
    from stories.ids import is_valid_id
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

    extra: list[Finding] = []
    source_text = None
    if briefing.source is not None and not briefing.source.is_empty():
        source_text, note = _source_text(root, briefing.source.snapshot)
        if note is not None:
            extra.append(note)
    if not is_valid_id(briefing.id):
        extra.append(Finding("structure.id", "headline", "error", f"The id {briefing.id!r} is not a safe file name (lowercase letters, digits, hyphens)"))
    elif path.stem != briefing.id:
        extra.append(Finding("structure.id", "headline", "warning", f"The file is named {path.name!r} but the story id is {briefing.id!r}"))
    published = repos.published_in(root) if root is not None else None
    findings = run_checks(briefing, source_text, profile, published)
    if extra and any(f.check in ("traceability.no_source", "traceability.snapshot") for f in extra):
        findings = [f for f in findings if f.check != "traceability.no_source"]
    findings = extra + findings

    lines = StoryLines(text)
    report = Report(shown, briefing.id)
    for finding in findings:
        value = briefing.text(finding.section) if finding.item is None else None
        report.findings.append((lines.line(finding, value), finding))
    report.findings.sort(key=lambda pair: pair[0])
    return report


def run(args: argparse.Namespace) -> int:
    """Check every story file named or found under the given paths."""
    from stories.checks import counts

    fallback = None
    if getattr(args, "repo", None):
        fallback = Path(args.repo).expanduser()
    repos = _Repos()
    results: list[Report | Problem] = []
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

    reports = [r for r in results if isinstance(r, Report)]
    problems = [r for r in results if isinstance(r, Problem)]
    errors, warnings, infos = counts(f for r in reports for _, f in r.findings)

    if args.format == "json":
        json.dump(_as_json(reports, problems, (errors, warnings, infos)), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        show = ("error",) if args.errors_only else ("error", "warning")
        for result in results:
            if isinstance(result, Problem):
                print(result.text())
                continue
            for line, f in result.findings:
                if f.severity in show:
                    print(f"{result.path}:{line}: {f.severity} {f.check} {_one_line(f.message)}")
        checked = sum(1 for r in reports if r.story)
        stories = "story" if checked == 1 else "stories"
        summary = f"checked {checked} {stories}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
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


def _as_json(reports: list[Report], problems: list[Problem], totals: tuple[int, int, int]) -> dict[str, Any]:
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
    }
