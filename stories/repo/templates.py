"""The files ``briefdesk init`` writes into a new content repo: desk.toml and README.md."""

from __future__ import annotations

from stories.profile import default_desk_text


def desk_file_text() -> str:
    """The desk.toml ``briefdesk init`` writes: the house format plus commented examples."""
    return default_desk_text().rstrip("\n") + "\n" + DESK_EXTRAS


DESK_EXTRAS = """
# -- Sources ------------------------------------------------------------------
# The feeds the whole desk follows. Uncomment and adapt; every editor who syncs
# this repo sees the same list (briefdesk import-opml adds many at once).
#
# [[sources]]
# name = "City Parks Department"
# url = "https://parks.example.org/news/feed.xml"
# category = "community"
# format = "RSS"
#
# [[sources]]
# name = "Coastal Research Institute"
# url = "https://coast-research.example.net/press/atom.xml"
# category = "science"
# format = "Atom"
#
# [[sources]]
# name = "Regional Wildlife Trust"
# url = "https://wildlife-trust.example.com/stories.rss"
# category = "animals"
# format = "RSS"

# -- Publishing ---------------------------------------------------------------
# mode = "current" commits each story to the branch you have checked out.
# mode = "branch" commits each story to its own branch story/<id>, made from
# `base` (default: your current branch), ready for a pull request; your
# checkout is never touched. `remote` is where briefdesk sync pulls and pushes
# (default: the branch's upstream, else origin).
#
# [publish]
# mode = "branch"
# base = "main"
# remote = "origin"
"""

README_TEXT = """# Content repo

This repository holds the published briefings of a Briefing Desk.

- `desk.toml`: the desk profile (sections, tone rules, topics, templates,
  sources, publishing mode). Change it here and every editor gets it on sync.
- `stories/<year>/<id>.toml`: one file per published story.
- `sources/<sha256>.txt`: the source text each story was checked against, so
  reviewers and CI can run `briefdesk check` again without the network.

Each publish is one commit that touches only its story and its source snapshot.
Its message reads `Publish: <headline>` (or `Revise: …`) and ends with
trailers tools can read:

    git log --format='%(trailers)'

Stories are written with `briefdesk` and synced with `briefdesk sync`
(pull with rebase, then push).
"""
