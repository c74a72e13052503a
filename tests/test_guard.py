"""The grading guard on a small real gradebook, built with nbgrader's API (no kernels)."""

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from utils.course.model import nbgrader_env
from utils.grading.gradebook import gradebook_url
from utils.grading.guard import changes, manual_marks, restore_manual_marks, snapshot

STUDENTS = ("ada", "bob", "cy")
# nbgrader's own add_submission warns so; nothing here to act on
pytestmark = pytest.mark.filterwarnings("ignore:Object of type:sqlalchemy.exc.SAWarning")


@pytest.fixture(scope="module")
def gradebook_db(tmp_path_factory) -> Path:
    """One assignment (a grade cell and a solution cell) submitted by three students; built once, as it is slow."""
    folder = tmp_path_factory.mktemp("gradebook")
    # a new gradebook asks the alembic command, beside this Python, for its schema version
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", nbgrader_env()["PATH"])
        gb = Gradebook(gradebook_url(folder))
    with gb:
        gb.add_assignment("a1")
        gb.add_notebook("nb", "a1")
        gb.add_grade_cell("q1", "nb", "a1", max_score=2, cell_type="code")
        gb.add_solution_cell("q1", "nb", "a1")
        for student in STUDENTS:
            gb.add_student(student)
            gb.add_submission("a1", student, timestamp=datetime(2024, 1, 1))
            gb.find_grade("q1", "nb", "a1", student).auto_score = 1.0
        gb.db.commit()
    return folder / "gradebook.db"


@pytest.fixture
def course(tmp_path, gradebook_db) -> Path:
    """A course with a source notebook, a config and its own copy of the gradebook."""
    (tmp_path / "source" / "a1").mkdir(parents=True)
    (tmp_path / "source" / "a1" / "nb.ipynb").write_text("{}")
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    shutil.copy2(gradebook_db, tmp_path / "gradebook.db")
    return tmp_path


def edit(course: Path, student: str, **values) -> None:
    """Set columns of a student's grade (or, for manual_comment, comment) of q1."""
    with Gradebook(gradebook_url(course)) as gb:
        for column, value in values.items():
            find = gb.find_comment if column == "manual_comment" else gb.find_grade
            setattr(find("q1", "nb", "a1", student), column, value)
        gb.db.commit()


def test_snapshot_changes_for_the_student_whose_rows_changed_only(course):
    before = snapshot(course, {"cy"})
    assert {key for key in before if key.startswith("gradebook")} == {"gradebook rows of ada", "gradebook rows of bob"}
    assert snapshot(course, {"cy"}) == before
    edit(course, "bob", auto_score=2.0)
    edit(course, "cy", manual_score=2.0)
    assert changes(before, snapshot(course, {"cy"})) == ["changed gradebook rows of bob"]


def test_a_changed_source_file_shows(course):
    before = snapshot(course, set())
    (course / "source" / "a1" / "nb.ipynb").write_text('{"cells": []}')
    assert changes(before, snapshot(course, set())) == ["changed source/a1/nb.ipynb"]


def test_changed_manual_marks_are_put_back(course):
    edit(course, "ada", manual_score=1.5, extra_credit=0.5, manual_comment="good")
    marks = manual_marks(course)
    assert restore_manual_marks(course, marks) == []
    edit(course, "ada", manual_score=99.0, extra_credit=9.0, manual_comment="hacked")
    assert restore_manual_marks(course, marks) == ["ada"]
    assert manual_marks(course) == marks
    with Gradebook(gradebook_url(course)) as gb:
        grade = gb.find_grade("q1", "nb", "a1", "ada")
        assert (grade.manual_score, grade.extra_credit) == (1.5, 0.5)
        assert gb.find_comment("q1", "nb", "a1", "ada").manual_comment == "good"
    assert restore_manual_marks(course, marks) == []


def test_new_rows_get_no_manual_marks(course):
    marks = manual_marks(course)
    with Gradebook(gradebook_url(course)) as gb:
        gb.add_student("dee")
        gb.add_submission("a1", "dee")
    edit(course, "dee", manual_score=2.0, manual_comment="new")
    edit(course, "bob", extra_credit=1.0)
    assert restore_manual_marks(course, marks) == ["bob", "dee"]
    with Gradebook(gradebook_url(course)) as gb:
        assert gb.find_grade("q1", "nb", "a1", "dee").manual_score is None
        assert gb.find_comment("q1", "nb", "a1", "dee").manual_comment is None
        assert gb.find_grade("q1", "nb", "a1", "bob").extra_credit is None


def test_no_gradebook_yet(tmp_path):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "x.txt").write_text("x")
    assert set(snapshot(tmp_path, set())) == {"source/x.txt"}
    assert manual_marks(tmp_path) == {}
    assert restore_manual_marks(tmp_path, {}) == []
    assert not (tmp_path / "gradebook.db").exists()
