"""Every notebook of every assignment: it runs, its release is in sync, and the release leaks nothing."""

import nbformat
import papermill
import pytest
from conftest import ASSIGNMENTS, ROOT, SOURCE_NOTEBOOKS
from nbclient import NotebookClient

from utils.course import lint, model

pytestmark = pytest.mark.slow
EXPECTED_ERRORS = {"answer": {"NotImplementedError"},
                   "test": {"NameError", "CheckFailed", "AssertionError"},
                   "manual": {"NotImplementedError"}}


def errors(nb) -> list[tuple[str, str, str]]:
    """(cell kind, grade_id or index, exception name) for each cell that raised."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append((model.cell_kind(cell), model.nbgrader_meta(cell).get("grade_id", str(i)), out["ename"]))
    return found


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebook_runs_top_to_bottom(path, tmp_path):
    out = papermill.execute_notebook(str(path), str(tmp_path / path.name), cwd=str(path.parent),
                                     kernel_name="python3", progress_bar=False)
    assert errors(out) == []
    printed = "".join(o.get("text", "") for c in out.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    n_tests = sum(model.cell_kind(c) == "test" for c in out.cells)
    assert printed.count("visible checks passed") == n_tests
    # a cell in parts shows its points as its result, every part passed; the last cell says every check passed
    results = {model.nbgrader_meta(c).get("grade_id"): o["data"] for c in out.cells for o in c.get("outputs", [])
               if o["output_type"] == "execute_result"}
    for cell in out.cells:
        if model.cell_kind(cell) == "test" and "checks.Parts(" in cell.source:
            data = results[model.nbgrader_meta(cell)["grade_id"]]
            assert float(data["text/plain"]) == model.nbgrader_meta(cell)["points"] and "✗" not in data["text/markdown"]
    standing = results["standing"]["text/markdown"]
    assert "not passed" not in standing and "not run" not in standing and standing.count("✓ passed") == len(
        {lint.question_of(model.nbgrader_meta(c)["grade_id"]) for c in out.cells if model.cell_kind(c) == "test"})


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.stem)
def test_release_notebook_runs_with_only_unanswered_errors(path):
    release = ROOT / "release" / path.parent.name / path.name
    nb = nbformat.read(release, as_version=4)
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                   resources={"metadata": {"path": str(release.parent)}}).execute()
    found = errors(nb)
    unexpected = [e for e in found if e[2] not in EXPECTED_ERRORS.get(e[0], set())]
    assert unexpected == []
    answers = [model.nbgrader_meta(c)["grade_id"] for c in nb.cells
               if model.cell_kind(c) in {"answer", "manual"} and c.cell_type == "code"]
    assert [gid for kind, gid, _ in found if kind in {"answer", "manual"}] == answers
    # a cell in parts scores its unanswered parts 0 without an error; the last cell says what is still to do
    parts = [c for c in nb.cells if model.cell_kind(c) == "test" and "checks.Parts(" in c.source]
    assert parts and all(c.outputs[-1]["data"]["text/plain"] == "0.0" for c in parts)
    standing = nb.cells[-1].outputs[0]["data"]["text/markdown"]
    assert "| Q1 |" in standing and "✗ not passed yet" in standing and "✓" not in standing
    # the first unanswered cell, and only the first, says in plain words what to do
    tracebacks = ["\n".join(o["traceback"]) for c in nb.cells for o in c.get("outputs", []) if o.get("ename")]
    assert sum("Hint: this answer cell still holds its placeholder" in t for t in tracebacks) == 1


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_what_nbgrader_generates(assignment):
    assert lint.sync_problems(ROOT, assignment) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_leaks_no_solution_or_hidden_test(assignment):
    assert [p for p in (ROOT / "release" / assignment).rglob("*") if p.is_file()]
    for source in model.notebooks(ROOT, assignment):
        assert lint.secret_lines(nbformat.read(source, as_version=4)), "a source notebook without solutions?"
    assert lint.leak_problems(ROOT, assignment) == []
