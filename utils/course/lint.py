"""Course lint: everything that must hold before a release, as a list of readable problems.

``wordsnums check`` prints them and exits non-zero if there are any; the test suite asserts
that there are none.
"""

import ast
import json
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from utils import checks
from utils.course import model

REQUIRED_META = {"grade", "grade_id", "locked", "schema_version", "solution"}
POINTS_LINE = re.compile(r"\*\*Points:\*\* (\d+) autograded, (\d+) graded by your instructor \((\d+) in all\)")
QUESTION_OF = re.compile(r"q(\d+[a-z]?)_")  # a graded cell's grade_id begins with its question: q12_quotes is Q12


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
    return problems + question_problems(path, nb) + standing_problems(path, nb)


def question_of(grade_id: str) -> str | None:
    """The question a graded cell belongs to, from its grade_id: q4_test is Q4, q1b_provenance Q1b."""
    found = QUESTION_OF.match(grade_id)
    return f"Q{found.group(1)}" if found else None


def _calls(tree, name: str) -> list[ast.Call]:
    """Calls of ``name`` or ``anything.name`` in a syntax tree."""
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and (
        isinstance(node.func, ast.Name) and node.func.id == name
        or isinstance(node.func, ast.Attribute) and node.func.attr == name)]


def parts_declaration(source: str) -> tuple[str, str, dict] | None:
    """A check cell's ``NAME = checks.Parts("Q4", {...})``: (NAME, the question, the points of each part), or None
    if the cell has no parts. Raises ValueError if it cannot be read without running it."""
    calls = _calls(ast.parse(source), "Parts")
    if not calls:
        return None
    if len(calls) > 1:
        raise ValueError("declares Parts more than once")
    assign = next((node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Assign)
                   and isinstance(node.value, ast.Call) and ast.dump(node.value) == ast.dump(calls[0])), None)
    if assign is None or len(assign.targets) != 1 or not isinstance(assign.targets[0], ast.Name):
        raise ValueError("should store its Parts in a name: parts = checks.Parts(...)")
    try:
        question, points = (ast.literal_eval(arg) for arg in calls[0].args)
    except ValueError as error:
        raise ValueError("should give Parts its question and points as plain values: "
                         "checks.Parts(\"Q4\", {\"`a`\": 1, \"`b`\": 1})") from error
    return assign.targets[0].id, question, points


def _part_labels(code: str) -> tuple[set[str], list[str]]:
    """The labels of ``with NAME.part("...")`` in ``code``, and the source of those that are not plain strings."""
    labels, unreadable = set(), []
    for call in _calls(ast.parse(code), "part"):
        if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
            labels.add(call.args[0].value)
        else:
            unreadable.append(ast.unparse(call))
    return labels, unreadable


def _ends_with(code: str, name: str) -> bool:
    body = ast.parse(code).body
    return bool(body) and isinstance(body[-1], ast.Expr) and isinstance(body[-1].value, ast.Name) \
        and body[-1].value.id == name


def parts_problems(where: str, cell, question: str, nb) -> list[str]:
    """A check cell in parts: its declaration, its blocks, its last line, and the question's text agree."""
    try:
        declared = parts_declaration(cell.source)
    except SyntaxError as error:
        return [f"{where}: its code does not parse: {error}"]
    except ValueError as error:
        return [f"{where}: {error}"]
    if declared is None:
        return []
    name, label, points = declared
    problems = []
    cell_points = float(model.nbgrader_meta(cell)["points"])
    if abs(sum(points.values()) - cell_points) > 1e-9:
        problems.append(f"{where}: its parts give {sum(points.values()):g} points, the cell {cell_points:g}")
    visible = model.strip_region(cell.source, model.HIDDEN_MARKERS, keep=False)
    begin, end = model.HIDDEN_MARKERS
    hidden = cell.source.split(begin, 1)[1].split(end, 1)[0] if begin in cell.source else None
    for code, what in ((visible, "visible checks"), (hidden, "hidden tests")):
        if code is None:
            continue
        used, unreadable = _part_labels(code)
        problems += [f"{where}: the label of {call} should be a plain string, so that it can be checked"
                     for call in unreadable]
        problems += [f"{where}: its {what} check a part {x!r} that it does not declare"
                     for x in sorted(used - set(points))]
        problems += [f"{where}: its {what} do not check the part {x!r}" for x in points if x not in used]
    if hidden is not None and f"{name} = Parts.hidden({name})" not in hidden:
        problems.append(f"{where}: its hidden tests should begin with {name} = Parts.hidden({name}), Parts imported "
                        "afresh, so that notebook code cannot stand in for it")
    if not (_ends_with(cell.source, name) and _ends_with(visible, name)):
        problems.append(f"{where}: its last line should be `{name}` alone, which gives nbgrader the points earned "
                        "(without it every part would earn full points)")
    heading = f"**{question} ("
    text = next((c.source for c in nb.cells if c.cell_type == "markdown" and heading in c.source), "")
    stated = text[text.index(heading):].split("**", 2)[1] if text else ""
    wanted = [f"{question} ({cell_points:g} point"] + [f"{p:g} for {x}" for x, p in points.items()]
    missing = [w for w in wanted if w not in stated]
    if missing:
        problems.append(f"{where}: the question's text should state the points of each part, as "
                        f"'**{question} ({_points_of(points)})**'; it lacks {missing[0]!r}")
    return problems


def _points_of(points: dict) -> str:
    total = sum(points.values())
    return f"{total:g} point{'' if total == 1 else 's'}: " + ", ".join(f"{p:g} for {x}" for x, p in points.items())


def question_problems(path: Path, nb) -> list[str]:
    """Each graded cell names its question in its grade_id, and each check cell checks that question."""
    problems = []
    for i, cell in enumerate(nb.cells):
        meta = model.nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        where = f"{path}: cell {i} ({meta['grade_id']})"
        question = question_of(meta["grade_id"])
        if question is None:
            problems.append(f"{where}: a graded cell's grade_id should begin with its question, such as q4_")
            continue
        if model.cell_kind(cell) != "test":
            continue
        labels = checks.labels_in(cell.source)
        if not labels:
            problems.append(f"{where}: a check cell should name its question in checks.passed(\"{question}\") or "
                            f"checks.Parts(\"{question}\", ...)")
        problems += [f"{where}: it checks {label!r}, but its grade_id is of {question}" for label in labels
                     if checks.question_of(label) != question]
        problems += parts_problems(where, cell, question, nb)
    return problems


def question_points(nb) -> tuple[dict, dict]:
    """The autograded and the instructor's points of each question, from the graded cells."""
    auto, manual = {}, {}
    for cell in nb.cells:
        meta = model.nbgrader_meta(cell)
        if meta.get("grade") and (question := question_of(meta["grade_id"])):
            points = auto if model.cell_kind(cell) == "test" else manual
            points[question] = points.get(question, 0) + float(meta.get("points", 0))
    return auto, manual


def standing_problems(path: Path, nb) -> list[str]:
    """The last cell shows the student's standing, locked and ungraded, with the questions and points of the
    graded cells: a later edit of points cannot make the table say otherwise."""
    found = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and "standing(" in cell.source]
    if len(found) != 1 or found[0] != len(nb.cells) - 1:
        return [f"{path}: the last cell, and only it, should show the student's standing: checks.standing(...)"]
    cell = nb.cells[-1]
    where = f"{path}: cell {found[0]} (the standing table)"
    problems = [] if model.cell_kind(cell) == "readonly" else [f"{where} should be locked and not graded"]
    try:
        [call] = _calls(ast.parse(cell.source), "standing")
        auto = ast.literal_eval(call.args[0])
        manual = ast.literal_eval(next((k.value for k in call.keywords if k.arg == "by_instructor"), ast.Dict()))
    except (SyntaxError, ValueError, IndexError):
        return problems + [f"{where}: give checks.standing its questions and points as plain values"]
    for what, table, cells in (("autograded", auto, question_points(nb)[0]),
                               ("instructor's", manual, question_points(nb)[1])):
        for question in sorted(set(table) | set(cells), key=checks.question_order):
            shown, given = table.get(question), cells.get(question)
            if shown is None:
                problems.append(f"{where} leaves out the {given:g} {what} points of {question}")
            elif given is None:
                problems.append(f"{where} gives {question} {shown:g} {what} points, but no graded cell does")
            elif abs(shown - given) > 1e-9:
                problems.append(f"{where} gives {question} {shown:g} {what} points; its graded cells give {given:g}")
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
    """Lines of solutions and hidden tests long enough to give something away (not those that the visible
    code has too, such as a question part's ``with parts.part("...")``)."""
    lines, shown = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.split("\n"):
            if any(m[0] in line for m in (model.SOLUTION_MARKERS, model.HIDDEN_MARKERS)):
                inside = True
            elif any(m[1] in line for m in (model.SOLUTION_MARKERS, model.HIDDEN_MARKERS)):
                inside = False
            elif inside and len(line.strip()) >= 15:
                lines.add(line.strip())
            elif not inside:
                shown.add(line.strip())
    return lines - shown


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
