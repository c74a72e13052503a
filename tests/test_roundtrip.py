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


def test_a_students_own_utils_package_cannot_fake_the_checks(tmp_course):
    """A submission that brings its own utils/ (checks that always pass) is graded with the kit's checks."""
    assignment = "a1_close_reading"
    course.generate_release(tmp_course, assignment)
    source = nbformat.read(tmp_course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(tmp_course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    nb = synthetic.submission("full", source, release)
    for cell in nb.cells:  # prose without a single quotation, far too short
        if course.nbgrader_meta(cell).get("grade_id") in {"q12_paragraph", "q13_evasion"}:
            cell.source = cell.source.split("=")[0] + '= "No quotes at all."'
    folder = tmp_course / "submitted" / "faker" / assignment
    (folder / "utils").mkdir(parents=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    # the fake package takes the kit's real modules, all but checks
    (folder / "utils" / "__init__.py").write_text(f"__path__.append({str(Path(utils.__file__).parent)!r})\n")
    (folder / "utils" / "checks.py").write_text(
        "class CheckFailed(AssertionError): pass\n"
        "def __getattr__(name):\n    return lambda *args, **kwargs: None\n")
    (folder / "utils.py").write_text("raise SystemExit('a module that shadows the kit')\n")
    assert [o.status for o in grading.grade(tmp_course, assignment)] == ["graded"]
    cells = grading.cell_scores(tmp_course, assignment, assignment, "faker")
    assert cells["q12_quotes"] == 0 and cells["q13_length"] == 0  # the kit's checks ran
    assert cells["q1_test"] == 1 and sum(v or 0 for v in cells.values()) == 15
    graded = tmp_course / "autograded" / "faker" / assignment
    assert not (graded / "utils").exists() and not (graded / "utils.py").exists()


def test_a_deleted_test_cell_is_put_back_and_graded(tmp_course):
    """Deleting a locked test cell neither loses its points for a right answer nor hides a wrong one."""
    assignment = "a1_close_reading"
    course.generate_release(tmp_course, assignment)
    source = nbformat.read(tmp_course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(tmp_course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for student, kind in (("deleter_full", "full"), ("deleter_blank", "blank")):
        nb = synthetic.submission(kind, source, release)
        nb.cells = [c for c in nb.cells if course.nbgrader_meta(c).get("grade_id") not in {"q1_test", "q2_test"}]
        folder = tmp_course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
    assert {o.status for o in grading.grade(tmp_course, assignment)} == {"graded"}
    full = grading.cell_scores(tmp_course, assignment, assignment, "deleter_full")
    blank = grading.cell_scores(tmp_course, assignment, assignment, "deleter_blank")
    assert full["q1_test"] == 1 and full["q2_test"] == 1 and sum(v or 0 for v in full.values()) == 17
    assert blank["q1_test"] == 0 and sum(v or 0 for v in blank.values()) == 0


def test_megabytes_of_output_are_cut_in_the_graded_notebook(tmp_course):
    assignment = "a1_close_reading"
    course.generate_release(tmp_course, assignment)
    source = nbformat.read(tmp_course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(tmp_course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    nb = synthetic.submission("full", source, release)
    answer = next(c for c in nb.cells if course.nbgrader_meta(c).get("grade_id") == "q1_boundary")
    answer.source += "\nprint('x' * 20_000_000)"
    folder = tmp_course / "submitted" / "printer" / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    assert [o.status for o in grading.grade(tmp_course, assignment)] == ["graded"]
    assert grading.scores(tmp_course, assignment).set_index("student").loc["printer", "score"] == 17
    graded = tmp_course / "autograded" / "printer" / assignment / f"{assignment}.ipynb"
    assert graded.stat().st_size < 500_000
    assert "more characters not shown" in graded.read_text()
