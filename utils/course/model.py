"""The course as nbgrader sees it: assignments, notebooks, graded cells and points.

Also runs nbgrader's own commands, so every part of the kit calls them the same way.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
from traitlets.config import Config, PyFileConfigLoader

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MARK_SCHEME_MARKERS = ("=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ===")
ALL_MARKERS = SOLUTION_MARKERS + HIDDEN_MARKERS + MARK_SCHEME_MARKERS


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error."""


def assignments(root: Path) -> list[str]:
    """The assignment ids: the folders of source/, in order."""
    return sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and not p.name.startswith("."))


def course_config(course: Path) -> Config:
    """The course's nbgrader_config.py, loaded as nbgrader loads it (the kit's plugins read their settings there)."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def notebooks(root: Path, assignment: str, folder: str = "source") -> list[Path]:
    """The notebooks of one assignment in source/ or release/."""
    return sorted((root / folder / assignment).glob("*.ipynb"))


IGNORED = (".ipynb_checkpoints", "__pycache__", "feedback")  # as nbgrader's CourseDirectory.ignore


def course_files(folder: Path) -> list[Path]:
    """The files of an assignment folder that nbgrader handles, without checkpoints and caches."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not set(p.relative_to(folder).parts) & set(IGNORED)
                  and p.suffix != ".pyc")


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_kind(cell) -> str:
    """What a cell is to nbgrader: answer, manual (graded answer), test, readonly or plain."""
    m = nbgrader_meta(cell)
    if m.get("solution") and m.get("grade"):
        return "manual"
    if m.get("solution"):
        return "answer"
    if m.get("grade"):
        return "test" if cell["cell_type"] == "code" else "manual"
    if m.get("locked"):
        return "readonly"
    return "plain"


CHECK_NAMES = {"test": "checks", "quotes": "quotation check", "length": "length check"}


def question_label(grade_id: str, kind: str) -> str:
    """How the course names a graded cell to a student: its question and what is graded.

    >>> question_label("q12_paragraph", "manual"), question_label("q13_length", "test")
    ('Q12 written answer, graded by your instructor', 'Q13 length check')
    >>> question_label("q1b_provenance", "manual"), question_label("q4_test", "test")
    ('Q1b written answer, graded by your instructor', 'Q4 checks')
    >>> question_label("q8_stance", "answer")  # an answer its checks grade; feedback may comment on it
    'Q8 answer'
    """
    found = re.fullmatch(r"q(\d+[a-z]?)_(\w+)", grade_id)
    if not found:
        return grade_id
    question, rest = f"Q{found[1]}", found[2]
    if kind == "manual":
        return f"{question} written answer, graded by your instructor"
    if kind == "answer":
        return f"{question} answer"
    return f"{question} {CHECK_NAMES.get(rest, rest.replace('_', ' ') + ' check')}"


def graded_cells(nb) -> pd.DataFrame:
    """One row per graded cell: grade_id, kind (test = autograded, manual) and points."""
    rows = [(nbgrader_meta(c)["grade_id"], cell_kind(c), float(nbgrader_meta(c).get("points", 0)))
            for c in nb.cells if nbgrader_meta(c).get("grade")]
    return pd.DataFrame(rows, columns=["grade_id", "kind", "points"])


def points(root: Path) -> pd.DataFrame:
    """Autograded and manual points per assignment notebook."""
    rows = []
    for assignment in assignments(root):
        for path in notebooks(root, assignment):
            cells = graded_cells(nbformat.read(path, as_version=4))
            by_kind = cells.groupby("kind")["points"].sum()
            rows.append((assignment, path.stem, by_kind.get("test", 0.0), by_kind.get("manual", 0.0)))
    table = pd.DataFrame(rows, columns=["assignment", "notebook", "autograded", "manual"])
    return table.assign(total=table["autograded"] + table["manual"])


def strip_region(source: str, markers: tuple[str, str], keep: bool) -> str:
    """Remove a marked region's marker lines, keeping (``keep``) or dropping what is inside."""
    out, inside = [], False
    for line in source.split("\n"):
        if markers[0] in line:
            inside = True
        elif markers[1] in line:
            inside = False
        elif keep or not inside:
            out.append(line)
    return "\n".join(out)


def solution_code(source: str) -> str:
    """A source cell as a student who answered fully would write it: markers gone."""
    return strip_region(strip_region(source, SOLUTION_MARKERS, keep=True), HIDDEN_MARKERS, keep=False)


def nbgrader_env() -> dict:
    """The environment for nbgrader: its helper commands (alembic) sit beside this Python."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course folder ``cwd``; raise with its log if it fails."""
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=nbgrader_env(),
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise NbgraderFailed(f"nbgrader {' '.join(args)} failed in {cwd} (exit {proc.returncode}):\n{tail}")
    return proc


def generate_release(root: Path, assignment: str) -> Path:
    """Generate release/ASSIGNMENT from source/ with nbgrader; returns the release folder."""
    run_nbgrader(["generate_assignment", assignment, "--force"], cwd=root)
    return root / "release" / assignment
