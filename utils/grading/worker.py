"""A grading worker: autogrades several students' submissions in one process, one after another.

Run as ``python -m utils.grading.worker COURSE ASSIGNMENT STUDENT...`` by :func:`utils.grading.parallel.grade`,
with its options as JSON on stdin (``{"warm": true}``: kernels forked from a template, :mod:`.warm`).
Importing nbgrader and the course config once per worker, not once per submission, and, with warm kernels,
the notebooks' libraries once per worker, is what makes parallel grading pay; each submission still runs in
a fresh kernel of its own, in a sandbox of its own, which reaches neither the course nor the gradebook.

Each submission is graded in a scratch copy of the course (its config, the assignment's source and
the one submission's plain files and folders: no link, pipe or device), with the real gradebook: what a
student's code writes through relative paths lands in the copy, is reported, and is thrown away. One
JSON line per student goes to stdout as it finishes: student, status (graded or failed), seconds,
message, and notes for the instructor. Whatever goes wrong with one student fails that student only.
"""

import contextlib
import glob
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import AutogradeApp
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException

from utils.course.model import course_config, notebooks
from utils.grading.gradebook import gradebook_url, has_gradebook
from utils.grading.notes import KIT_NOTE, note_for
from utils.grading.plugins import KitNotebookExporter
from utils.grading.submissions import (
    TIMESTAMP_MAX_BYTES,
    folder_notes,
    format_timestamp,
    notebook_problem,
    notebook_problems,
    plain_only,
    read_timestamp,
    remove_made_links,
    special_kind,
    student_problem,
)


class _Log(logging.Handler):
    """Collects what nbgrader logs while grading one submission: errors, and warnings as notes."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.errors, self.notes = [], []

    def emit(self, record):
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            self.errors.append(message)
        elif message.startswith(KIT_NOTE):
            self.notes.append(message.removeprefix(KIT_NOTE))
        elif (note := note_for(message)) and note not in self.notes:
            self.notes.append(note)

    def message(self) -> str:
        """The first error, with the cause nbgrader logs after it ("There was an error processing ...")."""
        if not self.errors:
            return ""
        causes = [e.strip().split("\n")[-1] for e in self.errors[1:] if e.startswith("Traceback")]
        return self.errors[0] + (f": {causes[0]}" if causes else "")


def _tree(folder: Path) -> dict[str, str]:
    """A digest per plain file under ``folder`` and the target of each link; never follows one nor opens a pipe."""
    tree = {}
    for path in folder.rglob("*"):  # rglob does not descend into linked folders
        key, kind = str(path.relative_to(folder)), special_kind(path)
        if kind == "a symbolic link":
            tree[key] = f"link to {os.readlink(path)}"
        elif kind is None and path.is_file():
            try:
                tree[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:  # a student's code may leave a file nobody can read
                tree[key] = "unreadable"
    return tree


def _copy(source: Path, target: Path) -> list[str]:
    """Copy the plain files and folders of ``source`` to ``target``; returns what could not be copied."""
    try:
        shutil.copytree(source, target, ignore=plain_only)
    except shutil.Error as err:  # copytree copies all it can, then lists the rest
        return [f"{src}: {why}" for src, _, why in err.args[0]]
    return []


def _fill_scratch(scratch: Path, course: Path, assignment: str, student: str) -> list[str]:
    """Copy the config, the source and the submission into ``scratch``; returns what could not be copied."""
    shutil.copy2(course / "nbgrader_config.py", scratch)
    shutil.copytree(course / "source" / assignment, scratch / "source" / assignment)
    # links are never followed (one to ../../source or /etc/passwd would hand that file to the kernel)
    return _copy(course / "submitted" / student / assignment, scratch / "submitted" / student / assignment)


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def graded_before(course: Path, assignment: str, student: str) -> datetime | None:
    """The timestamp of this student's submission already in the gradebook, if any (naive UTC)."""
    if not has_gradebook(course):  # opening a Gradebook would create its sqlite file
        return None
    with Gradebook(gradebook_url(course), course_id="") as gb:  # no course id: opening it writes nothing
        try:
            return gb.find_submission(assignment, student).timestamp
        except MissingEntry:
            return None


def timestamp_fix(submitted: Path, now: datetime, before: datetime | None) -> tuple[list[str], str | None]:
    """Notes on a submission's timestamp.txt, and the text to grade with in its place if it cannot be used.

    nbgrader reads the time of submission from timestamp.txt for the late penalty: empty, it gives none;
    unparsable, it fails the submission; in the future, it makes the penalty up. The replacement is the
    collection time: the modification time of the submitted timestamp.txt (nbgrader's collect keeps it) or of
    the folder. ``submitted`` is the folder in the course; ``now`` and ``before`` (the timestamp graded before,
    if any) are naive UTC.
    """
    path = submitted / "timestamp.txt"
    if not os.path.lexists(path):
        return [], None  # nbgrader's own case: no time of submission, no late penalty
    plain = special_kind(path) is None and path.is_file() and path.stat().st_size <= TIMESTAMP_MAX_BYTES
    try:
        raw = path.read_bytes() if plain else None
    except OSError:
        plain, raw = False, None
    when, problem = read_timestamp(raw, now)
    notes, replacement = [], None
    if problem:
        # a collection time after now is as made up as the timestamp
        when = min(_utc(os.lstat(path if plain else submitted).st_mtime), now)
        replacement = format_timestamp(when)
        notes.append(f"timestamp.txt {problem}: the late penalty uses the time of collection instead, {replacement}")
    if before is not None and before > when:
        notes.append(f"this submission (timestamp {format_timestamp(when)}) is older than the submission graded "
                     f"before ({format_timestamp(before)}): check that the newest one was collected")
    return notes, replacement


def settle_timestamp(submitted: Path, copy: Path, now: datetime, before: datetime | None) -> list[str]:
    """:func:`timestamp_fix`'s notes; a timestamp.txt that cannot be used is replaced in ``copy``, the scratch copy
    of ``submitted``."""
    notes, replacement = timestamp_fix(submitted, now, before)
    if replacement is not None:
        target = copy / "timestamp.txt"
        if target.is_dir() and not target.is_symlink():  # nbgrader would try to read the folder
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        target.write_text(replacement)
    return notes


class _Autograde(Autograde):
    """nbgrader's autograder, whose last step (making the graded files read-only) follows no link.

    (nbgrader_config.py's LeaveOutSpecialFiles does this already; this holds if a course's config lacks it.)
    """

    def set_permissions(self, assignment_id: str, student_id: str) -> None:
        for note in remove_made_links(Path(self._format_dest(assignment_id, student_id))):
            self.log.warning("%s%s", KIT_NOTE, note)
        super().set_permissions(assignment_id, student_id)


class _AutogradeApp(AutogradeApp):
    """nbgrader's autograde command with :class:`_Autograde`, for one assignment given as its one argument."""

    def start(self) -> None:
        super(AutogradeApp, self).start()  # nbgrader's set-up, without AutogradeApp's own converter
        self.coursedir.assignment_id = self.extra_args[0]
        try:
            _Autograde(coursedir=self.coursedir, parent=self).start()
        except NbGraderException:
            sys.exit(1)  # as AutogradeApp: what went wrong is in the log


def _autograde(scratch: Path, db_url: str, assignment: str, student: str, log: _Log, warm: bool) -> bool:
    app = _AutogradeApp()
    app.log.addHandler(log)
    try:
        app.initialize([assignment, "--force", f"--CourseDirectory.root={scratch}",
                        f"--CourseDirectory.db_url={db_url}", f"--KitExecute.warm_kernels={warm}"])
        # set, not parsed: an id like --help is no option, and escaped, nbgrader's glob matches it alone
        app.coursedir.student_id = glob.escape(student)
        app.start()
    except SystemExit as exit_:  # nbgrader's fail() exits
        return not exit_.code and not log.errors
    except Exception as err:  # one broken submission never stops the others
        log.errors.append(f"{type(err).__name__}: {err}")
        return False
    finally:
        app.log.removeHandler(log)
        _AutogradeApp.clear_instance()
    return not log.errors


def autograde_copy(scratch: Path, db_url: str, assignment: str, student: str, warm: bool, log: _Log) -> bool:
    """Autograde the submission in the scratch course ``scratch`` on the gradebook at ``db_url``; notes what its
    code changed outside its graded folder."""
    before = _tree(scratch)
    graded = _autograde(scratch, db_url, assignment, student, log, warm)
    mine = Path("autograded") / student / assignment
    strays = sorted(path for path, digest in _tree(scratch).items()
                    if before.get(path) != digest and not Path(path).is_relative_to(mine))
    if strays:
        log.notes.append("its code wrote outside its folder (into the grading copy, thrown away): "
                         + ", ".join(strays))
    return graded


def scratch_folder(student: str) -> Path:
    """A new private folder for grading ``student``'s submission in."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", student)[:40]  # the id may hold anything a file name can
    return Path(tempfile.mkdtemp(prefix=f"wordsnums-grade-{safe}-"))


def _grade_in_scratch(course: Path, assignment: str, student: str, warm: bool, log: _Log) -> str:
    """Autograde one submission in a scratch copy of the course, with the course's gradebook."""
    scratch = scratch_folder(student)
    mine = Path("autograded") / student / assignment
    try:
        if missed := _fill_scratch(scratch, course, assignment, student):
            log.errors.append(f"{course / 'submitted' / student / assignment}: some of its files could not be "
                              f"read for grading ({'; '.join(missed)}); make them readable and grade again")
            return "failed"
        log.notes += settle_timestamp(course / "submitted" / student / assignment,
                                      scratch / "submitted" / student / assignment,
                                      _utc(time.time()), graded_before(course, assignment, student))
        graded = autograde_copy(scratch, gradebook_url(course), assignment, student, warm, log)
        if graded:
            shutil.rmtree(course / mine, ignore_errors=True)
            # pipes or links its code made stay behind: a copy would open or follow them
            if missed := _copy(scratch / mine, course / mine):
                log.notes.append(f"files its code left in {mine} could not be kept: " + "; ".join(missed))
        return "graded" if graded else "failed"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def max_notebook_mb(course: Path) -> int:
    """The largest notebook graded, as nbgrader_config.py sets it for nbgrader's own exporter."""
    config = course_config(course)
    return KitNotebookExporter(config=config).max_notebook_mb


def precheck(course: Path, assignment: str, student: str, max_mb: int) -> tuple[list[str], list[str]]:
    """Why a submission cannot be graded at all (empty if it can), and notes on what grading leaves out of it."""
    expected = [p.stem for p in notebooks(course, assignment)]
    folder = course / "submitted" / student / assignment
    problems = notebook_problems(folder, expected, max_mb)
    present = [folder / f"{name}.ipynb" for name in expected if os.path.lexists(folder / f"{name}.ipynb")]
    # nbgrader would fail on these anyway, with a JSON traceback or "No notebooks found"
    unreadable = [p for p in (notebook_problem(path, max_mb) for path in present) if p] if present else problems
    refused = [problem] if (problem := student_problem(course / "submitted" / student)) else unreadable
    return refused, [p for p in problems if p not in refused] + folder_notes(folder, expected)


def grade_one(course: Path, assignment: str, student: str, warm: bool, max_mb: int) -> dict:
    start = time.perf_counter()
    log = _Log()
    refused, log.notes = precheck(course, assignment, student, max_mb)
    if refused:
        status, log.errors = "failed", refused
    else:
        status = _grade_in_scratch(course, assignment, student, warm, log)
    return {"student": student, "status": status, "seconds": time.perf_counter() - start,
            "message": log.message(), "notes": log.notes}


def grade_safely(course: Path, assignment: str, student: str, warm: bool, max_mb: int) -> dict:
    """:func:`grade_one`, where anything unexpected fails this student only, with the error as its message."""
    start = time.perf_counter()
    try:
        return grade_one(course, assignment, student, warm, max_mb)
    except (Exception, SystemExit) as err:  # the worker goes on with the next student
        return {"student": student, "status": "failed", "seconds": time.perf_counter() - start,
                "message": f"grading stopped on an unexpected error: {type(err).__name__}: {err}", "notes": []}


def main(argv: list[str]) -> int:
    course, assignment, *students = argv
    warm = json.loads(sys.stdin.read() or "{}").get("warm", False)
    course = Path(course).resolve()
    max_mb = max_notebook_mb(course)
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the report lines only; other prints go to the log
        for student in students:
            outcome = grade_safely(course, assignment, student, warm, max_mb)
            # the log (stderr, kept in grading_log/) tells each student's end beside nbgrader's lines
            print(f"[wordsnums] {student}: {outcome['status']} in {outcome['seconds']:.1f} s"
                  + (f": {outcome['message']}" if outcome["message"] else ""), file=sys.stderr, flush=True)
            print(json.dumps(outcome), file=out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
