"""Desk state through git: claims, releases, dismissals seen across two clones of one bare remote."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from repo_helpers import assert_fsck_clean, git
from stories.repo import Editor
from stories.team.state import DESK_REF, ClaimHeld, DeskState, TeamError, age_text, pick
from team_helpers import team_of_two

ANA = Editor("Ana Lima", "ana@desk.example")
BEN = Editor("Ben Okoro", "ben@desk.example")
ITEM = "3f9a1c0d2e4b5a6c7d8e"
OTHER = "0a1b2c3d4e5f60718293"


class Clock:
    """A clock the test moves by hand, so 'later' never depends on the machine's speed."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def desks(tmp_path: Path):
    ana_machine, ben_machine, remote = team_of_two(tmp_path)
    clock = Clock()
    ana, ben = DeskState(ana_machine.clone, clock), DeskState(ben_machine.clone, clock)
    yield ana, ben, remote, clock
    ana.close()
    ben.close()


def test_a_claim_travels_to_a_colleague_and_main_holds_only_stories(desks) -> None:
    ana, ben, remote, clock = desks
    main_before = git(ana.root, "rev-parse", "main")
    ana.claim(ITEM, ANA)
    assert ana.push().state == "synced"
    clock.tick(5)
    fetched = ben.fetch()
    assert fetched.state == "synced" and fetched.received == 1
    claim = ben.claims()[ITEM]
    assert (claim.name, claim.email) == ("Ana Lima", "ana@desk.example")
    assert claim.label(clock.now) == "claimed by Ana Lima · 5m"
    # The claim lives on its own ref: main, its history and the work tree are untouched.
    assert git(ana.root, "rev-parse", "main") == main_before
    assert git(remote, "rev-parse", "main") == main_before
    assert git(ana.root, "status", "--porcelain") == ""
    assert git(remote, "rev-parse", DESK_REF).strip() == git(ana.root, "rev-parse", DESK_REF).strip()
    for path in (ana.root, ben.root, remote):
        assert_fsck_clean(path)


def test_a_claim_held_by_a_colleague_is_refused_naming_them_and_force_takes_it(desks) -> None:
    ana, ben, _remote, clock = desks
    ana.claim(ITEM, ANA)
    ana.push()
    ben.fetch()
    clock.tick(3)
    with pytest.raises(ClaimHeld) as refused:
        ben.claim(ITEM, BEN)
    assert "claimed by Ana Lima · 3m" in str(refused.value) and "--force" in str(refused.value)
    assert ben.claims()[ITEM].name == "Ana Lima"  # nothing was written
    taken = ben.claim(ITEM, BEN, force=True)
    assert taken.previous is not None and taken.previous.name == "Ana Lima"
    assert ben.claims()[ITEM].name == "Ben Okoro"
    # Claiming again what you hold is fine; releasing a colleague's claim is not, without force.
    ben.claim(ITEM, BEN)
    with pytest.raises(ClaimHeld):
        ben.release(ITEM, ANA)


def test_release_and_dismissal_with_reason_are_seen_by_the_colleague(desks) -> None:
    ana, ben, remote, clock = desks
    ana.claim(ITEM, ANA)
    ana.push()
    ben.sync()
    assert ITEM in ben.claims()
    clock.tick()
    ana.release(ITEM, ANA)
    ana.dismiss(OTHER, ANA, "  a press release,   not news ")
    assert ana.sync().state == "synced"
    ben.sync()
    assert ITEM not in ben.claims()
    assert ben.entries()[ITEM].state == "released"
    dismissed = ben.dismissals()[OTHER]
    assert (dismissed.reason, dismissed.name) == ("a press release, not news", "Ana Lima")
    clock.tick()
    ben.restore(OTHER, BEN)
    ben.sync()
    ana.sync()
    assert OTHER not in ana.dismissals() and ana.entries()[OTHER].state == "restored"
    for path in (ana.root, ben.root, remote):
        assert_fsck_clean(path)


def test_a_dismissal_needs_a_reason_and_restore_needs_a_dismissal(desks) -> None:
    ana, _ben, _remote, _clock = desks
    with pytest.raises(TeamError, match="needs a reason"):
        ana.dismiss(ITEM, ANA, "   ")
    with pytest.raises(TeamError, match="not dismissed"):
        ana.restore(ITEM, ANA)
    with pytest.raises(TeamError, match="not claimed"):
        ana.release(ITEM, ANA)
    with pytest.raises(TeamError, match="not a queue item id"):
        ana.claim("../escape", ANA)
    assert ana.entries() == {}


def test_both_editors_write_offline_and_the_merge_keeps_both_items_and_the_later_claim(desks) -> None:
    ana, ben, remote, clock = desks
    ana.claim(ITEM, ANA)
    ana.push()
    ben.fetch()
    # Both work without syncing: Ana releases ITEM and dismisses OTHER; Ben, later, takes ITEM by force.
    clock.tick()
    ana.release(ITEM, ANA)
    ana.dismiss(OTHER, ANA, "duplicate of a story we ran")
    clock.tick()
    ben.claim(ITEM, BEN, force=True)
    assert ana.push().state == "synced"
    pushed = ben.push()  # rejected at first: Ben's push merges Ana's commit and goes again
    assert pushed.state == "synced", pushed.message
    ana.fetch()
    for desk in (ana, ben):
        entries = desk.entries()
        assert entries[ITEM].state == "claimed" and entries[ITEM].name == "Ben Okoro"
        assert entries[OTHER].state == "dismissed"
    assert git(ana.root, "rev-parse", DESK_REF) == git(ben.root, "rev-parse", DESK_REF) == git(remote, "rev-parse", DESK_REF)
    for path in (ana.root, ben.root, remote):
        assert_fsck_clean(path)


def test_the_same_choice_is_made_on_every_machine() -> None:
    early = 'item = "x"\nstate = "claimed"\nby = "Ana"\nat = 2026-12-01T09:00:00Z\n'
    late = 'item = "x"\nstate = "released"\nby = "Ben"\nat = 2026-12-01T09:05:00Z\n'
    tie = 'item = "x"\nstate = "claimed"\nby = "Cai"\nat = 2026-12-01T09:05:00Z\n'
    assert pick(early, early, late) == late  # only theirs changed
    assert pick(early, late, early) == late  # only ours changed
    assert pick(None, early, late) == pick(None, late, early) == late
    assert pick(None, late, tie) == pick(None, tie, late)


def test_offline_and_no_remote_are_a_status_not_an_exception(desks, tmp_path: Path) -> None:
    ana, _ben, remote, _clock = desks
    ana.claim(ITEM, ANA)
    remote.rename(tmp_path / "remote-gone.git")
    assert ana.push().state == "offline"
    assert ana.fetch().state == "offline"
    git(ana.root, "remote", "remove", "origin")
    assert ana.sync().state == "no-remote"
    assert ana.claims()[ITEM].name == "Ana Lima"  # nothing lost


def test_age_text_reads_like_the_queue() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    assert age_text(now - timedelta(seconds=20), now) == "just now"
    assert age_text(now - timedelta(minutes=5), now) == "5m"
    assert age_text(now - timedelta(hours=3), now) == "3h"
    assert age_text(now - timedelta(days=2), now) == "2d"


def _event(who: str, minute: int, state: str) -> str:
    return f'item = "x"\nstate = "{state}"\nby = "{who}"\nat = 2026-12-01T09:{minute:02d}:00Z\n'


def test_every_machine_keeps_the_same_version_whichever_side_is_ours() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    versions = st.one_of(st.none(), st.builds(_event, st.sampled_from(["Ana", "Ben", "Cai"]), st.integers(0, 3), st.sampled_from(["claimed", "released", "dismissed"])))

    @settings(max_examples=300, deadline=None)
    @given(versions, versions, versions)
    def same_choice(base, ours, theirs) -> None:
        assert pick(base, ours, theirs) == pick(base, theirs, ours)
        if ours is not None:  # a change made on one side only is kept (desk files are never deleted)
            assert pick(base, ours, base) == ours
        if None not in (ours, theirs):
            assert pick(base, ours, theirs) in (ours, theirs)

    same_choice()
