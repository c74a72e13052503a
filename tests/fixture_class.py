"""A class of A1 submissions that real classes produce: broken, hostile, or just odd.

Each case writes one student's submission folder and says what grading must give: the exact
autograded score, the kit's status, and words that the kit's notes or message and nbgrader's own
log must contain. A1 is worth 17 autograded points; per question: q1 1, q2 1, q3 1, q4 2, q5 1,
q6 2, q7 2, q8 2, q9 1, q10 1, q11 1, q12 1, q13 1. Q4, Q7 and Q8 are checked in two parts of
1 point each (``checks.Parts``): a part wrong costs 1 of the 2, the whole cell failing both.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from utils.course import model, synthetic
from utils.grading.gradebook import gradebook_url

A1 = "a1_close_reading"
NOTEBOOK = f"{A1}.ipynb"


@dataclass
class Case:
    student: str
    write: Callable  # (folder, make) -> None; make(kind) gives a synthetic A1 notebook
    score: float | None  # None: nothing graded (the kit refuses the file)
    kit: str  # words in the kit's message or notes ("" for none)
    nbgrader: str = ""  # words in plain nbgrader's log for this student ("" for none)
    status: str = "graded"


def cell(nb, grade_id):
    return next(c for c in nb.cells if model.nbgrader_meta(c).get("grade_id") == grade_id)


def _write(nb, folder: Path, name: str = NOTEBOOK) -> None:
    nbformat.write(nb, folder / name)


def _edited(kind: str, edit: Callable) -> Callable:
    def write(folder, make):
        nb = make(kind)
        edit(nb)
        _write(nb, folder)
    return write


def _append(grade_id: str, code: str) -> Callable:
    return lambda nb: setattr(cell(nb, grade_id), "source", cell(nb, grade_id).source + "\n" + code)


def _replace(grade_id: str, code: str) -> Callable:
    return lambda nb: setattr(cell(nb, grade_id), "source", code)


def _tests_to_pass(nb):
    for c in nb.cells:
        if model.cell_kind(c) == "test":
            c.source = "pass"


def _delete(*grade_ids):
    return lambda nb: setattr(nb, "cells", [c for c in nb.cells if model.nbgrader_meta(c).get("grade_id")
                                            not in grade_ids])


def _duplicate(nb):
    copies = [cell(nb, "q2_test"), cell(nb, "q1_boundary")]
    nb.cells[3:3] = [nbformat.from_dict(json.loads(json.dumps(c))) for c in copies]
    for number, copied in enumerate(nb.cells[3:5]):
        copied.id = f"copied-{number}"


def _change_ids(nb):
    model.nbgrader_meta(cell(nb, "q3_test"))["grade_id"] = "q3_test_mine"
    model.nbgrader_meta(cell(nb, "q4_test"))["points"] = 10


def _v3(folder, make):
    nbformat.write(nbformat.convert(make("full"), 3), folder / NOTEBOOK)


def _foreign_kernel(nb):
    nb.metadata["kernelspec"] = {"name": "python3-custom-env", "display_name": "My env", "language": "python"}


def _shadow_utils(folder, make):
    nb = make("full")
    for gid in ("q12_paragraph", "q13_evasion"):  # prose without a single quotation, far too short
        cell(nb, gid).source = cell(nb, gid).source.split("=")[0] + '= "No quotes at all."'
    _write(nb, folder)
    (folder / "utils").mkdir()
    (folder / "utils" / "__init__.py").write_text("import utils.checks\n")
    (folder / "utils" / "checks.py").write_text(
        "class CheckFailed(AssertionError): pass\n"
        "def __getattr__(name):\n    return lambda *args, **kwargs: None\n")
    (folder / "utils.py").write_text("raise SystemExit('a module that shadows the kit')\n")


VANDAL = """
import sqlite3
for target in ["../../../source/a1_close_reading/vandal.txt", "../../../submitted/full/a1_close_reading/vandal.txt",
               "../../../nbgrader_config.py"]:
    try:
        open(target, "a").write("# vandal was here\\n")
    except OSError:
        pass
try:
    sqlite3.connect("../../../gradebook.db").execute("update grade set manual_score = 99").connection.commit()
except sqlite3.Error:
    pass
"""


GAMER = """
class Anything:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__
    def __getattr__(self, name):
        return lambda *args, **kwargs: self
    __sub__ = __abs__ = __lt__ = __gt__ = __call__ = lambda self, *args: self
checks = Anything()
for name in ["boundary", "n_nbsp", "edits_by_kind", "words_per_speaker", "lavrov_share", "longest_answer_turn",
             "security_by_role", "metaphor", "antithesis", "stance", "evasion_turns", "slip_country",
             "merkel_in_office", "paragraph", "evasion_note"]:
    globals()[name] = Anything()
"""


RUBRIC_EDIT = "*Rubric (4 points):* any paragraph earns 4 points (edited by the student)."


def _edit_rubric(nb):
    rubric = cell(nb, "q12_rubric")
    rubric.source = rubric.source.split("*Rubric")[0] + RUBRIC_EDIT


def _unlock_rubric(nb):
    rubric = cell(nb, "q12_rubric")
    _edit_rubric(nb)
    for key in ("nbgrader", "editable", "deletable"):
        rubric.metadata.pop(key, None)


def _files(*files):
    def write(folder, make):
        for name, content in files:
            (folder / name).write_bytes(content)
    return write


DUE = datetime(2026, 1, 10, 12, 0)  # A1's due date in the fixture course (UTC)


def _late(folder, make):
    _write(make("full"), folder)
    (folder / "timestamp.txt").write_text("2026-01-11 18:00:00.000000 UTC")  # 30 hours late: 2 started days


def _renamed(folder, make):
    _write(make("full"), folder, f"{A1} (1).ipynb")


CASES = [
    Case("full", _edited("full", lambda nb: None), 17, ""),
    Case("tampered", _edited("blank", _tests_to_pass), 0, "locked cell q1_test was edited",
         "Attribute 'checksum' for cell q1_test has changed"),
    Case("rubric_editor", _edited("full", _edit_rubric), 17, "locked cell q12_rubric was edited; graded with the "
         "original", "Attribute 'checksum' for cell q12_rubric has changed"),
    Case("rubric_unlocker", _edited("full", _unlock_rubric), 17, "locked cell q12_rubric was deleted; put back",
         "Locked cell q12_rubric was deleted; put back from the source"),
    Case("deleter", _edited("full", _delete("setup", "q1_test", "q2_test")), 17,
         "locked cell setup was deleted; put back", "Missing grade cell q1_test"),
    Case("duplicator", _edited("full", _duplicate), 17, "cell q2_test appears more than once",
         "Cell with id 'q2_test' exists multiple times"),
    Case("id_changer", _edited("full", _change_ids), 17, "its points was changed from 2.0 to 10.0",
         "Cell 'q3_test_mine' does not exist in the database"),
    Case("missing", _files(("notes.txt", b"I could not finish.\n")), None, f"no {NOTEBOOK} to grade",
         "No notebooks were matched", "failed"),
    Case("renamed", _renamed, None, f"rename it to {NOTEBOOK}", "Skipping unknown notebook", "failed"),
    Case("broken_json", _files((NOTEBOOK, b'{"cells": [{"cell_type": "code", "sou')), None,
         "not a notebook: broken JSON at line 1", "not a notebook: broken JSON at line 1", "failed"),
    Case("not_a_notebook", _files((NOTEBOOK, b"speaker,words\nLavrov,736\n")), None,
         "not a notebook: broken JSON", "not a notebook: broken JSON", "failed"),
    Case("json_not_notebook", _files((NOTEBOOK, b'{"answer": 42}')), None,
         "valid JSON but without notebook cells", "valid JSON but without notebook cells", "failed"),
    Case("old_format", _v3, 17, ""),
    Case("foreign_kernel", _edited("full", _foreign_kernel), 17, ""),
    Case("looper", _edited("full", _append("q5_longest", "while True:\n    pass")), 16,
         "cell q5_longest timed out", "Cell q5_longest timed out"),
    Case("killer", _edited("full", _append("q6_security", "import os\nos._exit(1)")), 15,
         "cell q6_security killed the kernel", "Cell q6_security killed the kernel"),
    Case("segfault", _edited("full", _append("q7_figures", "import ctypes\nctypes.string_at(0)")), 15,
         "cell q7_figures killed the kernel", "`import ctypes` reaches into Python itself"),
    Case("hog", _edited("full", _replace("q9_evasion", "hog = [bytearray(10**8) for _ in range(1000)]")), 16, ""),
    Case("printer", _edited("full", _append("q1_boundary", "print('x' * 20_000_000)")), 17, ""),
    # one part of Q8 wrong (the 'they' counts): partial credit, 1 of its 2 points, under plain nbgrader too
    Case("half_right", _edited("full", _append("q8_stance", 'stance["they"] = stance["they"] + 1')), 16, ""),
    Case("shadower", _shadow_utils, 15, "its own utils and utils.py were left out of grading"),
    Case("gamer", _edited("blank", _replace("q1_boundary", GAMER)), 0,
         "code to review by hand: q1_boundary, line 3: `def __eq__(self, other):` defines how its objects compare",
         "Code to review by hand: q1_boundary, line 9: `checks = Anything()` rebinds a name the tests use"),
    Case("late", _late, 17, "30.0 hours late: a penalty of 3.40 of 17.00 points",
         "late is 30.0 hours late: penalty 3.40 of 17.00 (10% per started day)"),
    Case("vandal", _edited("full", _append("q1_boundary", VANDAL)), 17,
         "code to review by hand: q1_boundary, line 5: `import sqlite3` runs programs or reaches other files"),
    Case("flipper", _edited("full", lambda nb: cell(nb, "q1_test").metadata.nbgrader.update(solution=True)), 17,
         "cell q1_test: its solution was changed from False to True; graded with False",
         "Attribute 'solution' for cell q1_test has changed! (should be: False, got: True)"),
]


def write_fixture_class(course_dir: Path, make: Callable) -> dict[str, Case]:
    """Write every case's submission into course_dir/submitted/; returns the cases by student."""
    for case in CASES:
        folder = course_dir / "submitted" / case.student / A1
        folder.mkdir(parents=True)
        case.write(folder, make)
    return {case.student: case for case in CASES}


def grading_course(course_dir: Path, due: datetime | None = DUE) -> Callable:
    """Make a course copy ready to grade A1 (a short cell timeout, release/, the due date); returns make_a1's."""
    with open(course_dir / "nbgrader_config.py", "a") as config:
        config.write("\nc.Execute.timeout = 15  # an endless loop need not cost two minutes here\n")
    model.generate_release(course_dir, A1)
    if due is not None:
        with Gradebook(gradebook_url(course_dir)) as gb:
            gb.update_or_create_assignment(A1, duedate=due)
    return make_a1(course_dir)


def make_a1(course_dir: Path) -> Callable:
    """A function giving a synthetic student's A1 notebook; release/ must exist."""
    source = nbformat.read(course_dir / "source" / A1 / NOTEBOOK, as_version=4)
    release = nbformat.read(course_dir / "release" / A1 / NOTEBOOK, as_version=4)
    return lambda kind: synthetic.submission(kind, source, release)
