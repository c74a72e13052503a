"""A synthetic class: submissions built from release/ and source/, with the scores they must get.

Kinds of student:
- ``full``: every answer cell holds the instructor's solution: all autograded points.
- ``partial``: the first half of the answer cells answered, the rest left as released.
- ``blank``: the release notebook as it is: 0.
- ``wrong``: the solution, then every name it assigns made wrong (a number off by one, a
  list one item short, ...): 0, which also shows that no test passes on a wrong value.
- ``tampered``: blank answers, and every test cell replaced by ``pass``: 0, because
  nbgrader restores the test cells from the gradebook.
- ``mixed``: the solution, but in each question checked in parts (:class:`utils.checks.Parts`) one
  part made wrong, the last one whose answers no other part reads (they are perturbed as for
  ``wrong``, and put back before the next answer, so that later questions are not touched): partial
  credit, each such question's points less that part's.
"""

import ast
import copy
import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from utils.course.lint import parts_declaration
from utils.course.model import cell_kind, nbgrader_meta, notebooks, solution_code

KINDS = ("full", "partial", "blank", "wrong", "tampered", "mixed")


def perturbed(value):
    """A value of the same type as ``value`` but different from it (text: a third, reversed; a date: a day later)."""
    if isinstance(value, (bool, np.bool_)):
        return not value
    if isinstance(value, (int, float, np.number)):
        return value + 1
    if isinstance(value, str):
        return (value[::-1] + "?")[: max(2, len(value) // 3)]
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return value + pd.Timedelta(days=1)
    if isinstance(value, (list, tuple)):
        return type(value)(value[:-1]) if value else type(value)([None])
    if isinstance(value, set):
        return set(sorted(value, key=str)[:-1]) if value else {None}
    if isinstance(value, dict):
        return dict(list(value.items())[:-1]) if value else {None: None}
    if isinstance(value, pd.Series) and pd.api.types.is_numeric_dtype(value):
        return value + 1
    if isinstance(value, (pd.Series, pd.DataFrame)):
        return value.iloc[:-1]
    return object()  # any other type: a value no test can accept


def assigned_names(code: str) -> list[str]:
    """The names a cell assigns at its top level, in order."""
    names = []
    for node in ast.parse(code).body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and sub.id not in names:
                    names.append(sub.id)
    return names


def _wrong_code(code: str) -> str:
    names = assigned_names(code)
    lines = [code, "from utils.course.synthetic import perturbed as _perturbed"]
    lines += [f"{name} = _perturbed({name})" for name in names]
    return "\n".join(lines)


def names_read(nodes) -> set[str]:
    """The names the code of these syntax nodes reads."""
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def part_names(test_source: str) -> dict[str, set[str]]:
    """For each part of a check cell in parts, the names its blocks read, visible and hidden (with those read by
    the functions of the cell that a block calls)."""
    tree = ast.parse(test_source)
    functions = {node.name: names_read(node.body) for node in tree.body if isinstance(node, ast.FunctionDef)}
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.With):
            continue
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "part" \
                    and call.args and isinstance(call.args[0], ast.Constant):
                read = names_read(node.body)
                read |= set().union(*(functions[name] for name in read if name in functions))
                found.setdefault(call.args[0].value, set()).update(read)
    return found


def wrong_parts(source_nb) -> dict[str, tuple[str, list[str], float]]:
    """The part a ``mixed`` student gets wrong in each question checked in parts, by the grade_id of its answer
    cell: (its label, the answers it alone reads, its points). A question whose parts all read each other's
    answers (two columns of one table, say) has none: no answer can be made wrong for one part only."""
    wrong, answer = {}, None
    for cell in source_nb.cells:
        if cell_kind(cell) == "answer" and cell["cell_type"] == "code":
            answer = cell
        if cell_kind(cell) != "test" or answer is None or not (declared := parts_declaration(cell.source)):
            continue
        _, _, points = declared
        answers = set(assigned_names(solution_code(answer.source)))
        read = {label: names & answers for label, names in part_names(cell.source).items()}
        for label in reversed(list(points)):
            own = read.get(label, set()) - set().union(*(names for other, names in read.items() if other != label))
            if own:
                wrong[nbgrader_meta(answer)["grade_id"]] = (label, sorted(own), float(points[label]))
                break
    return wrong


def answer_ids(source_nb) -> list[str]:
    """grade_ids of the cells a student writes in (answers and manually graded answers)."""
    return [nbgrader_meta(c)["grade_id"] for c in source_nb.cells if cell_kind(c) in {"answer", "manual"}
            and c["cell_type"] == "code"]


def n_answered(kind: str, n_answers: int) -> int:
    """How many answer cells (from the top) a student of ``kind`` fills in."""
    return {"full": n_answers, "wrong": n_answers, "mixed": n_answers, "partial": math.ceil(n_answers / 2)}.get(kind, 0)


def submission(kind: str, source_nb, release_nb):
    """The notebook a student of ``kind`` would submit."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of student {kind!r}; use one of {', '.join(KINDS)}.")
    solutions = {nbgrader_meta(c)["grade_id"]: solution_code(c.source) for c in source_nb.cells
                 if cell_kind(c) in {"answer", "manual"} and c["cell_type"] == "code"}
    ids = answer_ids(source_nb)
    answered = set(ids[: n_answered(kind, len(ids))])
    wrong = wrong_parts(source_nb) if kind == "mixed" else {}
    kept: list[str] = []  # answers made wrong for one part, to put back before the next answer
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in answered:
            cell.source = _wrong_code(solutions[gid]) if kind == "wrong" else solutions[gid]
            if kept:
                cell.source = "\n".join([*(f"{name} = _kept_{name}" for name in kept), cell.source])
            kept = wrong[gid][1] if gid in wrong else []
            if kept:
                cell.source = "\n".join([cell.source, "from utils.course.synthetic import perturbed as _perturbed",
                                         *(f"_kept_{name} = {name}\n{name} = _perturbed({name})" for name in kept)])
        elif kind == "tampered" and cell_kind(cell) == "test":
            cell.source = "pass"
    return nb


def expected_score(kind: str, source_nb) -> float:
    """The autograded points a student of ``kind`` must get for this notebook."""
    if kind in {"blank", "wrong", "tampered"}:
        return 0.0
    if kind == "mixed":
        return expected_score("full", source_nb) - sum(points for _, _, points in wrong_parts(source_nb).values())
    ids = answer_ids(source_nb)
    answered = n_answered(kind, len(ids))
    first_blank = ids[answered] if answered < len(ids) else None
    total = 0.0
    for cell in source_nb.cells:
        if first_blank is not None and nbgrader_meta(cell).get("grade_id") == first_blank:
            break
        if cell_kind(cell) == "test":
            total += float(nbgrader_meta(cell).get("points", 0))
    return total


def write_class(course: Path, assignment: str, students: dict[str, str]) -> pd.DataFrame:
    """Write each student's submission into course/submitted/; returns the expected scores.

    ``students`` maps a student id to a kind. Notebooks come from course/source/ and
    course/release/, which nbgrader must have generated first.
    """
    rows = []
    for path in notebooks(course, assignment):
        source_nb = nbformat.read(path, as_version=4)
        release_nb = nbformat.read(course / "release" / assignment / path.name, as_version=4)
        for student, kind in students.items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(submission(kind, source_nb, release_nb), folder / path.name)
            rows.append((student, kind, assignment, path.stem, expected_score(kind, source_nb)))
    return pd.DataFrame(rows, columns=["student", "kind", "assignment", "notebook", "expected"])
