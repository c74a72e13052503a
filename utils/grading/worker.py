"""A grading worker: autogrades several students' submissions in one process, one after another.

Run as ``python -m utils.grading.worker COURSE ASSIGNMENT STUDENT...`` by :func:`utils.grading.parallel.grade`,
with the JSON list of every student graded in the run on stdin.
Importing nbgrader and the course config once per worker, not once per submission, is what makes
parallel grading pay; each submission still runs in a fresh kernel of its own.

Each submission is graded in a scratch copy of the course (its config, the assignment's source and
the one submission), with the real gradebook: what a student's code writes through relative paths
lands in the copy, is reported, and is thrown away. One JSON line per student goes to stdout as it
finishes: student, status (graded or failed), seconds, message, and notes for the instructor.
"""

import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.apps import AutogradeApp
from traitlets.config import PyFileConfigLoader

from utils.course.model import notebooks
from utils.grading.gradebook import gradebook_url
from utils.grading.guard import changes, file_digests, manual_marks, restore_manual_marks, snapshot
from utils.grading.notes import note_for
from utils.grading.plugins import KitNotebookExporter
from utils.grading.submissions import folder_problems, notebook_problem


class _Log(logging.Handler):
    """Collects what nbgrader logs while grading one submission: errors, and warnings as notes."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.errors, self.notes = [], []

    def emit(self, record):
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            self.errors.append(message)
        elif (note := note_for(message)) and note not in self.notes:
            self.notes.append(note)

    def message(self) -> str:
        """The first error, with the cause nbgrader logs after it ("There was an error processing ...")."""
        if not self.errors:
            return ""
        causes = [e.strip().split("\n")[-1] for e in self.errors[1:] if e.startswith("Traceback")]
        return self.errors[0] + (f": {causes[0]}" if causes else "")


def _tree(folder: Path) -> dict[str, str]:
    return file_digests(folder, folder.rglob("*"))


def _scratch_course(course: Path, assignment: str, student: str) -> Path:
    scratch = Path(tempfile.mkdtemp(prefix=f"wordsnums-grade-{student}-"))
    shutil.copy2(course / "nbgrader_config.py", scratch)
    shutil.copytree(course / "source" / assignment, scratch / "source" / assignment)
    shutil.copytree(course / "submitted" / student / assignment, scratch / "submitted" / student / assignment)
    return scratch


def _autograde(scratch: Path, course: Path, assignment: str, student: str, log: _Log) -> bool:
    app = AutogradeApp()
    app.log.addHandler(log)
    try:
        app.initialize([assignment, "--student", student, "--force", f"--CourseDirectory.root={scratch}",
                        f"--CourseDirectory.db_url={gradebook_url(course)}"])
        app.start()
    except SystemExit as exit_:  # nbgrader's fail() exits
        return not exit_.code and not log.errors
    except Exception as err:  # one broken submission never stops the others
        log.errors.append(f"{type(err).__name__}: {err}")
        return False
    finally:
        app.log.removeHandler(log)
        AutogradeApp.clear_instance()
    return not log.errors


def _grade_in_scratch(course: Path, assignment: str, student: str, batch: set[str], log: _Log) -> str:
    """Autograde one submission in a scratch copy of the course; notes what its code changed where."""
    scratch = _scratch_course(course, assignment, student)
    mine = Path("autograded") / student / assignment
    try:
        before, course_before, marks = _tree(scratch), snapshot(course, batch), manual_marks(course)
        graded = _autograde(scratch, course, assignment, student, log)
        strays = sorted(path for path, digest in _tree(scratch).items()
                        if before.get(path) != digest and not Path(path).is_relative_to(mine))
        if strays:
            log.notes.append("its code wrote outside its folder (into the grading copy, thrown away): "
                             + ", ".join(strays))
        # only an absolute path reaches the course itself
        if put_back := restore_manual_marks(course, marks):
            log.notes.append(f"manual marks of {', '.join(put_back)} changed while it was graded; put back")
        if changed := changes(course_before, snapshot(course, batch)):
            log.notes.append("the course changed while it was graded (other submissions graded at the same "
                             "time may have done it): " + "; ".join(changed))
        if graded:
            shutil.rmtree(course / mine, ignore_errors=True)
            shutil.copytree(scratch / mine, course / mine)
        return "graded" if graded else "failed"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def max_notebook_mb(course: Path) -> int:
    """The largest notebook graded, as nbgrader_config.py sets it for nbgrader's own exporter."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return KitNotebookExporter(config=config).max_notebook_mb


def grade_one(course: Path, assignment: str, student: str, batch: set[str], max_mb: int) -> dict:
    start = time.perf_counter()
    expected = [p.stem for p in notebooks(course, assignment)]
    folder = course / "submitted" / student / assignment
    problems = folder_problems(folder, expected, max_mb)
    present = [folder / f"{name}.ipynb" for name in expected if (folder / f"{name}.ipynb").is_file()]
    # nbgrader would fail on these anyway, with a JSON traceback or "No notebooks found"
    unreadable = [p for p in (notebook_problem(path, max_mb) for path in present) if p] if present else problems
    log = _Log()
    if unreadable:
        status, log.errors = "failed", unreadable
    else:
        status = _grade_in_scratch(course, assignment, student, batch, log)
    return {"student": student, "status": status, "seconds": time.perf_counter() - start,
            "message": log.message(), "notes": ([] if unreadable else problems) + log.notes}


def main(argv: list[str]) -> int:
    course, assignment, *students = argv
    # everyone graded in this run, by any worker: their gradebook rows change, the others' must not
    batch = set(json.loads(sys.stdin.read() or "[]")) | set(students)
    course = Path(course).resolve()
    max_mb = max_notebook_mb(course)
    for student in students:
        print(json.dumps(grade_one(course, assignment, student, batch, max_mb)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
