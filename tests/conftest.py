"""Shared fixtures: every test runs with its own config, data folder and git identity."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_FEEDS = ROOT.parent / "shared" / "fixtures" / "feeds"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A developer's own config, data and git settings never leak into a test."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test Editor\n\temail = editor@example.org\n[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("BRIEFDESK_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("BRIEFDESK_DATA_DIR", str(home / "data"))
    monkeypatch.delenv("BRIEFDESK_REPO", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def shared_feeds() -> Path:
    """The shared fixture feeds; tests that need them skip in a clone without ``../shared``."""
    if not SHARED_FEEDS.is_dir():
        pytest.skip(f"the shared fixture feeds are not beside this clone (expected ../shared/fixtures/feeds)")
    return SHARED_FEEDS
