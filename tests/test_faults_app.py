"""The real app starts on hostile local files: a desk.toml or a draft nested hundreds deep, a pipe, a truncated draft."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desk_helpers import settle
from faults_helpers import briefdesk, make_fifo, nested_arrays
from stories.drafts import Draft, DraftStore, new_briefing
from stories.repo import ContentRepo
from tui.app import BriefDeskApp
from tui.widgets.queue import QueueList
from tui.commands.demo import prepare


def _rows(app) -> list[str]:
    return [str(option.prompt) for option in app.screen.query_one("#queue-list", QueueList).options]


def _messages(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def _desk(tmp_path: Path) -> tuple[ContentRepo, Path, Path, list]:
    repo, queue_path, drafts_dir, sources = prepare(tmp_path)
    Path(drafts_dir).mkdir(parents=True, exist_ok=True)
    return repo, queue_path, Path(drafts_dir), sources


def test_the_app_starts_on_drafts_nested_deep_or_piped(tmp_path: Path) -> None:
    repo, queue_path, drafts, sources = _desk(tmp_path)
    (drafts / "deep.toml").write_text(f'id = "d"\nstatus = "draft"\ntopics = {nested_arrays(900)}\n', "utf-8")
    make_fifo(drafts / "waiting.toml")

    async def scenario() -> None:
        app = BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=drafts, sources=sources)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert len(_rows(app)) > 3  # the queue is there, the app is usable
            shown = "\n".join(_messages(app))
            assert "deep.toml: has arrays or tables nested too deep to read" in shown
            assert "waiting.toml: is a pipe" in shown

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("desk_toml", "words"),
    [
        (f"[desk]\ntopics = {nested_arrays(900)}\n", "desk.toml: has arrays or tables nested too deep to read"),
        ('[[sections]]\nkey = "headline"\n\n[[sections]]\nkey = "key_points"\nkind = "list"\nmin_items = 20000\n', "min_items: is 20,000, over the ceiling of 50"),
    ],
)
def test_starting_the_desk_on_a_hostile_desk_toml_is_a_message_not_a_traceback_or_a_freeze(tmp_path: Path, desk_toml: str, words: str) -> None:
    repo, _queue, _drafts, _sources = _desk(tmp_path)
    (repo.root / "desk.toml").write_text(desk_toml, "utf-8")
    result = briefdesk("--repo", str(repo.root), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_a_truncated_draft_is_kept_aside_at_start_and_survives_a_new_briefing(tmp_path: Path) -> None:
    repo, queue_path, drafts, sources = _desk(tmp_path)
    store = DraftStore(drafts, repo.profile)
    briefing = new_briefing(repo.profile)
    briefing.sections["headline"] = "Words the editor must not lose in a crash"
    path = store.save(Draft(key="lost", briefing=briefing, source_text="text"))
    whole = path.read_bytes()
    cut = whole[: len(whole) // 2]
    path.write_bytes(cut)

    async def scenario() -> None:
        app = BriefDeskApp(repo=repo, queue_path=queue_path, drafts_dir=drafts, sources=sources)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "kept as lost.toml.damaged-" in "\n".join(_messages(app))

    asyncio.run(scenario())
    [aside] = DraftStore(drafts, repo.profile).damaged()
    assert aside.read_bytes() == cut
