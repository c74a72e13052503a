import matplotlib.pyplot as plt
import pytest

from utils import reading, texts


@pytest.fixture(scope="module")
def turns():
    return texts.parse_turns(texts.load_text("a"))


def test_concordance_wildcard_over_turns(turns):
    hits = reading.concordance(turns, "secur*")
    assert list(hits.columns) == reading.KWIC_COLUMNS
    assert len(hits) == 9 and set(hits["match"].str.lower()) == {"security"}
    assert hits["turn"].value_counts().to_dict() == {0: 8, 1: 1}
    first = hits.iloc[0]
    assert first["left"].endswith("important statement on international")
    assert first["right"].startswith(", in which they fixed")
    assert first["position"] == 20


def test_concordance_is_sortable_and_bounded(turns):
    hits = reading.concordance(turns, "NATO", width=15)
    assert (hits["left"].str.len() <= 15).all() and (hits["right"].str.len() <= 15).all()
    ordered = hits.sort_values("right")["right"].tolist()
    assert ordered == sorted(ordered)


def test_concordance_phrases_regex_and_plain_text():
    a = texts.load_text("a")
    assert len(reading.concordance(a, "indivisibility of security")) == 2
    assert reading.concordance(a, "indivisibility of security")["turn"].isna().all()
    assert len(reading.concordance(a, r"\b(we|our|us)\b", regex=True)) == 20
    # typography is normalised: a straight apostrophe finds the curly one
    assert len(reading.concordance(a, "don't")) == 1
    # a wildcard does not match inside a longer word
    assert reading.concordance("insecurity and security", "secur*")["match"].tolist() == ["security"]
    assert reading.concordance("", "x").empty


def test_concordance_position_counts_words():
    hits = reading.concordance("One two three two", "two")
    assert hits["position"].tolist() == [1, 3]


def test_frequencies():
    table = reading.frequencies("The West, the West and dialogue.")
    assert table.to_dict("records") == [
        {"word": "west", "count": 2, "per_1000": 333.33}, {"word": "dialogue", "count": 1, "per_1000": 166.67}]
    with_stop = reading.frequencies("the the west", drop_stopwords=False, top=1)
    assert with_stop.to_dict("records") == [{"word": "the", "count": 2, "per_1000": 666.67}]
    assert reading.frequencies("").empty


def test_dispersion_plot_returns_axes():
    a = texts.load_text("a")
    fig, ax = plt.subplots()
    out = reading.dispersion_plot(a, ["NATO", "dialogue"], ax=ax, title="T")
    assert out is ax and ax.get_title() == "T"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["NATO", "dialogue"]
    xs = ax.lines[0].get_xdata()
    assert len(xs) == len(reading.concordance(a, "NATO")) + len(reading.concordance(a, "dialogue"))
    plt.close(fig)
    assert reading.dispersion(a, []).empty
    given = reading.dispersion(a, ["NATO"])
    ax = reading.dispersion_plot(a, ["NATO"], hits=given)
    assert list(ax.lines[0].get_xdata()) == given["position"].tolist()
    plt.close(ax.figure)


def test_kwic_is_aligned_whole_words_with_speakers_and_sorts():
    turns = texts.parse_turns(texts.load_text("a"))
    table = reading.kwic(turns, ["secur*", "NATO"], width=30, sort="left")
    assert len(table) == len(reading.concordance(turns, "secur*")) + len(reading.concordance(turns, "NATO"))
    assert set(table["speaker"]) == {"Sergey Lavrov", "Journalist"}
    text = " ".join(texts.paragraphs(texts.load_text("a")))
    for row in table.itertuples():
        assert len(row.left) <= 30 and len(row.right) <= 30
        assert f"{row.left} {row.match}" in " ".join(text.replace("\u2019", "'").split())  # starts on a whole word
    lefts = table[table["term"] == "secur*"]["left"].str.extract(r"(\w+)\W*$", expand=False).str.lower().tolist()
    assert lefts == sorted(lefts)
    lines = reading.kwic_lines(table[table["term"] == "NATO"])
    assert len({line.index("  NATO") for line in lines}) == 1
    assert any("NATO." in line or "NATO," in line for line in lines)  # punctuation stays with the word


def test_kwic_of_a_plain_text_has_no_turn_or_speaker():
    table = reading.kwic(texts.load_text("b"), ["displac*"])
    assert list(table.columns) == ["term", "left", "match", "right", "position"] and len(table) == 9
    with pytest.raises(ValueError, match="sort is 'middle'"):
        reading.kwic("x", ["x"], sort="middle")


SEARCHED = ["secur*", "NATO", "West*", "world war", "war war", "US", "u.s.", "don't", "*ism", "i", "the", "x*",
            "e.g.", "istanbul", "kelvin", "Security Council"]


@pytest.mark.parametrize("source", [
    "turns of Text A", texts.load_text("b"),
    "war war war world war world\n\nwar. Insecurity, security-minded, SECURE; the U.S. and the US",
    "\u017fecurity Security \u0130stanbul istanbul \u212aELVIN kelvin",  # letters IGNORECASE folds to ASCII
])
def test_the_fast_search_finds_what_the_pattern_finds(source, turns):
    """Searching the lowercased text for a term's literal start gives the same rows as the pattern's own scan."""
    source = turns if source == "turns of Text A" else source
    fast = reading._kwic_rows(source, reading._patterns(SEARCHED), 40)
    slow = reading._kwic_rows(source, {t: (reading.term_pattern(t), "") for t in SEARCHED}, 40)
    assert fast == slow and len(fast) > 0
