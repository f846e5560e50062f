"""The check engine on a real story: a clean briefing passes, each bad edit is caught."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from stories import codec
from stories.checks import Finding, counts, run_checks
from stories.checks.traceability import numbers, source_marks
from stories.model import Briefing, PublishedStory, SourceRef
from stories.profile import load_profile, profile_from_text

DATA = Path(__file__).parent / "data"
PROFILE = load_profile()
SOURCE = (DATA / "skin-patch-source.txt").read_text("utf-8")
STORY_TEXT = (DATA / "skin-patch-story.toml").read_text("utf-8")


@pytest.fixture
def story() -> Briefing:
    return codec.loads(STORY_TEXT, PROFILE, "skin-patch-story.toml")


def checks_of(findings: list[Finding], severity: str | None = None) -> set[str]:
    return {f.check for f in findings if severity is None or f.severity == severity}


def only(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


def span_text(briefing: Briefing, finding: Finding) -> str:
    text = briefing.items(finding.section)[finding.item] if finding.item is not None else briefing.text(finding.section)
    return text[finding.start : finding.end]


def edit(briefing: Briefing, key: str, old: str, new: str) -> None:
    value = briefing.text(key)
    assert old in value, f"{old!r} is not in {key}"
    briefing.sections[key] = value.replace(old, new)


# -- the clean story ------------------------------------------------------------


def test_the_example_story_is_clean(story: Briefing) -> None:
    findings = run_checks(story, SOURCE, PROFILE, [])
    assert counts(findings) == (0, 0, 0), findings


def test_checks_do_not_change_the_briefing(story: Briefing) -> None:
    before = copy.deepcopy(story)
    run_checks(story, SOURCE, PROFILE, [])
    assert story == before


def test_counts() -> None:
    findings = [Finding("a", "x", "error", ""), Finding("b", "x", "warning", ""), Finding("c", "x", "warning", ""), Finding("d", "x", "info", "")]
    assert counts(findings) == (1, 2, 1)
    assert counts([]) == (0, 0, 0)


# -- the edits from the issue ---------------------------------------------------------


def test_dropping_a_key_point(story: Briefing) -> None:
    story.sections["key_points"] = story.items("key_points")[:2]
    findings = run_checks(story, SOURCE, PROFILE, [])
    [finding] = only(findings, "structure.items")
    assert finding.severity == "error" and finding.section == "key_points"
    assert "2 items; exactly 3" in finding.message


def test_escape_codes_in_a_story_are_an_error(story: Briefing) -> None:
    # Issue 14 #13: a headline that clears a reader's terminal must not publish.
    story.sections["headline"] = story.headline + "\u001b[H\u001b[J"
    edit(story, "summary", "patch", "pa\x07tch")
    findings = only(run_checks(story, SOURCE, PROFILE, []), "structure.control")
    assert [(f.section, f.severity) for f in findings] == [("headline", "error"), ("summary", "error")]
    assert span_text(story, findings[0]) == "\u001b" and "escape codes" in findings[0].message


def test_a_shouting_miracle_headline(story: Briefing) -> None:
    story.sections["headline"] = "MIRACLE CURE FOR LUPUS!!!"
    findings = [f for f in run_checks(story, SOURCE, PROFILE, []) if f.section == "headline"]
    assert {"tone.caps", "structure.length", "tone.hype", "tone.exclamation"} <= checks_of(findings)
    caps = only(findings, "tone.caps")
    assert [span_text(story, f) for f in caps] == ["MIRACLE", "CURE", "FOR", "LUPUS"]
    assert all(f.severity == "error" for f in caps)
    hype = only(findings, "tone.hype")[0]
    assert span_text(story, hype) == "MIRACLE" and hype.severity == "error"
    bang = only(findings, "tone.exclamation")[0]
    assert span_text(story, bang) == "!!!" and bang.severity == "error"


@pytest.mark.parametrize(
    "headline",
    [
        "UK hospital trial closes leg ulcers with lab-grown skin",
        "NASA and UCLH teams share a quiet win for patients in the UK",
        "COVID-19 wards in the NHS get a calmer night shift rota",
    ],
)
def test_short_acronyms_are_not_shouting(story: Briefing, headline: str) -> None:
    story.sections["headline"] = headline
    assert not only(run_checks(story, SOURCE, PROFILE, []), "tone.caps")


@pytest.mark.parametrize("word", ["REMARKABLE", "FREE", "TINY", "ALOUD", "WOW"])
def test_all_caps_of_any_length_is_shouting_in_the_headline(story: Briefing, word: str) -> None:
    story.sections["headline"] = f"Skin patch heals ulcers in a {word} hospital trial"
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "tone.caps")
    assert span_text(story, finding) == word and finding.severity == "error"


def test_a_headline_ending_in_a_period(story: Briefing) -> None:
    story.sections["headline"] = story.headline + "."
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "structure.headline")
    assert "period" in finding.message and finding.start == len(story.headline) - 1


def test_nine_patients_becomes_twelve(story: Briefing) -> None:
    edit(story, "what_happened", "All nine patients", "All twelve patients")
    findings = run_checks(story, SOURCE, PROFILE, [])
    [finding] = only(findings, "traceability.number")
    assert finding.severity == "error" and finding.section == "what_happened"
    assert finding.message == '"twelve" is not in the source'
    assert span_text(story, finding) == "twelve"


def test_a_quotation_not_in_the_source(story: Briefing) -> None:
    edit(story, "what_happened", "“This summer I grew my own tomatoes again,”", "“I feel twenty years younger,”")
    findings = run_checks(story, SOURCE, PROFILE, [])
    [finding] = only(findings, "traceability.quote")
    assert finding.severity == "error"
    assert span_text(story, finding) == "“I feel twenty years younger,”"
    # The number inside a made-up quote is the quote's problem, reported once.
    assert not only(findings, "traceability.number")


def test_a_run_of_the_source_pasted_without_quotation_marks(story: Briefing) -> None:
    pasted = "technicians grew the cells on a thin scaffold made from plant cellulose until the sheet was roughly the size of a playing card"
    assert len(pasted.split()) >= 20 and pasted in SOURCE
    edit(story, "why_it_feels_good", "Leg ulcers are painful", f"In the lab, {pasted}. Leg ulcers are painful")
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "traceability.verbatim")
    assert finding.severity == "error" and finding.section == "why_it_feels_good"
    assert span_text(story, finding) == pasted
    assert f"{len(pasted.split())} words" in finding.message


def test_the_same_run_in_quotation_marks_is_fine(story: Briefing) -> None:
    pasted = "technicians grew the cells on a thin scaffold made from plant cellulose until the sheet was roughly the size of a playing card"
    edit(story, "why_it_feels_good", "Leg ulcers are painful", f"The paper says “{pasted}.” Leg ulcers are painful")
    findings = run_checks(story, SOURCE, PROFILE, [])
    assert not only(findings, "traceability.verbatim") and not only(findings, "traceability.quote")


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "ftp://example.org/x", "https://", "https://exa mple.org/", "http://example.org:99999/"])
def test_a_bad_source_url(story: Briefing, url: str) -> None:
    assert story.source is not None
    story.source = dataclasses.replace(story.source, url=url)
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "attribution.url")
    assert finding.severity == "error" and finding.section == "source"


def test_javascript_url_message(story: Briefing) -> None:
    story.source = dataclasses.replace(story.source, url="javascript:alert(1)")  # type: ignore[arg-type]
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "attribution.url")
    assert "http:// or https://" in finding.message and "javascript:" in finding.message


def test_no_source_block(story: Briefing) -> None:
    story.source = None
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "attribution.missing")
    assert finding.severity == "error"


def test_source_name_missing_and_unknown(story: Briefing) -> None:
    story.source = dataclasses.replace(story.source, name="")  # type: ignore[arg-type]
    assert only(run_checks(story, SOURCE, PROFILE, []), "attribution.name")[0].severity == "error"
    desk = profile_from_text('[[sources]]\nname = "Daily Bright"\nurl = "https://bright.example.org/feed"\n')
    story.source = dataclasses.replace(story.source, name="Somebody Else")  # type: ignore[arg-type]
    [finding] = only(run_checks(story, SOURCE, desk, []), "attribution.name")
    assert finding.severity == "warning" and "Somebody Else" in finding.message


def test_source_compared_with_the_queue_item(story: Briefing) -> None:
    assert story.source is not None
    queue_item = dataclasses.replace(story.source, url="https://www.example.org/news/a-different-story")
    [finding] = only(run_checks(story, SOURCE, PROFILE, [], queue_source=queue_item), "attribution.mismatch")
    assert finding.severity == "error" and "url" in finding.message
    assert not only(run_checks(story, SOURCE, PROFILE, [], queue_source=story.source), "attribution.mismatch")


# -- structure --------------------------------------------------------------------


def test_missing_and_too_long_sections(story: Briefing) -> None:
    story.sections["summary"] = ""
    story.sections["watch_next"] = " ".join(["Trials will follow."] * 60)
    findings = run_checks(story, SOURCE, PROFILE, [])
    assert any(f.check == "structure.required" and f.section == "summary" for f in findings)
    [long] = [f for f in findings if f.check == "structure.length" and f.section == "watch_next"]
    assert "180 words; at most 150" in long.message
    # The span starts at the first word past the limit.
    assert story.text("watch_next")[: long.start].count(" ") == 150


def test_a_key_point_too_short(story: Briefing) -> None:
    story.sections["key_points"] = [*story.items("key_points")[:2], "Patches work."]
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "structure.length")
    assert finding.section == "key_points" and finding.item == 2 and "2 words; at least 4" in finding.message


def test_watch_next_without_a_caveat_or_next_step(story: Briefing) -> None:
    story.sections["watch_next"] = (
        "Patients in Bristol can now garden, walk and dance without a bandage, and their families are glad. "
        "The nurses who cared for them are glad too, and so is the whole clinic team at the hospital."
    )
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "structure.next_step")
    assert finding.severity == "warning" and finding.section == "watch_next"


def test_summary_of_two_paragraphs(story: Briefing) -> None:
    story.sections["summary"] = story.text("summary") + "\n\nA second paragraph about the trial in Bristol."
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "structure.paragraphs")
    assert finding.severity == "warning"


def test_unknown_topic(story: Briefing) -> None:
    story.topics = ["health", "celebrity gossip"]
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "structure.topics")
    assert finding.severity == "error" and finding.item == 1


def test_limits_come_from_the_profile(story: Briefing) -> None:
    desk = profile_from_text('[[sections]]\nkey = "headline"\nmax_chars = 40\n\n[[sections]]\nkey = "summary"\n')
    findings = run_checks(story, SOURCE, desk, [])
    assert any(f.check == "structure.length" and f.section == "headline" and "at most 40" in f.message for f in findings)
    # Sections the desk dropped are not required any more.
    assert not any(f.section == "key_points" for f in findings)


# -- tone ----------------------------------------------------------------------------


def test_hype_superlatives_and_substitutions(story: Briefing) -> None:
    edit(story, "why_it_feels_good", "Leg ulcers are painful", "This groundbreaking, jaw-dropping result is the best news. Leg ulcers are painful")
    findings = run_checks(story, SOURCE, PROFILE, [])
    sub = only(findings, "tone.substitution")[0]
    assert span_text(story, sub) == "groundbreaking" and "'new'" in sub.message
    assert span_text(story, only(findings, "tone.hype")[0]) == "jaw-dropping"
    assert span_text(story, only(findings, "tone.superlative")[0]) == "best"
    assert all(f.severity == "warning" for f in findings if f.check.startswith("tone."))


def test_tone_words_come_from_the_profile(story: Briefing) -> None:
    desk = profile_from_text('[tone]\nhype = ["bandage"]\nsuperlatives = []\n[tone.substitutions]\n"ulcer" = "wound"\n')
    findings = run_checks(story, SOURCE, desk, [])
    assert {span_text(story, f).lower() for f in only(findings, "tone.hype")} == {"bandage"}
    assert only(findings, "tone.substitution") and all("'wound'" in f.message for f in only(findings, "tone.substitution"))


def test_hype_is_whole_words_only(story: Briefing) -> None:
    edit(story, "what_happened", "tiny sample", "tiny shockproof sample")
    assert not only(run_checks(story, SOURCE, PROFILE, []), "tone.hype")


def test_shouting_in_the_body(story: Briefing) -> None:
    edit(story, "why_it_feels_good", "Leg ulcers are painful", "Leg ulcers are REALLY painful")
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "tone.caps")
    assert span_text(story, finding) == "REALLY"


# -- traceability ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "draft, source",
    [
        ("nine patients", "9 patients"),
        ("9 patients", "nine patients"),
        ("an 11-month study", "an eleven-month study"),
        ("an eleven-month study", "followed for 11 months"),
        ("40% of them", "forty per cent of them"),
        ("40 percent of them", "40% of them"),
        ("1.2 million people", "1,200,000 people"),
        ("1,200,000 people", "1.2 million people"),
        ("£2bn a year", "£2 billion a year"),
        ("within three months", "within 3 months"),
        ("twenty-five nurses", "25 nurses"),
        ("120 patients", "one hundred and twenty patients"),
    ],
)
def test_numbers_match_in_digits_and_in_words(draft: str, source: str) -> None:
    source_text = f"{source}. " + " ".join(["filler words about a trial"] * 40)
    briefing = Briefing(sections={"summary": f"We learnt of {draft} in the report."})
    assert not only(run_checks(briefing, source_text, PROFILE), "traceability.number")


@pytest.mark.parametrize("draft", ["ten patients", "an 18-month study", "45% of them", "1.3 million people", "four weeks"])
def test_numbers_not_in_the_source(draft: str) -> None:
    source_text = "nine patients, an 11-month study, 40% of them, 1.2 million people, three months. " + " ".join(["filler words"] * 100)
    briefing = Briefing(sections={"summary": f"We learnt of {draft} in the report."})
    [finding] = only(run_checks(briefing, source_text, PROFILE), "traceability.number")
    assert finding.message.split('"')[1] in draft
    assert briefing.text("summary")[finding.start : finding.end] == finding.message.split('"')[1]


def test_number_parsing() -> None:
    found = [(n.text, n.value) for n in numbers("Nine people, an 11-month wait, 40% more, 1.2 million trees, twenty-one days, 2026")]
    assert found == [("Nine", 9), ("11-month", 11), ("40%", 40), ("1.2 million", 1_200_000), ("twenty-one days", 21), ("2026", 2026)]


def test_the_word_one_alone_is_not_a_count() -> None:
    briefing = Briefing(sections={"summary": "No one expected it; one of the nurses said so. A one-year follow-up comes next."})
    source_text = " ".join(["filler words about a trial"] * 40)
    [finding] = only(run_checks(briefing, source_text, PROFILE), "traceability.number")
    assert finding.message == '"one-year" is not in the source' and span_text(briefing, finding) == "one-year"


@pytest.mark.parametrize(
    "quote",
    [
        '"We need the evidence first."',  # straight quotes
        "“we NEED the   evidence first”",  # case and whitespace
        "“If the bigger trial confirms what we have seen … we need the evidence first”",  # an omission
        "“If the bigger trial confirms what we have seen... this could change daily life”",
        "“I had stopped going to the allotment because I was worried about infection”",
        "‘Seeing them walk into clinic without a bandage’",
    ],
)
def test_quotes_match_modulo_marks_case_space_and_omissions(story: Briefing, quote: str) -> None:
    edit(story, "what_happened", "“This summer I grew my own tomatoes again,” he said.", f"He said {quote}")
    assert not only(run_checks(story, SOURCE, PROFILE, []), "traceability.quote")


def test_a_thin_source_relaxes_nothing_and_says_what_to_do(story: Briefing) -> None:
    summary = "Doctors in Bristol grew skin patches from patients' cells to close leg ulcers in a small trial of 9 patients."
    findings = run_checks(story, summary, PROFILE, [])
    [short] = only(findings, "traceability.short_source")
    assert short.severity == "warning" and "summary" in short.message
    untraced = only(findings, "traceability.number") + only(findings, "traceability.quote")
    assert untraced and all(f.severity == "error" for f in untraced)
    assert all("fetch the article, or attach the source text" in f.message for f in untraced)
    # the nine patients the summary does hold are not among them
    assert not [f for f in untraced if span_text(story, f).lower() == "nine"]


def test_no_source_text(story: Briefing) -> None:
    findings = run_checks(story, None, PROFILE, [])
    assert [f.check for f in findings] == ["traceability.no_source"]
    assert findings[0].severity == "warning"


def test_source_marks_point_into_the_source(story: Briefing) -> None:
    marks = source_marks(story, SOURCE, PROFILE)
    texts = {(SOURCE[start:end], kind) for start, end, kind in marks}
    assert ("This summer I grew my own tomatoes again", "quote") in texts
    assert ("nine", "number") in texts and ("11-month", "number") in texts and ("120", "number") in texts
    assert all(0 <= start < end <= len(SOURCE) for start, end, _ in marks)
    assert source_marks(story, "", PROFILE) == []


# -- repository -----------------------------------------------------------------------


def published_row(story_id: str, url: str) -> PublishedStory:
    return PublishedStory(id=story_id, headline="An earlier story", source_url=url, path=f"stories/2026/{story_id}.toml")


def test_the_same_source_already_published(story: Briefing) -> None:
    assert story.source is not None
    url = story.source.url.replace("https://www.", "http://") + "/?utm_source=feed#top"
    findings = run_checks(story, SOURCE, PROFILE, [published_row("skin-patch-earlier", url)])
    [finding] = only(findings, "repository.duplicate")
    assert "skin-patch-earlier" in finding.message
    # Its own earlier version is not a duplicate: that is a revision.
    assert not only(run_checks(story, SOURCE, PROFILE, [published_row(story.id, story.source.url)]), "repository.duplicate")


def test_related_stories_must_exist(story: Briefing) -> None:
    story.related = ["garden-therapy-for-stroke-patients", "no-such-story", story.id]
    findings = only(run_checks(story, SOURCE, PROFILE, [published_row("garden-therapy-for-stroke-patients", "https://example.org/a")]), "repository.related")
    assert [(f.item, f.severity) for f in findings] == [(1, "error"), (2, "error")]
    assert "no-such-story" in findings[0].message


def test_repository_checks_skipped_without_an_index(story: Briefing) -> None:
    story.related = ["no-such-story"]
    assert not only(run_checks(story, SOURCE, PROFILE, None), "repository.related")


# -- source that is not a plain string ---------------------------------------------


def test_a_queue_source_ref_can_be_compared_field_by_field(story: Briefing) -> None:
    queue_item = SourceRef(name="Hopeful Health Wire", url=story.source.url)  # type: ignore[union-attr]
    assert not only(run_checks(story, SOURCE, PROFILE, [], queue_source=queue_item), "attribution.mismatch")


# -- any input -------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from stories.checks import CHECK_IDS, SEVERITIES  # noqa: E402

PIECES = st.sampled_from(
    ["nine", "Nine patients", "11-month", "40%", "1.2 million", "£2bn", "twenty-five", "one", "“", "”", '"', "‘", "’", "…", "...", "!!!", "MIRACLE",
     "UK", "\n\n", "\n", " ", "groundbreaking", "best", "don’t", "[", "]", "\x00", "🐝", "שלום", "-", ",", "1,200,000", "0.5", "v2", "5G"]
)  # fmt: skip
PROSE = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=30).map(" ".join)


@st.composite
def any_briefing(draw: st.DrawFn) -> Briefing:
    sections: dict[str, str | list[str]] = {}
    for section in PROFILE.sections:
        sections[section.key] = draw(st.lists(PROSE, max_size=4)) if section.kind == "list" else draw(PROSE)
    url = draw(st.sampled_from(["", "javascript:x", "https://example.org/a", "http://[::1", "https://ex ample.org", "http://a:99999/"]) | st.text(max_size=20))
    source = draw(st.none() | st.builds(SourceRef, name=st.text(max_size=5), url=st.just(url)))
    return Briefing(
        id=draw(st.text(max_size=10)),
        sections=sections,
        topics=draw(st.lists(st.text(max_size=6), max_size=2)),
        related=draw(st.lists(st.text(max_size=6), max_size=3)),
        source=source,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_briefing(), st.none() | PROSE | st.just(SOURCE))
def test_any_briefing_and_source_give_well_formed_findings(briefing: Briefing, source_text: str | None) -> None:
    published = [PublishedStory(id="a", headline="A", source_url="https://example.org/a", path="stories/2026/a.toml")]
    findings = run_checks(briefing, source_text, PROFILE, published)
    for finding in findings:
        assert finding.check in CHECK_IDS and finding.severity in SEVERITIES and finding.message
        if finding.section in PROFILE.keys:
            if finding.item is not None:
                text = briefing.items(finding.section)[finding.item]
            else:
                text = briefing.text(finding.section)
            assert 0 <= finding.start <= finding.end <= len(text), finding
        else:
            assert finding.section in ("source", "related", "topics"), finding
    for start, end, kind in source_marks(briefing, source_text or "", PROFILE):
        assert 0 <= start < end <= len(source_text or "") and kind in ("quote", "number", "copy")


def test_an_apostrophe_is_not_a_quotation_mark(story: Briefing) -> None:
    edit(story, "what_happened", "“This summer I grew my own tomatoes again,” he said.", "He said ‘I don’t know’, and the patients’ view was ‘we need the evidence first’.")
    findings = only(run_checks(story, SOURCE, PROFILE, []), "traceability.quote")
    assert [span_text(story, f) for f in findings] == ["‘I don’t know’"]


def test_tone_words_inside_a_quotation_are_the_sources(story: Briefing) -> None:
    # The source's own words in quotation marks are not the desk's hype...
    edit(story, "what_happened", "“This summer I grew my own tomatoes again,”", "“It was incredible, the best summer!” and “This summer I grew my own tomatoes again,”")
    findings = run_checks(story, SOURCE, PROFILE, [])
    assert not [f for f in findings if f.check.startswith("tone.")]
    # ...but a headline gets no such allowance.
    story.sections["headline"] = "Patients call the lab-grown skin patch “a miracle” in a trial"
    assert only(run_checks(story, SOURCE, PROFILE, []), "tone.hype")


@pytest.mark.parametrize("url", ["https://bücher.example/news/1", "http://localhost:8080/feed", "https://example.org./a?b=c#d", "http://127.0.0.1/x"])
def test_good_source_urls(story: Briefing, url: str) -> None:
    story.source = dataclasses.replace(story.source, url=url)  # type: ignore[arg-type]
    assert not only(run_checks(story, SOURCE, PROFILE, []), "attribution.url")


def test_verbatim_and_summary_limits_come_from_the_profile(story: Briefing) -> None:
    edit(story, "why_it_feels_good", "Leg ulcers are painful", "Any patch was held in place with an ordinary bandage. Leg ulcers are painful")
    assert not only(run_checks(story, SOURCE, PROFILE, []), "traceability.verbatim")  # 8 words < 12
    strict = profile_from_text("[checks]\nverbatim_run_words = 6\nshort_source_words = 1000\n")
    findings = run_checks(story, SOURCE, strict, [])
    runs = [span_text(story, f) for f in only(findings, "traceability.verbatim")]
    assert "held in place with an ordinary bandage" in runs and "Around 1 in 100 adults in the UK" in runs
    assert only(findings, "traceability.short_source")  # 484 words < 1000: only a summary for this desk


# -- waivers --------------------------------------------------------------------------


def test_a_waiver_with_a_reason_survives_a_round_trip_and_edits_elsewhere(story: Briefing) -> None:
    from stories.checks import trailer_counts, waive

    edit(story, "why_it_feels_good", "ordinary pleasures", "UTTERLY ordinary pleasures")
    [caps] = only(run_checks(story, SOURCE, PROFILE, []), "tone.caps")
    waiver = waive(story, caps, "Sam Editor", "the patient's own words, shouted on purpose")
    assert (waiver.check, waiver.section, waiver.text) == ("tone.caps", "why_it_feels_good", "UTTERLY")

    again = codec.loads(codec.render(story, PROFILE), PROFILE)
    assert again.waivers == [waiver]
    edit(again, "summary", "Doctors in Bristol", "Surgeons in Bristol")  # another section changes
    [waived] = only(run_checks(again, SOURCE, PROFILE, []), "tone.caps")
    assert waived.severity == "info" and waived.waiver == waiver and waived.waived_from == "warning"
    assert counts(run_checks(again, SOURCE, PROFILE, []))[:2] == (0, 0)
    assert trailer_counts(run_checks(again, SOURCE, PROFILE, [])).text().endswith("passed, 0 warnings, 1 waived")

    # Change the waived text and the finding is back.
    edit(again, "why_it_feels_good", "UTTERLY", "TOTALLY")
    [back] = only(run_checks(again, SOURCE, PROFILE, []), "tone.caps")
    assert back.severity == "warning" and back.waiver is None


def test_a_waived_duplicate_source_lets_the_story_publish(story: Briefing) -> None:
    from stories.checks import waive

    published = [published_row("earlier-story", story.source.url)]
    [dup] = only(run_checks(story, SOURCE, PROFILE, published), "repository.duplicate")
    assert dup.severity == "error"
    waive(story, dup, "Sam Editor", "a follow-up with new figures, not a copy")
    assert counts(run_checks(story, SOURCE, PROFILE, published))[0] == 0


def test_a_waiver_needs_a_reason(story: Briefing) -> None:
    from stories.checks import waive

    finding = Finding("tone.caps", "summary", "warning", "x", 0, 3)
    with pytest.raises(ValueError):
        waive(story, finding, "Sam Editor", "   ")


def test_severities_come_from_the_desk(story: Briefing) -> None:
    edit(story, "why_it_feels_good", "ordinary pleasures", "UTTERLY ordinary pleasures")
    stern = profile_from_text('[checks.severity]\n"tone.caps" = "error"\n')
    assert only(run_checks(story, SOURCE, stern, []), "tone.caps")[0].severity == "error"
    off = profile_from_text('[checks.severity]\n"tone.caps.why_it_feels_good" = "off"\n')
    assert not only(run_checks(story, SOURCE, off, []), "tone.caps")


def test_quote_misquote_names_the_words_that_differ(story: Briefing) -> None:
    edit(story, "what_happened", "“This summer I grew my own tomatoes again,”", "“This summer I grew my own potatoes again,”")
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "traceability.quote")
    assert "“potatoes” where the source has “tomatoes”" in finding.message


def test_a_quote_across_a_line_break_is_one_quotation(story: Briefing) -> None:
    edit(story, "what_happened", "“This summer I grew my own tomatoes again,”", "“This summer I grew\nmy own tomatoes again,”")
    findings = run_checks(story, SOURCE, PROFILE, [])
    assert not only(findings, "traceability.quote") and not only(findings, "traceability.verbatim")


@pytest.mark.parametrize(
    "old, new",
    [
        ("Derek Hollis, a retired postman,", "Derek Hollis, 68, a retired postman,"),  # a name with a number
        ("for six years", "for six years (since he was 62)"),  # true arithmetic: 68 - 6
        ("Within three months, seven of them", "Within 3 months, 7 of them"),  # digits for words
        ("Within three months, seven of them", "Within three months, seven of the nine, or 78%,"),  # a share worked out
        ("“This summer I grew my own tomatoes again,” he said.", "“This summer … tomatoes again,” he said."),  # an ellipsis
        ("“This summer I grew my own tomatoes again,” he said.", "‘This summer I grew my own tomatoes again’, he said."),  # curly single quotes
    ],
)
def test_clean_variants_pass(story: Briefing, old: str, new: str) -> None:
    edit(story, "what_happened", old, new)
    assert [f for f in run_checks(story, SOURCE, PROFILE, []) if f.severity == "error"] == []


def test_a_splice_of_two_passages_without_an_ellipsis(story: Briefing) -> None:
    spliced = "“I had stopped going to the allotment. This summer I grew my own tomatoes again,”"
    edit(story, "what_happened", "“This summer I grew my own tomatoes again,”", spliced)
    [finding] = only(run_checks(story, SOURCE, PROFILE, []), "traceability.quote")
    assert finding.severity == "error" and "joins two separate passages" in finding.message
    edit(story, "what_happened", "allotment. This", "allotment … This")
    assert not only(run_checks(story, SOURCE, PROFILE, []), "traceability.quote")
