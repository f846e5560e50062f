"""``briefdesk fetch``, ``queue``, ``import-opml`` and ``export-opml`` as a user runs them (fresh interpreters)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from feed_server import FeedServer
from stories.profile import load_profile
from stories.queue import QueueStore

ROOT = Path(__file__).resolve().parents[1]
SMALL_REAL = [
    "real/aktuality_sk.rss", "real/bbc_urdu_rtl.xml", "real/biorxiv_rss1.rdf", "real/cerclepsy_fr_undeclared_latin1.xml",
    "real/craigslist_rdf.rss", "real/donthitsave_utf8_bom.xml", "real/golem_de_iso-8859-1.xml", "real/google_alerts_html_in_titles.xml",
    "real/hackernews_rss.xml", "real/heise_rdf_rss090_nodates.xml", "real/ibash_ru_windows-1251.xml", "real/jn_pt_iso-8859-1.rss",
    "real/kc0011_cn_gb2312.rss", "real/reddit_frontpage_rss.rss", "real/samruby_relative_links.xml", "real/uol_noticias_pt_mislabeled_localdates.rss",
]


def briefdesk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=os.environ.copy())


def desk_with_sources(repo: Path, server: FeedServer, names: list[str], prefix: str = "f") -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    lines = ["# The desk's own notes survive every edit.", "[desk]", 'name = "Test Desk"', ""]
    for name in names:
        lines += ["[[sources]]", f'name = "{name}"', f'url = "{server.url(name, prefix)}"', 'category = "Test"', 'format = "HTML"', ""]
    (repo / "desk.toml").write_text("\n".join(lines))
    return repo


def queue_db() -> Path:
    return Path(os.environ["BRIEFDESK_DATA_DIR"]) / "desk.db"


def test_fetch_prints_progress_and_summary_then_queue_works_offline(shared_feeds: Path, tmp_path: Path) -> None:
    names = SMALL_REAL[:6] + ["adversarial/term_escapes_raw_bytes.xml"]
    with FeedServer(shared_feeds) as server:
        repo = desk_with_sources(tmp_path / "content", server, names)
        # The fixture feeds link to real publishers: their pages are never fetched from a test.
        result = briefdesk("fetch", "--no-articles", "--repo", str(repo))
        assert result.returncode == 0, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        assert sum(1 for line in lines if line.startswith("[")) == len(names)
        assert lines[-1].startswith(f"{len(names)} sources: ") and "0 failed" in lines[-1]
    # The server is gone: no network at all.
    listing = briefdesk("queue", "--format", "json")
    assert listing.returncode == 0
    rows = json.loads(listing.stdout)
    with QueueStore(queue_db()) as store:
        assert len(rows) == store.count() > 100
        assert {row["id"] for row in rows} == {it.id for it in store.items()}
    text = briefdesk("queue")
    assert text.returncode == 0 and "\x1b" not in text.stdout and "\x07" not in text.stdout
    assert rows[0]["title"] in text.stdout
    # A fetch without network fails per source, in words, and loses nothing.
    offline = briefdesk("fetch", "--no-articles", "--repo", str(repo))
    assert offline.returncode == 3
    assert "refused the connection" in offline.stdout and f"{len(names)} failed" in offline.stdout
    assert len(json.loads(briefdesk("queue", "--format", "json").stdout)) == len(rows)


def test_queue_filters_by_text_and_state(tmp_path: Path) -> None:
    from stories.queue import load_demo

    with QueueStore(queue_db()) as store:
        load_demo(store)
        oyster = store.items(text="oyster")[0]
        store.dismiss(oyster.id, "done already")
        total = store.count()
    rows = json.loads(briefdesk("queue", "oyster", "--format", "json").stdout)
    assert [row["title"] for row in rows] == [oyster.title]
    assert rows[0]["sources"] == ["Green Shoots Weekly", "Neighbourhood Ledger"] and rows[0]["dismissed_reason"] == "done already"
    dismissed = briefdesk("queue", "--state", "dismissed")
    assert "oyster" in dismissed.stdout and "dismissed" in dismissed.stdout
    fresh = json.loads(briefdesk("queue", "--state", "new", "--format", "json").stdout)
    assert len(fresh) == total - 1
    nothing = briefdesk("queue", "no such words at all")
    assert nothing.returncode == 0 and nothing.stdout == "" and "No items match" in nothing.stderr


def test_fetch_without_a_content_repo_says_so(tmp_path: Path) -> None:
    result = briefdesk("fetch", "--no-articles", "--repo", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "no content repo with a desk.toml" in result.stderr
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "desk.toml").write_text('[desk]\nname = "X"\n')
    result = briefdesk("fetch", "--no-articles", "--repo", str(tmp_path / "empty"))
    assert result.returncode == 2 and "lists no [[sources]]" in result.stderr
    listing = briefdesk("queue")
    assert listing.returncode == 0 and "queue is empty" in listing.stderr


def test_a_damaged_queue_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    queue_db().parent.mkdir(parents=True, exist_ok=True)
    queue_db().write_bytes(b"this is not a database, it is a shopping list" * 100)
    result = briefdesk("queue")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not a usable queue database" in result.stderr and "move it aside" in result.stderr


def test_a_failing_source_makes_fetch_exit_3(shared_feeds: Path, tmp_path: Path) -> None:
    with FeedServer(shared_feeds) as server:
        repo = desk_with_sources(tmp_path / "content", server, ["real/hackernews_rss.xml", "adversarial/xml_bomb_billion_laughs.xml"])
        result = briefdesk("fetch", "--no-articles", "--repo", str(repo), "--quiet")
    assert result.returncode == 3
    assert "1 failed" in result.stdout
    assert "adversarial/xml_bomb_billion_laughs.xml: The feed declares XML entities" in result.stdout
    assert not any(line.startswith("[") for line in result.stdout.splitlines())
    # What each source last did, without fetching.
    status = briefdesk("fetch", "--no-articles", "--repo", str(repo), "--status")
    assert status.returncode == 3
    lines = status.stdout.splitlines()
    assert lines[0].startswith("real/hackernews_rss.xml: last success 20")
    assert lines[1].startswith("adversarial/xml_bomb_billion_laughs.xml: last success never; failing (1 in a row): The feed declares XML entities")


@pytest.mark.timeout(180)
def test_two_processes_fetch_into_one_queue_at_once(shared_feeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared_db = queue_db()
    with FeedServer(shared_feeds) as server:
        # Overlapping source lists, so both write the same items at the same time.
        first = desk_with_sources(tmp_path / "one", server, SMALL_REAL[:11])
        second = desk_with_sources(tmp_path / "two", server, SMALL_REAL[5:], prefix="g")
        procs = [
            subprocess.Popen([sys.executable, "-m", "tui.cli", "fetch", "--no-articles", "--repo", str(repo)], cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for repo in (first, second)
        ]
        outputs = [proc.communicate(timeout=150) for proc in procs]
        for proc, (out, err) in zip(procs, outputs):
            assert proc.returncode == 0, out + err
            assert "locked" not in (out + err).lower() and "Traceback" not in err
        # The same two fetches one after the other, into a fresh queue: the reference.
        monkeypatch.setenv("BRIEFDESK_DATA_DIR", str(tmp_path / "reference"))
        for repo in (first, second):
            assert briefdesk("fetch", "--no-articles", "--repo", str(repo), "--quiet").returncode == 0
    with QueueStore(tmp_path / "reference" / "desk.db") as reference:
        expected = sorted((it.title, it.link, tuple(sorted(it.sources))) for it in reference.items())
    with QueueStore(shared_db) as shared:
        got = sorted((it.title, it.link, tuple(sorted(it.sources))) for it in shared.items())
    assert got == expected and len(got) > 300


def test_opml_round_trip_keeps_folders_and_desk_comments(tmp_path: Path) -> None:
    source_desk = tmp_path / "a"
    source_desk.mkdir()
    (source_desk / "desk.toml").write_text(
        "# Our desk. Keep this note.\n[desk]\nname = \"A\"\n\n"
        "[[sources]]\nname = \"Hopeful Earth Wire\"\nurl = \"https://earth.example.org/category/news/earth/feed/\"\ncategory = \"Earth\"\nformat = \"HTML\"\n\n"
        "[[sources]]\nname = \"Field & Stream <Notes>\"\nurl = \"https://fieldnotes.example.org/rss?x=1&y=2\"\ncategory = \"Science\"\n\n"
        "[[sources]]\nname = \"Loose\"\nurl = \"https://loose.example.org/feed\"\n"
    )
    exported = briefdesk("export-opml", "--repo", str(source_desk))
    assert exported.returncode == 0 and "<opml version=\"2.0\">" in exported.stdout
    assert '<outline text="Earth">' in exported.stdout
    opml = tmp_path / "sources.opml"
    opml.write_text(exported.stdout)

    target = tmp_path / "b"
    target.mkdir()
    desk_text = "# Desk B: our notes stay.\n[desk]\nname = \"B\"  # the name readers see\n\n# Sources we follow\n[[sources]]\nname = \"Loose\"\nurl = \"https://loose.example.org/feed\"\n"
    (target / "desk.toml").write_text(desk_text)
    imported = briefdesk("import-opml", str(opml), "--repo", str(target))
    assert imported.returncode == 0, imported.stderr
    assert "2 sources added" in imported.stdout and "1 already listed" in imported.stdout
    text = (target / "desk.toml").read_text()
    assert text.startswith(desk_text)
    assert "# the name readers see" in text and "# Sources we follow" in text
    before = {(s.name, s.url, s.category) for s in load_profile(source_desk).sources}
    after = {(s.name, s.url, s.category) for s in load_profile(target).sources}
    assert after == before
    assert next(s for s in load_profile(target).sources if s.name == "Hopeful Earth Wire").format == "HTML"
    again = briefdesk("import-opml", str(opml), "--repo", str(target))
    assert "0 sources added" in again.stdout and (target / "desk.toml").read_text() == text


def test_import_opml_reads_nested_folders_and_refuses_bad_files(tmp_path: Path) -> None:
    repo = tmp_path / "c"
    repo.mkdir()
    (repo / "desk.toml").write_text("[desk]\nname = \"C\"\n")
    opml = tmp_path / "reader.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>'
        '<outline text="News"><outline text="Health" title="Health">'
        '<outline type="rss" text="Clinic Notes" xmlUrl="https://clinic.example.org/feed"/></outline>'
        '<outline type="rss" text="Daily" xmlUrl="http://daily.example.org/rss"/></outline>'
        '<outline type="rss" text="Evil" xmlUrl="javascript:alert(1)"/>'
        '<outline type="rss" text="Top" xmlUrl="https://top.example.org/atom"/>'
        "</body></opml>"
    )
    result = briefdesk("import-opml", str(opml), "--repo", str(repo))
    assert result.returncode == 0, result.stderr
    got = {(s.name, s.category) for s in load_profile(repo).sources}
    assert got == {("Clinic Notes", "Health"), ("Daily", "News"), ("Top", "")}
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>')
    refused = briefdesk("import-opml", str(bomb), "--repo", str(repo))
    assert refused.returncode == 2 and "declares XML entities" in refused.stderr
    broken = briefdesk("import-opml", str(tmp_path / "missing.opml"), "--repo", str(repo))
    assert broken.returncode == 2 and "cannot be read" in broken.stderr


def test_import_into_an_inline_source_list_keeps_its_form(tmp_path: Path) -> None:
    from stories.sources.opml import add_sources_to_desk
    from stories.profile import Source

    desk = tmp_path / "desk.toml"
    desk.write_text('# inline form\nsources = [{name = "A", url = "https://a.example.org/feed"}]\n\n[desk]\nname = "X"\n')
    added, skipped = add_sources_to_desk(desk, [Source("B", "https://b.example.org/feed", "Earth", "HTML"), Source("A again", "https://a.example.org/feed")])
    assert [s.name for s in added] == ["B"] and [s.name for s in skipped] == ["A again"]
    text = desk.read_text()
    assert text.startswith("# inline form\nsources = [{") and "[[sources]]" not in text
    assert [(s.name, s.category) for s in load_profile(tmp_path).sources] == [("A", ""), ("B", "Earth")]
