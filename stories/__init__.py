"""Briefing Desk's core: the briefing model, the desk profile, the story file
format, the checks, the queue and the content repo.

Nothing here imports textual; scripts and CI use these modules directly.
Submodules are imported where they are used, so ``import stories`` stays cheap.
"""
