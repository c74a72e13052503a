import numpy as np
import pandas as pd
import pytest

from utils import checks, nlp
from utils.checks import CheckFailed


def test_passed_message(capsys):
    checks.passed("Q3")
    assert capsys.readouterr().out == "Q3: visible checks passed; hidden tests run at grading.\n"


def test_expect_type_messages_name_the_variable_and_the_type():
    checks.expect_type(np.int64(3), int, "n")
    checks.expect_type(3, float, "share")
    checks.expect_type(np.True_, bool, "flag")
    with pytest.raises(CheckFailed, match=r"`n` should be a whole number \(int\), but it is a number \(float\): 3.0"):
        checks.expect_type(3.0, int, "n")
    with pytest.raises(CheckFailed, match="should be a whole number"):
        checks.expect_type(True, int, "n")
    with pytest.raises(CheckFailed, match="is None, not a whole number .int.: store your answer"):
        checks.expect_type(None, int, "n")
    with pytest.raises(CheckFailed, match="Hint: use len"):
        checks.expect_type([1], int, "n", hint="use len")
    with pytest.raises(CheckFailed, match="a pandas DataFrame, but it is a pandas Series"):
        checks.expect_type(pd.Series([1]), pd.DataFrame, "t")


def test_expect_between_length_items_columns_in():
    checks.expect_between(0.5, 0, 1, "share")
    with pytest.raises(CheckFailed, match="not plausible"):
        checks.expect_between(73.0, 0, 1, "share")
    with pytest.raises(CheckFailed, match="has 1 items; expected 2"):
        checks.expect_length(["a"], 2, 2, "pair")
    with pytest.raises(CheckFailed, match="has 0 rows"):
        checks.expect_length(pd.DataFrame(), 1, 5, "table")
    with pytest.raises(CheckFailed, match=r"`xs\[1\]` should be a whole number"):
        checks.expect_items([1, "2"], int, "xs")
    with pytest.raises(CheckFailed, match="has no column 'they'"):
        checks.expect_columns(pd.DataFrame({"we": [1]}), ["we", "they"], "stance")
    with pytest.raises(CheckFailed, match=r"not one of \['a', 'b'\]"):
        checks.expect_in("c", {"a", "b"}, "x")
    with pytest.raises(CheckFailed, match="not allowed here") as err:
        checks.expect_in("zz", {str(i) for i in range(50)}, "x")
    assert "'7'" not in str(err.value)  # a long list of options is never shown: it could hold the answer


def test_expect_in_text_ignores_typography_but_wants_whole_words():
    checks.expect_in_text("I don't think", "I don\u2019t  think so", "q")
    checks.expect_in_text("great britain", "neither Great Britain, nor France", "q")
    with pytest.raises(CheckFailed, match="does not occur in text_a: take it from text_a itself"):
        checks.expect_in_text("I do not think", "I don\u2019t think so", "q", source_name="text_a")
    with pytest.raises(CheckFailed, match="does not occur"):
        checks.expect_in_text("UK", "the Ukrainian side", "q")
    with pytest.raises(CheckFailed, match="is empty"):
        checks.expect_in_text(" ", "text", "q")


def test_expect_sentence_wants_one_whole_sentence():
    text = "We remain open to dialogue, but it takes two to tango. Our partners dance alone."
    checks.expect_sentence("Our partners dance alone.", text, "s")
    two_sentences = "We remain open to dialogue, but it takes two to tango. Our partners dance alone."
    for part in ("it takes two to tango", two_sentences):
        with pytest.raises(CheckFailed, match="not one whole sentence"):
            checks.expect_sentence(part, text, "s")


def test_expect_in_describes_options_without_listing_answers():
    with pytest.raises(CheckFailed, match="is 3, which is not a turn of an answer.") as err:
        checks.expect_in(3, {2, 4, 6, 8}, "turn", what="a turn of an answer")
    assert "8" not in str(err.value)
    with pytest.raises(CheckFailed, match="should be a single value, but it is a pandas Series"):
        checks.expect_in(pd.Series(["exact"]), {"exact", "approximate"}, "precision")
    with pytest.raises(CheckFailed, match="but it is an Index"):
        checks.expect_type(pd.Index([1]), list, "years")
    with pytest.raises(CheckFailed, match=r"should be a date \(pd.Timestamp\), but it is text"):
        checks.expect_type("2023-06-30", pd.Timestamp, "date_110")
    with pytest.raises(CheckFailed, match="has no 'Sergey Lavrov'"):
        checks.expect_contains(pd.Index(["Journalist"]), "Sergey Lavrov", "words_per_speaker")


SOURCE = "We remain open to dialogue, but it takes two to tango. Our Western partners are breakdancing alone so far."


def test_quotes_are_found_in_straight_and_curly_marks():
    prose = 'He says \u201cit takes two to tango\u201d and "Our  Western\npartners".'
    assert checks.quotes(prose) == ["it takes two to tango", "Our  Western\npartners"]
    assert checks.check_quotes(prose, SOURCE)["found"].tolist() == [True, True]


def test_quote_checker_handles_omission_case_punctuation_and_word_boundaries():
    table = checks.check_quotes(
        '"We remain open ... to tango." "our western partners" "partners are dancing" "tan" "so far,"', SOURCE)
    assert table["found"].tolist() == [True, True, False, False, True]
    # parts around an omission must come in the text's order
    assert not checks.check_quotes('"to tango ... We remain"', SOURCE)["found"].iloc[0]


def test_expect_quotes_reports_each_wrong_quote():
    checks.expect_quotes('"it takes two to tango" and "breakdancing alone"', SOURCE, "p", min_quotes=2)
    with pytest.raises(CheckFailed, match='has 0 passage') as err:
        checks.expect_quotes("no quotes here", SOURCE, "p", min_quotes=1)
    with pytest.raises(CheckFailed) as err:
        checks.expect_quotes('"it takes three to tango" and "breakdancing alone" and "us"', SOURCE, "p")
    message = str(err.value)
    assert '- "it takes three to tango"' in message and '- "us"' in message
    assert "breakdancing alone" not in message
    # the term is us or them; what to leave out is the quotation marks (not "them")
    assert "write a term you discuss, such as us or them, without quotation marks." in message
    assert "without them" not in message


def test_odd_number_of_quotation_marks_is_named():
    with pytest.raises(CheckFailed, match="3 double quotation marks, an odd number"):
        checks.expect_quotes('"it takes two to tango" and "breakdancing alone', SOURCE, "p")


def test_word_count_checks():
    assert checks.word_count("It's not just about recognising the problem.") == 7
    checks.expect_word_count("one two three", 2, 5, "p")
    with pytest.raises(CheckFailed, match="has 3 words; write at least 10") as err:
        checks.expect_word_count("one two three", 10, 20, "p")
    assert str(err.value).endswith("(words are counted between spaces, as a person counts them: 4.82 or 110.0 "
                                   "is one word).")
    with pytest.raises(CheckFailed, match="cut it to at most 2 .words are counted between spaces"):
        checks.expect_word_count("one two three", 1, 2, "p")


def test_words_are_counted_as_a_person_counts_them():
    # a number is one word, whatever its point, comma, sign or unit; so are contractions and hyphenated words
    figures = "UNHCR counted 110.0 million at mid-2023, 4.82% more: 1,500,000 people, $2.5bn, don't."
    assert figures.split() == ["UNHCR", "counted", "110.0", "million", "at", "mid-2023,", "4.82%", "more:",
                               "1,500,000", "people,", "$2.5bn,", "don't."]
    assert checks.word_count(figures) == 12
    assert len(nlp.words(figures)) == 17  # the tokeniser of frequency lists splits 110.0, 4.82, 1,500,000, 2.5bn
    # a dash or an ellipsis standing alone is no word; an em dash or -- between words separates them
    assert checks.word_count("It grew - and grew ... and grew") == 6
    assert checks.word_count("peace\u2014or war") == checks.word_count("peace--or war") == 3
    assert checks.word_count("Euro-Atlantic 2015\u20132024") == 2  # a hyphen or an en dash joins
    assert checks.word_count("  one\ttwo\n\nthree\u00a0four ") == 4
    assert checks.word_count("") == checks.word_count(" ... ") == 0


def test_a_figure_heavy_verdict_is_counted_as_written():
    # 331 words, 15 of them decimals: nlp.words made 346 of them and refused a verdict within its limit
    sentence = "UNHCR counted 110.0 million forcibly displaced people by mid-2023."  # 9 words
    verdict = " ".join([sentence] * 15 + ["word"] * (331 - 9 * 15))
    assert checks.word_count(verdict) == 331 and len(nlp.words(verdict)) == 346
    checks.expect_word_count(verdict, 200, 331, "verdict")
    with pytest.raises(CheckFailed, match="`verdict` has 331 words; cut it to at most 330"):
        checks.expect_word_count(verdict, 200, 330, "verdict")


def test_quotes_from_several_texts():
    sources = {"Text A": "It takes two to tango.", "Text B": "We urge governments to act."}
    table = checks.check_quotes('"takes two to tango" and "We urge governments" and "dance"', sources)
    assert table["found_in"].tolist()[:2] == ["Text A", "Text B"] and not table["found"].iloc[2]
    checks.expect_quotes('"takes two" "urge governments"', sources, "p", min_quotes=2, min_per_source=1)
    with pytest.raises(CheckFailed, match="does not quote Text B; quote each text at least once"):
        checks.expect_quotes('"takes two" "to tango"', sources, "p", min_quotes=2, min_per_source=1)
    # a passage found in both texts counts for both
    both = {"Text A": "the importance of dialogue", "Text B": "the importance of law"}
    assert checks.check_quotes('"the importance of"', both)["found_in"].tolist() == ["Text A, Text B"]
    checks.expect_quotes('"the importance of"', both, "p", min_per_source=1)
    with pytest.raises(CheckFailed, match="quotes Text A 1 times; quote it at least 2 times"):
        checks.expect_quotes('"the importance of"', both, "p", min_per_source=2)


def test_punctuation_is_not_a_quotation():
    assert checks.check_quotes('"." and "..."', SOURCE)["found"].tolist() == [False, False]


def test_expect_among_ignores_typography():
    candidates = ["\u201cHowever this child wants to amuse himself\u2026\u201d", "Other."]
    checks.expect_among('"however this child wants to amuse himself..."', candidates, "s", what="a candidate")
    with pytest.raises(CheckFailed, match="`s` is not a positive sentence."):
        checks.expect_among("Another.", candidates, "s", what="a positive sentence")


def test_numpy_numbers_are_described_plainly():
    with pytest.raises(CheckFailed, match=r"should be a whole number \(int\), but it is a number \(float\): 2.0\."):
        checks.expect_type(np.float64(2.0), int, "n")
