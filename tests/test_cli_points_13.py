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


def test_13_20_check_outside_a_repo_uses_the_configured_content_repo(tmp_path: Path) -> None:
    story_text = (DATA / "skin-patch-story.toml").read_text("utf-8")
    source = (DATA / "skin-patch-source.txt").read_text("utf-8")
    repo = tmp_path / "desk"
    (repo / "stories" / "2026").mkdir(parents=True)
    (repo / "sources").mkdir()
    (repo / "desk.toml").write_text(default_desk_text(), "utf-8")
    (repo / "sources" / f"{content_hash(source)}.txt").write_text(source, "utf-8")
    elsewhere = tmp_path / "elsewhere"
    NAME = "lab-grown-skin-patch-heals-stubborn-leg-ulcers-in-a-small.toml"  # the file named as its id
    elsewhere.mkdir()
    (elsewhere / NAME).write_text(story_text, "utf-8")
    # By BRIEFDESK_REPO, and by --repo: the snapshot is found, and no "Not inside a content repo".
    for args, env in ((("check", NAME), {"BRIEFDESK_REPO": str(repo)}), (("--repo", str(repo), "check", NAME), {})):
        result = briefdesk(*args, cwd=elsewhere, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Not inside a content repo" not in result.stdout
        assert "checked 1 story: 0 errors, 0 warnings" in result.stderr
    # By the config file's repo too.
    config = Path(os.environ["BRIEFDESK_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f"repo = {json.dumps(str(repo))}\n", "utf-8")
    result = briefdesk("check", NAME, cwd=elsewhere)
    assert "Not inside a content repo" not in result.stdout, result.stdout
    assert result.returncode == 0 and "0 warnings" in result.stderr
    # With no content repo configured at all, it still says so.
    (config / "config.toml").write_text(f"repo = {json.dumps(str(tmp_path / 'nowhere'))}\n", "utf-8")
    result = briefdesk("check", NAME, cwd=elsewhere)
    assert "Not inside a content repo" in result.stdout


RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Old news</title><link>https://old.example.org/</link>
<item><title>Otters seen in a report from years ago</title><link>https://old.example.org/otters</link>
<pubDate>Mon, 02 Jan 2023 08:00:00 GMT</pubDate></item>
<item><title>Herons nest early, also from years ago</title><link>https://old.example.org/herons</link>
<pubDate>Tue, 03 Jan 2023 08:00:00 GMT</pubDate></item>
</channel></rss>
"""


def test_13_21_queue_days_filters_published_items_on_when_they_were_published(tmp_path: Path) -> None:
    db = Path(os.environ["BRIEFDESK_DATA_DIR"]) / "desk.db"
    source = Source(name="Old news", url="https://old.example.org/feed", category="Test", format="RSS")
    with QueueStore(db) as store:
        store.add_entries(source, parse_feed(RSS.encode(), source.url))
        otters, herons = sorted(store.items(), key=lambda it: it.title, reverse=True)
        assert otters.title.startswith("Otters")
        store.set_state(otters.id, "published")  # published today, from a 2023 feed item
        store.set_state(herons.id, "published")
        with store.transaction() as conn:  # herons was published 30 days ago
            conn.execute("UPDATE items SET published_at = published_at - 30 * 86400 WHERE id = ?", (herons.id,))
    result = briefdesk("queue", "--state", "published", "--days", "7", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == [otters.id]
    result = briefdesk("queue", "--state", "published", "--days", "60", "--format", "json", cwd=tmp_path)
    assert {row["id"] for row in json.loads(result.stdout)} == {otters.id, herons.id}


def test_13_21_an_old_queue_gains_the_published_at_column(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    source = Source(name="Old news", url="https://old.example.org/feed", category="Test", format="RSS")
    with QueueStore(db) as store:
        store.add_entries(source, parse_feed(RSS.encode(), source.url))
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE items DROP COLUMN published_at")
    with QueueStore(db) as store:  # opening it again adds the column back
        item = store.items()[0]
        store.set_state(item.id, "published")
        assert [it.id for it in store.items(state="published", max_age=86400)] == [item.id]
        assert store.count() == 2


def test_13_25_sync_points_a_master_bare_remote_at_the_desk_branch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "master", str(remote))
    git(desk, "remote", "add", "origin", str(remote))
    story = tmp_path / "otters.toml"
    story.write_text(codec.render(make_briefing(), load_profile(desk)), "utf-8")
    text = tmp_path / "source.txt"
    text.write_text(SOURCE_TEXT, "utf-8")
    assert main(["--repo", str(desk), "publish", str(story), "--source-text", str(text)]) == 0
    assert main(["--repo", str(desk), "sync"]) == 0
    assert "pushed 1 story" in capsys.readouterr().out
    branch = git(desk, "branch", "--show-current").strip()
    assert git(remote, "symbolic-ref", "HEAD").strip() == f"refs/heads/{branch}"
    clone = tmp_path / "colleague"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    assert (clone / "stories/2026/otters-return-to-the-millbrook.toml").is_file()
    assert git(clone, "branch", "--show-current").strip() == branch


def test_13_25_sync_leaves_a_remote_head_that_names_an_existing_branch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "master", str(remote))
    git(desk, "push", "-q", str(remote), "HEAD:refs/heads/master")  # someone's master is there already
    git(desk, "remote", "add", "origin", str(remote))
    assert main(["--repo", str(desk), "sync"]) == 0
    capsys.readouterr()
    assert git(remote, "symbolic-ref", "HEAD").strip() == "refs/heads/master"


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Feeds</title></head><body>
<outline text="River news" xmlUrl="https://river.example.org/feed.xml" type="rss"/>
<outline text="Heron watch" xmlUrl="https://herons.example.org/atom"/>
</body></opml>
"""


def test_13_26_import_opml_appends_after_a_blank_line_with_no_empty_format(tmp_path: Path) -> None:
    repo = tmp_path / "desk"
    repo.mkdir()
    before = '# Our desk\n[desk]\nname = "Test Desk"\n\n[[sources]]\nname = "Old"\nurl = "https://old.example.org/feed"\ncategory = "Test"\nformat = "RSS"\n'
    (repo / "desk.toml").write_text(before, "utf-8")
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML, "utf-8")
    result = briefdesk("import-opml", str(opml), "--repo", str(repo), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    after = (repo / "desk.toml").read_text("utf-8")
    assert after.startswith(before)
    added = after[len(before):]
    assert added.startswith("\n[[sources]]\n"), repr(added)
    assert 'format = ""' not in after
    assert "\n\n\n" not in after
    assert after.count("\n\n[[sources]]\n") == 3, repr(added)
    assert added.endswith('category = ""\n')  # no trailing blank lines either
    loaded = tomllib.loads(after)
    assert [s["name"] for s in loaded["sources"]] == ["Old", "River news", "Heron watch"]
    assert [s.get("format") for s in loaded["sources"]][0] == "RSS"
    assert [s.url for s in load_profile(repo).sources][1:] == ["https://river.example.org/feed.xml", "https://herons.example.org/atom"]


def test_13_26_import_opml_into_a_desk_with_no_sources_yet(tmp_path: Path) -> None:
    repo = tmp_path / "desk"
    repo.mkdir()
    (repo / "desk.toml").write_text('[desk]\nname = "Test Desk"\n', "utf-8")
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML, "utf-8")
    result = briefdesk("import-opml", str(opml), "--repo", str(repo), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    after = (repo / "desk.toml").read_text("utf-8")
    assert after.startswith('[desk]\nname = "Test Desk"\n\n[[sources]]\nname = "River news"\n'), repr(after)
    assert after.count("\n\n[[sources]]\n") == 2 and "\n\n\n" not in after and 'format = ""' not in after
    assert len(load_profile(repo).sources) == 2
