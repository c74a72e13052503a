"""Word-list hits judged in context: the country US, the month May, "about" as "concerning",
polite requests, quoted speech; rates per 1,000 words of what is counted."""

import pandas as pd
import pytest

from utils import markers, nlp, stance, texts


@pytest.mark.parametrize("text, entry, counted, why", [
    ("The US and China met.", "us", False, "US: the country, not the pronoun"),
    ("They told us to wait.", "us", True, ""),
    ("On May 6, 2019 they met.", "may", False, "May: the month"),
    ("They met on 6 May 2019.", "may", False, "May: the month"),
    ("Talks resumed in May.", "may", False, "May: the month"),
    ("May I ask a question?", "may", False, "may i: a polite request, not a hedge"),
    ("We may act.", "may", True, ""),
    ("It is about trust.", "about", False, 'about: not before a number, so "concerning", not "approximately"'),
    ("About 110 million people fled.", "about", True, ""),
    ("around a third of them", "around", True, ""),
    ("around the world", "around", False, 'around: not before a number, so "concerning", not "approximately"'),
    ("Could you comment on that?", "could", False, "could you: a polite request, not a hedge"),
])
def test_each_hit_is_judged_in_context(text, entry, counted, why):
    table = markers.hits(text)
    rows = table[(table["entry"] == entry) & (table["list"].isin(["hedges", "we"]))]
    assert len(rows) == 1, table
    assert (bool(rows["counted"].iloc[0]), rows["why_not"].iloc[0]) == (counted, why)


def test_a_modal_stays_a_modal_in_a_request():
    table = markers.hits("Could you comment?")
    assert table.set_index("list").loc["modals", "counted"]


def test_quoted_speech_is_marked_and_not_counted():
    text = 'He said: "We must act now." We will see.\n\n"We must," she wrote, and we agreed.'
    table = markers.hits(text)
    must = table[(table["entry"] == "must") & (table["list"] == "boosters")]
    assert must["quoted"].tolist() == [True, True] and not must["counted"].any()
    we = table[table["entry"] == "we"]
    assert we["quoted"].tolist() == [True, False, True, False]
    assert set(we.loc[~we["counted"], "why_not"]) == {"inside quotation marks: someone else's words?"}


def test_lines_are_whole_words_and_filled_later():
    text = "Perhaps the alliance will grow, perhaps not, and nobody can say when it will."
    fast = markers.hits(text, width=0)
    assert set(fast["left"]) == {""} and set(fast["right"]) == {""}
    lines = markers.in_context(fast, text, 12)
    row = lines[(lines["entry"] == "perhaps") & (lines["position"] == 5)].iloc[0]
    assert (row["left"], row["node"], row["right"]) == ("will grow,", "perhaps", "not, and")


def test_the_course_texts_keep_every_hit_but_the_two_abouts():
    table = markers.hits({"A": texts.load_text("a"), "B": texts.load_text("b")})
    assert table.loc[~table["counted"], ["segment", "entry"]].values.tolist() == [["B", "about"], ["B", "about"]]
    # beside the forms stance.entry_counts counts, the same number of hits
    for name in ("A", "B"):
        words = texts.load_text(name.lower())
        for lexicon in stance.LEXICONS:
            counted = int(stance.entry_counts(nlp.words(words), stance.lexicon(lexicon)).sum())
            assert len(table[(table["segment"] == name) & (table["list"] == lexicon)]) == counted


def test_rates_count_only_what_is_counted():
    table = markers.hits({"A": "We may meet about it. We may.", "B": "The US waits."})
    rates = markers.rates(table, pd.Series({"A": 7, "B": 3}))
    assert rates.loc["A", "hedges"] == round(2 * 1000 / 7, 2)  # "may" twice, "about" not
    assert rates.loc["B", "we"] == 0.0


def test_a_judgement_never_looks_across_a_turn():
    table = markers.hits({"Maria": "I wish it could.\n\nI hear you. Let me be clear about one thing."})
    could = table[(table["entry"] == "could") & (table["list"] == "hedges")].iloc[0]
    assert could["counted"] and could["right"] == "."
    about = table[table["entry"] == "about"].iloc[0]
    assert not about["counted"]  # "about one thing" is "concerning"
    assert markers.hits("About one million fled.").query("entry == 'about'")["counted"].all()
