"""What a submission folder holds, checked before grading, in words an instructor can act on.

Used by ``wordsnums grade`` before it runs nbgrader, and by nbgrader itself through
:class:`utils.grading.plugins.KitNotebookExporter`, so plain ``nbgrader autograde`` gives the same messages.
"""

import json
from pathlib import Path

import nbformat

RESUBMIT = "ask the student to open it in JupyterLab, save it, and submit again"


def notebook_problem(path: Path, max_mb: int) -> str | None:
    """Why the file at ``path`` cannot be graded as a notebook (of at most ``max_mb`` MiB), or None if it can.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a1.ipynb").write_text('{"cells": [')
    >>> print(notebook_problem(folder / "a1.ipynb", max_mb=50).split(":")[1].strip())
    not a notebook
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return f"{path}: not a notebook: the file is empty; {RESUBMIT}."
    if size > max_mb * 2**20:
        return f"{path}: not a notebook: {size / 2**20:.0f} MiB is over the {max_mb} MiB limit; " \
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


def folder_problems(folder: Path, expected: list[str], max_mb: int) -> list[str]:
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
            problem = notebook_problem(Path(folder) / f"{name}.ipynb", max_mb)
            if problem:
                problems.append(problem)
    return problems
