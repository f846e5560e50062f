"""``briefdesk publish STORY.toml``: check a story file and commit it to the content repo.

The source text the checks use comes from, in this order: ``--source-text
FILE``; the snapshot the story names (``sources/<snapshot>.txt`` in the
content repo); the ``source_text`` of a draft file's ``[draft]`` table; a
``<name>.source.txt`` file next to the story file.

No lost revision: a story that colleagues revised since this file's version
is merged with their revision by section, or refused naming their commit
when both changed the same section. The file's version is the ``started_from``
commit of a draft's ``[draft]`` table; for a plain story file, the newest
commit whose story has the file's ``updated`` stamp (every publish stamps
it). ``--force`` is the only way to publish over a colleague's revision.
"""

from __future__ import annotations

import argparse

HELP = "check a story (or draft) file and commit it to the content repo"


def configure(parser: argparse.ArgumentParser) -> None:
    """The story file and where its source text is."""
    parser.add_argument("story", metavar="STORY.toml", help="a story file or a saved draft")
    parser.add_argument("--source-text", metavar="FILE", help="the source text the checks compare against")
    parser.add_argument("--strict", action="store_true", help="refuse on warnings too, not only on errors")
    parser.add_argument(
        "--force", action="store_true", help="publish over a colleague's newer revision of the same section (the only way to overwrite it)"
    )


def find_source_text(story_path, briefing, repo, explicit=None) -> tuple[str | None, str]:
    """The source text for a story file and where it came from (see the module docstring)."""
    import tomllib
    from pathlib import Path

    if explicit:
        from stories.fsutil import read_regular_text

        return read_regular_text(explicit, 8 * 1024 * 1024), str(explicit)
    snapshot = briefing.source.snapshot if briefing.source else ""
    if snapshot:
        text = repo.source_text(snapshot)
        if text is not None:
            return text, f"sources/{snapshot}.txt"
    story_path = Path(story_path)
    try:
        draft = tomllib.loads(story_path.read_text("utf-8")).get("draft")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        draft = None
    if isinstance(draft, dict) and isinstance(draft.get("source_text"), str) and draft["source_text"].strip():
        return draft["source_text"], "the draft"
    sidecar = story_path.with_name(story_path.name.removesuffix(".toml") + ".source.txt")
    if sidecar.is_file():
        return sidecar.read_text("utf-8"), str(sidecar)
    return None, ""


def draft_from_file(path, briefing, source_text: str | None, drafts, repo=None):
    """The story file as a Draft: a saved draft keeps its queue item, its start (and, in the drafts folder, its key).

    A plain story file starts from the commit whose story has its ``updated`` stamp (see the module docstring).
    """
    from pathlib import Path

    from stories.codec import StoryFileError
    from stories.drafts import Draft
    from stories.team.stale import started_from_file

    path = Path(path)
    try:
        saved = drafts.loads(path.read_text("utf-8"), str(path))
    except (StoryFileError, OSError, UnicodeDecodeError):
        saved = None
    item_id = saved.item_id if saved is not None else ""
    # Only the drafts folder's own file is deleted once published; a copy elsewhere is the editor's.
    in_folder = saved is not None and path.resolve().parent == drafts.folder.resolve()
    started_from = saved.started_from if saved is not None else ""
    if not started_from and repo is not None:
        started_from = started_from_file(repo, briefing)
    return Draft(key=saved.key if in_folder else "", briefing=briefing, source_text=source_text or "", item_id=item_id, started_from=started_from)


def run(args: argparse.Namespace) -> int:
    """0 published (or unchanged), 1 refused by the checks or by a colleague's newer revision, 2 bad input, 3 git or disk."""
    from stories.codec import StoryFileError, read_story
    from stories.fsutil import FileReadError
    from tui.commands import safe_line, safe_text
    from stories.desk import DeskError, PublishFailed, Refused, StaleDraft
    from stories.queue import QueueStore
    from tui import locations
    from tui.commands import open_queue
    from tui.commands._desk import build_desk
    from tui.commands._repo import fail, open_content_repo

    repo, config = open_content_repo(args)
    try:
        briefing = read_story(args.story, repo.profile)
        source_text, origin = find_source_text(args.story, briefing, repo, args.source_text)
    except (StoryFileError, FileReadError) as exc:
        repo.close()
        return fail(safe_line(exc))
    except OSError as exc:
        repo.close()
        return fail(f"{exc.filename}: cannot be read: {exc.strerror or exc}")
    try:
        # No queue yet (a CI runner, say): nothing to mark, and no database is made for it.
        path = locations.queue_db()
        with open_queue(path) if path.exists() else QueueStore(":memory:") as queue:
            desk = build_desk(repo, queue, locations.drafts_dir(), config)
            draft = draft_from_file(args.story, briefing, source_text, desk.drafts, repo)
            try:
                published = desk.publish(draft, allow_warnings=not args.strict, force=args.force)
            except StaleDraft as exc:  # a colleague's revision of the same section: refused like bad checks
                print(f"briefdesk: {safe_text(exc)}")
                return 1
            except Refused as exc:
                print(f"briefdesk: {safe_text(exc)}")
                return 1
            except PublishFailed as exc:  # git or the disk
                return fail(safe_line(str(exc).removeprefix("Publishing failed: ")), 3)
            except DeskError as exc:
                return fail(safe_line(exc))
    finally:
        repo.close()
    result = published.result
    for finding in result.findings:
        if finding.severity == "warning":
            print(safe_line(f"warning: {finding.section}: {finding.message} ({finding.check})"))
    where = f" on branch {result.branch}" if result.branch.startswith("story/") else ""
    if result.action == "unchanged":
        print(safe_line(f"Unchanged: {result.path} already says this; no commit"))
    else:
        verb = "Published" if result.action == "publish" else "Revised"
        print(safe_line(f"{verb} {briefing.headline} as {(result.commit or '')[:8]}{where}: {result.path}"))
        if source_text is None:
            print("note: no source text was found, so no snapshot was stored (use --source-text FILE)")
        elif origin:
            print(safe_line(f"source text from {origin}"))
    if published.item is not None:
        print(f"queue item {published.item.id[:10]} is now published")
    for note in result.notes:
        print(safe_line(f"note: {note}"))
    if args.force and not any(note.startswith("--force") for note in result.notes):
        print("note: --force was given, but no colleague had revised this story since your version: nothing was overwritten")
    return 0
