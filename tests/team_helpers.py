"""Two editors on two machines with one bare remote: isolated homes, real git, the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from repo_helpers import git

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Person:
    """An editor identity (name and email), as the config file holds it."""

    name: str
    email: str


@dataclass
class Machine:
    """One editor's computer: a home of its own (config, data, git identity) and a clone."""

    person: Person
    home: Path
    clone: Path

    def env(self) -> dict[str, str]:
        """The environment of a process on this machine: nothing of the test runner's home leaks in."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "BRIEFDESK_", "XDG_"))}
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_STATE_HOME=str(self.home / ".local" / "state"),
            GIT_CONFIG_NOSYSTEM="1",
            BRIEFDESK_REPO=str(self.clone),
            PYTHONPATH=str(ROOT),
        )
        return env

    def git(self, *args: str, check: bool = True) -> str:
        """git in this machine's clone, with this machine's home."""
        done = subprocess.run(["git", *args], cwd=self.clone, capture_output=True, text=True, env=self.env())
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def briefdesk(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the real ``briefdesk`` command line on this machine."""
        done = subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=self.clone, capture_output=True, text=True, env=self.env(), timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        if ok:
            assert done.returncode == 0, f"briefdesk {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str) -> object:
        """A ``--format json`` command's parsed output."""
        return json.loads(self.briefdesk(*args).stdout)


def make_machine(tmp_path: Path, name: str, person: Person, remote: Path) -> Machine:
    """A home with a config naming ``person`` and git settings, and a clone of ``remote`` in it."""
    home = tmp_path / name
    (home / ".config" / "briefdesk").mkdir(parents=True)
    (home / ".gitconfig").write_text(f"[user]\n\tname = {person.name}\n\temail = {person.email}\n[init]\n\tdefaultBranch = main\n")
    (home / ".config" / "briefdesk" / "config.toml").write_text(f'[editor]\nname = "{person.name}"\nemail = "{person.email}"\n')
    machine = Machine(person, home, home / "content")
    done = subprocess.run(["git", "clone", "-q", str(remote), str(machine.clone)], capture_output=True, text=True, env=machine.env())
    assert done.returncode == 0, done.stderr
    return machine


def team_of_two(tmp_path: Path, branch_mode: bool = False) -> tuple[Machine, Machine, Path]:
    """A content repo on a bare remote, cloned by Ana and by Ben on machines of their own."""
    from stories.repo import ContentRepo

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(remote))
    seed = ContentRepo.init(tmp_path / "seed")
    if branch_mode:
        desk = seed.root / "desk.toml"
        desk.write_text(desk.read_text("utf-8") + '\n[publish]\nmode = "branch"\nbase = "main"\n', "utf-8")
        git(seed.root, "commit", "-q", "-am", "Review every story on its own branch")
    git(seed.root, "push", "-q", str(remote), "main")
    seed.close()
    ana = make_machine(tmp_path, "ana-laptop", Person("Ana Lima", "ana@desk.example"), remote)
    ben = make_machine(tmp_path, "ben-laptop", Person("Ben Okoro", "ben@desk.example"), remote)
    return ana, ben, remote


def write_story(machine: Machine, name: str, briefing) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """A story file and its source text in the editor's home, ready for ``briefdesk publish``."""
    from repo_helpers import SOURCE_TEXT
    from stories.codec import render
    from stories.profile import load_profile

    folder = machine.home / "work"
    folder.mkdir(exist_ok=True)
    story = folder / f"{name}.toml"
    story.write_text(render(briefing, load_profile(None)), "utf-8")
    source = folder / f"{name}.source.txt"
    source.write_text(SOURCE_TEXT, "utf-8")
    return story, source


def publish(machine: Machine, briefing, name: str = "story") -> str:  # type: ignore[no-untyped-def]
    """Publish a briefing through the real CLI and return what it printed."""
    story, source = write_story(machine, name, briefing)
    return machine.briefdesk("publish", str(story), "--source-text", str(source)).stdout


HOSTILE_HEADLINE = "Otters \x1b[2J\x1b]0;owned\x07 return [@click=app.quit]x[/] to the Millbrook river"


def push_hostile_branch(machine: Machine, story_id: str = "hostile-otters") -> None:
    """A story branch made with plain git whose headline carries escapes and markup, pushed for review."""
    from repo_helpers import make_briefing
    from stories.codec import render
    from stories.profile import load_profile

    story = make_briefing(story_id, headline=HOSTILE_HEADLINE)
    story.status = "published"
    machine.git("switch", "-q", "-c", f"story/{story_id}")
    (machine.clone / "stories" / "2026").mkdir(parents=True, exist_ok=True)
    (machine.clone / "stories" / "2026" / f"{story_id}.toml").write_text(render(story, load_profile(None)), "utf-8")
    machine.git("add", "-A")
    machine.git("commit", "-q", "-m", "Publish: hostile", "-m", f"Story-Id: {story_id}\nChecks: 3 passed, 1 warning")
    machine.git("push", "-q", "origin", f"story/{story_id}")
    machine.git("switch", "-q", "main")
