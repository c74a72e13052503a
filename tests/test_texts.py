import pytest

from utils import texts


def test_load_text_names():
    assert texts.load_text("a") == texts.load_text("text_a") == texts.load_text("A")
    assert texts.load_text("b").startswith("Forced displacement represents")
    with pytest.raises(KeyError, match="use 'a'"):
        texts.load_text("c")


def test_parse_turns_of_text_a():
    turns = texts.parse_turns(texts.load_text("a"))
    assert list(turns.columns) == texts.TURN_COLUMNS
    assert len(turns) == 17 and turns["turn"].max() == 8
    roles = turns.groupby("turn")["role"].first().tolist()
    assert roles == ["statement"] + ["question", "answer"] * 4
    assert set(turns.loc[turns["role"] == "question", "speaker"]) == {"Journalist"}
    assert set(turns.loc[turns["role"] != "question", "speaker"]) == {"Sergey Lavrov"}
    assert turns["paragraph"].tolist() == list(range(1, 18))
    assert not turns["text"].str.match(r"(Question|Sergey Lavrov):").any()
    assert turns[turns["turn"] == 8]["text"].iloc[0] == "Do they compare me with anyone? Ribbentrop?"


def test_parse_turns_of_other_transcripts():
    text = "Opening words.\n\nQ: Why?\n\nJane Doe: Because.\n\nMore of it.\n\nJohn Roe: And I add."
    turns = texts.parse_turns(text, default_speaker="Host")
    assert turns[["turn", "speaker", "role"]].values.tolist() == [
        [0, "Host", "statement"], [1, "Journalist", "question"], [2, "Jane Doe", "answer"],
        [2, "Jane Doe", "answer"], [3, "John Roe", "statement"]]


def test_parse_turns_of_empty_text():
    assert texts.parse_turns("").empty
