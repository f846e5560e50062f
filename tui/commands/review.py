"""``briefdesk review``: stories waiting on ``story/<id>`` branches — list, show, approve, request changes."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "review colleagues' stories waiting on story branches: list, show, approve, request-changes"


def configure(parser: argparse.ArgumentParser) -> None:
    """One sub-action each: list, show ID, approve ID, request-changes ID --note TEXT."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the stories waiting for review on the remote, with author, age and checks")
    listing.add_argument("--format", choices=("text", "json"), default="text", help="plain text (default) or JSON")
    show = actions.add_parser("show", help="one waiting story: its sections changed against main, and its checks")
    show.add_argument("story_id", metavar="ID")
    show.add_argument("--format", choices=("text", "json"), default="text", help="plain text (default) or JSON")
    approve = actions.add_parser("approve", help="merge the story into main with a Reviewed-by trailer and push")
    approve.add_argument("story_id", metavar="ID")
    changes = actions.add_parser("request-changes", help="keep the story off main and leave the author a note")
    changes.add_argument("story_id", metavar="ID")
    changes.add_argument("--note", required=True, help="what the author should change")
    for action in (listing, show, approve, changes):  # `review list --repo DIR` reads as naturally as `review --repo DIR list`
        action.add_argument("--repo", metavar="DIR", default=argparse.SUPPRESS, help="the content repo")


def run(args: argparse.Namespace) -> int:
    """0 done; 1 nothing waiting by that id or the remote refused; 2 on a fault."""
    from stories.team.gitrun import TeamError
    from stories.team.review import ReviewDesk
    from tui.commands import CommandError
    from tui.commands._repo import repo_path

    root, config = repo_path(args)
    try:
        desk = ReviewDesk(root)
    except TeamError as exc:
        raise CommandError(str(exc)) from None
    try:
        if args.action == "list":
            return _list(desk, args, config)
        if args.action == "show":
            return _show(desk, args, config)
        reviewer = reviewer_from(config, desk)
        if args.action == "approve":
            outcome = desk.approve(args.story_id, reviewer)
            print(outcome.message)
            print(_catch_up(args, reviewer))
            return 0
        outcome = desk.request_changes(args.story_id, reviewer, args.note)
        print(outcome.message)
        return 0
    except TeamError as exc:
        raise CommandError(str(exc), 1) from None
    finally:
        desk.close()


def _catch_up(args: argparse.Namespace, reviewer) -> str:  # type: ignore[no-untyped-def]
    """Bring the reviewer's own checkout up to the approved main, through the content repo's sync."""
    from stories.repo import RepoError
    from tui.commands import CommandError
    from tui.commands._repo import open_content_repo

    try:
        repo, _config = open_content_repo(args)
    except CommandError as exc:
        return f"your checkout was left as it was ({exc})"
    repo.editor = reviewer
    try:
        return f"your checkout: {repo.sync().message}"
    except RepoError as exc:
        return f"your checkout was left as it was ({exc}); briefdesk sync brings it up to date"
    finally:
        repo.close()


def reviewer_from(config: object, desk: object):
    """The editor from the config, else git's own identity; CommandError when neither names one."""
    from stories.repo import Editor
    from tui.commands import CommandError
    from tui.commands._repo import editor_from

    editor = editor_from(config)
    if editor is not None:
        return editor
    name, email = desk.git_identity()  # type: ignore[attr-defined]
    if name and email:
        return Editor(name, email)
    raise CommandError("a review needs your name and email: set [editor] name and email in the config (briefdesk locate shows where)")


def _say(text: str) -> str:
    from stories.clean import clean_line

    return clean_line(text, limit=200)


def _verdict_json(review) -> dict | None:  # type: ignore[no-untyped-def]
    note = review.verdict
    if note is None:
        return None
    return {
        "verdict": note.verdict, "by": note.name, "email": note.email, "at": note.at.isoformat(),
        "note": note.note, "commit": note.commit, "current": note.commit == review.commit,
    }


def _row(review) -> dict:  # type: ignore[no-untyped-def]
    c = review.checks
    return {
        "id": review.story_id,
        "branch": review.branch,
        "commit": review.commit,
        "headline": review.headline,
        "author": review.author,
        "email": review.email,
        "updated": review.date.isoformat(),
        "age": review.age(),
        "new_story": review.new_story,
        "checks": {"text": c.text, "passed": c.passed, "warnings": c.warnings, "errors": c.errors, "waived": c.waived},
        "review": _verdict_json(review),
    }


def _verdict_line(review) -> str:  # type: ignore[no-untyped-def]
    note = review.verdict
    if note is None:
        return ""
    if note.verdict == "approved":
        return f"approved by {_say(note.name)}"
    earlier = "" if note.commit == review.commit else " (on an earlier revision)"
    return f"changes requested by {_say(note.name)}{earlier}: {_say(note.note)}"


def _list(desk, args: argparse.Namespace, config: object) -> int:  # type: ignore[no-untyped-def]
    status = desk.refresh()
    reviews = desk.reviews()
    if not desk.online:
        print(status, file=sys.stderr)
    if args.format == "json":
        json.dump([_row(r) for r in reviews], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not reviews:
        print(f"no stories waiting for review on {desk.remote}")
        return 0
    for r in reviews:
        kind = "new" if r.new_story else "revision"
        checks = f" · checks: {_say(r.checks.text)}" if r.checks.text else ""
        print(f"{r.story_id}  {_say(r.headline)}")
        print(f"    {kind} by {_say(r.author)} · {r.age()}{checks}")
        if line := _verdict_line(r):
            print(f"    {line}")
    return 0


def _show(desk, args: argparse.Namespace, config: object) -> int:  # type: ignore[no-untyped-def]
    from stories.clean import clean_text

    desk.refresh()
    detail = desk.show(args.story_id)
    r = detail.review
    if args.format == "json":
        row = _row(r)
        row["changes"] = [{"key": c.key, "label": c.label, "change": c.change, "before": c.before, "after": c.after} for c in detail.changes]
        row["findings"] = [{"check": f.check, "section": f.section, "severity": f.severity, "message": f.message} for f in detail.findings]
        json.dump(row, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(f"{r.story_id}: {_say(r.headline)}")
    print(f"{'new story' if r.new_story else 'revision'} by {_say(r.author)} <{_say(r.email)}> · {r.age()} · {r.branch} {r.commit[:8]}")
    if r.checks.text:
        print(f"Checks: {_say(r.checks.text)}")
    if line := _verdict_line(r):
        print(line[0].upper() + line[1:])
    print()
    print(f"Sections changed against {detail.base}:" if detail.changes else f"No section differs from {detail.base}.")
    for change in detail.changes:
        print(f"  {change.label} ({change.change})")
        for mark, text in change.lines():
            if mark != " ":
                print(f"    {mark} {clean_text(text)}")
    errors = [f for f in detail.findings if f.severity == "error"]
    warnings = [f for f in detail.findings if f.severity == "warning"]
    print()
    print(f"Checks now: {len(errors)} error{'s' if len(errors) != 1 else ''}, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}")
    for f in errors + warnings:
        print(f"  {f.severity}: {f.section}: {_say(f.message)} ({f.check})")
    return 0
