"""No lost revision: a stale draft is merged by section, or refused naming the colleague's commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_helpers import SOURCE_TEXT, git, make_briefing
from stories.repo import ContentRepo, Editor
from stories.team.stale import StaleRevision, guard_revision

ANA = Editor("Ana Lima", "ana@desk.example")
BEN = Editor("Ben Okoro", "ben@desk.example")


@pytest.fixture
def repo(tmp_path: Path):
    repo = ContentRepo.init(tmp_path / "content")
    repo.publish(make_briefing(), SOURCE_TEXT, ANA)
    yield repo
    repo.close()


def _started(repo: ContentRepo) -> tuple[str, object]:
    """A draft that starts from the story as it is now, and the commit it started from."""
    return git(repo.root, "rev-parse", "HEAD").strip(), repo.story("otters-return-to-the-millbrook")


def test_a_draft_of_an_unchanged_story_goes_as_it_is(repo: ContentRepo) -> None:
    started, draft = _started(repo)
    draft.sections["summary"] = draft.text("summary") + " More soon."
    assert guard_revision(repo, draft, started).story is draft


def test_a_colleague_revising_another_section_is_merged_not_overwritten(repo: ContentRepo) -> None:
    started, draft = _started(repo)
    draft.sections["watch_next"] = draft.text("watch_next") + " Camera traps counted them from August."
    colleague = repo.story(draft.id)
    colleague.sections["headline"] = "Otters are back on the Millbrook after ten years of volunteer river repair"
    revised = repo.publish(colleague, SOURCE_TEXT, BEN)
    guarded = guard_revision(repo, draft, started)
    assert guarded.story.headline == colleague.headline  # Ben's sentence survives
    assert guarded.story.text("watch_next").endswith("Camera traps counted them from August.")
    assert [r.sha for r in guarded.merged_with] == [revised.commit] and guarded.merged_with[0].author == "Ben Okoro"
    published = repo.publish(guarded.story, SOURCE_TEXT, ANA)
    final = repo.story(draft.id)
    assert published.action == "revise" and final.headline == colleague.headline and "August" in final.text("watch_next")


def test_the_same_section_changed_by_a_colleague_is_refused_naming_their_commit(repo: ContentRepo) -> None:
    started, draft = _started(repo)
    draft.sections["headline"] = "Otters settle on the Millbrook after a decade of volunteer work"
    colleague = repo.story(draft.id)
    colleague.sections["headline"] = "Otters are back on the Millbrook after ten years of volunteer river repair"
    revised = repo.publish(colleague, SOURCE_TEXT, BEN)
    with pytest.raises(StaleRevision) as refused:
        guard_revision(repo, draft, started)
    message = str(refused.value)
    assert revised.commit[:8] in message and "Ben Okoro" in message and "headline" in message and "--force" in message
    assert refused.value.conflicts[0].theirs == colleague.headline
    settled = refused.value.result.resolved({"headline": colleague.headline})  # what the merge screen hands back
    assert settled.headline == colleague.headline
    assert guard_revision(repo, draft, started, force=True).story is draft  # --force is the only way over it
