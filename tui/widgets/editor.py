"""The structured briefing editor, built from the desk profile.

Each profile section becomes a field: a wrapping line (``LineArea``), a ``TextArea``, or a
key-point list (add with Enter, remove with Backspace on an empty point or
alt+x, reorder with alt+up / alt+down). Labels, hints and limits all come from
the profile: no section is named here.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from stories.model import Briefing, SourceRef
from stories.profile import Profile, Section
from stories.spelling import Misspelling, misspellings, source_words
from stories.text import plural, reading_time
from tui.messages import DraftEdited
from tui.widgets.line_area import LineArea
from tui.widgets.spelling import SpellingChecked, SpellingLine

from stories.checks.finding import word_count  # the checks' own count, so the label and the findings agree


def _range(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low}–{high} {unit}s" if low != high else plural(low, unit)
    if low is not None:
        return f"at least {plural(low, unit)}"
    if high is not None:
        return f"at most {plural(high, unit)}"
    return ""


def count_text(section: Section, value: str | list[str]) -> tuple[str, bool]:
    """The count shown beside a section's label, and whether it is inside the profile's limits."""
    if section.kind == "list":
        items = [v for v in (value if isinstance(value, list) else [value]) if v.strip()]
        limit = _range(section.min_items, section.max_items, "item")
        ok = (section.min_items is None or len(items) >= section.min_items) and (
            section.max_items is None or len(items) <= section.max_items
        )
        return (plural(len(items), "item") + (f" ({limit})" if limit else ""), ok)
    text = value if isinstance(value, str) else "\n".join(value)
    if section.min_chars is not None or section.max_chars is not None:
        n = len(text.strip())
        ok = (section.min_chars is None or n >= section.min_chars) and (section.max_chars is None or n <= section.max_chars)
        limit = _range(section.min_chars, section.max_chars, "char")
        return (plural(n, "char") + (f" ({limit})" if limit else ""), ok)
    n = word_count(text)
    ok = (section.min_words is None or n >= section.min_words) and (section.max_words is None or n <= section.max_words)
    limit = _range(section.min_words, section.max_words, "word")
    return (plural(n, "word") + (f" ({limit})" if limit else ""), ok)


def total_text(briefing: Briefing, profile: Profile) -> str:
    """The whole briefing's word count and reading time, e.g. ``412 words · 2 min read``."""
    words = 0
    for section in profile.sections:
        value = briefing.sections.get(section.key, "")
        words += sum(word_count(v) for v in value) if isinstance(value, list) else word_count(value)
    return f"{plural(words, 'word')} in all · {reading_time(words)}"


class SectionInput(LineArea):
    """A one-line field (the headline, topics, related stories): wraps rather than scrolls; Enter moves on."""

    def action_submit(self) -> None:
        self.screen.focus_next()


class SectionText(TextArea):
    """A text section; Tab moves on rather than indenting; alt+e hands it to $VISUAL / $EDITOR."""

    BINDINGS = [
        Binding("alt+e", "external_edit", "Edit in $EDITOR", id="section.external_edit", priority=True),
        Binding("ctrl+home", "section_start", "Start of section", id="section.start", show=False),
        Binding("ctrl+end", "section_end", "End of section", id="section.end", show=False),
    ]

    def action_section_start(self) -> None:
        self.move_cursor((0, 0))

    def action_section_end(self) -> None:
        self.move_cursor(self.document.end)

    def action_external_edit(self) -> None:
        """Write this section in the editor from $VISUAL or $EDITOR; the text comes back when it exits."""
        import os
        import shlex
        import subprocess
        import tempfile
        from pathlib import Path

        from textual.app import SuspendNotSupported

        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.app.notify("Set $EDITOR (or $VISUAL) to the editor you want, e.g. EDITOR=nano.", title="No editor", severity="warning", markup=False)
            return
        fd, name = tempfile.mkstemp(prefix="briefdesk-", suffix=".txt")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.text)
            try:
                with self.app.suspend():
                    code = subprocess.call([*shlex.split(command), name])
            except SuspendNotSupported:
                self.app.notify("This terminal cannot hand the screen to another editor.", severity="warning", markup=False)
                return
            except OSError as exc:
                self.app.notify(f"Could not start {command!r}: {exc.strerror or exc}", title="Editor", severity="error", markup=False)
                return
            if code != 0:
                self.app.notify(f"{command} exited with status {code}; the section is unchanged.", severity="warning", markup=False)
                return
            text = Path(name).read_text("utf-8").rstrip("\n")
        finally:
            try:
                os.unlink(name)
            except OSError:
                pass
        if text != self.text:
            self.replace(text, (0, 0), self.document.end)  # one undoable edit; posts Changed, so it autosaves
        self.focus()


class KeyPointInput(LineArea):
    """One key point of a list section (wraps; Enter adds the next point)."""

    BINDINGS = [
        # Priority: a text field types the letter of alt+x before ordinary bindings are looked at.
        Binding("alt+up", "move(-1)", "Move point up", id="keypoint.move_up", show=False, priority=True),
        Binding("alt+down", "move(1)", "Move point down", id="keypoint.move_down", show=False, priority=True),
        Binding("alt+x", "remove", "Remove point", id="keypoint.remove", show=False, priority=True),
    ]

    class Move(Message):
        def __init__(self, point: "KeyPointInput", delta: int) -> None:
            super().__init__()
            self.point = point
            self.delta = delta

    class Remove(Message):
        def __init__(self, point: "KeyPointInput") -> None:
            super().__init__()
            self.point = point

    class Edge(Message):
        """ctrl+Home / ctrl+End: to the start of the first point, or the end of the last."""

        def __init__(self, point: "KeyPointInput", end: bool) -> None:
            super().__init__()
            self.point = point
            self.end = end

    def action_section_start(self) -> None:
        self.post_message(self.Edge(self, end=False))

    def action_section_end(self) -> None:
        self.post_message(self.Edge(self, end=True))

    def action_move(self, delta: int) -> None:
        self.post_message(self.Move(self, delta))

    def action_remove(self) -> None:
        self.post_message(self.Remove(self))

    def action_delete_left(self) -> None:
        if not self.value:
            self.post_message(self.Remove(self))
        else:
            super().action_delete_left()


class KeyPointList(Vertical):
    """A list section: numbered one-line points you can add, remove and reorder."""

    def __init__(self, section: Section, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.section = section

    def compose(self) -> ComposeResult:
        yield Static(
            Content.styled("Enter: new point · alt+↑/↓: move · alt+x: remove", "$text-muted"),
            classes="point-keys",
            markup=False,
        )

    @property
    def inputs(self) -> list[KeyPointInput]:
        return list(self.query(KeyPointInput))

    def values(self) -> list[str]:
        return [point.value for point in self.inputs]

    def _row(self, number: int, value: str) -> tuple[Horizontal, KeyPointInput]:
        point = KeyPointInput(value, placeholder=f"Point {number}", compact=True, classes="key-point")
        return Horizontal(Label(f"{number}.", classes="point-number"), point, classes="point-row"), point

    def set_values(self, values: list[str]) -> list[tuple[KeyPointInput, str]]:
        """Show exactly these points (at least one row, so there is always somewhere to type).

        Returns the inputs that were set, with their values, so the echo of
        their Changed messages can be told from typing.
        """
        values = list(values) or [""]
        rows = list(self.query(".point-row"))
        inputs = self.inputs
        touched: list[tuple[KeyPointInput, str]] = []
        for index, value in enumerate(values):
            if index < len(inputs):
                if inputs[index].value != value:
                    inputs[index].value = value
                    touched.append((inputs[index], value))
            else:
                row, point = self._row(index + 1, value)
                self.mount(row, before=self.query_one(".point-keys"))
                touched.append((point, value))
        for row in rows[len(values) :]:
            row.remove()
        return touched

    def _index(self, point: KeyPointInput) -> int:
        return self.inputs.index(point)

    def focus_point(self, index: int, at_start: bool = False) -> None:
        def later() -> None:
            inputs = self.inputs
            if inputs:
                target = inputs[max(0, min(index, len(inputs) - 1))]
                target.focus()
                target.cursor_position = 0 if at_start else len(target.value)

        self.call_after_refresh(later)

    def add_point(self, after: int | None = None) -> None:
        """A new empty point after ``after`` (default: at the end)."""
        values = self.values()
        at = len(values) if after is None else after + 1
        values.insert(at, "")
        self.set_values(values)
        self.focus_point(at)
        self.post_message(DraftEdited())

    def remove_point(self, index: int) -> None:
        values = self.values()
        if not (0 <= index < len(values)):
            return
        del values[index]
        self.set_values(values)
        self.focus_point(max(0, index - 1))
        self.post_message(DraftEdited())

    def move_point(self, index: int, delta: int) -> None:
        values = self.values()
        target = index + delta
        if not (0 <= index < len(values) and 0 <= target < len(values)):
            return
        values[index], values[target] = values[target], values[index]
        self.set_values(values)
        self.focus_point(target)
        self.post_message(DraftEdited())

    @on(LineArea.Submitted, ".key-point")
    def _submitted(self, event: LineArea.Submitted) -> None:
        event.stop()
        assert isinstance(event.line, KeyPointInput)
        self.add_point(self._index(event.line))

    @on(KeyPointInput.Edge)
    def _edge(self, event: KeyPointInput.Edge) -> None:
        event.stop()
        if event.end:
            self.focus_point(len(self.inputs) - 1)
        else:
            self.focus_point(0, at_start=True)

    @on(KeyPointInput.Move)
    def _move(self, event: KeyPointInput.Move) -> None:
        event.stop()
        self.move_point(self._index(event.point), event.delta)

    @on(KeyPointInput.Remove)
    def _remove(self, event: KeyPointInput.Remove) -> None:
        event.stop()
        index = self._index(event.point)
        if len(self.inputs) > 1:
            self.remove_point(index)


class SectionField(Vertical):
    """Label, count, hint and the control of one section."""

    def __init__(self, section: Section, **kwargs: Any) -> None:
        super().__init__(classes="section-field", id=f"field-{section.key}", **kwargs)
        self.section = section

    def compose(self) -> ComposeResult:
        section = self.section
        yield Static(Content(section.label), classes="section-label", id=f"label-{section.key}", markup=False)
        if section.hint:
            yield Static(Content(section.hint), classes="section-hint", markup=False)
        if section.kind == "line":
            yield SectionInput(placeholder=section.label, id=f"sec-{section.key}", compact=True, classes="section-control")
        elif section.kind == "list":
            yield KeyPointList(section, id=f"sec-{section.key}", classes="section-control")
        else:
            yield SectionText(
                "",
                id=f"sec-{section.key}",
                soft_wrap=True,
                tab_behavior="focus",
                compact=True,
                highlight_cursor_line=False,
                classes="section-control",
            )
        yield SpellingLine(id=f"spell-{section.key}", classes="section-spelling")

    def update_count(self, value: str | list[str]) -> None:
        text, ok = count_text(self.section, value)
        label = Content.assemble(
            (self.section.label, "bold"),
            ("" if self.section.required else " (optional)", "$text-muted"),
            "  ",
            (text, "$text-muted" if ok else "$text-warning"),
        )
        self.query_one(".section-label", Static).update(label)


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class BriefingEditor(VerticalScroll, can_focus=False):
    """All sections of one briefing, plus topics, related stories and the (read-only) source block."""

    BINDINGS = [
        # F7 is the spelling key editors know; priority, or TextArea's own F7 would select the whole section.
        Binding("f7", "add_to_dictionary", "Add to dictionary", id="editor.add_to_dictionary", priority=True),
    ]

    def __init__(self, profile: Profile, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile = profile
        self.briefing: Briefing | None = None
        self._loaded: dict[Widget, str] = {}
        self.house_words: set[str] = set(profile.house_words)
        self._spelling: dict[str, list[Misspelling]] = {}
        self._spell_generation = 0

    def compose(self) -> ComposeResult:
        yield Static(Content("Choose an item in the queue and press Enter (or n) to start a briefing."), id="editor-empty", markup=False)
        with Vertical(id="editor-form"):
            yield Static(Content(""), id="editor-title", markup=False)
            yield Static(Content(""), id="editor-totals", markup=False)
            for section in self.profile.sections:
                yield SectionField(section)
            with Vertical(classes="section-field", id="field-topics"):
                yield Static(Content.assemble(("Topics", "bold"), ("  comma-separated", "$text-muted")), classes="section-label")
                yield Static(Content("From the desk's list: " + ", ".join(self.profile.topics)), classes="section-hint", markup=False)
                yield SectionInput(id="sec-topics", classes="section-control", placeholder="earth, health")
            with Vertical(classes="section-field", id="field-related"):
                yield Static(Content.assemble(("Related stories", "bold"), ("  story ids, comma-separated", "$text-muted")), classes="section-label")
                yield SectionInput(id="sec-related", classes="section-control", placeholder="(none)")
            with Vertical(classes="section-field", id="field-source"):
                yield Static(Content.assemble(("Source", "bold"), ("  copied from the queue item", "$text-muted")), classes="section-label")
                yield Static(Content(""), id="source-block", markup=False)

    def on_mount(self) -> None:
        self.set_class(True, "-empty")

    # -- load / read ------------------------------------------------------------

    def load(self, briefing: Briefing, title: str = "") -> None:
        """Show a briefing in the form."""
        self.briefing = briefing
        self.set_class(False, "-empty")
        self._loaded = {}
        self.query_one("#editor-title", Static).update(Content.assemble((title, "bold $text-accent")) if title else Content(""))
        for section in self.profile.sections:
            control = self.query_one(f"#sec-{section.key}")
            if isinstance(control, KeyPointList):
                values = briefing.items(section.key)
                if not values:
                    values = [""] * max(1, section.min_items or 1)
                for point, value in control.set_values(values):
                    self._loaded[point] = value
            elif isinstance(control, TextArea):
                value = briefing.text(section.key)
                self._loaded[control] = value
                control.load_text(value)
            elif isinstance(control, Input):
                value = briefing.text(section.key)
                if control.value != value:
                    self._loaded[control] = value
                control.value = value
            self.query_one(f"#field-{section.key}", SectionField).update_count(briefing.sections.get(section.key, ""))
        topics = ", ".join(briefing.topics)
        related = ", ".join(briefing.related)
        for control_id, value in (("#sec-topics", topics), ("#sec-related", related)):
            control = self.query_one(control_id, LineArea)
            if control.value != value:
                self._loaded[control] = value
            control.value = value
        self.query_one("#source-block", Static).update(source_block(briefing.source))
        self._update_totals(briefing)
        self.check_spelling()

    def clear(self) -> None:
        """No briefing open."""
        self.briefing = None
        self.set_class(True, "-empty")

    def read(self) -> Briefing:
        """The briefing as it is in the form now (source, id and dates kept from the loaded one)."""
        base = self.briefing or Briefing()
        sections: dict[str, str | list[str]] = {}
        for section in self.profile.sections:
            control = self.query_one(f"#sec-{section.key}")
            if isinstance(control, KeyPointList):
                sections[section.key] = control.values()
            elif isinstance(control, TextArea):
                sections[section.key] = control.text
            elif isinstance(control, Input):
                sections[section.key] = control.value
        return Briefing(
            id=base.id,
            status=base.status,
            sections=sections,
            topics=_split_list(self.query_one("#sec-topics", LineArea).value),
            related=_split_list(self.query_one("#sec-related", LineArea).value),
            created=base.created,
            updated=base.updated,
            source=base.source,
        )

    def update_counts(self, briefing: Briefing) -> None:
        """Every section's count, and the totals, for this briefing."""
        for section in self.profile.sections:
            self.query_one(f"#field-{section.key}", SectionField).update_count(briefing.sections.get(section.key, ""))
        self._update_totals(briefing)

    def _update_totals(self, briefing: Briefing) -> None:
        self.query_one("#editor-totals", Static).update(Content(total_text(briefing, self.profile)))

    # -- focus --------------------------------------------------------------------

    def control_for(self, key: str) -> Widget | None:
        try:
            return self.query_one(f"#sec-{key}")
        except Exception:
            return None

    def focused_section(self) -> tuple[str, tuple[int, int]]:
        """The section key the cursor is in, and the cursor (row, column)."""
        focused = self.screen.focused if self.is_mounted else None
        node = focused
        while node is not None and node is not self:
            node_id = getattr(node, "id", None) or ""
            if node_id.startswith("sec-"):
                key = node_id[4:]
                if isinstance(focused, KeyPointInput) and isinstance(node, KeyPointList):
                    return key, (node.inputs.index(focused), focused.cursor_position)
                if isinstance(focused, TextArea):
                    return key, focused.cursor_location
                if isinstance(focused, Input):
                    return key, (0, focused.cursor_position)
                return key, (0, 0)
            node = node.parent
        return "", (0, 0)

    def focus_section(self, key: str, start: int = 0, end: int = 0, item: int | None = None, cursor: tuple[int, int] | None = None) -> bool:
        """Move the cursor to a section (and to a character span in it, if given)."""
        if key == "source":
            self.query_one("#field-source").scroll_visible()
            return False
        control = self.control_for(key)
        if control is None:
            return False
        if isinstance(control, KeyPointList):
            index = item if item is not None else (cursor[0] if cursor else 0)
            inputs = control.inputs
            if not inputs:
                return False
            point = inputs[max(0, min(index, len(inputs) - 1))]
            point.focus(scroll_visible=False)
            point.cursor_position = cursor[1] if cursor and item is None else start
        elif isinstance(control, TextArea):
            # The cursor goes to the start of the finding; nothing is selected, so the
            # next keystroke never replaces a whole paragraph the finding spans.
            control.focus(scroll_visible=False)
            control.cursor_location = cursor if cursor is not None else _location(control.text, start)
        elif isinstance(control, Input):
            control.focus(scroll_visible=False)
            control.cursor_position = cursor[1] if cursor is not None else start
        # Show the section's label and hint with it (Textual would centre the control
        # alone), once the form has its layout: it may have been hidden a moment ago.
        field = next((node for node in control.ancestors if node.has_class("section-field")), control)
        self.call_after_refresh(self.scroll_to_widget, field, animate=False)
        return True

    # -- events -------------------------------------------------------------------

    def _edited(self, control: Widget, value: str) -> None:
        if control in self._loaded and self._loaded.pop(control) == value:
            return  # the echo of load(), not a keystroke
        self._loaded.pop(control, None)
        self.post_message(DraftEdited())

    @on(DraftEdited)
    def _count_now(self, event: DraftEdited) -> None:
        # Counting is free: the counts follow every keystroke (the checks stay debounced).
        # Not stopped: the screen saves and checks on the same message.
        if self.briefing is not None:
            self.update_counts(self.read())
            self.check_spelling()

    # -- spelling -----------------------------------------------------------------

    def check_spelling(self) -> None:
        """Look the briefing's words up again (in a thread: the first look-up loads the dictionary)."""
        if self.briefing is None:
            return
        self._spell_generation += 1
        draft = getattr(self.screen, "draft", None)  # names spelled as the source spells them are fine
        self._spell_worker(self._spell_generation, self.read(), getattr(draft, "source_text", "") or "", frozenset(self.house_words))

    @work(thread=True, exclusive=True, group="spelling", exit_on_error=False)
    def _spell_worker(self, generation: int, briefing: Briefing, source_text: str, house: frozenset[str]) -> None:
        known = source_words(source_text)
        found: dict[str, list[Misspelling]] = {}
        for section in self.profile.sections:
            value = briefing.sections.get(section.key, "")
            texts = value if isinstance(value, list) else [value]
            found[section.key] = [miss for text in texts for miss in misspellings(text, house, known)]
        self.post_message(SpellingChecked(generation, found))

    @on(SpellingChecked)
    def _spelling_checked(self, message: SpellingChecked) -> None:
        message.stop()
        if message.generation != self._spell_generation:
            return  # typing went on: a newer look-up is coming
        self._spelling = message.found
        key = self._dictionary_key()
        for section in self.profile.sections:
            self.query_one(f"#spell-{section.key}", SpellingLine).show(message.found.get(section.key, []), key)

    def _dictionary_key(self) -> str:
        """The add-to-dictionary key as the editor has mapped it."""
        for active in self.screen.active_bindings.values():
            if active.binding.id == "editor.add_to_dictionary":
                return self.app.get_key_display(active.binding)
        return "F7"

    def misspelled_at_cursor(self) -> str:
        """The unknown word under the cursor, else the first unknown word of the section with the cursor."""
        key, (row, column) = self.focused_section()
        found = self._spelling.get(key, [])
        if not found:
            return ""
        control = self.control_for(key)
        if isinstance(control, KeyPointList):
            text = control.values()[row] if row < len(control.values()) else ""
            offset = column
        elif isinstance(control, TextArea):
            text = control.text
            offset = sum(len(line) + 1 for line in text.split("\n")[:row]) + column
        else:
            return found[0].word
        listed = {miss.word for miss in found}
        for miss in misspellings(text, self.house_words):
            if miss.start <= offset <= miss.end and miss.word in listed:
                return miss.word
        return found[0].word

    def action_add_to_dictionary(self) -> None:
        """Accept the unknown word at the cursor from now on, for the whole desk (desk.toml)."""
        word = self.misspelled_at_cursor()
        if not word:
            self.app.notify("No unknown word here: the spelling line under a section lists them.", severity="information", markup=False)
            return
        root = getattr(getattr(self.app, "repo", None), "root", None)
        if root is not None:
            from stories.spelling import add_house_word

            try:
                add_house_word(root / "desk.toml", word)
            except (OSError, ValueError) as exc:
                self.app.notify(f"Could not add {word!r} to desk.toml: {exc}", title="Spelling", severity="error", markup=False)
                return
        self.house_words.add(word)
        self.check_spelling()
        self.app.notify(f"Added {word!r} to the house dictionary in desk.toml; commit desk.toml to share it with the desk.", title="Spelling", markup=False)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "queue-filter":
            return
        event.stop()
        self._edited(event.input, event.value)

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._edited(event.text_area, event.text_area.text)


def _location(text: str, offset: int) -> tuple[int, int]:
    """A character offset as a TextArea (row, column)."""
    offset = max(0, min(offset, len(text)))
    before = text[:offset]
    row = before.count("\n")
    column = offset - (before.rfind("\n") + 1)
    return row, column


def source_block(source: SourceRef | None) -> Content:
    """The source block as plain text lines (it came from a feed: never markup)."""
    if source is None or source.is_empty():
        return Content("(no source yet)")
    rows = [
        ("name", source.name),
        ("feed", source.feed),
        ("format", source.format),
        ("url", source.url),
        ("title", source.title),
        ("published", source.published.isoformat() if source.published else ""),
    ]
    parts: list[Any] = []
    for name, value in rows:
        if value:
            if parts:
                parts.append("\n")
            parts.append((f"{name:10}", "$text-muted"))
            parts.append(Content(value))
    return Content.assemble(*parts)
