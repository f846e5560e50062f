"""``briefdesk serve`` in a real headless browser: Debian's chromium, driven by selenium.

The page draws the terminal on a canvas, so the test reads the text the way a
screen reader would: from the terminal's own screen buffer (xterm.js), which a
small script installed before the page loads makes reachable.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.error import URLError

import pytest

CHROMIUM = shutil.which("chromium") or ""
CHROMEDRIVER = shutil.which("chromedriver") or ""
ROOT = Path(__file__).resolve().parents[1]

# textual-serve's page keeps its client object private; catch it as it assigns its fit addon.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, 'fitAddon', {configurable: true, set(value) {
  Object.defineProperty(this, 'fitAddon', {value: value, writable: true, configurable: true, enumerable: true});
  window.__desk = this;
}});
"""

SCREEN_TEXT = """
const terminal = window.__desk && window.__desk.terminal;
if (!terminal) return null;
const buffer = terminal.buffer.active, rows = [];
for (let i = 0; i < terminal.rows; i++) { const line = buffer.getLine(buffer.viewportY + i); rows.push(line ? line.translateToString(true) : ''); }
return {text: rows.join('\\n'), cols: terminal.cols, rows: terminal.rows};
"""


def _needs_browser() -> None:
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if not path]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install -y chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is in the test extra: pip install -e '.[test]'")
    pytest.importorskip("textual_serve", reason="textual-serve is a dependency: pip install -e .")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(condition, timeout: float, what: str):
    """Poll ``condition`` until it returns something true; fail with ``what`` after ``timeout`` seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(None, timeout, poll_frequency=0.1).until(lambda _: condition(), message=what)


@pytest.fixture
def served_demo(tmp_path: Path, isolated_home: Path):
    """``briefdesk serve --demo`` on a free port, with its own HOME, XDG dirs and temp folder."""
    _needs_browser()
    port = _free_port()
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ)
    env.update(
        TMPDIR=str(temp),
        XDG_CONFIG_HOME=str(isolated_home / "xdg-config"),
        XDG_DATA_HOME=str(isolated_home / "xdg-data"),
        XDG_CACHE_HOME=str(isolated_home / "xdg-cache"),
        XDG_RUNTIME_DIR=str(isolated_home / "xdg-runtime"),
    )
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"

    def answers() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"briefdesk serve exited with {server.returncode}: {(tmp_path / 'serve.log').read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (URLError, OSError):
            return False

    try:
        _wait(answers, 60, "briefdesk serve never answered")
        yield url, temp
    finally:
        os.killpg(server.pid, signal.SIGINT)  # the server and the desk sessions it started
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def browser(tmp_path: Path):
    """A fresh headless chromium (its own profile folder, no background traffic)."""
    _needs_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=760,560", f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
    try:
        yield driver
    finally:
        driver.quit()


def _screen(driver) -> str:
    state = driver.execute_script(SCREEN_TEXT)
    return state["text"] if state else ""


def _until_on_screen(driver, *words: str, timeout: float = 60) -> str:
    def shown() -> str | None:
        text = _screen(driver)
        return text if all(word in text for word in words) else None

    return _wait(shown, timeout, f"never showed {words!r} in the browser; last screen:\n{_screen(driver)}")


def test_13_serve_the_desk_in_a_browser(served_demo, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url, temp = served_demo
    browser.get(url)
    screen = _until_on_screen(browser, "Queue", "Library of Things")
    assert "n briefing" in screen  # the status line's next step, as in a terminal

    keyboard = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    keyboard.send_keys("n")  # start a briefing from the highlighted (first) item
    screen = _until_on_screen(browser, "Headline", "Summary")
    keyboard.send_keys("Library lends its five thousandth tool")
    screen = _until_on_screen(browser, "Library lends its five thousandth tool")
    browser.save_screenshot(str(tmp_path / "desk-in-browser.png"))
    assert (tmp_path / "desk-in-browser.png").stat().st_size > 1000
    # The browser session is a real demo desk, in the server's own temp folder, and says it is throwaway.
    assert any(temp.glob("briefdesk-demo-*"))
    assert _screen(browser).splitlines()[-1].startswith("demo ")
    # Closing the tab ends that session's desk, and the throwaway demo goes with it.
    desk_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    other_tab = browser.current_window_handle
    browser.switch_to.window(desk_tab)
    browser.close()
    browser.switch_to.window(other_tab)
    _wait(lambda: not any(temp.glob("briefdesk-demo-*")), 30, "the demo's folder outlived its browser session")


def test_13_serve_says_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "serve", "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
