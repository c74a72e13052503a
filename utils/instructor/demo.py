"""A simulated term through nbgrader's real exchange in a local folder.

For each assignment: generate, release to the exchange, each synthetic student fetches, works
(full, partial, blank, wrong, tampered, mixed: one part wrong in questions checked in parts, for
partial credit), submits; the due date passes; a late student submits; one student's notebook is
broken; the instructor collects, grades in parallel, generates feedback, exports grades and writes
the report.
"""

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pandas as pd
from nbgrader.api import Gradebook, Student
from sqlalchemy import create_engine, inspect, select

from utils.course import model, synthetic
from utils.grading import gradebook, parallel, report
from utils.instructor import folders

COURSE_ID = "words-and-numbers"  # passed explicitly: students' folders have no nbgrader_config.py
MARKER = ".wordsnums-demo"  # only a folder with this file may be wiped for a new demo
TERM_CLASS = {"ada": "full", "ben": "partial", "cy": "blank", "dee": "wrong", "eve": "tampered",
              "fay": "late", "gus": "broken", "hal": "mixed"}


class NotADemoFolder(RuntimeError):
    """The demo was pointed at a folder that it did not create."""


def prepare_course(root: Path, workdir: Path, db_url: str | None = None) -> Path:
    """A fresh demo course in ``workdir`` with root's source/ and config; an earlier demo there is replaced.

    Its gradebook is ``db_url``, by default a sqlite file of its own: never the database the course's config
    names, which may be a production server. Refuses a folder that exists and was not made by a demo, so that
    nothing else is deleted.
    """
    folders.remake(workdir, MARKER, "wordsnums demo",
                   NotADemoFolder(f"{workdir} exists and is not a demo folder; choose a new folder with --dir."))
    shutil.copytree(root / "source", workdir / "source")
    shutil.copy2(root / "nbgrader_config.py", workdir / "nbgrader_config.py")
    with open(workdir / "nbgrader_config.py", "a", encoding="utf-8") as config:
        # last, so it wins over the course's own setting; nbgrader and the kit both read it from here
        config.write(f"\n# wordsnums demo: the demo's own gradebook\nc.CourseDirectory.db_url = "
                     f"{db_url or gradebook.DEFAULT_DB_URL!r}\n")
    return workdir


def foreign_students(url: str) -> list[str]:
    """Students in the gradebook at ``url`` who are not the demo's: a database the demo must not write into."""
    engine = create_engine(url)
    try:  # read, not opened as a Gradebook: that would make nbgrader's tables in a database the demo may refuse
        if not inspect(engine).has_table(Student.__tablename__):
            return []
        with engine.connect() as con:
            return sorted(set(con.execute(select(Student.id)).scalars()) - set(TERM_CLASS))
    finally:
        engine.dispose()


def exchange_args(workdir: Path) -> list[str]:
    """nbgrader options for the local exchange (one account, so no owner check on collect)."""
    return [f"--Exchange.root={workdir / 'exchange'}", f"--CourseDirectory.course_id={COURSE_ID}"]


def _work(kind: str, source_nb, fetched_nb):
    """What a student of ``kind`` hands in: a late student hands in full work."""
    return synthetic.submission("full" if kind == "late" else kind, source_nb, fetched_nb)


def fetch_work_submit(workdir: Path, assignment: str, student: str, kind: str) -> Path:
    """A student fetches the assignment from the exchange, works in it and submits it."""
    home = workdir / "students" / student
    home.mkdir(parents=True, exist_ok=True)
    ex = exchange_args(workdir)
    model.run_nbgrader(["fetch_assignment", assignment, f"--student={student}", *ex], cwd=home)
    for path in sorted((home / assignment).glob("*.ipynb")):
        if kind == "broken":
            path.write_text('{"cells": [ {"cell_type": "code", "source": "oops', encoding="utf-8")
            continue
        source_nb = nbformat.read(workdir / "source" / assignment / path.name, as_version=4)
        nbformat.write(_work(kind, source_nb, nbformat.read(path, as_version=4)), path)
    model.run_nbgrader(["submit", assignment, f"--student={student}", *ex], cwd=home)
    return home / assignment


def set_due_date(workdir: Path, assignment: str, when: datetime) -> None:
    """Record the due date in nbgrader's gradebook (naive UTC, as nbgrader stores it)."""
    with Gradebook(gradebook.gradebook_url(workdir)) as gb:
        gb.update_or_create_assignment(assignment, duedate=when.astimezone(UTC).replace(tzinfo=None))


def expected(workdir: Path, assignment: str, students: dict[str, str]) -> pd.DataFrame:
    """The autograded points each student must get, summed over the assignment's notebooks."""
    rows = []
    for student, kind in students.items():
        points = sum(synthetic.expected_score("full" if kind == "late" else kind, nbformat.read(p, as_version=4))
                     for p in model.notebooks(workdir, assignment)) if kind != "broken" else None
        rows.append((student, kind, points))
    return pd.DataFrame(rows, columns=["student", "kind", "expected"])


def run_assignment(workdir: Path, assignment: str, students: dict[str, str], jobs: int | None = None,
                   progress=None) -> pd.DataFrame:
    """The whole cycle for one assignment; returns one row per student with expected and actual scores."""
    model.generate_release(workdir, assignment)
    ex = exchange_args(workdir)
    model.run_nbgrader(["release_assignment", assignment, "--force", *ex], cwd=workdir)
    on_time = {s: k for s, k in students.items() if k != "late"}
    for student, kind in on_time.items():
        fetch_work_submit(workdir, assignment, student, kind)
    set_due_date(workdir, assignment, datetime.now(UTC))
    time.sleep(1.1)  # the late students submit after the due date has passed
    for student, kind in students.items():
        if kind == "late":
            fetch_work_submit(workdir, assignment, student, kind)
    model.run_nbgrader(["collect", assignment, "--update", "--CollectApp.check_owner=False", *ex], cwd=workdir)
    outcomes = {o.student: o for o in parallel.grade(workdir, assignment, jobs=jobs, force=True, progress=progress)}
    model.run_nbgrader(["generate_feedback", assignment, "--force"], cwd=workdir)
    model.run_nbgrader(["export", "--to", str(workdir / "grades.csv")], cwd=workdir)
    report.write_report(workdir, assignment, workdir / "reports")

    grades = pd.read_csv(workdir / "grades.csv")
    grades = grades[grades["assignment"] == assignment].rename(columns={"student_id": "student"})
    table = expected(workdir, assignment, students).merge(
        grades[["student", "autograded", "late_penalty", "score", "max_score"]], on="student", how="left")
    table["status"] = table["student"].map(lambda s: outcomes[s].status if s in outcomes else "not collected")
    table["message"] = table["student"].map(lambda s: outcomes[s].message if s in outcomes else "")
    return table
