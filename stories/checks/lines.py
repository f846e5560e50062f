"""Where a finding sits in a story file: the 1-based line for ``file:line:`` reports."""

from __future__ import annotations

from stories.checks.finding import Finding
from stories.codec import key_lines

# Which ``[source]`` key a source finding points at.
_SOURCE_KEY = {
    "attribution.url": "source.url",
    "attribution.name": "source.name",
    "attribution.feed": "source.feed",
    "attribution.title": "source.title",
    "attribution.published": "source.published",
    "repository.duplicate": "source.url",
    "traceability.no_source": "source.snapshot",
    "traceability.short_source": "source.snapshot",
    "traceability.snapshot": "source.snapshot",
}


class StoryLines:
    """Line lookup for one story file's text (parse once, ask for many findings)."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")  # TOML lines: LF only
        self.keys = key_lines(text)

    def line(self, finding: Finding, value: str | None = None) -> int:
        """The line of a finding; ``value`` is the section's text, for spans inside multi-line strings."""
        key = finding.section
        if key == "source":
            key = _SOURCE_KEY.get(finding.check, "source")
            if key not in self.keys:
                key = "source"
        if key not in self.keys:
            return self.keys.get("id", 1)
        line = self.keys[key]
        rest = self.lines[line - 1].split("=", 1)[1].strip() if "=" in self.lines[line - 1] else ""
        if finding.item is not None and rest.startswith("["):
            return self._item_line(line, rest, finding.item)
        if value is not None and rest[:3] in ('"""', "'''"):
            inside = value[: finding.start].count("\n")
            # A multi-line string that opens with a newline starts on the next line.
            return line + inside + (1 if rest == rest[:3] else 0)
        return line

    def _item_line(self, line: int, rest: str, item: int) -> int:
        if rest != "[":
            return line  # an inline array: every item is on the key's line
        seen = -1
        for number in range(line, min(len(self.lines), line + 10_000)):
            stripped = self.lines[number].lstrip()
            if stripped.startswith("]"):
                break
            if stripped[:1] in ('"', "'"):
                seen += 1
                if seen == item:
                    return number + 1
        return line
