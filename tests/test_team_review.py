"""Review in branch mode through the real CLI: two editors, two homes, one bare remote."""

from __future__ import annotations

import subprocess
from pathlib import Path

from repo_helpers import assert_fsck_clean, git, make_briefing
from team_helpers import publish, push_hostile_branch, team_of_two

STORY = "otters-return-to-the-millbrook"


def test_request_changes_then_approve_reaches_the_author(tmp_path: Path) -> None:
    ana, ben, remote = team_of_two(tmp_path, branch_mode=True)
    assert "on branch story/" in publish(ana, make_briefing(STORY))
    ana.briefdesk("sync")
    assert git(remote, "branch", "--list", f"story/{STORY}").strip()

    waiting = ben.json("review", "list", "--format", "json")
    assert [r["id"] for r in waiting] == [STORY]
    row = waiting[0]
    assert row["author"] == "Ana Lima" and row["new_story"] is True and row["review"] is None
    assert row["checks"]["passed"] is not None and row["checks"]["passed"] > 0 and "warning" in row["checks"]["text"]

    shown = ben.briefdesk("review", "show", STORY).stdout
    assert "Otters return to the Millbrook" in shown and "Headline (added)" in shown and "Checks now: 0 errors" in shown

    note = "Say who counted the otters, and when."
    said = ben.briefdesk("review", "request-changes", STORY, "--note", note).stdout
    assert "changes requested" in said
    assert git(remote, "log", "--format=%s", "main").count("Approve") == 0  # kept off main

    ana.briefdesk("sync")
    mine = ana.json("review", "list", "--format", "json")
    assert mine[0]["review"]["verdict"] == "changes-requested"
    assert mine[0]["review"]["note"] == note and mine[0]["review"]["by"] == "Ben Okoro" and mine[0]["review"]["current"]
    assert note in ana.briefdesk("review", "show", STORY).stdout

    # Ana revises; the note now belongs to an earlier revision.
    base = make_briefing(STORY)
    publish(ana, make_briefing(STORY, watch_next=base.text("watch_next") + " Camera traps counted them from August."), "revised")
    ana.briefdesk("sync")
    again = ben.json("review", "list", "--format", "json")
    assert again[0]["review"]["current"] is False

    # Ana cannot approve her own story.
    refused = ana.briefdesk("review", "approve", STORY, ok=False)
    assert refused.returncode == 1 and "a colleague must review it" in refused.stderr

    approved = ben.briefdesk("review", "approve", STORY).stdout
    assert "approved" in approved and "your checkout: " in approved
    assert (ben.clone / "stories" / "2026" / f"{STORY}.toml").is_file()  # the reviewer's checkout caught up
    log = git(remote, "log", "-1", "--format=%s%n%(trailers:key=Reviewed-by,valueonly)", "main")
    assert log.splitlines()[0].startswith("Approve: Otters return")
    assert "Ben Okoro <ben@desk.example>" in log
    assert git(remote, "branch", "--list", f"story/{STORY}").strip() == ""  # the branch is gone
    assert git(remote, "show", f"main:stories/2026/{STORY}.toml").count("Camera traps counted them from August") == 1

    # The author syncs: the story is on her main, nothing waits for review any more.
    ana.briefdesk("sync")
    assert (ana.clone / "stories" / "2026" / f"{STORY}.toml").is_file()
    assert ana.json("review", "list", "--format", "json") == []
    ana.briefdesk("sync")
    assert git(remote, "branch", "--list", "story/*").strip() == ""  # a merged branch is not pushed back
    for path in (ana.clone, ben.clone, remote):
        assert_fsck_clean(path)


def test_review_without_anything_waiting_or_offline_is_a_clear_message(tmp_path: Path) -> None:
    ana, ben, remote = team_of_two(tmp_path, branch_mode=True)
    assert "no stories waiting for review" in ben.briefdesk("review", "list").stdout
    assert "no stories waiting for review" in ben.briefdesk("review", "list", "--repo", str(ben.clone)).stdout
    missing = ben.briefdesk("review", "approve", "no-such-story", ok=False)
    assert missing.returncode == 1 and "no story 'no-such-story' is waiting" in missing.stderr
    remote.rename(tmp_path / "gone.git")
    offline = ben.briefdesk("review", "list")
    assert "offline" in offline.stderr
    as_json = ben.briefdesk("review", "list", "--format", "json")
    assert as_json.stdout.strip() == "[]" and "offline" in as_json.stderr
    refused = ben.briefdesk("review", "request-changes", "x", "--note", "  ", ok=False)
    assert refused.returncode != 0 and "needs a note" in refused.stderr


def test_approving_a_revision_keeps_a_colleagues_fix_to_the_next_key_point(tmp_path: Path) -> None:
    ana, ben, remote = team_of_two(tmp_path, branch_mode=True)
    publish(ana, make_briefing(STORY), "first")
    ana.briefdesk("sync")
    ben.briefdesk("review", "approve", STORY)
    ana.briefdesk("sync")
    base = make_briefing(STORY)
    points = base.items("key_points")
    # Ana rewords the third key point on her story branch and sends it for review...
    third = "Oxygen in the lower river has doubled since 2016."
    publish(ana, make_briefing(STORY, key_points=[points[0], points[1], third]), "revised")
    ana.briefdesk("sync")
    # ...while Ben fixes the second key point straight on main: the very next line of the file.
    ben.briefdesk("sync")
    path = ben.clone / "stories" / "2026" / f"{STORY}.toml"
    second = "Volunteers removed 38 tonnes of rubbish from the river."
    path.write_text(path.read_text("utf-8").replace(points[1], second), "utf-8")
    ben.git("commit", "-q", "-am", "Tighten the second key point")
    ben.git("push", "-q", "origin", "main")
    ben.git("fetch", "-q", "origin")
    line_merge = subprocess.run(
        ["git", "merge-tree", "--write-tree", "origin/main", f"origin/story/{STORY}"], cwd=ben.clone, capture_output=True, text=True, env=ben.env()
    )
    assert line_merge.returncode == 1  # git's line merge alone clashes here

    assert "approved" in ben.briefdesk("review", "approve", STORY).stdout
    on_main = git(remote, "show", f"main:stories/2026/{STORY}.toml")
    assert second in on_main and third in on_main and points[0] in on_main  # both editors' key points survive
    assert "<<<<<<<" not in on_main
    for clone in (ana.clone, ben.clone, remote):
        assert_fsck_clean(clone)


def test_a_hostile_headline_on_a_story_branch_reaches_the_terminal_harmless(tmp_path: Path) -> None:
    ana, ben, _remote = team_of_two(tmp_path, branch_mode=True)
    push_hostile_branch(ana)

    listed = ben.briefdesk("review", "list")
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "[@click=app.quit]x[/]" in listed.stdout and "checks: 3 passed, 1 warning" in listed.stdout
    rows = ben.json("review", "list", "--format", "json")
    assert rows[0]["checks"]["passed"] == 3 and rows[0]["checks"]["warnings"] == 1
    shown = ben.briefdesk("review", "show", "hostile-otters")
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
