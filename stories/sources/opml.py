"""OPML 2.0 import and export of the desk's sources; folders are categories.

The source list lives in the content repo's ``desk.toml``; importing edits it
with tomlkit so the desk's comments and layout survive.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import tomlkit

from stories import clean
from stories.sources.feeds import declares_entities
from stories.fsutil import atomic_write
from stories.profile import Source


#: The most feeds taken from one OPML file; a desk that follows more is not a desk.
MAX_SOURCES = 5_000
#: Folders nested deeper than this are not read (a real reader nests two or three).
MAX_DEPTH = 50
#: The largest OPML file read at all.
MAX_BYTES = 20 * 1024 * 1024


class OpmlError(ValueError):
    """An OPML file that cannot be read, in plain words."""


@dataclass
class OpmlImport:
    """The feeds of an OPML file, and what was left out of it (``notes``, in words)."""

    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_opml(data: bytes) -> list[Source]:
    """The feeds listed in an OPML file; the nearest enclosing folder becomes the category (see ``read_opml``)."""
    return read_opml(data).sources


def read_opml(data: bytes, max_sources: int = MAX_SOURCES) -> OpmlImport:
    """The feeds of an OPML file, at most ``max_sources`` of them, with notes saying what was left out."""
    if len(data) > MAX_BYTES:
        raise OpmlError(f"the OPML file is larger than {MAX_BYTES // (1024 * 1024)} MB; not read")
    if declares_entities(data):
        raise OpmlError("the OPML file declares XML entities (a known attack); not read")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not a readable OPML file ({exc})") from None
    if root.tag.lower() != "opml":
        raise OpmlError("not an OPML file (the top element is not <opml>)")
    body = root.find("body")
    if body is None:
        raise OpmlError("the OPML file has no <body>")
    found: list[Source] = []
    seen: set[str] = set()
    extra = 0
    too_deep = 0
    # Depth first with an explicit stack, in document order: no recursion, so
    # thousands of nested outlines are a note, not a crash.
    stack: list[tuple[ET.Element, str, int]] = [(outline, "", 1) for outline in reversed(body.findall("outline"))]
    while stack:
        outline, folder, depth = stack.pop()
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        name = clean.clean_line(outline.get("text") or outline.get("title") or "")
        if url:
            link = clean.clean_link(url)
            if link and link not in seen:
                seen.add(link)
                if len(found) >= max_sources:
                    extra += 1
                else:
                    category = clean.clean_line(outline.get("category") or "").split(",")[0].strip("/ ") if not folder else folder
                    found.append(Source(name=name or link, url=link, category=category, format=clean.clean_line(outline.get("format") or "")))
        children = outline.findall("outline")
        if children and depth >= MAX_DEPTH:
            too_deep += sum(1 for node in outline.iter("outline") if node is not outline and (node.get("xmlUrl") or node.get("xmlurl")))
            continue
        inner = name if not url and name else folder
        stack.extend((child, inner, depth + 1) for child in reversed(children))
    notes = []
    if extra:
        notes.append(f"took the first {len(found):,} feeds of {len(found) + extra:,}; the other {extra:,} were left out")
    if too_deep:
        notes.append(f"{too_deep:,} feeds in folders nested more than {MAX_DEPTH} deep were left out")
    return OpmlImport(found, notes)


def sources_to_opml(sources: Sequence[Source], title: str = "Briefing Desk sources") -> str:
    """An OPML 2.0 document of the sources, one folder per category."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
        f"    <dateCreated>{format_datetime(datetime.now(timezone.utc), usegmt=True)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    folders: dict[str, list[Source]] = {}
    for source in sources:
        folders.setdefault(source.category, []).append(source)
    for category, members in folders.items():
        indent = "    "
        if category:
            lines.append(f"    <outline text={quoteattr(category)}>")
            indent = "      "
        for source in members:
            attrs = f"type=\"rss\" text={quoteattr(source.name)} title={quoteattr(source.name)} xmlUrl={quoteattr(source.url)}"
            if source.format:
                attrs += f" format={quoteattr(source.format)}"
            lines.append(f"{indent}<outline {attrs}/>")
        if category:
            lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _blank_line_after(container) -> None:
    """End a table (or the document) with one blank line, unless it is empty or ends with one already."""
    text = container.as_string()
    if not text or text.endswith("\n\n"):
        return
    if isinstance(container, tomlkit.TOMLDocument) and container.body and isinstance(container.body[-1][1], tomlkit.items.Table):
        container = container.body[-1][1]  # the last table holds the document's end
    container.add(tomlkit.nl())


def add_sources_to_desk(desk_file: Path, sources: Iterable[Source]) -> tuple[list[Source], list[Source]]:
    """Append sources to desk.toml's [[sources]] (comments kept); returns (added, already listed)."""
    text = desk_file.read_text("utf-8") if desk_file.exists() else ""
    doc = tomlkit.parse(text)
    existing = doc.get("sources")
    fresh = existing is None
    if existing is None:
        existing = tomlkit.aot()
    elif not isinstance(existing, (list, tomlkit.items.AoT)):
        raise OpmlError(f"{desk_file.name}: sources must be a list of [[sources]] tables")
    inline = not isinstance(existing, tomlkit.items.AoT)  # sources = [{...}, ...]
    known = {str(entry.get("url", "")) for entry in existing}
    added: list[Source] = []
    skipped: list[Source] = []
    for source in sources:
        if source.url in known:
            skipped.append(source)
            continue
        known.add(source.url)
        if fresh and not added:
            _blank_line_after(doc)
            doc.append("sources", existing)
        elif not inline and not fresh and len(existing):
            _blank_line_after(existing[-1])  # one blank line between [[sources]] tables
        table = tomlkit.inline_table() if inline else tomlkit.table()
        table["name"] = source.name
        table["url"] = source.url
        table["category"] = source.category
        if source.format:  # no empty format = "": the fetch sniffs it
            table["format"] = source.format
        existing.append(table)
        added.append(source)
    if added and not inline and not fresh:
        keys = [str(key) for key, _ in doc.body if key is not None]
        if keys and keys[-1] != "sources":  # tables follow the list: keep a blank line before them
            _blank_line_after(existing[-1])
    if added:
        atomic_write(desk_file, tomlkit.dumps(doc))
    return added, skipped
