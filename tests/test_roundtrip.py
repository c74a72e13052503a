"""The nbgrader round trip with real commands and gradebook, for every assignment."""

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import ASSIGNMENTS

from utils.course import model, synthetic
from utils.grading import gradebook, parallel

pytestmark = pytest.mark.slow
CLASS = {f"s_{kind}": kind for kind in synthetic.KINDS}


def grade_class(workdir: Path, assignment: str, students: dict[str, str]) -> pd.DataFrame:
    """Generate, write a synthetic class into submitted/, grade in parallel: expected and actual scores."""
    model.generate_release(workdir, assignment)
    expected = synthetic.write_class(workdir, assignment, students)
    assert [o for o in parallel.grade(workdir, assignment) if o.status != "graded"] == []
    return expected.merge(gradebook.scores(workdir, assignment), on=["student", "assignment", "notebook"], how="left")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_synthetic_class_gets_exact_scores(assignment, tmp_course):
    table = grade_class(tmp_course, assignment, CLASS)
    assert len(table) == len(CLASS) * len(model.notebooks(tmp_course, assignment))
    assert table["score"].tolist() == table["expected"].tolist(), table.to_string()
    full = table[table["kind"] == "full"]
    auto = [model.graded_cells(nbformat.read(p, as_version=4)) for p in model.notebooks(tmp_course, assignment)]
    assert full["score"].sum() == sum(t.loc[t["kind"] == "test", "points"].sum() for t in auto) > 0
    assert (table.loc[table["kind"].isin(["blank", "wrong", "tampered"]), "score"] == 0).all()

    for path in model.notebooks(tmp_course, assignment):
        # the full solution earns every autograded cell's points, cell by cell
        cells = gradebook.cell_scores(tmp_course, assignment, path.stem, "s_full")
        points = model.graded_cells(nbformat.read(path, as_version=4)).set_index("grade_id")
        for gid, row in points[points["kind"] == "test"].iterrows():
            assert cells[gid] == row["points"], gid
        # nbgrader restored the tampered test cells, hidden tests included, from the gradebook
        source = nbformat.read(path, as_version=4)
        # the mixed student loses, in each question in parts, the points of the part it got wrong, and only those
        wrong, answer, mixed = synthetic.wrong_parts(source), None, {}
        for c in source.cells:
            answer = model.nbgrader_meta(c)["grade_id"] if model.cell_kind(c) == "answer" else answer
            if model.cell_kind(c) == "test":
                mixed[model.nbgrader_meta(c)["grade_id"]] = points.loc[model.nbgrader_meta(c)["grade_id"], "points"] \
                    - wrong.pop(answer, (None, None, 0.0))[2]
        scores = gradebook.cell_scores(tmp_course, assignment, path.stem, "s_mixed")
        assert {gid: scores[gid] for gid in mixed} == pytest.approx(mixed)
        assert not wrong and any(0 < mixed[gid] < points.loc[gid, "points"] for gid in mixed)
        graded = nbformat.read(tmp_course / "autograded" / "s_tampered" / assignment / path.name, as_version=4)
        tests = {model.nbgrader_meta(c)["grade_id"]: c.source for c in source.cells if model.cell_kind(c) == "test"}
        restored = {model.nbgrader_meta(c)["grade_id"]: c.source for c in graded.cells if model.cell_kind(c) == "test"}
        assert restored == tests
