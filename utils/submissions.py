"""What a submission folder holds, checked before grading, in words an instructor can act on.

Used by ``wordsnums grade`` before it runs nbgrader, and by nbgrader itself through
:class:`utils.nbgrader_plugins.KitNotebookExporter`, so plain ``nbgrader autograde`` gives the same messages.
"""

import json
import re
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 50 * 2**20  # a release notebook is under 100 kB; anything this large was not made by hand
RESUBMIT = "ask the student to open it in JupyterLab, save it, and submit again"


def notebook_problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be graded as a notebook, or None if it can.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a1.ipynb").write_text('{"cells": [')
    >>> print(notebook_problem(folder / "a1.ipynb").split(":")[1].strip())
    not a notebook
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return f"{path}: not a notebook: the file is empty; {RESUBMIT}."
    if size > MAX_NOTEBOOK_BYTES:
        return f"{path}: not a notebook: {size / 2**20:.0f} MiB is over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit; " \
               f"clear the outputs (Edit > Clear Outputs of All Cells) and submit again."
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return f"{path}: not a notebook: the file is not text (binary or not UTF-8); {RESUBMIT}."
    except json.JSONDecodeError as err:
        return f"{path}: not a notebook: broken JSON at line {err.lineno}, column {err.colno} ({err.msg}), " \
               f"often a file cut short or edited outside Jupyter; {RESUBMIT}."
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return f"{path}: not a notebook: valid JSON but without notebook cells; {RESUBMIT}."
    try:
        nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as err:  # nbformat raises several kinds for malformed notebooks
        return f"{path}: not a notebook: {type(err).__name__}: {str(err).splitlines()[0]}; {RESUBMIT}."
    return None


def folder_problems(folder: Path, expected: list[str]) -> list[str]:
    """Problems of a submission folder against the notebook names ``expected`` (without .ipynb).

    A missing notebook, a renamed one (nbgrader would skip it and give 0) and files that are not notebooks.
    """
    shadows = [name for name in ("utils", "utils.py") if (Path(folder) / name).exists()]
    found = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    names = {p.stem for p in found}
    strays = [p.name for p in found if p.stem not in expected]
    problems = [f"{folder}: its own {' and '.join(shadows)} were left out of grading: they would hide the "
                "kit's checks"] if shadows else []
    for name in expected:
        if name not in names:
            instead = f"; it holds {', '.join(strays)}: if that is the work, rename it to {name}.ipynb " \
                      "and grade again" if strays else ""
            problems.append(f"{folder}: no {name}.ipynb to grade{instead}.")
        else:
            problem = notebook_problem(Path(folder) / f"{name}.ipynb")
            if problem:
                problems.append(problem)
    return problems


# Code that can make tests pass without right answers, or reach outside the submission. Grading
# already defends against each (scratch copy, hidden tests on plain values, restored cells); these
# lines are shown to the instructor so a person looks at them too.
SUSPICIOUS = [
    (r"\b(builtins|__builtins__|sys\.modules|importlib|ctypes)\b", "reaches into Python itself"),
    (r"\bget_ipython\(\)\.(?!run_line_magic)", "reaches into the Jupyter kernel"),
    (r"\bdef __(eq|ne|lt|le|gt|ge|hash|bool|getattr|getattribute|instancecheck)__\b|__eq__\s*=",
     "defines how its objects compare (an object equal to everything passes any comparison)"),
    (r"^\s*(checks|pd|np)\s*=(?!=)", "rebinds a name the tests use"),
    (r"\b(checks|utils|np)\.[\w.]+\s*=(?!=)|\bpd\.(?!options\b)[\w.]+\s*=(?!=)|\bsetattr\(",
     "replaces part of a library the tests use"),
    (r"\bos\._exit\b|\bsubprocess\b|\bos\.system\b|\bsqlite3\b|\.\./\.\./", "runs programs or reaches other files"),
]


def suspicious_lines(nb) -> list[str]:
    """Lines in the cells a student may edit that a person should look at, each with why.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("n = 3\\nchecks = None")])
    >>> suspicious_lines(nb)
    ['cell 1, line 2: `checks = None` rebinds a name the tests use']
    """
    found = []
    for number, cell in enumerate(nb.cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("locked"):
            continue
        where = meta.get("grade_id") or f"cell {number}"
        for line_number, line in enumerate(cell.source.split("\n"), start=1):
            for pattern, why in SUSPICIOUS:
                if re.search(pattern, line):
                    found.append(f"{where}, line {line_number}: `{line.strip()[:80]}` {why}")
                    break
    return found
