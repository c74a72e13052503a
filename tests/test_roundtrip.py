"""The nbgrader round trip with real commands and gradebook, for every assignment."""

from pathlib import Path

import nbformat
import pandas as pd
import pytest

import utils
from utils import course, grading, synthetic

from conftest import ASSIGNMENTS

pytestmark = pytest.mark.slow
CLASS = {f"s_{kind}": kind for kind in synthetic.KINDS}


def grade_class(workdir: Path, assignment: str, students: dict[str, str]) -> pd.DataFrame:
    """Generate, write a synthetic class into submitted/, grade in parallel: expected and actual scores."""
    course.generate_release(workdir, assignment)
    expected = synthetic.write_class(workdir, assignment, students)
    assert [o for o in grading.grade(workdir, assignment) if o.status != "graded"] == []
    return expected.merge(grading.scores(workdir, assignment), on=["student", "assignment", "notebook"], how="left")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_synthetic_class_gets_exact_scores(assignment, tmp_course):
    table = grade_class(tmp_course, assignment, CLASS)
    assert len(table) == len(CLASS) * len(course.notebooks(tmp_course, assignment))
    assert table["score"].tolist() == table["expected"].tolist(), table.to_string()
    full = table[table["kind"] == "full"]
    auto = [course.graded_cells(nbformat.read(p, as_version=4)) for p in course.notebooks(tmp_course, assignment)]
    assert full["score"].sum() == sum(t.loc[t["kind"] == "test", "points"].sum() for t in auto) > 0
    assert (table.loc[table["kind"].isin(["blank", "wrong", "tampered"]), "score"] == 0).all()

    for path in course.notebooks(tmp_course, assignment):
        # the full solution earns every autograded cell's points, cell by cell
        cells = grading.cell_scores(tmp_course, assignment, path.stem, "s_full")
        points = course.graded_cells(nbformat.read(path, as_version=4)).set_index("grade_id")
        for gid, row in points[points["kind"] == "test"].iterrows():
            assert cells[gid] == row["points"], gid
        # nbgrader restored the tampered test cells, hidden tests included, from the gradebook
        source = nbformat.read(path, as_version=4)
        graded = nbformat.read(tmp_course / "autograded" / "s_tampered" / assignment / path.name, as_version=4)
        tests = {course.nbgrader_meta(c)["grade_id"]: c.source for c in source.cells if course.cell_kind(c) == "test"}
        restored = {course.nbgrader_meta(c)["grade_id"]: c.source for c in graded.cells if course.cell_kind(c) == "test"}
        assert restored == tests


A1 = "a1_close_reading"


@pytest.fixture
def a1_work(tmp_course):
    """A1 released in a scratch course, and a function giving a synthetic student's notebook."""
    course.generate_release(tmp_course, A1)
    source = nbformat.read(tmp_course / "source" / A1 / f"{A1}.ipynb", as_version=4)
    release = nbformat.read(tmp_course / "release" / A1 / f"{A1}.ipynb", as_version=4)
    return lambda kind: synthetic.submission(kind, source, release)


def submit(course_dir: Path, student: str, nb) -> Path:
    """Put a student's A1 notebook into submitted/; returns the submission folder."""
    folder = course_dir / "submitted" / student / A1
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{A1}.ipynb")
    return folder


def cell(nb, grade_id):
    return next(c for c in nb.cells if course.nbgrader_meta(c).get("grade_id") == grade_id)


def test_a_students_own_utils_package_cannot_fake_the_checks(tmp_course, a1_work):
    """A submission that brings its own utils/ (checks that always pass) is graded with the kit's checks."""
    nb = a1_work("full")
    for gid in ("q12_paragraph", "q13_evasion"):  # prose without a single quotation, far too short
        cell(nb, gid).source = cell(nb, gid).source.split("=")[0] + '= "No quotes at all."'
    folder = submit(tmp_course, "faker", nb)
    (folder / "utils").mkdir()
    # the fake package takes the kit's real modules, all but checks
    (folder / "utils" / "__init__.py").write_text(f"__path__.append({str(Path(utils.__file__).parent)!r})\n")
    (folder / "utils" / "checks.py").write_text(
        "class CheckFailed(AssertionError): pass\n"
        "def __getattr__(name):\n    return lambda *args, **kwargs: None\n")
    (folder / "utils.py").write_text("raise SystemExit('a module that shadows the kit')\n")
    assert [o.status for o in grading.grade(tmp_course, A1)] == ["graded"]
    cells = grading.cell_scores(tmp_course, A1, A1, "faker")
    assert cells["q12_quotes"] == 0 and cells["q13_length"] == 0  # the kit's checks ran
    assert cells["q1_test"] == 1 and sum(v or 0 for v in cells.values()) == 15
    graded = tmp_course / "autograded" / "faker" / A1
    assert not (graded / "utils").exists() and not (graded / "utils.py").exists()


def test_a_deleted_test_cell_is_put_back_and_graded(tmp_course, a1_work):
    """Deleting a locked test cell neither loses its points for a right answer nor hides a wrong one."""
    for student, kind in (("deleter_full", "full"), ("deleter_blank", "blank")):
        nb = a1_work(kind)
        nb.cells = [c for c in nb.cells if course.nbgrader_meta(c).get("grade_id") not in {"q1_test", "q2_test"}]
        submit(tmp_course, student, nb)
    assert {o.status for o in grading.grade(tmp_course, A1)} == {"graded"}
    full = grading.cell_scores(tmp_course, A1, A1, "deleter_full")
    blank = grading.cell_scores(tmp_course, A1, A1, "deleter_blank")
    assert full["q1_test"] == 1 and full["q2_test"] == 1 and sum(v or 0 for v in full.values()) == 17
    assert blank["q1_test"] == 0 and sum(v or 0 for v in blank.values()) == 0


def test_megabytes_of_output_are_cut_in_the_graded_notebook(tmp_course, a1_work):
    nb = a1_work("full")
    cell(nb, "q1_boundary").source += "\nprint('x' * 20_000_000)"
    submit(tmp_course, "printer", nb)
    assert [o.status for o in grading.grade(tmp_course, A1)] == ["graded"]
    assert grading.scores(tmp_course, A1).set_index("student").loc["printer", "score"] == 17
    graded = tmp_course / "autograded" / "printer" / A1 / f"{A1}.ipynb"
    assert graded.stat().st_size < 500_000
    assert "more characters not shown" in graded.read_text()
