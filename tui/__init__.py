"""Briefing Desk's terminal app and command line, on top of the core in ``stories``."""
