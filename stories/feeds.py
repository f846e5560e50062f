"""Moved to ``stories.sources.feeds``; this name stays for code that still imports it."""

from stories.sources.feeds import *  # noqa: F401,F403
from stories.sources.feeds import FeedEntry, FeedError, ParsedFeed, declares_entities, entry_key, item_id, parse_feed  # noqa: F401
