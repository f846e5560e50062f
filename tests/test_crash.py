"""kill -9 while writing: the app runs in a real pseudo-terminal, gets SIGKILL, and the restart shows the text."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from stories.drafts import DraftStore
from stories.queue import QueueStore, load_demo
from stories.repo import ContentRepo
from tui import locations
from tui.app import BriefDeskApp

ROOT = Path(__file__).resolve().parents[1]
TYPED = "Volunteers return shells before the crash"


class Terminal:
    """A child process on a pty of 80x24, with everything it draws collected."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the app
            try:
                os.chdir(ROOT)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on the terminal; last output: {bytes(self.output[-400:])!r}")
            time.sleep(0.05)

    def type(self, text: str, delay: float = 0.02) -> None:
        for char in text:
            os.write(self.fd, char.encode())
            time.sleep(delay)

    def send(self, data: bytes) -> None:
        """Bytes in one write, as a terminal sends a key like alt+e (ESC e)."""
        os.write(self.fd, data)

    def kill(self) -> int:
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        try:
            os.close(self.fd)
        except OSError:
            pass
        return status


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_sigkill_while_writing_loses_nothing_older_than_a_second(isolated_home):
    # A desk as a first-time user has it: the content repo and queue in the data folder, no config.
    repo = ContentRepo.init(locations.default_repo())
    store = QueueStore(locations.queue_db())
    load_demo(store)
    store.close()

    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.pop("TEXTUAL", None)
    terminal = Terminal([sys.executable, "-m", "tui.cli"], env)
    try:
        terminal.wait_for("filter the queue")
        time.sleep(0.5)
        terminal.type("/oyster")
        terminal.type("\r")
        time.sleep(0.3)
        terminal.type("\r")  # start a briefing from the item: the cursor lands in the headline
        terminal.wait_for("New briefing")
        time.sleep(0.5)
        terminal.type(TYPED)
        time.sleep(1.5)  # more than a second after the last keystroke
    finally:
        status = terminal.kill()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    # No temp files left half-written, and the draft file itself parses.
    drafts = locations.drafts_dir()
    # (The killed desk's draft lock stays behind by design: a lock of a dead process is taken over.)
    assert [p.name for p in drafts.iterdir() if p.name.startswith(".") and not p.name.endswith((".lock", ".locks"))] == []

    async def restart() -> None:
        app = BriefDeskApp(repo=ContentRepo.open(repo.root), queue_path=locations.queue_db(), drafts_dir=drafts)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.2)
            headline = app.screen.query_one("#sec-headline")
            assert headline.value == TYPED
            # The cursor is back where it was: in the headline, after the last character.
            assert app.focused is headline
            assert headline.cursor_position == len(TYPED)
            assert "oyster" in app.screen.draft.source_text

    asyncio.run(restart())


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_alt_e_writes_a_section_in_the_editor_from_EDITOR(isolated_home, tmp_path):
    ContentRepo.init(locations.default_repo())
    store = QueueStore(locations.queue_db())
    load_demo(store)
    store.close()
    editor = tmp_path / "outside-editor"
    editor.write_text("#!/bin/sh\nprintf 'Written in the outside editor, then saved.\\n' > \"$1\"\n", "utf-8")
    editor.chmod(0o755)

    env = {**os.environ, "TERM": "xterm-256color", "EDITOR": str(editor)}
    env.pop("VISUAL", None)
    terminal = Terminal([sys.executable, "-m", "tui.cli"], env)
    try:
        terminal.wait_for("filter the queue")
        time.sleep(0.5)
        terminal.type("/oyster\r")
        time.sleep(0.3)
        terminal.type("\r")
        terminal.wait_for("New briefing")
        time.sleep(0.5)
        terminal.type("\t")  # headline → summary
        time.sleep(0.3)
        terminal.send(b"\x1be")  # alt+e
        terminal.wait_for("outside editor, then saved")
        time.sleep(1.5)
    finally:
        terminal.kill()
    drafts = DraftStore(locations.drafts_dir()).list()
    assert [d.briefing.text("summary") for d in drafts] == ["Written in the outside editor, then saved."]


def _exit_status(terminal: Terminal, timeout: float = 30) -> int | None:
    """The child's wait status once it has exited by itself, or None if it is still running after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status = os.waitpid(terminal.pid, os.WNOHANG)
        if pid:
            return status
        time.sleep(0.05)
    return None


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_pipe_and_a_deeply_nested_draft_never_blank_the_app_and_ctrl_q_quits(isolated_home):
    ContentRepo.init(locations.default_repo())
    store = QueueStore(locations.queue_db())
    load_demo(store)
    store.close()
    drafts = locations.drafts_dir()
    drafts.mkdir(parents=True, exist_ok=True)
    os.mkfifo(drafts / "waiting.toml")  # nobody ever writes to it
    (drafts / "deep.toml").write_text('id = "d"\nstatus = "draft"\ntopics = ' + "[" * 900 + "]" * 900 + "\n", "utf-8")

    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.pop("TEXTUAL", None)
    terminal = Terminal([sys.executable, "-m", "tui.cli"], env)
    status = None
    try:
        terminal.wait_for("filter the queue")
        terminal.wait_for("could not be read")  # the notification about the two drafts
        terminal.send(b"\x11")  # ctrl+q
        status = _exit_status(terminal)
    finally:
        if status is None:
            terminal.kill()
    assert status is not None, "ctrl+q did not quit the app"
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert b"Traceback" not in terminal.output
