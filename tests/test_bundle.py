"""The student bundle: installed as its Dockerfile installs it, a release notebook runs; no solution is in it."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS, ROOT, SOURCE_NOTEBOOKS
from nbclient import NotebookClient
from student_image import IMAGE_ENV
from test_notebooks import EXPECTED_ERRORS, errors

from utils.course import lint, model
from utils.instructor import bundle

A1 = "a1_close_reading"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "student-bundle"
    proc = subprocess.run([str(Path(sys.executable).parent / "wordsnums"), "bundle", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert str(out) in proc.stdout
    return out


def bundle_texts(folder: Path) -> dict[str, str]:
    """Every file of the bundle as text, and every file inside its wheels, by name."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                texts |= {f"{path.name}/{name}": wheel.read(name).decode("utf-8", "replace")
                          for name in wheel.namelist()}
        else:
            texts[str(path.relative_to(folder))] = path.read_text("utf-8", "replace")
    return texts


def secret_and_not_given(nb) -> set[str]:
    """Lines of solutions and hidden tests that the notebook does not also give students (in an instruction)."""
    shown = "\n".join(model.strip_region(model.strip_region(cell.source, model.SOLUTION_MARKERS, keep=False),
                                         model.HIDDEN_MARKERS, keep=False) for cell in nb.cells)
    return {line for line in lint.secret_lines(nb) if line not in shown}


def test_the_bundle_holds_what_students_need(made):
    names = {str(p.relative_to(made)) for p in made.rglob("*") if p.is_file()}
    for assignment in ASSIGNMENTS:
        assert f"release/{assignment}/{assignment}.ipynb" in names
    assert {"orientation.ipynb", "Dockerfile", "requirements.txt", "README.md", "data/texts/text_a.txt"} <= names
    wheel = next((made / "wheels").glob("words_and_numbers_student-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        members = zf.namelist()
    assert "utils/checks.py" in members and "utils/data/course/texts/text_b.txt" in members
    assert "pandas==" in (made / "requirements.txt").read_text()


def test_the_bundle_holds_no_solution_hidden_test_or_grading_code(made):
    texts = bundle_texts(made)
    assert not [name for name in texts if name.startswith("source/") or "instructor_guide" in name]
    rooms = [name for name in texts if any(f"utils/{room}/" in name for room in bundle.STUDENT_ROOMS)]
    assert rooms == [], f"grading or instructor code in the bundle: {rooms}"
    secrets = set().union(*(secret_and_not_given(nbformat.read(p, as_version=4)) for p in SOURCE_NOTEBOOKS))
    assert len(secrets) > 100  # the scan looks for something
    leaks = sorted((name, line) for name, text in texts.items() for line in secrets if line in text)
    assert leaks == [], f"solution or hidden-test lines in the bundle: {leaks[:5]}"


def test_a_folder_that_is_no_bundle_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(bundle.NotABundleFolder, match="not a student bundle"):
        bundle.write_bundle(ROOT, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


@pytest.mark.slow
def test_installed_as_the_dockerfile_does_a_release_notebook_runs(student_image, tmp_path, monkeypatch):
    python = IMAGE_ENV / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import json, utils, importlib.util as u; from utils import paths; print(json.dumps("
         "[utils.__file__, str(paths.data_dir()), u.find_spec('utils.grading') is None]))"],
        cwd=tmp_path, capture_output=True, text=True, check=True, env=os.environ | {"WORDSNUMS_ROOT": ""})
    module, data, no_grading = json.loads(where.stdout)
    assert Path(module).is_relative_to(IMAGE_ENV) and Path(data).is_relative_to(IMAGE_ENV), (module, data)
    assert no_grading, "the grading room is importable in the student's environment"
    # a kernel of the student's environment, in a folder outside the course
    spec = tmp_path / "share" / "jupyter" / "kernels" / "student"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    monkeypatch.delenv("WORDSNUMS_ROOT", raising=False)
    work = tmp_path / A1
    work.mkdir()
    nb = nbformat.read(student_image / "release" / A1 / f"{A1}.ipynb", as_version=4)
    NotebookClient(nb, kernel_name="student", allow_errors=True, timeout=120,
                   resources={"metadata": {"path": str(work)}}).execute()
    found = errors(nb)
    assert found, "a blank release notebook raises in its answer cells"
    assert [e for e in found if e[2] not in EXPECTED_ERRORS.get(e[0], set())] == []
