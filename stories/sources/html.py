"""HTML to plain text through a real parser (lxml), not a regular expression.

A ``>`` inside an attribute, an unclosed ``<script>`` or a stray ``<`` in the
words ("x <y") are what regular expressions get wrong; libxml2's HTML parser
reads markup the way browsers do. The text that comes out is not yet clean:
``stories.clean.html_to_text`` passes it through the one sanitizer.
"""

from __future__ import annotations

import re

from lxml import etree

# Elements whose content is never text a reader sees.
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "math", "head", "title"})
# Elements that start and end a paragraph.
_BLOCKS = frozenset(
    "p div section article blockquote pre table ul ol dl h1 h2 h3 h4 h5 h6 header footer figure figcaption hr aside address details summary main nav".split()
)
_LINES = frozenset({"br", "tr", "dt", "dd"})

# A "<" that cannot start a tag, a comment or a declaration is a word
# character ("x <y"), as it was in the feed's own eyes: escape it before
# parsing so the parser does not read the rest of the sentence as a tag.
# Quoted values stop at the next "<", so the scan stays linear.
_LONE_LT = re.compile(r"""<(?!!|\?|/?[A-Za-z][^<>"']*(?:(?:"[^"<]*"|'[^'<]*')[^<>"']*)*>)""")


def _parser() -> etree.HTMLParser:
    return etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True, default_doctype=False)


_PARSER = _parser()


def markup_text(markup: str) -> str:
    """The words of an HTML fragment: paragraphs as blank lines, ``<br>`` as a newline, list items as bullets.

    Scripts, styles and comments are dropped and entities decoded. The result
    may still hold control characters; callers clean it.
    """
    if "<" not in markup:
        return markup
    markup = _LONE_LT.sub("&lt;", markup)
    try:
        root = etree.fromstring(markup, _PARSER)
    except (etree.ParserError, ValueError):
        return ""
    if root is None:
        return ""
    out: list[str] = []
    skipping = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if skipping or tag in _SKIP:
                skipping += 1
                continue
            if tag in _BLOCKS:
                out.append("\n\n")
            elif tag == "li":
                out.append("\n• ")
            elif tag == "br":
                out.append("\n")
            if element.text:
                out.append(element.text)
        else:
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            elif tag in _BLOCKS:
                out.append("\n\n")
            elif tag in _LINES and tag != "br":
                out.append("\n")
            elif tag in ("td", "th"):
                out.append(" ")
            if element.tail:
                out.append(element.tail)
    return "".join(out)
