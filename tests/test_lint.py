"""The course lint finds each kind of problem it promises (on broken copies of the course)."""

import json
import shutil

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
