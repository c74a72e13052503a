import pandas as pd
import pytest

from utils import stance, texts


@pytest.fixture(scope="module")
def turns():
    return texts.parse_turns(texts.load_text("a"))


def test_lexicons_have_sources_and_entries(root):
    for name in stance.LEXICONS:
        words = stance.lexicon(name)
        assert len(words) >= 20 and len(set(words)) == len(words)
        header = (root / "data" / "lexicons" / f"{name}.txt").read_text().splitlines()[:3]
        assert any("Source:" in line for line in header)
    assert {"in fact", "of course"} <= set(stance.lexicon("boosters"))
    with pytest.raises(KeyError, match="use one of"):
        stance.lexicon("adverbs")


def test_entry_counts_phrases_and_words():
    tokens = "in fact we must in fact perhaps".split()
    counts = stance.entry_counts(tokens, ["in fact", "must", "perhaps", "of course"])
    assert counts.to_dict() == {"in fact": 2, "must": 1, "perhaps": 1, "of course": 0}
    assert stance.entry_counts([], ["in fact"]).to_dict() == {"in fact": 0}


def test_stance_per_turn(turns):
    table = stance.stance(turns)
    assert list(table.index) == list(range(9))
    assert table.loc[[0, 2, 4, 6, 8], "we"].tolist() == [6, 8, 1, 0, 4]
    assert table.loc[[0, 2, 4, 6, 8], "they"].tolist() == [2, 2, 0, 0, 4]
    assert table["questions"].sum() == 10
    assert table["words"].sum() == 1008


def test_questions_in_answers(turns):
    found = stance.questions_in_answers(turns)
    assert found["turn"].tolist() == [8, 8] and set(found["role"]) == {"answer"}


def test_per_1000_and_empty_segments():
    table = stance.stance({"x": "We must act. We must.", "empty": "", "punct": "... !!!"})
    rates = stance.per_1000(table)
    assert rates.loc["x", "we"] == pytest.approx(2 * 1000 / 5)
    assert rates.loc["empty"].drop(["words", "sentences"]).eq(0).all()
    assert table.loc["punct", ["words", "sentences"]].tolist() == [0, 0]


def test_edge_case_texts():
    odd = ("\u201cWe\u00a0must\u201d \u2014 they said\u2026 Nous devons agir. "
           "\u041c\u044b \u0434\u043e\u043b\u0436\u043d\u044b.")
    table = stance.stance(odd)
    assert table.loc["text", "we"] == 1 and table.loc["text", "modals"] == 1 and table.loc["text", "they"] == 1
    long_text = " ".join(["We must perhaps act, they say."] * 20000)
    big = stance.stance(long_text)
    assert big.loc["text", "we"] == 20000 and big.loc["text", "hedges"] == 20000


def test_sentiment_per_sentence_and_turn(turns):
    sentences = stance.sentence_sentiment(turns)
    assert list(sentences.columns) == ["segment", "sentence", "neg", "neu", "pos", "compound"]
    assert len(sentences) == 55 and sentences.groupby("segment").size().to_dict()[8] == 12
    per_turn = stance.segment_sentiment(turns)
    assert list(per_turn.index) == list(range(9))
    assert per_turn["compound"].between(-1, 1).all()
    assert stance.sentence_sentiment([]).empty


def test_profile_is_one_tidy_row_per_segment():
    prof = stance.profile({"A": texts.load_text("a"), "B": texts.load_text("b")})
    assert list(prof.index) == ["A", "B"]
    assert {"words", "we", "we_per_1000", "hedges_per_1000", "compound"} <= set(prof.columns)
    assert prof.loc["B", "they_per_1000"] > prof.loc["A", "they_per_1000"]
    with pytest.raises(ValueError, match="columns 'turn' and 'text'"):
        stance.stance(pd.DataFrame({"x": [1]}))
