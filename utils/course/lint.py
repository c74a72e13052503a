"""Course lint: everything that must hold before a release, as a list of readable problems.

``wordsnums check`` prints them and exits non-zero if there are any; the test suite asserts
that there are none.
"""

import json
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from utils.course import model

REQUIRED_META = {"grade", "grade_id", "locked", "schema_version", "solution"}
POINTS_LINE = re.compile(r"\*\*Points:\*\* (\d+) autograded, (\d+) graded by your instructor \((\d+) in all\)")


def notebook_problems(path: Path) -> list[str]:
    """nbgrader metadata, grade_ids, points, locked tests, outputs and the intro of one source notebook."""
    problems = []
    nb = nbformat.read(path, as_version=4)
    ids = []
    for i, cell in enumerate(nb.cells):
        meta = model.nbgrader_meta(cell)
        where = f"{path}: cell {i}"
        if cell.cell_type == "code" and cell.get("outputs"):
            problems.append(f"{where} has outputs: clear them before committing")
        if not meta:
            continue
        missing = REQUIRED_META - set(meta)
        if "grade_id" in missing:
            problems.append(f"{where}: nbgrader metadata lacks grade_id")
            continue
        if missing:
            problems.append(f"{where}: nbgrader metadata lacks {', '.join(sorted(missing))}")
            continue
        if meta["schema_version"] != 3:
            problems.append(f"{where}: nbgrader schema_version {meta['schema_version']}, expected 3")
        ids.append(meta["grade_id"])
        if meta["grade"] and not float(meta.get("points", 0)) > 0:
            problems.append(f"{where} ({meta['grade_id']}): a graded cell needs points above 0")
        if model.cell_kind(cell) == "test" and not meta["locked"]:
            problems.append(f"{where} ({meta['grade_id']}): a test cell must be locked")
    for gid in sorted({g for g in ids if ids.count(g) > 1}):
        problems.append(f"{path}: grade_id {gid!r} is used {ids.count(gid)} times; grade_ids must be unique")
    if any(p.endswith("lacks grade_id") for p in problems):
        return problems
    totals = model.graded_cells(nb).groupby("kind")["points"].sum()
    auto, manual = int(totals.get("test", 0)), int(totals.get("manual", 0))
    found = POINTS_LINE.search(nb.cells[0].source if nb.cells else "")
    if not found:
        problems.append(f"{path}: the first cell should state '**Points:** {auto} autograded, {manual} graded by "
                        f"your instructor ({auto + manual} in all)'")
    elif tuple(map(int, found.groups())) != (auto, manual, auto + manual):
        problems.append(f"{path}: the first cell states {found.group(0)!r}, but the cells give {auto} autograded "
                        f"and {manual} manual points")
    return problems


def generated_release(root: Path, assignment: str, workdir: Path) -> Path:
    """What nbgrader generates from source/ for one assignment, in a scratch copy of the course."""
    shutil.copytree(root / "source" / assignment, workdir / "source" / assignment)
    shutil.copy2(root / "nbgrader_config.py", workdir / "nbgrader_config.py")
    return model.generate_release(workdir, assignment)


def sync_problems(root: Path, assignment: str) -> list[str]:
    """Differences between release/ and what nbgrader generates from source/, cell by cell."""
    committed = root / "release" / assignment
    if not committed.is_dir():
        return [f"{committed}: missing; run `wordsnums build {assignment}`"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generated_release(root, assignment, Path(tmp))
        names = [str(p.relative_to(fresh)) for p in model.course_files(fresh)]
        held = [str(p.relative_to(committed)) for p in model.course_files(committed)]
        if names != held:
            return [f"{committed}: holds {held}, nbgrader generates {names}"]
        problems = []
        for path in sorted(fresh.glob("*.ipynb")):
            new, old = (json.loads(p.read_text()) for p in (path, committed / path.name))
            if new["metadata"] != old["metadata"] or len(new["cells"]) != len(old["cells"]):
                problems.append(f"{committed / path.name}: out of date; run `wordsnums build {assignment}`")
                continue
            for i, (a, b) in enumerate(zip(new["cells"], old["cells"], strict=True)):
                if a != b:
                    problems.append(f"{committed / path.name}: cell {i} differs from nbgrader's output; "
                                    f"run `wordsnums build {assignment}`")
        return problems


def secret_lines(nb) -> set[str]:
    """Lines of solutions and hidden tests long enough to give something away."""
    lines = set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.split("\n"):
            if any(m[0] in line for m in (model.SOLUTION_MARKERS, model.HIDDEN_MARKERS)):
                inside = True
            elif any(m[1] in line for m in (model.SOLUTION_MARKERS, model.HIDDEN_MARKERS)):
                inside = False
            elif inside and len(line.strip()) >= 15:
                lines.add(line.strip())
    return lines


def leak_problems(root: Path, assignment: str) -> list[str]:
    """Solution or hidden-test markers or lines anywhere in release/ASSIGNMENT."""
    problems = []
    folder = root / "release" / assignment
    for path in model.course_files(folder):
        text = path.read_text(errors="replace")
        for marker in model.ALL_MARKERS:
            if marker in text:
                problems.append(f"{path}: contains the marker {marker!r}")
    for source in model.notebooks(root, assignment):
        release = folder / source.name
        if not release.is_file():
            continue
        shown = {line.strip() for c in nbformat.read(release, as_version=4).cells for line in c.source.split("\n")}
        for line in sorted(secret_lines(nbformat.read(source, as_version=4)) & shown):
            problems.append(f"{release}: shows a line of a solution or hidden test: {line[:60]!r}")
    return problems


def output_problems(paths) -> list[str]:
    """Notebooks committed with outputs."""
    return [f"{p}: {n} cells with outputs; clear them before committing" for p in paths
            if (n := sum(1 for c in json.loads(Path(p).read_text())["cells"] if c.get("outputs")))]


def course_problems(root: Path, assignments: list[str] | None = None) -> list[str]:
    """Every problem of the course (or of some assignments), as readable lines."""
    problems = []
    for assignment in assignments or model.assignments(root):
        for path in model.notebooks(root, assignment):
            problems += notebook_problems(path)
        problems += sync_problems(root, assignment)
        problems += leak_problems(root, assignment)
    problems += output_problems(sorted((root / "notebooks").glob("*.ipynb")))
    problems += output_problems(sorted((root / "release").glob("*/*.ipynb")))
    return problems
