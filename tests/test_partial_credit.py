"""Partial credit for questions in parts: in a real kernel, and through a real autograde and its feedback."""

import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from utils.course import model, synthetic
from utils.grading import gradebook

A1, A3 = "a1_close_reading", "a3_displacement_data"
GRADED = {"grade": True, "solution": False, "locked": True, "grade_id": "q4_test", "schema_version": 3}

PARTS_CELL = '''parts = checks.Parts("Q4", {"`words_per_speaker`": 1, "`lavrov_share`": 1})
with parts.part("`words_per_speaker`"):
    checks.expect_type(words_per_speaker, dict, "words_per_speaker")
    warnings.warn("a warning in a part goes to stdout")
with parts.part("`lavrov_share`"):
    checks.expect_between(lavrov_share, 0, 1, "lavrov_share")
checks.passed(parts)
parts'''


def run(cells: list[tuple[str, dict | None]]) -> nbformat.NotebookNode:
    """A notebook of these cells (source, nbgrader metadata), executed in a fresh kernel as nbgrader does."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source, _ in cells])
    for cell, (_, meta) in zip(nb.cells, cells, strict=True):
        if meta:
            cell.metadata["nbgrader"] = meta
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    return nb


def test_parts_in_a_kernel_score_partly_and_the_standing_table_follows_each_run():
    q1 = "checks.expect_type(n, int, 'n')\nchecks.passed('Q1')"
    nb = run([("import warnings\nfrom utils import checks, hints\nhints.enable()", None),
              ("n = 3\nwords_per_speaker = {'Sergey Lavrov': 736}\nlavrov_share = 73.0", None),
              (q1, {**GRADED, "grade_id": "q1_test", "points": 1}),
              (PARTS_CELL, {**GRADED, "points": 2}),
              ("checks.standing({'Q1': 1, 'Q4': 2, 'Q5': 1})", None),
              ("n = 'three'", None),
              (q1, {**GRADED, "grade_id": "q1_test", "points": 1}),  # Q1's check again, now failing
              ("checks.standing({'Q1': 1, 'Q4': 2, 'Q5': 1})", None)])
    parts = nb.cells[3]
    assert [o["output_type"] for o in parts.outputs if o.get("name") != "stdout"] == ["execute_result"]
    printed = "".join(o["text"] for o in parts.outputs if o.get("name") == "stdout")
    assert "UserWarning: a warning in a part goes to stdout" in printed
    assert "Q4, `lavrov_share` (1 of 2 points): a check failed\n`lavrov_share` is 73.0" in printed
    assert determine_grade(parts) == (1.0, 2.0)
    assert determine_grade(nb.cells[2]) == (1, 1) and determine_grade(nb.cells[6]) == (0, 1)
    before, after = (c.outputs[0]["data"]["text/markdown"] for c in (nb.cells[4], nb.cells[7]))
    assert "| Q1 | 1 | ✓ passed |" in before and "| Q1 | 1 | ✗ not passed yet |" in after
    assert "| Q4 | 2 | 1 of 2 parts passed: `words_per_speaker` |" in after and "| Q5 | 1 | not run yet |" in after


def wordsnums(*args):
    run_ = subprocess.run([sys.executable, "-m", "utils.instructor.cli", *map(str, args)], capture_output=True,
                          text=True)
    assert run_.returncode == 0, run_.stdout + run_.stderr
    return run_.stdout


def submit(course, assignment: str, student: str, edits: dict[str, str]) -> None:
    """A full solution with code appended to some answer cells, in submitted/."""
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    nb = synthetic.submission("full", source, release)
    for cell in nb.cells:
        if (gid := model.nbgrader_meta(cell).get("grade_id")) in edits:
            cell.source += "\n" + edits[gid]
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course copy where `wordsnums grade` and `wordsnums feedback` ran on submissions with a part wrong."""
    course = tmp_path_factory.mktemp("course")
    for folder in ("source", "release", ".wordsnums"):
        shutil.copytree(ROOT / folder, course / folder)
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    for assignment in (A1, A3):
        model.generate_release(course, assignment)  # the gradebook learns the notebooks and their tests
    # A1: Q8's 'they' counts one too many in every turn (a hidden test), Q4's share rounded (a visible check)
    submit(course, A1, "ida", {"q8_stance": 'stance["they"] = stance["they"] + 1',
                               "q4_speakers": "lavrov_share = round(lavrov_share, 4)"})
    # A3: Q8's stock ratio upside down: half of its one point
    submit(course, A3, "ida", {"q8_compare": "stock_ratio_2024 = 1 / stock_ratio_2024"})
    for assignment in (A1, A3):
        wordsnums("grade", assignment, "--course", course, "--jobs", "2")
        wordsnums("feedback", assignment, "--course", course, "--allow-pending")
    return course


@pytest.mark.slow
def test_the_gradebook_holds_the_points_of_the_parts_that_passed(graded):
    a1 = gradebook.cell_scores(graded, A1, A1, "ida")
    assert (a1["q4_test"], a1["q8_test"], a1["q7_test"]) == (1.0, 1.0, 2.0)
    assert gradebook.scores(graded, A1).set_index("student").loc["ida", "score"] == 15
    assert gradebook.cell_scores(graded, A3, A3, "ida")["q8_test"] == 0.5
    assert gradebook.scores(graded, A3).set_index("student").loc["ida", "score"] == 13.5
    # the graded notebook: the part's message on stdout, nothing on stderr, the points as the result
    nb = nbformat.read(graded / "autograded" / "ida" / A1 / f"{A1}.ipynb", as_version=4)
    q8 = next(c for c in nb.cells if model.nbgrader_meta(c).get("grade_id") == "q8_test")
    assert [(o["output_type"], o.get("name")) for o in q8.outputs] == [("stream", "stdout"), ("execute_result", None)]
    assert q8.outputs[0]["text"] == ("Q8: visible checks passed; hidden tests run at grading.\n"
                                     "Q8, the `they` counts (1 of 2 points): a test failed\nQ8: the 'they' counts\n")
    assert q8.outputs[1]["data"]["text/plain"] == "1.0"


@pytest.mark.slow
def test_feedback_shows_each_failed_parts_message_and_no_hidden_test(graded):
    html = (graded / "feedback" / "ida" / A1 / f"{A1}.html").read_text()
    for words in ["Q8, the `they` counts (1 of 2 points): a test failed", "Q8: the 'they' counts",
                  "Q4, `lavrov_share` (1 of 2 points): a check failed",
                  "`lavrov_share` looks rounded to 4 decimals: store the share as computed",
                  "<strong>Q8: 1 of 2 points</strong>", "not passed (its message is above)",
                  "Where you stand: the checks in this kernel"]:
        assert words in html, words
    assert "[2, 2, 0, 0, 4]" not in html and "Parts.hidden" not in html and "&lt;strong&gt;" not in html
    a3 = (graded / "feedback" / "ida" / A3 / f"{A3}.html").read_text()
    assert "Q8, `stock_ratio_2024` (0.5 of 1 point): a check failed" in a3
    assert "<strong>Q8: 0.5 of 1 point</strong>" in a3
