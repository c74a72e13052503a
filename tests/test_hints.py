"""Plain-words hints under common errors, in a real kernel."""

import nbformat
from nbclient import NotebookClient

from utils import hints


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


def test_a_failed_check_shows_the_students_cell_and_message_not_the_kits_code():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in [
        "from utils import checks, hints\nhints.enable()",
        "boundary = 42\nchecks.expect_type(boundary, str, 'boundary')"]])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    [error] = nb.cells[1].outputs
    shown = "\n".join(error["traceback"])
    assert error["ename"] == "CheckFailed" and "checks.py" not in shown and "expect_type(boundary, str" in shown
    assert shown.endswith("`boundary` should be text (str), but it is a whole number (int): 42.")


def test_no_hints_unless_enabled():
    assert "Hint" not in run("boundary")[0]


def test_enable_outside_ipython_does_nothing():
    assert hints.enable() is False
    assert hints.hint_for(ValueError("name 'x' is not defined")) is None
