"""The transcript parser on a dozen small transcripts in the formats teachers bring (tests/transcripts/)."""

import json

import pytest
from conftest import ROOT

from utils import nlp, transcripts

FIXTURES = sorted((ROOT / "tests" / "transcripts").glob("*.json"))


def parsed(fixture):
    spec = json.loads(fixture.read_text(encoding="utf-8"))
    text = fixture.with_suffix(".txt").read_text(encoding="utf-8")
    return spec, text, transcripts.parse(text, **spec["parameters"])


def test_there_are_a_dozen_formats():
    assert len(FIXTURES) >= 12


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_turns_are_found(fixture):
    spec, _, result = parsed(fixture)
    spoken = result.turns[result.turns["role"].isin(["statement", "question", "answer"])]
    found = spoken.groupby("turn", sort=True)[["speaker", "role"]].first().values.tolist()
    assert found == spec["turns"], result.turns[["turn", "speaker", "role", "label", "text"]].to_string()
    assert result.is_transcript == bool(spec["turns"])


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_labels_timestamps_and_stage_directions_are_not_counted(fixture):
    spec, text, result = parsed(fixture)
    counted = result.spoken()
    for phrase in spec["not_counted"]:
        assert phrase not in counted, f"{phrase!r} is counted"
    for phrase in spec["counted"]:
        assert phrase in counted, f"{phrase!r} is missing"
    if result.is_transcript:
        speakers = {w for s in result.turns["speaker"] for w in nlp.words(s)} - set(nlp.words(counted))
        assert speakers or result.turns["speaker"].eq("Journalist").all()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_warnings(fixture):
    spec, _, result = parsed(fixture)
    for label in spec.get("warns", []):
        assert any(f"'{label}' appears inside the paragraph" in w for w in result.warnings), result.warnings
    if not spec.get("warns"):
        assert not any("appears inside" in w for w in result.warnings), result.warnings


def test_a_teacher_names_the_labels_when_the_guess_is_wrong():
    text = "HOST Anna Lee - Welcome.\n\nanna: Why now?\n\nthe minister: Because."
    guess = transcripts.parse(text)
    assert not guess.is_transcript
    named = transcripts.parse(text, labels=["anna", "the minister"], question_roles=["anna"])
    assert named.turns[["speaker", "role"]].values.tolist() == [
        ["(before the first label)", "preamble"], ["anna", "question"], ["the minister", "answer"]]


def test_one_label_is_not_a_transcript_and_says_so():
    result = transcripts.parse("An op-ed.\n\nKey Points: we act.\n\nMore prose.")
    assert not result.is_transcript and result.turns["role"].eq("text").all()
    assert result.spoken() == "An op-ed.\n\nKey Points: we act.\n\nMore prose."
    assert any("one label, 'Key Points:'" in w for w in result.warnings)


def test_text_a_keeps_its_turns():
    from utils import texts
    result = transcripts.parse(texts.load_text("a"), opening_speaker="Sergey Lavrov")
    assert result.is_transcript and not result.warnings
    assert result.turns["turn"].max() == 8 and result.turns["removed"].eq("").all()


def test_one_speaker_written_two_ways_is_one_speaker_and_said_so():
    text = ("Question: Why?\n\nSERGEY LAVROV: Because.\n\nQuestion: And?\n\nSergey Lavrov: So.\n\n"
            "MR. PRICE: Hi.\n\nMr Price: Bye.")
    result = transcripts.parse(text, opening_speaker="Sergey Lavrov")
    assert result.turns["speaker"].tolist() == ["Journalist", "Sergey Lavrov", "Journalist", "Sergey Lavrov",
                                                "MR. PRICE", "MR. PRICE"]
    assert result.warnings == [
        "paragraph 2: 'SERGEY LAVROV' is counted as 'Sergey Lavrov', the same label written another way.",
        "paragraph 6: 'Mr Price' is counted as 'MR. PRICE', the same label written another way."]


def test_an_article_quoting_an_exchange_is_read_as_one_voice_when_told():
    article = ("City approves budget\n\nBy A. Writer\n\n" + "The council met on Tuesday and argued for hours. " * 12
               + "\n\nREPORTER: Will taxes rise?\n\nMAYOR: No.\n\nThe vote was 5 to 2.")
    guess = transcripts.parse(article)
    assert guess.is_transcript and any("come before the first label and are not counted" in w for w in guess.warnings)
    told = transcripts.parse(article, transcript=False)
    assert not told.is_transcript and "REPORTER: Will taxes rise?" in told.spoken()


def test_a_named_interviewer_is_suggested_and_a_closing_time_is_not_speech():
    text = ("LENA: Why now?\n\nOKAFOR: Because.\n\nLENA: And then?\n\nOKAFOR: We vote.\n\nLENA: When?\n\n"
            "OKAFOR: Soon.\n\n1:41 P.M. EDT")
    result = transcripts.parse(text)
    assert "if LENA is the interviewer, set question_roles=['LENA']" in " ".join(result.warnings)
    assert result.turns["text"].iloc[-1] == "" and result.turns["removed"].iloc[-1] == "1:41 P.M. EDT"
    asked = transcripts.parse(text, question_roles=["Lena"])
    assert asked.turns.drop_duplicates("turn")["role"].tolist() == ["question", "answer"] * 3
