"""Story ids: safe file names from any headline."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stories.ids import MAX_ID, is_valid_id, slugify, unique_id

WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
HEADLINES = st.one_of(
    st.text(),
    st.sampled_from(["", "...", "---", "/", "\\", "..\\..", "../../etc/passwd", "CON", "con", "Aux", "LPT1", "nul.txt", "🐝🐝", "שלום", "-x-", ".hidden"]),
    st.lists(st.sampled_from(["con", "Com1", "-", ".", "a", "Ünïcödé", "word", "/", " ", "x" * 70]), max_size=12).map(" ".join),
)


@settings(max_examples=400)
@given(HEADLINES)
def test_slugify_is_always_a_safe_id(headline: str) -> None:
    slug = slugify(headline)
    assert slug, "never empty"
    assert len(slug) <= MAX_ID
    assert "/" not in slug and "\\" not in slug and slug not in (".", "..")
    assert not slug.startswith((".", "-")) and not slug.endswith("-")
    assert slug not in WINDOWS_RESERVED
    assert slug.isascii() and slug == slug.lower()
    assert is_valid_id(slug)
    assert slugify(slug) == slug  # an id is its own slug


@settings(max_examples=200)
@given(HEADLINES, st.sets(st.text(alphabet="abcdefghij-0123456789", max_size=62), max_size=20))
def test_unique_id_avoids_taken_ids(headline: str, taken: set[str]) -> None:
    taken = taken | {slugify(headline)} | {f"{slugify(headline)[:MAX_ID - 2]}-2"}
    story_id = unique_id(headline, taken)
    assert story_id not in taken and is_valid_id(story_id)


def test_examples() -> None:
    assert slugify("CAR T-cell therapy sends lupus into remission") == "car-t-cell-therapy-sends-lupus-into-remission"
    assert slugify("Café crème: réouverture à Lyon!") == "cafe-creme-reouverture-a-lyon"
    assert slugify("CON") == "con-story"
    assert slugify("🐝") == "story"
    long = slugify("Lab-grown skin patch heals stubborn leg ulcers in a small hospital trial in Bristol")
    assert len(long) <= MAX_ID and not long.endswith("-") and long.startswith("lab-grown-skin-patch")
    assert unique_id("Bees return", {"bees-return", "bees-return-2"}) == "bees-return-3"


def test_is_valid_id_rejects_unsafe_names() -> None:
    for bad in ["", "-a", "a-", ".a", "a/b", "A", "a_b", "con", "x" * 61, "a b"]:
        assert not is_valid_id(bad), bad
    assert is_valid_id("a") and is_valid_id("x" * 60)
