"""Moved to ``stories.sources.fetch``; this name stays for code that still imports it."""

from stories.sources.fetch import *  # noqa: F401,F403
from stories.sources.fetch import FetchProgress, FetchSummary, fetch_sources  # noqa: F401
