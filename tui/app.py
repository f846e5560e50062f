"""Briefing Desk's Textual app: services (content repo, queue, drafts) and app-wide keys."""

from __future__ import annotations

import threading
import time

_IMPORTED = time.perf_counter()

from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from textual.app import App, SystemCommand  # noqa: E402
from textual.binding import Binding  # noqa: E402
from textual.screen import Screen  # noqa: E402

from stories.autosave import AutosaveRetry  # noqa: E402
from stories.desk import Desk  # noqa: E402
from stories.index import PublishedStory  # noqa: E402
from stories.profile import Profile, Source  # noqa: E402
from stories.repo import ContentRepo  # noqa: E402
from tui.config import Config  # noqa: E402
from tui.messagelog import MessageLog  # noqa: E402

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class BriefDeskApp(MessageLog, App[None]):
    """The desk: queue beside a structured editor, live checks, one key to publish."""

    CSS_PATH = "app.tcss"
    TITLE = "Briefing Desk"
    BINDING_GROUP_TITLE = "Everywhere"

    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+l", "messages", "Messages", id="app.messages"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        repo: ContentRepo | None = None,
        queue_path: Path | str | None = None,
        drafts_dir: Path | str | None = None,
        config: Config | None = None,
        sources: Sequence[Source] | None = None,
        started: float | None = None,
        demo: bool = False,
        clock: Callable[[], datetime] | None = None,
        desk: Desk | None = None,
        problems: Sequence[str] = (),
    ) -> None:
        """The app on a Desk (the commands build it); tests may name a repo, queue file and drafts folder instead."""
        super().__init__()
        self.config = config or Config()
        self._startup_problems: list[str] = list(problems)
        if desk is None:
            from stories.queue import QueueStore
            from tui.commands._desk import build_desk

            if repo is None or queue_path is None or drafts_dir is None:
                raise TypeError("BriefDeskApp needs a desk, or a repo, a queue_path and a drafts_dir")
            desk = build_desk(repo, QueueStore(queue_path), drafts_dir, self.config, problems=self._startup_problems)
        self.desk = desk
        self.repo: ContentRepo = desk.content
        self.queue = desk.queue
        self.queue_path = desk.queue.path
        self.drafts = desk.drafts
        self.autosave = AutosaveRetry(desk.drafts)
        # Set on quit: a fetch stops at once, and nothing keeps the desk waiting on the network.
        self.network_stop = threading.Event()
        """Autosave that keeps a draft that failed to write and tries again until it is written."""
        self._asking_quit = False
        self.profile: Profile = desk.profile
        self.editor_name = desk.editor_name
        self.demo = demo
        self._clock = clock
        self.started = started if started is not None else _IMPORTED
        self.started_ms: float | None = None
        self.first_frame: float | None = None
        self._sources = list(sources) if sources is not None else None
        self.published: list[PublishedStory] | None = None
        self._themes_ready = False  # until on_mount: a theme set while starting is not the editor's choice

    # -- start ----------------------------------------------------------------

    def on_mount(self) -> None:
        from themes import install_themes
        from tui import locations

        problems = install_themes(self, self.config.theme, extra_dirs=(locations.user_themes_dir(),))
        self._themes_ready = True  # from here on a theme change is the editor's choice, worth remembering
        for problem in problems + self._startup_problems:
            self.notify(problem, title="Settings", severity="warning", markup=False, timeout=8)
        if self.demo and not getattr(self, "demo_kept", False):
            self.notify("A throwaway desk on sample feeds: everything here is deleted when you quit (briefdesk demo --keep keeps it).", title="Demo", markup=False, timeout=10)
        if self.config.keys:
            self.set_keymap(dict(self.config.keys))
        from tui.screens.main import MainScreen

        self.push_screen(MainScreen())

    def first_frame_drawn(self) -> None:
        """The main screen's first frame is on the terminal: the desk is interactive."""
        if self.first_frame is None:
            self.first_frame = time.perf_counter()
            self.started_ms = (self.first_frame - self.started) * 1000
            self.log.info(f"started in {self.started_ms:.0f} ms")

    def now(self) -> datetime:
        """The time the queue's ages are counted from (fixed in tests)."""
        return self._clock() if self._clock is not None else datetime.now(timezone.utc)

    def sources(self) -> Iterable[Source]:
        """The sources to fetch: the desk's own list (or the demo's)."""
        if self._sources is not None:
            return self._sources
        return self.profile.sources

    def watch_theme(self, theme: str) -> None:
        # Remember a theme chosen from the palette, keeping the config's comments.
        if not self._themes_ready or self.demo:
            return
        if self.config.path is not None and theme and theme != self.config.theme:
            from tui.config import set_config_value

            try:
                set_config_value(self.config.path, "theme", theme)
                self.config.theme = theme
            except OSError:
                pass

    # -- actions ----------------------------------------------------------------

    def action_help(self) -> None:
        """Show the keys that work here."""
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Save the open draft and leave; asks first when typing could not be saved, and in the demo (leaving throws it away)."""
        from textual.content import Content

        from tui.screens.dialogs import ConfirmScreen

        demo = self.demo and not getattr(self, "demo_kept", False)
        if self._asking_quit:
            if demo:  # ctrl+q twice quits the demo
                self._leave()
            return
        main = self._main()
        problem = main.unsaved_words() if main is not None else ""
        if demo:
            title, yes = "Quit the demo and throw it away?", "Quit"
            lines = [Content("Its content repo, queue and drafts are deleted."), Content("To keep them, run briefdesk demo --keep next time.")]
        elif problem:
            title, yes = "Quit without saving?", "Quit anyway"
            lines = [Content(problem), Content("Quitting now loses the words typed since the last save.")]
        else:
            self._leave()
            return

        def answer(yes: bool | None) -> None:
            self._asking_quit = False
            if yes:
                self._leave()

        self._asking_quit = True
        self.push_screen(ConfirmScreen(title, lines, yes=yes, no="Keep writing" if problem and not demo else "No"), answer)

    def _leave(self) -> None:
        from stories.repo.handle import stop_network_git

        main = self._main()
        if main is not None:
            main.release_drafts()
        # Quit never waits on the network: a fetch stops, a sync's git fetch or push is ended
        # (it moves no ref unless it finished; the next sync does it again).
        self.network_stop.set()
        stop_network_git()
        self.exit()

    def _main(self) -> "MainScreen | None":
        from tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _main_action(self, action: str) -> Callable[[], object]:
        def run() -> object:
            main = self._main()
            if main is not None:
                return main.run_action(action)
            return None

        return run

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self._main()
        if main is None:
            return
        desk = [
            ("Start or open briefing", "Start a briefing from the highlighted queue item, or open its draft or story (n)", "start"),
            ("Save draft", "Write the open draft now (ctrl+s; it also saves itself as you type)", "save"),
            ("Preview", "The briefing as a reader will see it (ctrl+r)", "preview"),
            ("Publish", "Check and commit the briefing to the content repo (ctrl+o)", "publish"),
            ("Dismiss item", "Dismiss the highlighted queue item, with a reason (d)", "dismiss_item"),
            ("Release claim", "Give the highlighted item back to the queue; its draft stays (r)", "release_item"),
            ("Restore dismissed item", "Bring a dismissed item back to the queue (u)", "restore_item"),
            ("Filter queue", "Type to narrow the queue (/)", "filter"),
            ("Fetch feeds", "Fetch every source into the queue (f)", "fetch"),
            ("Sync", "Pull and push the content repo (y)", "sync"),
            ("History", "Commits of the content repo, and section diffs (h)", "history"),
            ("Review", "Colleagues' stories waiting for review: approve or request changes (v)", "review"),
            ("Browse stories", "Search the published stories and open one for revision (b)", "stories"),
            ("Show queue", "The queue pane (F2)", "show_pane('queue')"),
            ("Show briefing", "The editor pane (F3)", "show_pane('editor')"),
            ("Show checks", "The checks pane (F4)", "show_pane('checks')"),
            ("Add key point", "A new key point after the one with the cursor (Enter in a point)", "add_point"),
            ("Remove key point", "Remove the key point with the cursor (alt+x)", "remove_point"),
            ("Move key point up", "Swap with the point above (alt+up)", "move_point(-1)"),
            ("Move key point down", "Swap with the point below (alt+down)", "move_point(1)"),
            ("Open published story", "Pick a published story to revise", "open_story"),
            ("Unfinished drafts", "List drafts that are not published yet", "drafts"),
            ("Throw away draft", "Delete the open draft; its queue item goes back to new (x)", "discard_draft"),
            ("Fetch the article", "Fetch or re-fetch the article page of the open briefing's item as its source (a)", "fetch_article"),
            ("Paste the source text", "Paste the item's text by hand (paywalled or offline pages); recorded as pasted by you (P)", "paste_source"),
        ]
        for title, help_text, action in desk:
            yield SystemCommand(title, help_text, self._main_action(action))
        yield SystemCommand("Help", "The keys that work here (F1)", self.action_help)
        yield SystemCommand("Messages", "Every message of this session, in full (ctrl+l)", self.action_messages)
