"""Three-way merge of one story at the level of its sections and key points.

Two editors who revised *different* sections of a story both keep their
work. A list section (key points, topics, related stories) merges item by
item, the way ``git merge-file`` merges lines, so one editor rewording the
first key point and the other the third is no clash either. Only the same
section (or the same key point) changed in two different ways is a
``SectionConflict``, for the editor to settle: mine, theirs, or an edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import TypeVar

from stories.model import Briefing, SectionValue, SourceRef
from stories.profile import Profile

T = TypeVar("T")
FieldValue = SectionValue | SourceRef | None
LIST_FIELDS = ("topics", "related")


@dataclass(frozen=True)
class SectionConflict:
    """One section both editors changed, differently: the common version and both new ones (None: absent)."""

    key: str
    base: FieldValue
    ours: FieldValue
    theirs: FieldValue


@dataclass
class MergeResult:
    """The merged story and what is left to settle. Until settled, a conflicted section holds ours."""

    merged: Briefing
    conflicts: list[SectionConflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing is left for an editor to settle."""
        return not self.conflicts

    def resolved(self, choices: Mapping[str, FieldValue]) -> Briefing:
        """The merged story with each conflicted section set to the editor's choice (a missing choice keeps ours)."""
        story = _copy(self.merged)
        for conflict in self.conflicts:
            if conflict.key in choices:
                _set(story, conflict.key, choices[conflict.key])
        return story


def merge_story(base: Briefing, ours: Briefing, theirs: Briefing) -> MergeResult:
    """Merge two revisions of a story made from ``base``: different sections combine, the same one clashes."""
    conflicts: list[SectionConflict] = []
    sections: dict[str, SectionValue] = {}
    for key in _keys(ours.sections, theirs.sections, base.sections):
        b, o, t = base.sections.get(key), ours.sections.get(key), theirs.sections.get(key)
        value, clash = _merge_value(b, o, t)
        if clash:
            conflicts.append(SectionConflict(key, b, o, t))
        if value is not None:
            sections[key] = value
    lists: dict[str, list[str]] = {}
    for key in LIST_FIELDS:
        b, o, t = getattr(base, key), getattr(ours, key), getattr(theirs, key)
        merged = merge_list(b, o, t)
        if merged is None:
            conflicts.append(SectionConflict(key, list(b), list(o), list(t)))
            merged = list(o)
        lists[key] = merged
    source = _three(base.source, ours.source, theirs.source)
    if source is _CLASH:
        conflicts.append(SectionConflict("source", base.source, ours.source, theirs.source))
        source = ours.source
    story = Briefing(
        id=_three(base.id, ours.id, theirs.id, prefer=lambda o, t: o),
        status=_three(base.status, ours.status, theirs.status, prefer=lambda o, t: o),
        sections=sections,
        topics=lists["topics"],
        related=lists["related"],
        created=_three(base.created, ours.created, theirs.created, prefer=lambda o, t: o),
        updated=_three(base.updated, ours.updated, theirs.updated, prefer=_later),
        source=replace(source) if isinstance(source, SourceRef) else None,
    )
    return MergeResult(story, conflicts)


def merge_list(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[str] | None:
    """Three-way merge of a list item by item; None when both sides changed the same items differently."""
    base, ours, theirs = list(base), list(ours), list(theirs)
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    edits = sorted(_edits(base, ours) + _edits(base, theirs), key=lambda e: (e[0], e[1]))
    result: list[str] = []
    at = 0
    previous: tuple[int, int, list[str]] | None = None
    for start, end, items in edits:
        if previous is not None and _overlap(previous, (start, end, items)):
            if (previous[0], previous[1], previous[2]) == (start, end, items):
                continue  # both sides made the very same change
            return None
        result += base[at:start] + items
        at = max(at, end)
        previous = (start, end, items)
    return result + base[at:]


def _edits(base: list[str], side: list[str]) -> list[tuple[int, int, list[str]]]:
    """The changes that turn ``base`` into ``side``: replace ``base[start:end]`` with ``items``."""
    matcher = SequenceMatcher(a=base, b=side, autojunk=False)
    return [(i1, i2, side[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def _overlap(first: tuple[int, int, list[str]], second: tuple[int, int, list[str]]) -> bool:
    """Two edits clash when they touch the same base items, or both insert at the same place."""
    (a1, a2, _), (b1, b2, _) = first, second
    if a1 == a2 and b1 == b2:
        return a1 == b1
    if a1 == a2:
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return a1 < b2 and b1 < a2


class _Clash:
    """Marker: both sides changed a value differently."""


_CLASH = _Clash()


def _three(base: T, ours: T, theirs: T, prefer: Callable[[T, T], T] | None = None) -> T:
    """The usual three-way rule for one value; a two-sided change is ``prefer``'s pick, or _CLASH."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return prefer(ours, theirs) if prefer else _CLASH  # type: ignore[return-value]


def _later(ours, theirs):  # type: ignore[no-untyped-def]
    if ours is None or theirs is None:
        return ours or theirs
    return max(ours, theirs)


def _merge_value(base: SectionValue | None, ours: SectionValue | None, theirs: SectionValue | None) -> tuple[SectionValue | None, bool]:
    """One section's merged value and whether it clashes (a clash keeps ours)."""
    value = _three(base, ours, theirs)
    if value is not _CLASH:
        return (list(value) if isinstance(value, list) else value), False
    if all(v is None or isinstance(v, list) for v in (base, ours, theirs)) and ours is not None and theirs is not None:
        merged = merge_list(base or [], ours, theirs)
        if merged is not None:
            return merged, False
    return (list(ours) if isinstance(ours, list) else ours), True


def _keys(*mappings: Mapping[str, object]) -> list[str]:
    """Every key, in the order ours lists them, then the ones only theirs or the base has."""
    seen: dict[str, None] = {}
    for mapping in mappings:
        for key in mapping:
            seen.setdefault(key, None)
    return list(seen)


def _copy(story: Briefing) -> Briefing:
    return replace(
        story,
        sections={k: list(v) if isinstance(v, list) else v for k, v in story.sections.items()},
        topics=list(story.topics),
        related=list(story.related),
        source=replace(story.source) if story.source else None,
    )


def _set(story: Briefing, key: str, value: FieldValue) -> None:
    """Put an editor's choice for one conflicted field into the story."""
    if key == "source":
        story.source = replace(value) if isinstance(value, SourceRef) else None
    elif key in LIST_FIELDS:
        setattr(story, key, list(value) if isinstance(value, list) else [])
    elif value is None:
        story.sections.pop(key, None)
    else:
        story.sections[key] = list(value) if isinstance(value, list) else str(value)


@dataclass
class FileMerge:
    """A story file merged three ways: the new file text when clean, and the clashes either way."""

    text: str | None
    result: MergeResult | None
    error: str = ""


def merge_story_files(base: str, ours: str, theirs: str, profile: Profile, path: str = "<story>") -> FileMerge:
    """Merge three texts of one story file by sections (for sync and approve when git's line merge clashes).

    The merged file is written over ``ours`` with only the changed keys
    rewritten, so the commit's diff stays as small as the editors' changes.
    A file that does not read as a story is no merge (``error`` says why).
    """
    from stories.codec import StoryFileError, dumps, loads

    try:
        stories = [loads(text, profile, f"{path} ({side})") for text, side in ((base, "base"), (ours, "ours"), (theirs, "theirs"))]
    except StoryFileError as exc:
        return FileMerge(None, None, str(exc))
    result = merge_story(*stories)
    if not result.clean:
        return FileMerge(None, result)
    return FileMerge(dumps(result.merged, profile, previous=ours), result)
