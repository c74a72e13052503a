"""The course lint finds each kind of problem it promises (on broken copies of the course)."""

import json
import shutil

import nbformat
import pytest
from conftest import ROOT

from utils.course import lint

A1 = "a1_close_reading"


@pytest.fixture
def broken(tmp_path):
    for folder in ("source", "release", "notebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path)
    return tmp_path


def edit(path, change):
    nb = json.loads(path.read_text())
    change(nb)
    path.write_text(json.dumps(nb, indent=1))


def cell(nb, gid):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


def test_notebook_problems_are_named(broken):
    path = broken / "source" / A1 / f"{A1}.ipynb"

    def damage(nb):
        cell(nb, "q2_test")["metadata"]["nbgrader"]["grade_id"] = "q1_test"
        cell(nb, "q3_test")["metadata"]["nbgrader"]["locked"] = False
        cell(nb, "q4_test")["metadata"]["nbgrader"]["points"] = 0
        del cell(nb, "q5_test")["metadata"]["nbgrader"]["solution"]
        cell(nb, "setup")["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    edit(path, damage)
    problems = "\n".join(lint.notebook_problems(path))
    assert "grade_id 'q1_test' is used 2 times" in problems
    assert "(q3_test): a test cell must be locked" in problems
    assert "(q4_test): a graded cell needs points above 0" in problems
    assert "nbgrader metadata lacks solution" in problems
    assert "has outputs" in problems
    assert "the first cell states" in problems  # the points line no longer matches


def test_release_drift_and_leaks_are_found(broken):
    release = broken / "release" / A1 / f"{A1}.ipynb"

    def hand_edit(nb):
        nb["cells"][2]["source"] = "edited by hand"
        nb["cells"][3]["source"] = "### BEGIN SOLUTION\nlines = raw.splitlines()\n### END SOLUTION"
    edit(release, hand_edit)
    assert any("cell 2 differs from nbgrader's output" in p for p in lint.sync_problems(broken, A1))
    leaks = "\n".join(lint.leak_problems(broken, A1))
    assert "contains the marker '### BEGIN SOLUTION'" in leaks and "lines = raw.splitlines()" in leaks


def test_the_course_itself_is_clean():
    assert lint.course_problems(ROOT, [A1]) == []


def test_questions_in_parts_and_the_standing_table_must_agree_with_the_graded_cells(broken):
    path = broken / "source" / A1 / f"{A1}.ipynb"

    def damage(nb):
        cell(nb, "q4_test")["metadata"]["nbgrader"]["points"] = 3  # the parts and the table still say 2
        q7 = cell(nb, "q7_test")
        q7["source"] = "".join(q7["source"]).removesuffix("\nparts")  # nbgrader would see no points: full marks
        q8 = cell(nb, "q8_test")
        q8["source"] = "".join(q8["source"]).replace('parts = Parts.hidden(parts)\n', "").replace(
            'with parts.part("the `they` counts"):\n    expect_plain', 'with parts.part("they"):\n    expect_plain')
        q5 = cell(nb, "q5_test")
        q5["source"] = "".join(q5["source"]).replace('checks.passed("Q5")', 'checks.passed("Q6")')
        heading = next(c for c in nb["cells"] if "**Q7 (" in "".join(c["source"]))
        heading["source"] = "".join(heading["source"]).replace("1 for `antithesis`", "1 for the antithesis")
        standing = nb["cells"][-1]
        standing["source"] = "".join(standing["source"]).replace('"Q6": 2', '"Q6": 3').replace('"Q13": 3', '"Q14": 3')
        standing["metadata"]["nbgrader"]["locked"] = False
    edit(path, damage)
    problems = "\n".join(lint.notebook_problems(path))
    assert "(q4_test): its parts give 2 points, the cell 3" in problems
    assert "(q4_test): the question's text should state the points of each part" in problems
    assert "(q7_test): its last line should be `parts` alone, which gives nbgrader the points earned" in problems
    assert ("(q7_test): the question's text should state the points of each part, as '**Q7 (2 points: 1 for "
            "`metaphor`, 1 for `antithesis`)**'; it lacks '1 for `antithesis`'") in problems
    assert "(q8_test): its hidden tests should begin with parts = Parts.hidden(parts)" in problems
    assert "(q8_test): its hidden tests check a part 'they' that it does not declare" in problems
    assert "(q8_test): its hidden tests do not check the part 'the `they` counts'" in problems
    assert "(q5_test): it checks 'Q6', but its grade_id is of Q5" in problems
    assert "(the standing table) should be locked and not graded" in problems
    assert "(the standing table) gives Q4 2 autograded points; its graded cells give 3" in problems
    assert "(the standing table) gives Q6 3 autograded points; its graded cells give 2" in problems
    assert "(the standing table) leaves out the 3 instructor's points of Q13" in problems
    assert "(the standing table) gives Q14 3 instructor's points, but no graded cell does" in problems


def test_the_standing_table_is_the_last_cell(broken):
    path = broken / "source" / A1 / f"{A1}.ipynb"
    edit(path, lambda nb: nb["cells"].insert(0, nb["cells"].pop()))
    assert any("the last cell, and only it, should show the student's standing" in p
               for p in lint.notebook_problems(path))


def test_a_line_the_visible_checks_share_with_the_hidden_tests_is_no_secret():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'with parts.part("`metaphor`"):\n    checks.expect_type(metaphor, list, "metaphor")\n'
        '### BEGIN HIDDEN TESTS\nwith parts.part("`metaphor`"):\n    assert metaphor == ["We remain open."]\n'
        "### END HIDDEN TESTS\nparts")])
    assert lint.secret_lines(nb) == {'assert metaphor == ["We remain open."]'}
