"""An article page to its main text and metadata, with trafilatura.

trafilatura is the best-evaluated main-text extractor: it drops navigation,
comments, cookie banners and footers. What it gives back is cleaned like every
other untrusted text. Which items need their article at all is decided here
too (``needs_article``): thin feed text, or a teaser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stories import clean

#: An article shorter than this is not an article page (a list, a login form).
MIN_ARTICLE_WORDS = 25
FULL_TEXT_MODES = ("auto", "always", "never")

_TEASER = re.compile(
    r"(continue reading|read more|read the full|read the rest|keep reading|full story|\bcomments?\b\s*$|appeared first on|\[(?:\.\.\.|…)\]\s*$|(?:\.\.\.|…)\s*$)",
    re.IGNORECASE,
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PASSWORD = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)


class NotAnArticle(Exception):
    """The page has no article to take; the message says why, in an editor's words."""


@dataclass
class Article:
    """The main text of a page and what the page says about itself."""

    text: str
    url: str
    canonical_url: str = ""
    metadata: dict[str, str] = field(default_factory=dict)  # title, author, date, site


def needs_article(feed_text: str, mode: str = "auto", short_words: int = 150) -> bool:
    """True if an item's feed text is too thin to check a briefing against (or the source says "always")."""
    if mode == "never":
        return False
    if mode == "always":
        return True
    words = len(feed_text.split())
    return words < short_words or bool(_TEASER.search(feed_text[-200:]))


def extract_article(body: bytes, url: str, content_type: str = "") -> Article:
    """The main text and metadata of an HTML page; NotAnArticle when it has none."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind and kind not in _HTML_TYPES:
        shown = clean.clean_line(kind, 40)
        raise NotAnArticle(f"Not an article page: the link leads to {shown}, not a web page.")
    head = body[:2048].lstrip().lower()
    if not kind and not (head.startswith((b"<!doctype html", b"<html")) or b"<html" in head):
        raise NotAnArticle("Not an article page: the link does not lead to a web page.")
    import trafilatura

    document = trafilatura.bare_extraction(
        body, url=url, with_metadata=True, include_comments=False, include_tables=True, include_images=False, deduplicate=False,
        # The date the page states is enough; the extensive search guesses from links and costs a tenth of the time.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    # trafilatura puts one paragraph on each line; the source pane reads
    # better with a blank line between them.
    raw = (getattr(document, "text", "") or "") if document is not None else ""
    text = clean.clean_text(raw.replace("\n", "\n\n"), limit=clean.BODY_MAX)
    words = len(text.split())
    if words < MIN_ARTICLE_WORDS:
        if _PASSWORD.search(body[:2_000_000]):
            raise NotAnArticle("The page needs a login: it shows a sign-in form instead of the article.")
        raise NotAnArticle("Not an article page: no main text was found on it.")
    metadata = {}
    for key, attribute in (("title", "title"), ("author", "author"), ("date", "date"), ("site", "sitename")):
        value = clean.clean_line(getattr(document, attribute, "") or "", clean.TITLE_MAX)
        if value:
            metadata[key] = value
    canonical = clean.clean_link(getattr(document, "url", "") or "", url)
    return Article(text=text, url=url, canonical_url=canonical if canonical != url else "", metadata=metadata)
