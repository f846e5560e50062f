"""The desk profile: sections, tone rules, topics, templates and sources.

One profile drives the editor form, the checks and the story file layout. The
bundled ``default_desk.toml`` is the house format; a content repo's
``desk.toml`` overrides it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from stories.fsutil import FileReadError, read_regular_text

SectionKind = Literal["line", "text", "list"]
DESK_FILE = "desk.toml"
PUBLISH_MODES = ("current", "branch")


class ProfileError(ValueError):
    """A desk.toml that cannot be used: names the file, the key and the problem."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Section:
    """One field of the briefing form."""

    key: str
    label: str
    kind: SectionKind = "text"
    required: bool = True
    min_chars: int | None = None
    max_chars: int | None = None
    min_words: int | None = None
    max_words: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    paragraphs: int | None = None
    expects_any: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class ToneRules:
    """Vale-like tone rules: words that must not appear, and calmer substitutes."""

    hype: tuple[str, ...] = ()
    superlatives: tuple[str, ...] = ()
    substitutions: dict[str, str] = field(default_factory=dict)
    max_exclamations: int = 0
    acronyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """A feed the desk follows."""

    name: str
    url: str
    category: str = ""
    format: str = ""
    full_text: str = "auto"  # fetch the article behind thin items: "auto", "always" or "never"


@dataclass(frozen=True)
class Profile:
    """Everything a desk decides about its briefings."""

    name: str
    sections: tuple[Section, ...]
    tone: ToneRules
    topics: tuple[str, ...]
    templates: dict[str, str]
    verbatim_run_words: int = 12
    short_source_words: int = 150
    copy_error_words: int = 21
    copy_gap_words: int = 2
    copy_share_error: int = 60
    # Check id (or "id.section") -> "error" | "warning" | "info" | "off".
    severity: dict[str, str] = field(default_factory=dict)
    standards_url: str = ""
    sources: tuple[Source, ...] = ()
    # [publish]: "current" commits to the checked-out branch; "branch" puts each
    # story on its own branch story/<id> for pull-request review.
    publish_mode: str = "current"
    publish_base: str = ""
    publish_remote: str = ""
    # [spelling] words: the house dictionary (names, places, house terms) the spell checker accepts.
    house_words: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        """The section with this key (KeyError if the desk has none)."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        """Section keys in the profile's order."""
        return [section.key for section in self.sections]


_SECTION_INTS = ("min_chars", "max_chars", "min_words", "max_words", "min_items", "max_items", "paragraphs")

DESK_LIMIT = 4 * 1024 * 1024
"""The largest desk.toml read: thousands of sources fit in a few hundred KB."""

# The highest value each number may take. A briefing is a page of text, and
# the editor makes one field per list item: 20,000 key points freeze the app
# and 10**9 runs it out of memory, so far past any real desk is a message.
CEILINGS = {
    "min_chars": 100_000,
    "max_chars": 100_000,
    "min_words": 20_000,
    "max_words": 20_000,
    "min_items": 50,
    "max_items": 50,
    "paragraphs": 200,
    "max_exclamations": 1_000,
    "verbatim_run_words": 10_000,
    "short_source_words": 100_000,
}
MAX_SECTIONS = 50
MAX_RULE_WORDS = 10_000
MAX_SOURCES = 10_000


def _bundled() -> dict[str, Any]:
    text = resources.files("stories").joinpath("default_desk.toml").read_text("utf-8")
    return tomllib.loads(text)


def default_desk_text() -> str:
    """The bundled house format as TOML text (for ``briefdesk init``)."""
    return resources.files("stories").joinpath("default_desk.toml").read_text("utf-8")


def load_profile(repo_root: Path | str | None = None) -> Profile:
    """The profile of the content repo at ``repo_root`` (the default if it has no desk.toml)."""
    base = _bundled()
    if repo_root is None:
        return _build(base, {}, "default_desk.toml")
    path = Path(repo_root) / DESK_FILE
    if not path.exists():
        return _build(base, {}, "default_desk.toml")
    try:
        text = read_regular_text(path, DESK_LIMIT)
    except FileReadError as exc:
        raise ProfileError(path, "", exc.problem) from None
    except OSError as exc:
        raise ProfileError(path, "", f"cannot be read: {exc.strerror or exc}") from None
    return _build(base, _parse(text, path), path)


def profile_from_text(text: str, name: str = DESK_FILE) -> Profile:
    """The profile that a desk.toml with this text gives (for tests and previews)."""
    return _build(_bundled(), _parse(text, name), name)


def _parse(text: str, path: Path | str) -> dict[str, Any]:
    """desk.toml as a table; ProfileError for broken TOML, deep nesting or an oversized file."""
    if len(text) > DESK_LIMIT:
        raise ProfileError(path, "", f"is over {DESK_LIMIT // (1024 * 1024)} MB; a desk.toml that large is refused")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, "", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise ProfileError(path, "", "has arrays or tables nested too deep to read (hundreds of levels)") from None


def _table(data: dict[str, Any], key: str, path: Path | str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(path, key, f"must be a table, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _str(data: dict[str, Any], key: str, where: str, path: Path | str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ProfileError(path, where, f"must be text, not {_kind(value)}")
    return value


def _int(data: dict[str, Any], key: str, where: str, path: Path | str, default: int | None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProfileError(path, where, f"must be a whole number of 0 or more, not {_shown(value)}")
    ceiling = CEILINGS.get(key)
    if ceiling is not None and value > ceiling:
        raise ProfileError(path, where, f"is {value:,}, over the ceiling of {ceiling:,}")
    return value


def _shown(value: Any) -> str:
    # A huge value is named by its kind, not printed whole.
    text = repr(value)
    return text if len(text) <= 40 else f"{_kind(value)} of {len(text):,} characters"


def _strs(data: dict[str, Any], key: str, where: str, path: Path | str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    value = data.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(path, where, "must be a list of text values")
    if len(value) > MAX_RULE_WORDS:
        raise ProfileError(path, where, f"has {len(value):,} entries, over the ceiling of {MAX_RULE_WORDS:,}")
    return tuple(value)


_SECTION_FIELDS = ("key", "label", "kind", "required", *_SECTION_INTS, "expects_any", "hint")


def _known(table: dict[str, Any], base: dict[str, Any], name: str, path: Path | str) -> None:
    """A misspelt setting would be ignored without a word: name it instead."""
    for key in table:
        if key not in base:
            raise ProfileError(path, f"{name}.{key}", f"is not a [{name}] setting (known: {', '.join(base)})")


def _build(base: dict[str, Any], desk: dict[str, Any], path: Path | str) -> Profile:
    base_desk, over_desk = base["desk"], _table(desk, "desk", path)
    name = _str(over_desk, "name", "desk.name", path, base_desk["name"])
    topics = _strs(over_desk, "topics", "desk.topics", path, tuple(base_desk["topics"]))
    standards_url = _str(over_desk, "standards_url", "desk.standards_url", path, base_desk.get("standards_url", ""))

    sections = _sections(base["sections"], desk.get("sections"), path)

    tone_base, tone_over = base["tone"], _table(desk, "tone", path)
    _known(tone_over, tone_base, "tone", path)
    subs = tone_over.get("substitutions", tone_base["substitutions"])
    if not isinstance(subs, dict) or not all(isinstance(v, str) for v in subs.values()):
        raise ProfileError(path, "tone.substitutions", "must be a table of word = \"replacement\"")
    if len(subs) > MAX_RULE_WORDS:
        raise ProfileError(path, "tone.substitutions", f"has {len(subs):,} entries, over the ceiling of {MAX_RULE_WORDS:,}")
    tone = ToneRules(
        hype=_strs(tone_over, "hype", "tone.hype", path, tuple(tone_base["hype"])),
        superlatives=_strs(tone_over, "superlatives", "tone.superlatives", path, tuple(tone_base["superlatives"])),
        substitutions=dict(subs),
        max_exclamations=_int(tone_over, "max_exclamations", "tone.max_exclamations", path, tone_base["max_exclamations"]) or 0,
        acronyms=_strs(tone_over, "acronyms", "tone.acronyms", path, tuple(tone_base.get("acronyms", ()))),
    )

    checks_base, checks_over = base["checks"], _table(desk, "checks", path)
    _known(checks_over, checks_base, "checks", path)
    verbatim = _int(checks_over, "verbatim_run_words", "checks.verbatim_run_words", path, checks_base["verbatim_run_words"])
    short = _int(checks_over, "short_source_words", "checks.short_source_words", path, checks_base["short_source_words"])
    if verbatim is not None and verbatim < 4:
        raise ProfileError(path, "checks.verbatim_run_words", "must be 4 or more (shorter runs match ordinary phrases)")
    copy = {
        key: _int(checks_over, key, f"checks.{key}", path, checks_base[key]) or 0
        for key in ("copy_error_words", "copy_gap_words", "copy_share_error")
    }
    severity = _table(checks_over, "severity", path) if "severity" in checks_over else dict(checks_base.get("severity", {}))
    for key, value in severity.items():
        if value not in ("error", "warning", "info", "off"):
            raise ProfileError(path, f"checks.severity.{key}", f"must be \"error\", \"warning\", \"info\" or \"off\", not {value!r}")

    templates = dict(base["templates"])
    for key, value in _table(desk, "templates", path).items():
        if not isinstance(value, str):
            raise ProfileError(path, f"templates.{key}", f"must be text, not {_kind(value)}")
        templates[key] = value

    publish = _table(desk, "publish", path)
    _known(publish, {"mode": "", "base": "", "remote": ""}, "publish", path)
    publish_mode = _str(publish, "mode", "publish.mode", path, "current")
    if publish_mode not in PUBLISH_MODES:
        raise ProfileError(path, "publish.mode", f"must be \"current\" or \"branch\", not {publish_mode!r}")

    return Profile(
        name=name,
        sections=sections,
        tone=tone,
        topics=topics,
        templates=templates,
        verbatim_run_words=verbatim or 12,
        short_source_words=short or 0,
        **copy,
        severity=dict(severity),
        standards_url=standards_url,
        sources=_sources(desk.get("sources", []), path),
        publish_mode=publish_mode,
        publish_base=_str(publish, "base", "publish.base", path, ""),
        publish_remote=_str(publish, "remote", "publish.remote", path, ""),
        house_words=_strs(_table(desk, "spelling", path), "words", "spelling.words", path),
    )


def _sections(base: list[dict[str, Any]], over: Any, path: Path | str) -> tuple[Section, ...]:
    by_key = {entry["key"]: entry for entry in base}
    if over is None:
        entries = base
    else:
        if not isinstance(over, list) or not all(isinstance(e, dict) for e in over):
            raise ProfileError(path, "sections", "must be a list of [[sections]] tables")
        if len(over) > MAX_SECTIONS:
            raise ProfileError(path, "sections", f"has {len(over):,} sections, over the ceiling of {MAX_SECTIONS}")
        entries = over
    result: list[Section] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        key = entry.get("key")
        where = f"sections[{number}]"
        if not isinstance(key, str) or not key.isidentifier():
            raise ProfileError(path, f"{where}.key", "must be a name of letters, digits and underscores")
        where = f"sections.{key}"
        if key in seen:
            raise ProfileError(path, where, "is defined twice")
        if key in ("id", "status", "topics", "related", "created", "updated", "source"):
            raise ProfileError(path, where, "is a reserved key of the story file")
        seen.add(key)
        for name in entry:
            if name not in _SECTION_FIELDS:
                raise ProfileError(path, f"{where}.{name}", f"is not a section setting (known: {', '.join(_SECTION_FIELDS)})")
        merged = {**by_key.get(key, {}), **entry}
        kind = merged.get("kind", "text")
        if kind not in ("line", "text", "list"):
            raise ProfileError(path, f"{where}.kind", f"must be line, text or list, not {kind!r}")
        required = merged.get("required", True)
        if not isinstance(required, bool):
            raise ProfileError(path, f"{where}.required", "must be true or false")
        ints = {name: _int(merged, name, f"{where}.{name}", path, None) for name in _SECTION_INTS}
        for low, high in (("min_chars", "max_chars"), ("min_words", "max_words"), ("min_items", "max_items")):
            if ints[low] is not None and ints[high] is not None and ints[low] > ints[high]:
                raise ProfileError(path, f"{where}.{low}", f"is larger than {high}")
        result.append(
            Section(
                key=key,
                label=_str(merged, "label", f"{where}.label", path, key.replace("_", " ").capitalize()),
                kind=kind,
                required=required,
                expects_any=_strs(merged, "expects_any", f"{where}.expects_any", path),
                hint=_str(merged, "hint", f"{where}.hint", path),
                **ints,
            )
        )
    if "headline" not in seen:
        raise ProfileError(path, "sections", "must include a section with key = \"headline\" (story ids come from it)")
    return tuple(result)


def _sources(entries: Any, path: Path | str) -> tuple[Source, ...]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ProfileError(path, "sources", "must be a list of [[sources]] tables")
    if len(entries) > MAX_SOURCES:
        raise ProfileError(path, "sources", f"has {len(entries):,} sources, over the ceiling of {MAX_SOURCES:,}")
    result = []
    for number, entry in enumerate(entries, start=1):
        where = f"sources[{number}]"
        name = _str(entry, "name", f"{where}.name", path)
        url = _str(entry, "url", f"{where}.url", path)
        if not name:
            raise ProfileError(path, f"{where}.name", "is missing")
        if not url.startswith(("http://", "https://")):
            raise ProfileError(path, f"{where}.url", f"must be an http(s) address, not {url!r}")
        result.append(
            Source(
                name=name,
                url=url,
                category=_str(entry, "category", f"{where}.category", path),
                format=_str(entry, "format", f"{where}.format", path),
                full_text=_full_text(entry, f"{where}.full_text", path),
            )
        )
    return tuple(result)


def _full_text(entry: dict[str, Any], where: str, path: Path | str) -> str:
    value = _str(entry, "full_text", where, path, "auto")
    if value not in ("auto", "always", "never"):
        raise ProfileError(path, where, f'must be "auto", "always" or "never", not {value!r}')
    return value
