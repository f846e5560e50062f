"""The queue CLI of a team: claim, release, dismiss --reason, restore, seen on a colleague's machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from feed_server import FeedServer
from repo_helpers import assert_fsck_clean, git
from team_helpers import Machine, team_of_two

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Good News Wire</title><link>https://wire.example.org/</link>
<item><title>Otters return to the Millbrook</title><link>https://wire.example.org/otters</link>
<guid>https://wire.example.org/?p=1</guid><description>A family of otters has settled on the river.</description></item>
<item><title>A library opens in a bus</title><link>https://wire.example.org/bus</link>
<guid>https://wire.example.org/?p=2</guid><description>The town's old bus now lends books.</description></item>
</channel></rss>"""


def _queue(machine: Machine) -> dict[str, dict]:
    return {row["title"]: row for row in machine.json("queue", "--format", "json")}


def _sync(machine: Machine) -> None:
    """``briefdesk sync`` as the lead wires it: the content repo's sync, then ``share_desk_state`` in the same process kind."""
    machine.briefdesk("sync")
    wired = (
        "from tui.config import load_config, resolve_repo\n"
        "from tui.commands._desk import share_desk_state\n"
        "config = load_config()\n"
        "print(share_desk_state(resolve_repo(None, config), config))\n"
    )
    done = subprocess.run([sys.executable, "-c", wired], capture_output=True, text=True, env=machine.env(), cwd=machine.clone)
    assert done.returncode == 0 and "desk state from origin" in done.stdout, done.stdout + done.stderr


@pytest.fixture
def desk(tmp_path: Path):
    with FeedServer() as server:
        server.add_file("wire.xml", RSS)
        ana, ben, remote = team_of_two(tmp_path)
        desk_toml = ana.clone / "desk.toml"
        desk_toml.write_text(
            desk_toml.read_text("utf-8") + f'\n[[sources]]\nname = "Good News Wire"\nurl = "{server.url("wire.xml")}"\ncategory = "Earth"\nformat = "RSS"\n',
            "utf-8",
        )
        ana.git("commit", "-q", "-am", "Follow the Good News Wire")
        ana.git("push", "-q", "origin", "main")
        ben.git("pull", "-q")
        for machine in (ana, ben):
            machine.briefdesk("fetch", "--no-articles")
        yield ana, ben, remote


def test_claim_release_and_dismiss_are_seen_across_machines(desk) -> None:
    ana, ben, remote = desk
    otters = _queue(ana)["Otters return to the Millbrook"]
    bus = _queue(ana)["A library opens in a bus"]
    assert _queue(ben)["Otters return to the Millbrook"]["id"] == otters["id"]  # same ids on every machine

    assert "claimed" in ana.briefdesk("claim", otters["id"][:10]).stdout
    _sync(ben)
    seen = _queue(ben)["Otters return to the Millbrook"]
    assert (seen["state"], seen["claimed_by"]) == ("claimed", "Ana Lima")

    refused = ben.briefdesk("claim", otters["id"], ok=False)
    assert refused.returncode == 2 and "claimed by Ana Lima" in refused.stderr and "--force" in refused.stderr

    ana.briefdesk("release", otters["id"])
    ana.briefdesk("dismiss", bus["id"], "--reason", "a press release, not news")
    _sync(ben)
    rows = _queue(ben)
    assert rows["Otters return to the Millbrook"]["state"] == "new"
    assert (rows["A library opens in a bus"]["state"], rows["A library opens in a bus"]["dismissed_reason"]) == ("dismissed", "a press release, not news")

    assert "claimed" in ben.briefdesk("claim", otters["id"]).stdout
    ben.briefdesk("restore", bus["id"])
    _sync(ana)
    rows = _queue(ana)
    assert (rows["Otters return to the Millbrook"]["state"], rows["Otters return to the Millbrook"]["claimed_by"]) == ("claimed", "Ben Okoro")
    assert rows["A library opens in a bus"]["state"] == "new"
    assert git(remote, "log", "--format=%an %s", "refs/briefdesk/desk").splitlines()[0] == f"Ben Okoro Restored {bus['id']}"
    for path in (ana.clone, ben.clone, remote):
        assert_fsck_clean(path)


def test_force_takes_a_claim_and_says_from_whom(desk) -> None:
    ana, ben, _remote = desk
    otters = _queue(ana)["Otters return to the Millbrook"]
    ana.briefdesk("claim", otters["id"])
    taken = ben.briefdesk("claim", otters["id"], "--force").stdout
    assert "taken over from Ana Lima" in taken
    assert _queue(ben)["Otters return to the Millbrook"]["claimed_by"] == "Ben Okoro"


def test_bad_input_is_a_message_and_loses_nothing(desk, tmp_path: Path) -> None:
    ana, _ben, remote = desk
    bus = _queue(ana)["A library opens in a bus"]
    blank = ana.briefdesk("dismiss", bus["id"], "--reason", "   ", ok=False)
    assert blank.returncode == 2 and "needs a reason" in blank.stderr
    unknown = ana.briefdesk("claim", "ffffffffffff", ok=False)
    assert unknown.returncode == 2 and "no item" in unknown.stderr
    assert ana.briefdesk("restore", bus["id"], ok=False).returncode == 2
    # Offline: the claim is made here and waits for the next sync.
    remote.rename(tmp_path / "gone.git")
    offline = ana.briefdesk("claim", bus["id"]).stdout
    assert "goes with the next sync" in offline
    assert _queue(ana)["A library opens in a bus"]["state"] == "claimed"
