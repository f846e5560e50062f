"""The story file format: one briefing as a TOML file.

Top-level keys in a fixed order (``id``, the headline, ``status``, ``topics``,
``created``, ``updated``, the other sections in the profile's order,
``related``), then the ``[source]`` table. Text sections are multi-line
strings. A new file always comes out the same for the same briefing; updating
an existing file touches only the keys whose values changed, so comments,
unknown keys and the rest of the layout survive and diffs stay small.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from stories.fsutil import FileReadError, read_regular_text
from stories.model import ORIGINS, STATUSES, Briefing, SourceRef, Waiver
from stories.profile import Profile

SOURCE_KEYS = tuple(f.name for f in fields(SourceRef))
WAIVER_KEYS = tuple(f.name for f in fields(Waiver))
# Keys written only when they differ from their default, so story files from
# before they existed keep their layout (and their diffs stay one line).
_SOURCE_DEFAULTS = {"origin": "feed", "fetched": ""}


class StoryFileError(ValueError):
    """A story file that cannot be read: names the file, the line and the problem."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


# -- writing -----------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    return {"\r": "\\r", "\x0c": "\\f", "\x08": "\\b"}.get(char, f"\\u{ord(char):04x}")


def toml_string(value: str) -> str:
    """A one-line TOML basic string."""
    body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + _CONTROL.sub(_escape_control, body) + '"'


def toml_multiline(value: str) -> str:
    """A TOML multi-line basic string that opens on its own line."""
    body = value.replace("\\", "\\\\")
    body = _CONTROL.sub(_escape_control, body)
    # No run of quotes may close the string early: escape every quote that
    # another quote follows, and a final one.
    body = re.sub(r'"(?=")', '\\\\"', body)
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    return '"""\n' + body + '"""'


def toml_datetime(value: datetime) -> str:
    """An offset date-time, in UTC with a ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def toml_array(values: list[str]) -> str:
    """A string array, one item a line, so adding an item is a one-line diff."""
    if not values:
        return "[]"
    return "[\n" + "".join(f"    {toml_string(v)},\n" for v in values) + "]"


def _top_level(briefing: Briefing, profile: Profile) -> list[tuple[str, str]]:
    """The top-level (key, TOML value text) pairs in file order."""
    pairs: list[tuple[str, str]] = [("id", toml_string(briefing.id))]
    rest: list[tuple[str, str]] = []
    for section in profile.sections:
        value = briefing.sections.get(section.key, [] if section.kind == "list" else "")
        if section.kind == "list":
            items = value if isinstance(value, list) else [line for line in value.splitlines() if line.strip()]
            text = toml_array(items)
        elif section.kind == "line":
            text = toml_string(value if isinstance(value, str) else " ".join(value))
        else:
            text = toml_multiline(value if isinstance(value, str) else "\n".join(value))
        (pairs if section.key == "headline" else rest).append((section.key, text))
    pairs.append(("status", toml_string(briefing.status)))
    pairs.append(("topics", "[" + ", ".join(toml_string(t) for t in briefing.topics) + "]"))
    if briefing.created:
        pairs.append(("created", toml_datetime(briefing.created)))
    if briefing.updated:
        pairs.append(("updated", toml_datetime(briefing.updated)))
    pairs.extend(rest)
    pairs.append(("related", toml_array(briefing.related)))
    return pairs


def _source_pairs(source: SourceRef) -> list[tuple[str, str]]:
    pairs = []
    for key in SOURCE_KEYS:
        value = getattr(source, key)
        if key == "published":
            if value is not None:
                pairs.append((key, toml_datetime(value)))
        elif key in _SOURCE_DEFAULTS and value == _SOURCE_DEFAULTS[key]:
            continue
        else:
            pairs.append((key, toml_string(value)))
    return pairs


def render(briefing: Briefing, profile: Profile) -> str:
    """A new story file for this briefing; the same briefing always gives the same text."""
    lines = [f"{key} = {value}" for key, value in _top_level(briefing, profile)]
    if briefing.source is not None:
        lines.append("")
        lines.append("[source]")
        lines.extend(f"{key} = {value}" for key, value in _source_pairs(briefing.source))
    for waiver in briefing.waivers:
        lines.append("")
        lines.append("[[waivers]]")
        lines.extend(f"{key} = {toml_string(getattr(waiver, key))}" for key in WAIVER_KEYS)
    return "\n".join(lines) + "\n"


def _waivers_table(waivers: list[Waiver]) -> Any:
    """The ``[[waivers]]`` array of tables for these waivers."""
    text = "".join("[[waivers]]\n" + "".join(f"{key} = {toml_string(getattr(w, key))}\n" for key in WAIVER_KEYS) + "\n" for w in waivers)
    import tomlkit

    return tomlkit.parse(text)["waivers"]


def _item(key: str, value_text: str) -> Any:
    import tomlkit

    return tomlkit.parse(f"{key} = {value_text}\n")[key]


def _replace(table: Any, key: str, value_text: str) -> None:
    """Set ``key`` only if its value changed; keep an inline comment on the line."""
    new = _item(key, value_text)
    if key in table:
        old = table.item(key) if hasattr(table, "item") else table[key]
        if _plain(old) == _plain(new):
            return
        comment = getattr(getattr(old, "trivia", None), "comment", "")
        if comment and hasattr(new, "trivia"):
            new.trivia.comment_ws = old.trivia.comment_ws or "  "
            new.trivia.comment = comment
    table[key] = new


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def update(previous: str, briefing: Briefing, profile: Profile) -> str:
    """``previous`` (a story file) changed to hold ``briefing``: only changed keys are rewritten."""
    import tomlkit  # only for editing a file: reading one (``briefdesk check``) needs tomllib alone

    doc = tomlkit.parse(previous)
    for key, value_text in _top_level(briefing, profile):
        _replace(doc, key, value_text)
    for key in ("created", "updated"):
        if getattr(briefing, key) is None and key in doc:
            del doc[key]
    if briefing.source is not None:
        if "source" not in doc:
            doc.add(tomlkit.nl())
            doc["source"] = tomlkit.table()
        table = doc["source"]
        for key, value_text in _source_pairs(briefing.source):
            _replace(table, key, value_text)
        if briefing.source.published is None and "published" in table:
            del table["published"]
        for key, default in _SOURCE_DEFAULTS.items():
            if getattr(briefing.source, key) == default and key in table:
                del table[key]
    elif "source" in doc:
        del doc["source"]
    old_waivers = _plain(doc.item("waivers")) if "waivers" in doc else []
    new_waivers = [{key: getattr(w, key) for key in WAIVER_KEYS} for w in briefing.waivers]
    if old_waivers != new_waivers:
        if "waivers" in doc:
            del doc["waivers"]
        if new_waivers:
            doc.append("waivers", _waivers_table(briefing.waivers))
        return tomlkit.dumps(doc).rstrip("\n") + "\n"  # no blank lines left behind at the end
    return tomlkit.dumps(doc)


def dumps(briefing: Briefing, profile: Profile, previous: str | None = None) -> str:
    """The story file text: ``update(previous, …)`` when there is one, else ``render``."""
    return update(previous, briefing, profile) if previous else render(briefing, profile)


# -- reading -----------------------------------------------------------------

_DECODE_AT = re.compile(r"\(at line (\d+), column \d+\)")


def key_lines(text: str) -> dict[str, int]:
    """The 1-based line of each top-level key and of ``source.<key>`` in a story file."""
    result: dict[str, int] = {}
    table = ""
    # TOML breaks lines at LF only; str.splitlines() would also split at U+2028, U+0085 and friends.
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([A-Za-z0-9_.-]+)\s*\]", stripped)
        if header:
            table = header.group(1)
            result.setdefault(table, number)
            continue
        match = re.match(r"^([A-Za-z0-9_-]+)\s*=", stripped)
        if match and line[:1] not in (" ", "\t") or match and table:
            name = f"{table}.{match.group(1)}" if table else match.group(1)
            result.setdefault(name, number)
    return result


STORY_LIMIT = 1024 * 1024
"""The largest story file read: a briefing is a few KB, so 1 MB is far past any real one."""


def loads(text: str, profile: Profile, path: str = "<story>", limit: int = STORY_LIMIT) -> Briefing:
    """The briefing in a story file's text; a StoryFileError says where it is broken.

    Text over ``limit`` characters is refused before it is parsed (a 50 MB
    file would take a minute and gigabytes), and arrays nested past what the
    TOML parser can recurse through are a message, not a RecursionError.
    """
    if len(text) > limit:
        raise StoryFileError(path, None, f"is {len(text) // 1024:,} KB; story files over {limit // 1024:,} KB are refused")
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise StoryFileError(path, None, "has arrays or tables nested too deep to read (hundreds of levels)") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _DECODE_AT.search(message)
        line = int(found.group(1)) if found else None
        if line is None and "(at end of document)" in message:
            line = text.rstrip("\n").count("\n") + 1
        message = _DECODE_AT.sub("", message).replace("(at end of document)", "at the end of the file").strip()
        raise StoryFileError(path, line, f"not valid TOML: {message}") from None
    lines = key_lines(text)

    def fail(key: str, problem: str) -> StoryFileError:
        # A missing key has no line of its own: point at its table, or the top of the file.
        line = lines.get(key) or lines.get(key.rsplit(".", 1)[0] if "." in key else "", 1)
        return StoryFileError(path, line, f"{key}: {problem}")

    def want_str(table: dict[str, Any], key: str, full: str, default: str | None = None) -> str:
        if key not in table:
            if default is None:
                raise fail(full, "is missing")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise fail(full, f"must be text, not {_type_name(value)}")
        return value

    def want_list(table: dict[str, Any], key: str, full: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(full, "must be a list of text values")
        return list(value)

    def want_time(table: dict[str, Any], key: str, full: str) -> datetime | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise fail(full, f"must be a date and time like 2026-11-24T09:12:00Z, not {_type_name(value)}")
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    story_id = want_str(data, "id", "id")
    status = want_str(data, "status", "status")
    if status not in STATUSES:
        raise fail("status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
    sections: dict[str, str | list[str]] = {}
    for section in profile.sections:
        if section.kind == "list":
            sections[section.key] = want_list(data, section.key, section.key)
        else:
            sections[section.key] = want_str(data, section.key, section.key, "")
    source = None
    if "source" in data:
        table = data["source"]
        if not isinstance(table, dict):
            raise fail("source", "must be a [source] table")
        source = SourceRef(
            **{k: want_str(table, k, f"source.{k}", _SOURCE_DEFAULTS.get(k, "")) for k in SOURCE_KEYS if k != "published"},
            published=want_time(table, "published", "source.published"),
        )
        if source.origin not in ORIGINS:
            raise fail("source.origin", f"must be one of {', '.join(ORIGINS)}, not {source.origin!r}")
    waivers = []
    entries = data.get("waivers", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise fail("waivers", "must be [[waivers]] tables")
    for number, entry in enumerate(entries, start=1):
        where = f"waivers[{number}]"
        values = {k: want_str(entry, k, f"{where}.{k}", "" if k == "at" else None) for k in WAIVER_KEYS}
        waivers.append(Waiver(**values))
    return Briefing(
        id=story_id,
        status=status,  # type: ignore[arg-type]
        sections=sections,
        topics=want_list(data, "topics", "topics"),
        related=want_list(data, "related", "related"),
        created=want_time(data, "created", "created"),
        updated=want_time(data, "updated", "updated"),
        source=source,
        waivers=waivers,
    )


def _type_name(value: Any) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def read_story(path: Path | str, profile: Profile) -> Briefing:
    """The briefing in a story file; StoryFileError if it is unreadable or broken."""
    path = Path(path)
    try:
        text = read_regular_text(path, STORY_LIMIT)
    except FileReadError as exc:
        raise StoryFileError(str(path), None, exc.problem) from None
    except OSError as exc:
        raise StoryFileError(str(path), None, f"cannot be read: {exc.strerror or exc}") from None
    return loads(text, profile, str(path))
