"""Drafts: one TOML file each, written atomically, read back exactly as they were."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from stories.drafts import Draft, DraftStore, draft_key, new_briefing
from stories.model import SourceRef
from stories.profile import load_profile

PROFILE = load_profile(None)


def _draft(key: str = "item-1", **sections) -> Draft:
    briefing = new_briefing(PROFILE)
    briefing.sections.update(sections)
    briefing.source = SourceRef(name="Green Shoots Weekly", feed="Earth", format="HTML", url="https://example.org/a", title="A title", guid="g-1")
    return Draft(key=key, briefing=briefing, source_text="Title\n\nBody with \"quotes\" and 12,000 shells.", item_id="item-1")


def test_a_saved_draft_comes_back_exactly(tmp_path):
    store = DraftStore(tmp_path, PROFILE)
    draft = _draft(headline="Volunteers return shells", summary="Line one.\n\nLine two with \"quotes\" and a \\ backslash.", key_points=["one", "", "three"])
    draft.focus, draft.cursor = "summary", (2, 5)
    store.save(draft)
    back = store.load("item-1")
    assert back.briefing.sections == draft.briefing.sections
    assert back.briefing.source == draft.briefing.source
    assert back.source_text == draft.source_text
    assert (back.item_id, back.focus, back.cursor) == ("item-1", "summary", (2, 5))
    assert back.saved is not None


def test_an_incomplete_draft_is_never_refused(tmp_path):
    store = DraftStore(tmp_path, PROFILE)
    draft = Draft(key="empty", briefing=new_briefing(PROFILE))
    store.save(draft)
    assert store.load("empty").briefing.headline == ""
    assert [d.key for d in store.list()] == ["empty"]


def test_list_is_newest_first_and_skips_broken_files(tmp_path):
    store = DraftStore(tmp_path, PROFILE)
    store.save(_draft("older", headline="Older"))
    time.sleep(0.01)
    store.save(_draft("newer", headline="Newer"))
    (tmp_path / "broken.toml").write_text("id = \n", "utf-8")
    assert [d.title for d in store.list()] == ["Newer", "Older"]
    assert any("broken.toml" in problem for problem in store.problems())
    store.delete("older")
    store.delete("never-existed")
    assert [d.key for d in store.list()] == ["newer"]


def test_a_save_leaves_no_temp_files_and_replaces_the_old_file(tmp_path):
    store = DraftStore(tmp_path, PROFILE)
    store.save(_draft(headline="First"))
    inode = os.stat(store.path("item-1")).st_ino
    store.save(_draft(headline="Second"))
    assert os.listdir(tmp_path) == ["item-1.toml"]
    assert store.load("item-1").briefing.headline == "Second"
    # A new file renamed over the old one: a reader never sees half of either.
    assert os.stat(store.path("item-1")).st_ino != inode


def test_keys_are_safe_file_names():
    assert draft_key("../../etc/passwd") == "etc-passwd"
    assert draft_key("story-otters-return") == "story-otters-return"
    assert draft_key("") == "draft"


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
    points=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), max_size=4),
)
def test_any_text_round_trips(tmp_path_factory, text, points):
    folder = tmp_path_factory.mktemp("drafts")
    store = DraftStore(folder, PROFILE)
    draft = _draft(headline=text.replace("\n", " "), summary=text, key_points=points)
    draft.source_text = text
    draft.saved = datetime.now(timezone.utc)
    store.save(draft)
    back = store.load("item-1")
    assert back.briefing.text("summary") == text
    assert back.briefing.items("key_points") == points
    assert back.source_text == text
