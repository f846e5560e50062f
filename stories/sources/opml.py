"""OPML 2.0 import and export of the desk's sources; folders are categories.

The source list lives in the content repo's ``desk.toml``; importing edits it
with tomlkit so the desk's comments and layout survive.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import tomlkit

from stories import clean
from stories.sources.feeds import declares_entities
from stories.fsutil import atomic_write
from stories.profile import Source


class OpmlError(ValueError):
    """An OPML file that cannot be read, in plain words."""


def parse_opml(data: bytes) -> list[Source]:
    """The feeds listed in an OPML file; the nearest enclosing folder becomes the category."""
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

    def walk(node: ET.Element, folder: str) -> None:
        for outline in node.findall("outline"):
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            name = clean.clean_line(outline.get("text") or outline.get("title") or "")
            if url:
                link = clean.clean_link(url)
                if not link or link in seen:
                    continue
                seen.add(link)
                category = clean.clean_line(outline.get("category") or "").split(",")[0].strip("/ ") if not folder else folder
                found.append(
                    Source(
                        name=name or link,
                        url=link,
                        category=category,
                        format=clean.clean_line(outline.get("format") or ""),
                    )
                )
            walk(outline, name if not url and name else folder)

    walk(body, "")
    return found


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


def add_sources_to_desk(desk_file: Path, sources: Iterable[Source]) -> tuple[list[Source], list[Source]]:
    """Append sources to desk.toml's [[sources]] (comments kept); returns (added, already listed)."""
    text = desk_file.read_text("utf-8") if desk_file.exists() else ""
    doc = tomlkit.parse(text)
    existing = doc.get("sources")
    if existing is None:
        existing = tomlkit.aot()
        doc.append("sources", existing)
    elif not isinstance(existing, (list, tomlkit.items.AoT)):
        raise OpmlError(f"{desk_file.name}: sources must be a list of [[sources]] tables")
    known = {str(entry.get("url", "")) for entry in existing}
    added: list[Source] = []
    skipped: list[Source] = []
    for source in sources:
        if source.url in known:
            skipped.append(source)
            continue
        known.add(source.url)
        inline = not isinstance(existing, tomlkit.items.AoT)  # sources = [{...}, ...]
        table = tomlkit.inline_table() if inline else tomlkit.table()
        table["name"] = source.name
        table["url"] = source.url
        table["category"] = source.category
        if source.format:
            table["format"] = source.format
        if not inline:
            table.add(tomlkit.nl())
        existing.append(table)
        added.append(source)
    if added:
        atomic_write(desk_file, tomlkit.dumps(doc))
    return added, skipped
