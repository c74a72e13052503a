"""Plain-words hints under common errors, in a real kernel."""

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient
from nbconvert.filters import strip_ansi
from nbgrader.utils import determine_grade

from utils import checks, hints
from utils.checks import CheckFailed


def run(*sources) -> list[str]:
    """Run cells in a fresh kernel; the last line of each error's traceback, in order."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    return [o["traceback"][-1] for c in nb.cells for o in c.outputs if o.output_type == "error"]


def test_each_hint_once_under_the_usual_error():
    last = run("from utils import hints\nhints.enable()", "boundary", "boundary", "n_words + 1",
               "1 + 'a'", 'raise NotImplementedError("Not answered yet: replace these two lines with your code.")',
               "x = [3, 1].sort()\nx[0]", "assert False, 'not a hint'")
    assert last[0].startswith("Hint: `boundary` has no value yet.")
    assert "Hint" not in last[1] and "NameError" in last[1]  # the same hint is not repeated
    assert last[2].startswith("Hint: `n_words` has no value yet.")
    assert last[3].startswith("Hint: values of type int and str do not combine this way.")
    assert last[4].startswith("Hint: this answer cell still holds its placeholder")
    assert last[5].startswith("Hint: a value here is None.")
    assert "Hint" not in last[6] and "not a hint" in last[6]


def execute(*sources, metadata=None) -> nbformat.NotebookNode:
    """A notebook of these cells, executed in a fresh kernel as nbgrader executes one (errors recorded)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    for cell in nb.cells[1:]:
        cell.metadata.update(metadata or {})
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    return nb


ENABLE = "from utils import checks, hints\nhints.enable()"
WRONG_Q1 = "boundary = 42\nchecks.expect_type(boundary, str, 'boundary')\nchecks.passed('Q1')"
GRADED = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "q1_test",
                       "schema_version": 3}}


def test_a_failed_check_is_one_short_box_but_still_an_error_that_nbgrader_scores_0():
    nb = execute(ENABLE, WRONG_Q1, "boundary = 'the heart of Europe'\n" + WRONG_Q1.split("\n", 1)[1], "%tb",
                 metadata=GRADED)
    [error] = nb.cells[1].outputs
    # an error, as nbgrader needs it: the cell fails, Run All stops, the test cell scores 0
    assert error["output_type"] == "error" and error["ename"] == "CheckFailed"
    assert error["evalue"] == "`boundary` should be text (str), but it is a whole number (int): 42."
    assert determine_grade(nb.cells[1]) == (0, 1) and determine_grade(nb.cells[2]) == (1, 1)
    assert [o["output_type"] for o in nb.cells[2].outputs] == ["stream"]  # the right answer passes
    # what the student sees: the question, what is wrong, where to look; no traceback, no kit code
    shown = strip_ansi("\n".join(error["traceback"]))
    assert shown == ("Q1: a check failed\n"
                     "`boundary` should be text (str), but it is a whole number (int): 42.\n"
                     "Look again at your answer to Q1, run its cell, then run this check again.\n"
                     "(%tb in a new cell shows the full traceback.)")
    assert error["traceback"][0] == "\x1b[1mQ1: a check failed\x1b[0m"  # bold, not red
    # the full traceback is one command away
    full = strip_ansi("\n".join(nb.cells[3].outputs[0]["traceback"]))
    assert "Traceback (most recent call last)" in full and "expect_type(boundary, str" in full
    assert "checks.py" in full and full.endswith("CheckFailed: `boundary` should be text (str), but it is a "
                                                 "whole number (int): 42.")


def test_the_box_keeps_the_checks_hint_and_names_the_question_of_any_check_cell():
    nb = execute(ENABLE,
                 "n = '9'\nchecks.expect_type(n, int, 'n', hint='len(...) gives an int.')\n"
                 "checks.passed(\"Q12 (quotations and length)\")",
                 "def mine(x):\n    checks.expect_between(x, 0, 1, 'share')\nmine(73.0)",
                 "raise checks.CheckFailed('`key` has A and B the wrong way round.')\nchecks.passed('Q2')")
    boxes = [strip_ansi("\n".join(c.outputs[0]["traceback"])).splitlines() for c in nb.cells[1:]]
    assert boxes[0][:3] == ["Q12 (quotations and length): a check failed",
                            "`n` should be a whole number (int), but it is text (str): '9'.",
                            "Hint: len(...) gives an int."]
    assert boxes[1][:2] == ["A check failed", "`share` is 73.0, which is not plausible here (expected between 0 "
                                              "and 1)."]
    assert boxes[1][2] == "Look again at your answer, run its cell, then run this check again."
    assert boxes[2][:2] == ["Q2: a check failed", "`key` has A and B the wrong way round."]
    assert all(len(box) <= 5 for box in boxes)


def test_a_failed_check_without_hints_is_the_usual_traceback():
    nb = execute("from utils import checks", WRONG_Q1)
    [error] = nb.cells[1].outputs
    assert error["ename"] == "CheckFailed" and "Traceback (most recent call last)" in strip_ansi(
        "\n".join(error["traceback"]))


def test_the_box_falls_back_to_the_usual_traceback_where_ipython_lacks_its_methods():
    class OldShell:
        shown = None

        def showtraceback(self, exc_tuple, tb_offset=None):
            self.shown = exc_tuple

    shell, error = OldShell(), CheckFailed("`x` is None.")
    hints._Hinter()(shell, CheckFailed, error, None)
    assert shell.shown == (CheckFailed, error, None)


def test_the_orientation_shows_the_box_as_it_is():
    orientation = nbformat.read(ROOT / "notebooks" / "orientation.ipynb", as_version=4)
    markdown = "\n".join(c.source for c in orientation.cells if c.cell_type == "markdown")
    with pytest.raises(CheckFailed) as err:
        checks.expect_type("9", int, "n_turns", hint="len(...) gives an int.")
    box = "\n".join(hints.check_box(err.value, "Q1"))
    assert f"```\n{box}\n```" in markdown


def test_no_hints_unless_enabled():
    assert "Hint" not in run("boundary")[0]


def test_enable_outside_ipython_does_nothing():
    assert hints.enable() is False
    assert hints.hint_for(ValueError("name 'x' is not defined")) is None


def test_a_box_raised_outside_the_parts_of_a_check_cell_names_its_question():
    nb = execute(ENABLE, "parts = checks.Parts('Q4', {'`a`': 1, '`b`': 1})\nparts = checks.Parts.hidden(object())")
    box = strip_ansi("\n".join(nb.cells[1].outputs[0]["traceback"])).splitlines()
    assert box[:2] == ["Q4: a check failed", "this check cell's `parts` is not the kit's Parts object: the checks "
                                             "were replaced in this notebook, so its tests cannot run."]
