"""A class of broken and hostile submissions, graded by the kit and by plain `nbgrader autograde`."""

import sqlite3
from pathlib import Path

import nbformat
import pytest
from fixture_class import A1, NOTEBOOK, grading_course, make_a1, write_fixture_class
from nbgrader.api import Gradebook

from utils.course import model
from utils.grading import gradebook, parallel

pytestmark = pytest.mark.slow


def grade_rows(course_dir: Path) -> dict[str, list]:
    """Every grade in the gradebook, per student: (cell, auto score, manual score)."""
    with sqlite3.connect(course_dir / "gradebook.db") as conn:
        rows = conn.execute(
            "select sa.student_id, bc.name, g.auto_score, g.manual_score from grade g "
            "join submitted_notebook sn on g.notebook_id = sn.id "
            "join submitted_assignment sa on sn.assignment_id = sa.id "
            "join base_cell bc on g.cell_id = bc.id order by 1, 2").fetchall()
    table: dict[str, list] = {}
    for student, *grade in rows:
        table.setdefault(student, []).append(tuple(grade))
    return table


@pytest.fixture
def fixture_course(tmp_course):
    return tmp_course, write_fixture_class(tmp_course, grading_course(tmp_course))


def test_the_fixture_class_through_the_kit_and_through_plain_nbgrader(fixture_course):
    root, cases = fixture_course
    config = (root / "nbgrader_config.py").read_bytes()
    outcomes = {o.student: o for o in parallel.grade(root, A1, jobs=2)}
    scores = gradebook.scores(root, A1).set_index("student")["score"].to_dict()
    assert set(outcomes) == set(cases)
    for student, case in cases.items():
        outcome = outcomes[student]
        said = "\n".join([outcome.message, *outcome.notes])
        assert (outcome.status, scores.get(student)) == (case.status, case.score), (student, said)
        if case.kit:
            assert case.kit in said, student
        else:
            assert said.strip() == "", student  # nothing to report: no noise either

    with Gradebook(gradebook.gradebook_url(root)) as gb:
        assert gb.find_submission(A1, "late").late_submission_penalty == pytest.approx(3.4)

    # what the sandbox kept away from the course: the vandal's writes went nowhere
    assert not list(root.rglob("vandal.txt"))
    assert (root / "nbgrader_config.py").read_bytes() == config
    assert all(manual is None for rows in grade_rows(root).values() for _, _, manual in rows)
    # megabytes of output are cut; the student's own utils never reaches the grading folder
    assert (root / "autograded" / "printer" / A1 / NOTEBOOK).stat().st_size < 500_000
    assert not (root / "autograded" / "shadower" / A1 / "utils").exists()
    # the tampered test cells were graded as written in source/, hidden tests and all
    source = nbformat.read(root / "source" / A1 / NOTEBOOK, as_version=4)
    graded = nbformat.read(root / "autograded" / "tampered" / A1 / NOTEBOOK, as_version=4)
    tests = {model.nbgrader_meta(c)["grade_id"]: c.source for c in source.cells if model.cell_kind(c) == "test"}
    assert {model.nbgrader_meta(c)["grade_id"]: c.source for c in graded.cells if model.cell_kind(c) == "test"} == tests
    # a rubric the student rewrote, or unlocked and rewrote, is read by the grader as written in source/
    rubric = next(c.source for c in source.cells if model.nbgrader_meta(c).get("grade_id") == "q12_rubric")
    for student in ("rubric_editor", "rubric_unlocker"):
        graded = nbformat.read(root / "autograded" / student / A1 / NOTEBOOK, as_version=4)
        assert [c.source for c in graded.cells if model.nbgrader_meta(c).get("grade_id") == "q12_rubric"] == [rubric]
        assert model.cell_kind(next(c for c in graded.cells if c.source == rubric)) == "readonly"

    # grading again changes nothing: unchanged submissions are skipped, the broken ones fail the same way
    kit_rows = grade_rows(root)
    again = {o.student: o.status for o in parallel.grade(root, A1, jobs=2)}
    assert again == {s: "skipped" if c.status == "graded" else "failed" for s, c in cases.items()}
    assert grade_rows(root) == kit_rows

    # plain nbgrader with the course's config, whose every kernel runs in the same sandbox: the same
    # scores and the same messages, the vandal's writes kept from the course too
    run = model.run_nbgrader(["autograde", A1, "--force"], cwd=root, check=False)
    log = run.stdout + run.stderr
    assert run.returncode == 1  # nbgrader's exit status when some submissions failed
    for student, case in cases.items():
        if case.nbgrader:
            assert case.nbgrader in log, student
    plain_rows = grade_rows(root)
    assert {s: r for s, r in plain_rows.items() if cases[s].status == "graded"} == kit_rows
    assert all(score is None for s, r in plain_rows.items() if cases[s].status == "failed" for _, score, _ in r)
    assert not list(root.rglob("vandal.txt"))
    assert (root / "nbgrader_config.py").read_bytes() == config


def test_a_write_to_the_course_by_absolute_path_never_lands(tmp_course):
    course_dir = tmp_course
    model.generate_release(course_dir, A1)
    make = make_a1(course_dir)
    folder = course_dir / "submitted" / "full" / A1
    folder.mkdir(parents=True)
    nbformat.write(make("full"), folder / NOTEBOOK)
    assert [o.status for o in parallel.grade(course_dir, A1)] == ["graded"]

    nb = make("full")
    answer = next(c for c in nb.cells if model.nbgrader_meta(c).get("grade_id") == "q1_boundary")
    answer.source += (f"\nimport sqlite3\nopen({str(course_dir / 'source' / A1 / 'x.txt')!r}, 'w').write('x')\n"
                      f"sqlite3.connect({str(course_dir / 'gradebook.db')!r}).execute("
                      "'update grade set manual_score = 99').connection.commit()")
    folder = course_dir / "submitted" / "sly" / A1
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / NOTEBOOK)
    outcomes = {o.student: o for o in parallel.grade(course_dir, A1)}
    assert outcomes["full"].status == "skipped"
    outcome = outcomes["sly"]
    assert outcome.status == "graded"
    assert gradebook.scores(course_dir, A1).set_index("student")["score"].to_dict() == {"full": 17, "sly": 17}
    assert "`import sqlite3` runs programs or reaches other files" in outcome.notes[0]
    assert all(note.startswith("code to review by hand") for note in outcome.notes), outcome.notes
    assert not (course_dir / "source" / A1 / "x.txt").exists()
    assert all(manual is None for rows in grade_rows(course_dir).values() for _, _, manual in rows)
