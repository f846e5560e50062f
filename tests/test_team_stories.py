"""``briefdesk stories``: find published stories by headline, text, topic and date; mark a colleague's new ones."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from repo_helpers import make_briefing
from team_helpers import publish, team_of_two

OTTERS = "otters-return-to-the-millbrook"
BUS = "a-library-opens-in-an-old-town-bus"


def _bus():
    story = make_briefing(BUS, headline="A library opens in an old town bus for the whole valley")
    # Only the otters story quotes the volunteers' coordinator.
    story.sections["what_happened"] = story.text("what_happened").split(" \u201cWe used")[0]
    return replace(story, topics=["community"], source=replace(story.source, url="https://wire.example.org/bus"))


def test_stories_are_found_by_headline_text_topic_and_date_and_colleagues_new_ones_are_marked(tmp_path: Path) -> None:
    ana, ben, _remote = team_of_two(tmp_path)
    publish(ana, make_briefing(OTTERS), "otters")
    published_at = int(time.time())
    ana.briefdesk("sync")
    ben.briefdesk("sync")
    while int(time.time()) == published_at:  # stamps are to the second: "newest" needs a later one
        time.sleep(0.05)
    publish(ben, _bus(), "bus")
    ben.briefdesk("sync")

    everything = ben.json("stories", "--format", "json")
    assert [r["id"] for r in everything] == [BUS, OTTERS]  # newest first
    assert [r["id"] for r in ben.json("stories", "library", "BUS", "--format", "json")] == [BUS]  # headline words, any case
    assert [r["id"] for r in ben.json("stories", "Hannah Okafor", "--format", "json")] == [OTTERS]  # the text
    assert [r["id"] for r in ben.json("stories", "--topic", "animals", "--format", "json")] == [OTTERS]
    year = everything[0]["updated"][:4]
    assert len(ben.json("stories", year, "--format", "json")) == 2
    assert ben.json("stories", "1999", "--format", "json") == []
    assert ben.json("stories", "--since", "2999-01-01", "--format", "json") == []

    # Ana syncs: Ben's story is new to her, and marked; her own is not.
    ana.briefdesk("sync")
    lines = ana.briefdesk("stories").stdout.splitlines()
    assert lines[0].startswith("* ") and "A library opens in an old town bus" in lines[0]
    assert lines[1].startswith("  ") and OTTERS in lines[1]
    nothing = ana.briefdesk("stories", "zebra")
    assert nothing.stdout == "" and "No published story matches" in nothing.stderr
    bad = ana.briefdesk("stories", "--since", "yesterday", ok=False)
    assert bad.returncode == 2 and "not a date" in bad.stderr
