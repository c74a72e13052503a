"""A gradebook that is damaged, or has lost its grades, is reported by grade, export and report: one line that
names the file and the fix, never a traceback, never a silent empty grades file or report."""

import csv
import shutil
import warnings

import pytest
from conftest import ROOT
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from utils.course import model
from utils.grading import gradebook, parallel, report
from utils.instructor import cli

A1, A2 = "a1_close_reading", "a2_rhetoric"
STUDENTS = {"ada": (2.0, 1.0), "ben": (0.0, 1.0)}  # autograded score of q1 (of 2) and q2 (of 1)
COMMANDS = ["grade", "export", "report"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A course folder with a small real gradebook: A1 graded for ada and ben, A2 not yet; and that gradebook
    as it was before grading (assignments, no submission), as empty.db. Made once: nbgrader's alembic is slow."""
    course = tmp_path_factory.mktemp("made")
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    url = gradebook.gradebook_url(course)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", model.nbgrader_env()["PATH"])  # a new gradebook runs nbgrader's alembic command
        with Gradebook(url, course_id="words-and-numbers") as gb:
            for assignment in (A1, A2):
                (course / "source" / assignment).mkdir(parents=True)
                gb.add_assignment(assignment)
                gb.add_notebook(assignment, assignment)
                gb.add_grade_cell("q1", assignment, assignment, max_score=2, cell_type="code")
                gb.add_grade_cell("q2", assignment, assignment, max_score=1, cell_type="code")
    shutil.copy2(gradebook.gradebook_path(course), course / "empty.db")
    with Gradebook(url, course_id="words-and-numbers") as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission warns of its own autoflush
        for student, scores in STUDENTS.items():
            gb.add_student(student)
            gb.add_submission(A1, student)
            for cell, score in zip(("q1", "q2"), scores, strict=True):
                gb.find_grade(cell, A1, A1, student).auto_score = score
            gb.db.commit()
            for folder in ("submitted", "autograded"):
                (course / folder / student / A1).mkdir(parents=True)
    return course


@pytest.fixture
def course(made, tmp_path, monkeypatch):
    """A copy of the made course; grading there fails the test (nothing may be graded over a bad gradebook)."""
    root = shutil.copytree(made, tmp_path / "course")

    def no_grading(*args, **kwargs):
        raise AssertionError("graded although the gradebook is bad")

    monkeypatch.setattr(parallel, "grade", no_grading)
    return root


def wordsnums(capsys, *args):
    """Run the command line in this process: exit code, stdout, stderr."""
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run(capsys, command, course):
    """One of the three commands on A1 (export: all), writing into the course folder."""
    extra = {"grade": [A1], "export": ["--to", course / "grades.csv"], "report": [A1, "--out", course / "reports"]}
    return wordsnums(capsys, command, *extra[command], "--course", course)


def test_a_sound_gradebook_has_no_problem(course):
    assert gradebook.gradebook_problem(course) is None
    assert gradebook.gradebook_problem(course, work_in=("autograded",)) is None


def damage(path, how):
    data = path.read_bytes()
    path.write_bytes({"garbage": b"garbage", "half": data[: len(data) // 2], "emptied": b""}[how])
    return path.read_bytes()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("how", ["garbage", "half", "emptied"])
def test_a_damaged_gradebook_is_one_line_with_the_fix(course, capsys, command, how):
    db = gradebook.gradebook_path(course)
    damaged = damage(db, how)
    (course / "grades.csv").write_text("the grades of last week\n")
    code, out, err = run(capsys, command, course)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"wordsnums {command}: {db} ")
    wrong = {"garbage": "is not a SQLite database", "half": "is damaged", "emptied": "is empty (0 bytes)"}[how]
    assert wrong in err and "Traceback" not in err
    assert "Restore it from the backup `nbgrader db upgrade` makes (gradebook.db.DATE) or from your own" in err
    assert "`wordsnums grade --force`" in err
    assert db.read_bytes() == damaged  # never made over into a new, empty gradebook
    assert (course / "grades.csv").read_text() == "the grades of last week\n"
    assert not (course / "reports").exists() and not (course / "grading_log").exists()


def test_a_damaged_gradebook_points_to_the_newest_backup(course):
    db = gradebook.gradebook_path(course)
    for stamp in ("2026-01-05-101500.000001", "2026-02-01-090000.123456"):
        shutil.copy2(db, db.with_name(f"gradebook.db.{stamp}"))  # as `nbgrader db upgrade` names them
    damage(db, "garbage")
    problem = gradebook.gradebook_problem(course)
    assert problem.broken
    assert f"Restore it from {db}.2026-02-01-090000.123456 (the newest backup `nbgrader db upgrade` made)" in str(
        problem)


def lose_grades(course):
    """The gradebook as before grading: its assignments are there, every submission is gone."""
    shutil.copy2(course / "empty.db", gradebook.gradebook_path(course))


@pytest.mark.parametrize("command", COMMANDS)
def test_lost_grades_are_reported_not_exported_as_nothing(course, capsys, command):
    lose_grades(course)
    out_file = course / "grades.csv"
    out_file.write_text("the grades of last week\n")
    code, out, err = run(capsys, command, course)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert f"{gradebook.gradebook_path(course)} holds no graded submission, but autograded/ holds the graded work " \
           "of 2 student(s): ada, ben: the grades are lost. Restore it from the backup" in err
    assert "regrade with `wordsnums grade --force`" in err and "run `wordsnums build`" not in err
    assert out_file.read_text() == "the grades of last week\n"
    assert not (course / "reports").exists()


def test_export_refuses_a_gradebook_with_no_submission_while_work_waits(course, capsys):
    lose_grades(course)
    shutil.rmtree(course / "autograded")
    out_file = course / "grades.csv"
    code, out, err = wordsnums(capsys, "export", "--course", course, "--to", out_file)
    assert code == 1 and out == ""
    assert ("holds no graded submission yet, but submitted/ holds the work of 2 student(s): ada, ben: "
            f"run `wordsnums grade` first; nothing written to {out_file}") in err
    assert not out_file.exists()


def test_grade_refuses_lost_grades_without_force(course, capsys):
    lose_grades(course)
    code, _, err = wordsnums(capsys, "grade", A1, "--course", course)
    assert code == 1 and "the grades are lost" in err  # and the course fixture's tripwire says nothing was graded
    assert gradebook.gradebook_problem(course, work_in=("autograded",)) is not None
    shutil.rmtree(course / "autograded")  # before the first grading, nothing is lost
    assert gradebook.gradebook_problem(course, work_in=("autograded",)) is None


def test_a_missing_gradebook_beside_graded_work_is_reported(course, capsys):
    gradebook.gradebook_path(course).unlink()
    code, _, err = wordsnums(capsys, "grade", A1, "--course", course)
    assert code == 1 and f"there is no {gradebook.gradebook_path(course)}, but autograded/ holds" in err
    assert "run `wordsnums build` and regrade with `wordsnums grade --force`" in err  # it lost the assignments too
    assert not gradebook.gradebook_path(course).exists()  # checking made no new gradebook


def test_report_says_which_assignment_has_no_grades_yet(course, capsys):
    (course / "source" / "a3_displacement_data").mkdir()  # in the course, not in the gradebook
    code, out, err = wordsnums(capsys, "report", "--course", course, "--out", course / "reports")
    assert code == 1 and out == f"{A1}: {course / 'reports' / f'{A1}_report.md'}\n"
    assert err.splitlines() == [f"wordsnums report: no graded submissions of {a} yet: run wordsnums grade first"
                                for a in (A2, "a3_displacement_data")]
    assert "nan" not in (course / "reports" / f"{A1}_report.md").read_text()
    with pytest.raises(report.NoGrades, match=f"no graded submissions of {A2} yet"):
        report.write_report(course, A2, course / "elsewhere")
    assert not (course / "elsewhere").exists()


def test_report_with_no_gradebook_makes_none(tmp_path):
    with pytest.raises(report.NoGrades):
        report.item_scores(tmp_path, A1)
    assert not gradebook.gradebook_path(tmp_path).exists()


def test_export_writes_the_grades_over_the_old_file(course, capsys):
    out_file = course / "grades.csv"
    out_file.write_text("the grades of last week\n")
    code, out, err = wordsnums(capsys, "export", "--course", course, "--to", out_file)
    assert code == 0 and out == (f"grades: {out_file}\n  2 submission(s) still have answers to grade by hand "
                                 f"({A1}/ada, {A1}/ben): their scores count only the points given so far\n")
    rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(out_file.open())}
    assert float(rows["ada", A1]["autograded"]) == 3 and float(rows["ben", A1]["autograded"]) == 1
    assert float(rows["ada", A2]["score"]) == 0  # not submitted
    assert [p.name for p in course.glob(".grades.csv*")] == []  # no partial file left behind
