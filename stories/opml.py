"""Moved to ``stories.sources.opml``; this name stays for code that still imports it."""

from stories.sources.opml import OpmlError, add_sources_to_desk, parse_opml, sources_to_opml  # noqa: F401
