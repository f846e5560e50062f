"""Cleaning untrusted feed text: what reaches the editor is plain, printable and bounded."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from stories.clean import (
    canonical_link,
    clean_date,
    clean_line,
    clean_link,
    clean_text,
    first_words,
    html_to_text,
    strip_tracking,
)
from stories.sources.feeds import declares_entities, entry_key, item_id

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")

# Text made of the pieces hostile feeds use: escapes, controls, bidi, markup.
NASTY = st.lists(
    st.one_of(
        st.text(),
        st.sampled_from(["\x1b[31m", "\x1b]52;c;ZXZpbA==\x07", "\x1b]8;;http://x\x1b\\", "\x1bP1$qm\x1b\\", "\x9b2J", "\x9d0;t\x9c",
                         "\x1b[?1049h", "\x00", "\u202e", "\u2066", "\r\n", "\x85", "[@click=app.quit]", "<script>x</script>", "&#27;[31m", "&#x202E;"]),
    ),
    max_size=12,
).map("".join)


@given(NASTY)
@settings(max_examples=300, deadline=None)
def test_clean_text_never_returns_controls_escapes_or_bidi(text: str) -> None:
    out = clean_text(text)
    assert not FORBIDDEN.search(out)
    assert "\n\n\n" not in out and out == out.strip()


@given(NASTY)
@settings(max_examples=300, deadline=None)
def test_html_to_text_and_clean_line_are_safe_too(text: str) -> None:
    assert not FORBIDDEN.search(html_to_text(text))
    line = clean_line(text, 80)
    assert not FORBIDDEN.search(line) and "\n" not in line and len(line) <= 80


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_clean_link_keeps_only_wellformed_web_links(link: str) -> None:
    out = clean_link(link, "https://feed.example.org/rss")
    assert out == "" or re.match(r"^https?://[^\s/@]+/[^\s]*$", out)


def test_escape_sequences_go_and_words_stay() -> None:
    assert clean_text("Hello \x1b[31mred\x1b[0m world") == "Hello red world"
    assert clean_text("a\x1b]52;c;ZXZpbA==\x07b") == "ab"  # OSC 52 clipboard write
    assert clean_text("a\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\b") == "alinkb"
    assert clean_text("x\x9b31my") == "xy"
    assert clean_text("abc\u202edef") == "abcdef"
    assert clean_text("one\r\ntwo\rthree\x00") == "one\ntwo\nthree"


def test_html_becomes_paragraphs_without_scripts_styles_or_entities() -> None:
    html = (
        "<style>p{color:red}</style><p>First &amp; foremost, &ldquo;calm&rdquo;.</p>"
        "<script>alert('x')</script><p>Second<br>line</p><ul><li>one</li><li>two</li></ul>"
        "<p>&#27;[31m not an escape</p>"
    )
    text = html_to_text(html)
    # An escape written as a character reference is decoded by the parser and
    # then dropped whole by the sanitizer, sequence and all.
    assert text == "First & foremost, \u201ccalm\u201d.\n\nSecond\nline\n\n• one\n• two\n\nnot an escape"
    assert html_to_text("<p>unclosed <script>var x = 1;") == "unclosed"


def test_html_is_read_by_a_parser_so_a_bracket_in_an_attribute_is_not_text() -> None:
    # A regular expression stops the tag at the first ">" and leaks the rest of the attribute.
    assert html_to_text('<p><a href="/x" title="1 > 0, said the post">Rates fell</a> by 2%.</p>') == "Rates fell by 2%."
    assert html_to_text("<p>One<!-- a > b -->two</p><table><tr><td>a</td><td>b</td></tr></table>") == "Onetwo\n\na b"


def test_terminal_safe_keeps_the_layout_and_drops_what_a_terminal_obeys() -> None:
    from stories.clean import terminal_safe

    assert terminal_safe("Col\tumn  two\n\n\nend\x1b[2J\x1b]0;title\x07\u202e!") == "Col\tumn  two\n\n\nend!"


def test_a_giant_field_is_capped_quickly() -> None:
    huge = "word " * 250_000
    started = time.perf_counter()
    title = clean_line(huge, 300)
    assert len(title) <= 300 and title.endswith("…")
    assert len(html_to_text("<p>" + huge + "</p>", limit=1000)) <= 1000
    assert time.perf_counter() - started < 5  # generous: a sanity bound, not a benchmark


def test_links() -> None:
    base = "https://feed.example.org/blog/rss.xml"
    assert clean_link("/posts/1", base) == "https://feed.example.org/posts/1"
    assert clean_link("post-2", base) == "https://feed.example.org/blog/post-2"
    assert clean_link("javascript:alert(1)", base) == ""
    assert clean_link("data:text/html,<b>x</b>", base) == ""
    assert clean_link("file:///etc/passwd", base) == ""
    assert clean_link("https://good.example@evil.example/", base) == ""
    assert clean_link("https://exa\nmple.org/", base) == ""
    assert clean_link("https://example.org/a b", base) == ""
    assert clean_link("https://bücher.example/", base) == "https://xn--bcher-kva.example/"
    assert clean_link("HTTPS://Example.org", base) == "https://example.org/"


def test_canonical_link_drops_tracking_and_fragments() -> None:
    a = canonical_link("https://www.example.org/story/?utm_source=x&id=4&fbclid=abc#comments")
    b = canonical_link("http://example.org/story?id=4&gclid=zz")
    assert a == b == "https://example.org/story?id=4"
    assert strip_tracking("https://example.org/s?utm_medium=rss&page=2#p") == "https://example.org/s?page=2#p"


def test_dates_have_sane_bounds() -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert clean_date(time.strptime("2025-01-06 10:00", "%Y-%m-%d %H:%M"), now=now) == datetime(2025, 1, 6, 10, 0, tzinfo=timezone.utc)
    assert clean_date((1736, 1, 6, 10, 0, 0, 0, 6, 0), "1736157600", now=now) == datetime(2025, 1, 6, 10, 0, tzinfo=timezone.utc)
    assert clean_date((9999, 12, 31, 23, 59, 59, 0, 1, 0), now=now) is None
    assert clean_date((1970, 1, 1, 0, 0, 0, 0, 1, 0), now=now) is None
    assert clean_date((2026, 1, 2, 0, 0, 0, 0, 1, 0), now=now) is not None  # tomorrow: clocks differ
    assert clean_date((2026, 1, 4, 0, 0, 0, 0, 1, 0), now=now) is None
    assert clean_date((2025, 1, 5, 9, 0, 0, 0, 1, 0), "Mon, 06 Jan 2025 10:00:00 +2500", now=now) is None
    assert clean_date(None, "yesterday", now=now) is None


def test_untitled_items_get_their_first_words() -> None:
    assert first_words("A quiet harbour town painted its sea wall with the help of 200 children this week") == "A quiet harbour town painted its sea wall with the…"
    assert first_words("Short note") == "Short note"
    assert first_words("") == ""


def test_identity_prefers_guid_then_link_then_title_and_date() -> None:
    assert entry_key("g-1", "https://example.org/a", "T", "d") == "guid:g-1"
    assert entry_key("", "https://example.org/a", "T", "d") == "link:https://example.org/a"
    assert entry_key("", "", "T", "d") == "text:T\nd"
    # A bare guid means something only inside its own feed; a URI guid everywhere.
    assert item_id("guid:1234", "https://a.example/feed") != item_id("guid:1234", "https://b.example/feed")
    assert item_id("guid:tag:x.org,2026:1", "https://a.example/feed") == item_id("guid:tag:x.org,2026:1", "https://b.example/feed")


def test_entity_declarations_are_spotted() -> None:
    assert declares_entities(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>')
    assert declares_entities('<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>'.encode("utf-16-le"))
    assert not declares_entities(b"<!DOCTYPE html><html><body><p>&lt;!ENTITY is just text</p></body></html>")
    assert not declares_entities(b"<rss><item><description><![CDATA[<!ENTITY in a story]]></description></item></rss>")


def test_a_lone_angle_bracket_does_not_swallow_the_text() -> None:
    assert html_to_text("<p>Scores rose when x <y and fell after.</p>") == "Scores rose when x <y and fell after."
    assert html_to_text("3 &lt; 4 and <b>bold</b>") == "3 < 4 and bold"


def test_plain_text_content_is_not_read_as_html() -> None:
    from stories.sources.feeds import parse_feed

    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>tag:x,2026:1</id><title>Plain</title>'
        '<content type="text">Values of a &lt;b and c &gt; d stay as written.</content></entry></feed>'
    ).encode()
    [entry] = parse_feed(atom, "https://example.org/feed").entries
    assert entry.body == "Values of a <b and c > d stay as written."
