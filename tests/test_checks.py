import contextlib
import sys

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


# ---------------------------------------------------------------------------------------------------------
# Questions in parts, and the standing table


@pytest.fixture
def fresh_standing(monkeypatch):
    """An empty standing table, as in a new kernel."""
    monkeypatch.setattr(checks, "_STANDING", {})
    monkeypatch.setattr(checks, "_HINTS_SHOWN", set())
    return checks._STANDING


def q4(answers: dict) -> checks.Parts:
    """Q4 checked as the assignment checks it: words per speaker, then Lavrov's share (visible checks only)."""
    parts = checks.Parts("Q4", {"`words_per_speaker`": 1, "`lavrov_share`": 1})
    with parts.part("`words_per_speaker`"):
        checks.expect_type(answers["words_per_speaker"], pd.Series, "words_per_speaker")
    with parts.part("`lavrov_share`"):
        checks.expect_between(answers["lavrov_share"], 0, 1, "lavrov_share", hint="a share is a part divided by "
                              "the whole.")
    checks.passed(parts)
    return parts


def displayed(value) -> dict:
    """What a notebook shows for ``value`` as a cell's last expression: IPython's formats of it."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(value)
    return data


def graded_cell(outputs, points=2):
    """A test cell with these outputs, as nbgrader scores one."""
    from nbformat.v4 import new_code_cell

    cell = new_code_cell("parts", outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": points,
                                 "grade_id": "q4_test", "schema_version": 3}
    return cell


def test_a_failed_part_says_what_is_wrong_on_stdout_and_the_others_still_count(fresh_standing, capsys):
    parts = q4({"words_per_speaker": pd.Series([272, 736]), "lavrov_share": 73.0})
    out, err = capsys.readouterr()
    assert err == ""
    assert out == ("Q4, `lavrov_share` (1 of 2 points): a check failed\n"
                   "`lavrov_share` is 73.0, which is not plausible here (expected between 0 and 1).\n"
                   "Hint: a share is a part divided by the whole.\n"
                   "Look again at your answer to Q4, run its cell, then run this check again.\n")
    assert parts.score == 1.0 and parts.passed_parts() == ["`words_per_speaker`"]
    assert "visible checks passed" not in out  # only when every part passed
    q4({"words_per_speaker": pd.Series([272, 736]), "lavrov_share": 0.73})
    assert capsys.readouterr().out == "Q4: visible checks passed; hidden tests run at grading.\n"


def test_every_kind_of_failure_is_caught_in_its_part_and_keeps_its_message(fresh_standing, capsys):
    parts = checks.Parts("Q9", {"a": 1, "b": 1, "c": 1, "d": 0.5, "e": 0.5})
    with parts.part("a"):
        raise checks.CheckFailed("`a` is None.")
    with parts.part("b"):
        assert 1 == 2, "Q9: the hidden test of b"
    with parts.part("c"):
        raise NameError("name 'refugees_at_text_a' is not defined")
    with parts.part("d"):
        {}["missing"]  # noqa: B018 (an error of the student's value, as a check meets it)
    with parts.part("e"):
        print("a warning of the student's code", file=sys.stderr)  # a Python warning too: see test_partial_credit
    out, err = capsys.readouterr()
    assert err == ""  # anything on stderr would cost nbgrader's whole cell
    assert "Q9, a (1 of 4 points): a check failed\n`a` is None.\nLook again at your answer to Q9" in out
    assert "Q9, b (1 of 4 points): a test failed\nQ9: the hidden test of b\n" in out
    assert ("Q9, c (1 of 4 points): an error\nNameError: name 'refugees_at_text_a' is not defined\n"
            "Hint: `refugees_at_text_a` has no value yet.") in out
    assert "Q9, d (0.5 of 4 points): an error\nKeyError: 'missing'\n(%tb in a new cell shows where it happened.)" in out
    assert out.endswith("a warning of the student's code\n")
    assert parts.score == 0.5 and parts.passed_parts() == ["e"]
    assert sys.last_type is KeyError  # %tb shows the last unforeseen error


def test_a_part_says_its_first_failure_only_and_an_interrupt_still_stops_the_cell(fresh_standing, capsys):
    parts = checks.Parts("Q8", {"the `we` counts": 1, "the `they` counts": 1})
    for message in ("visible", "hidden"):  # a visible check and a hidden test of the same part
        with parts.part("the `we` counts"):
            raise checks.CheckFailed(f"`stance` fails its {message} check.")
    assert capsys.readouterr().out.count("a check failed") == 1 and "visible" in parts.failed["the `we` counts"]
    with pytest.raises(KeyboardInterrupt):  # a cell that runs over its time is interrupted, as any cell
        with parts.part("the `they` counts"):
            raise KeyboardInterrupt
    with pytest.raises(ValueError, match="Q8 has no part 'they'"):
        parts.part("they")
    with pytest.raises(ValueError, match="give each part its points"):
        checks.Parts("Q1", {"a": 0})


@pytest.mark.parametrize("outcome, score", [({"a"}, 0.5), ({"a", "b"}, 1.5), (set(), 0.0), ({"a", "b", "c"}, 2.0)])
def test_nbgrader_reads_the_points_earned_from_the_cell_and_never_more_than_its_points(fresh_standing, capsys,
                                                                                       outcome, score):
    from nbformat.v4 import new_output
    from nbgrader.utils import determine_grade, get_partial_grade

    parts = checks.Parts("Q3", {"a": 0.5, "b": 1, "c": 0.5})
    for label in parts.points:
        with parts.part(label):
            if label not in outcome:
                raise checks.CheckFailed(f"`{label}` is wrong.")
    data = displayed(parts)
    assert data["text/plain"] == repr(score) and "text/html" not in data  # markup that nbgrader's sanitiser keeps
    stream = new_output("stream", name="stdout", text=capsys.readouterr().out)
    result = new_output("execute_result", data=data, execution_count=1)
    assert get_partial_grade(result, 2.0) == score
    assert determine_grade(graded_cell([stream, result])) == (score, 2.0)
    # what stdout carries is the student's to read; on stderr it would cost the whole cell
    assert determine_grade(graded_cell([new_output("stream", name="stderr", text="x"), result])) == (0, 2.0)
    for label in parts.points:  # a part run again cannot earn its points twice
        with parts.part(label):
            pass
    assert parts.score <= parts.total == 2.0


def test_the_summary_lists_each_part_and_says_when_hidden_tests_decided(fresh_standing, capsys):
    parts = q4({"words_per_speaker": pd.Series([1]), "lavrov_share": 7.3})
    visible = displayed(parts)["text/markdown"]
    assert visible.startswith("**Q4**: 1 of 2 parts pass their visible checks (1 of 2 points; hidden tests decide "
                              "the points at grading)")
    assert "- ✓ `words_per_speaker` (1 point): passed\n" in visible
    assert "- ✗ `lavrov_share` (1 point): not passed (its message is above)\n" in visible
    graded = checks.Parts.hidden(parts)
    assert graded is parts and displayed(parts)["text/markdown"].startswith("**Q4: 1 of 2 points**")
    assert repr(parts) == "<Parts of Q4: 1 of 2 points>"


def test_hidden_tests_refuse_a_parts_made_in_the_notebook(fresh_standing):
    class LooksLikeParts:  # what a student could bind to checks.Parts: every failure swallowed, full points shown
        def part(self, label):
            return contextlib.suppress(Exception)

        def _repr_pretty_(self, printer, cycle):
            printer.text("2.0")

    for fake in (LooksLikeParts(), type("Sub", (checks.Parts,), {})("Q4", {"a": 2})):
        with pytest.raises(CheckFailed, match="is not the kit's Parts object"):
            checks.Parts.hidden(fake)


def test_the_standing_table_follows_the_check_cells(fresh_standing, capsys):
    from types import SimpleNamespace

    table = {"Q1": 1, "Q1b": 0, "Q4": 2, "Q8": 2, "Q12": 1, "Q10": 1}
    del table["Q1b"]
    checks.passed("Q1")
    checks.passed("Q12 (quotations and length)")
    q4({"words_per_speaker": pd.Series([1]), "lavrov_share": 7.3})
    shown = checks.standing(table, by_instructor={"Q1b": 1, "Q12": 4})
    assert shown.rows() == [("Q1", "1", "✓ passed"), ("Q1b", "1 by your instructor", "graded by your instructor"),
                            ("Q4", "2", "1 of 2 parts passed: `words_per_speaker`"), ("Q8", "2", "not run yet"),
                            ("Q10", "1", "not run yet"),
                            ("Q12", "1 + 4 by your instructor", "✓ passed (quotations and length)")]
    markdown = displayed(shown)["text/markdown"]
    assert "| Q4 | 2 | 1 of 2 parts passed: `words_per_speaker` |" in markdown
    assert "| **All** | **7 autograded + 5 by your instructor = 12 in all** | |" in markdown
    assert "**Hidden tests** run when your instructor grades the notebook" in markdown
    assert "<" not in markdown  # no HTML: feedback's sanitiser would show the tags as text
    assert "Q12       1 + 4 by your instructor  ✓ passed (quotations and length)" in repr(shown)
    # a check cell run again: cleared when it starts, not passed if it raises (a failed check or hidden test)
    cell = SimpleNamespace(raw_cell="checks.expect_type(n, int, 'n')\nchecks.passed('Q1')")
    checks._before_cell(cell)
    assert shown.rows()[0][2] == "not run yet"
    checks.passed("Q1")
    checks._after_cell(SimpleNamespace(success=False, info=cell))
    assert shown.rows()[0][2] == "✗ not passed yet"
    checks._after_cell(SimpleNamespace(success=True, info=cell))
    assert shown.rows()[0][2] == "✗ not passed yet"
    assert checks.track() is False  # outside IPython there is nothing to follow


def test_question_labels():
    assert checks.labels_in("parts = checks.Parts('Q4', {})\nchecks.passed(\"Q12 (length)\")") == ["Q4", "Q12 (length)"]
    assert [checks.question_of(x) for x in ("Q4", "Q12 (quotations and length)", "Q1b", "Practice question")] == [
        "Q4", "Q12", "Q1b", "Practice question"]
    assert sorted(["Q10", "Q2", "Q1b", "Q1"], key=checks.question_order) == ["Q1", "Q1b", "Q2", "Q10"]


def test_a_result_shown_from_inside_a_part_fails_it_instead_of_passing_for_its_points(fresh_standing, capsys):
    class Forged(pd.Series):  # an answer whose method shows a number, as if it were the cell's points
        def sum(self, *args, **kwargs):
            sys.displayhook(2.0)
            return 1008

    hook = sys.displayhook
    parts = checks.Parts("Q4", {"`words_per_speaker`": 1, "`lavrov_share`": 1})
    with parts.part("`words_per_speaker`"):
        assert Forged([272, 736]).sum() == 1008
    with parts.part("`lavrov_share`"):
        sys.displayhook(None)  # what a plain expression statement does with None: nothing
    assert sys.displayhook is hook and parts.passed_parts() == ["`lavrov_share`"]
    assert "tried to show a result of its own (sys.displayhook)" in capsys.readouterr().out
