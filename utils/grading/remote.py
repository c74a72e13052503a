"""Grading one submission as data, on a machine that sees neither the course nor its gradebook (a Dask worker).

The instructor's side (:mod:`utils.grading.cluster`) sends every worker the assignment once, as an
:class:`AssignmentData` (the course config, the assignment's source, and a gradebook holding that assignment
and nothing else), and each submission as a :class:`SubmissionData` (its plain files). :func:`grade` builds
a private scratch course from them, runs nbgrader's autograder there with the course's config (so in the
same sandbox as local grading), and returns a :class:`Result`: the autograded files, the grades and the notes.
The instructor's side writes them into the course (:class:`Writer`): one writer for the gradebook.
"""

import contextlib
import logging
import os
import shutil
import socket
import stat
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.api import Comment, Grade, Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.orm import joinedload
from traitlets.utils.importstring import import_item

from utils.course.model import course_config
from utils.grading import gradebook_copy
from utils.grading.gradebook import gradebook_url
from utils.grading.submissions import special_kind
from utils.grading.worker import _Log, autograde_copy, scratch_folder, timestamp_fix

SCRATCH_GRADEBOOK = "gradebook.db"
_ONE_AT_A_TIME = threading.Lock()  # nbgrader's app is a singleton and grading changes the working folder


@dataclass(frozen=True)
class AssignmentData:
    """What grading any submission of an assignment needs, the same for every student."""

    name: str
    config: bytes  # the course's nbgrader_config.py
    source: dict[str, bytes]  # source/NAME/, by path inside it
    gradebook: bytes  # a sqlite gradebook holding the assignment only
    warm: bool  # kernels forked from a template (utils.grading.warm)


@dataclass(frozen=True)
class SubmissionData:
    """One student's submission: its plain files by path inside submitted/ID/ASSIGNMENT/."""

    student: str
    files: dict[str, bytes]
    notes: list[str] = field(default_factory=list)  # found on the instructor's side, before grading


@dataclass
class Result:
    student: str
    status: str  # graded or failed
    seconds: float
    message: str
    notes: list[str]
    log: str  # nbgrader's log of this submission
    where: str  # the machine and process that graded it
    files: list[tuple[str, int, bytes]] = field(default_factory=list)  # autograded/ID/ASSIGNMENT/: path, mode, bytes
    grades: dict | None = None  # what the autograder wrote into the gradebook (see :func:`_grades`)


class _TextLog(_Log):
    """:class:`_Log`, which also keeps nbgrader's log as text (a worker's stderr is on another machine)."""

    def __init__(self):
        super().__init__()
        self.setLevel(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(f"[{record.name} | {record.levelname}] {record.getMessage()}")
        if record.levelno >= logging.WARNING:
            super().emit(record)


def read_files(folder: Path) -> tuple[dict[str, bytes], list[str]]:
    """The plain files under ``folder`` by relative path (no link followed, no pipe opened), and those unreadable."""
    files, missed = {}, []
    for top, folders, names in os.walk(folder):  # os.walk does not descend into linked folders
        folders[:] = [name for name in folders if special_kind(Path(top) / name) is None]
        for name in names:
            path = Path(top) / name
            if special_kind(path) is None:
                try:
                    files[path.relative_to(folder).as_posix()] = path.read_bytes()
                except OSError as err:
                    missed.append(f"{path}: {err.strerror}")
    return files, missed


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def assignment_data(course: Path, assignment: str, warm: bool) -> AssignmentData:
    """The assignment as :func:`grade` needs it, read from the course on the instructor's side."""
    source, missed = read_files(course / "source" / assignment)
    if missed:
        raise OSError(f"some files of {course / 'source' / assignment} cannot be read: {'; '.join(missed)}")
    with tempfile.TemporaryDirectory(prefix="wordsnums-template-gradebook-") as folder:
        path = Path(folder) / SCRATCH_GRADEBOOK
        gradebook_copy.copy_assignment(gradebook_url(course), f"sqlite:///{path}", assignment)
        template = path.read_bytes()
    return AssignmentData(assignment, (course / "nbgrader_config.py").read_bytes(), source, template, warm)


def submission_data(course: Path, assignment: str, student: str, now: datetime,
                    before: datetime | None) -> SubmissionData | str:
    """A student's submission as :func:`grade` needs it, with a usable timestamp.txt (see
    :func:`utils.grading.worker.timestamp_fix`); or why its files cannot be read."""
    folder = course / "submitted" / student / assignment
    files, missed = read_files(folder)
    if missed:
        return (f"{folder}: some of its files could not be read for grading ({'; '.join(missed)}); make them "
                "readable and grade again")
    notes, replacement = timestamp_fix(folder, now, before)
    if replacement is not None:  # what was there (a file, or a folder of files) gives way to the collection time
        files = {name: data for name, data in files.items() if name.split("/")[0] != "timestamp.txt"}
        files["timestamp.txt"] = replacement.encode()
    return SubmissionData(student, files, notes)


def _grades(db_url: str, assignment: str, student: str) -> dict:
    """What nbgrader's autograder wrote into a gradebook for one submission: its timestamp and, per notebook, each
    cell's auto score and auto comment (not the late penalty: a manual score changes it)."""
    with Gradebook(db_url) as gb:
        submission = gb.find_submission(assignment, student)
        return {"timestamp": submission.timestamp, "notebooks": {
            notebook.name: {"scores": {grade.name: grade.auto_score for grade in notebook.grades},
                            "comments": {comment.name: comment.auto_comment for comment in notebook.comments}}
            for notebook in submission.notebooks}}


def _graded_files(folder: Path) -> list[tuple[str, int, bytes]]:
    files, _ = read_files(folder)  # nbgrader made them readable (read-only); links its code made were removed
    return [(name, stat.S_IMODE((folder / name).stat().st_mode), data) for name, data in sorted(files.items())]


def grade(assignment: AssignmentData, submission: SubmissionData) -> Result:
    """Autograde ``submission`` in a private scratch course made from the data alone; never raises."""
    start = time.perf_counter()
    log = _TextLog()
    log.notes = list(submission.notes)
    student, name = submission.student, assignment.name
    scratch = scratch_folder(student)
    course = scratch / "course"  # the gradebook beside it: what the student's code changes is looked for in it
    result = Result(student, "failed", 0.0, "", log.notes, "", f"{socket.gethostname()} (pid {os.getpid()})")
    try:
        _write_files(course, {"nbgrader_config.py": assignment.config})
        (scratch / SCRATCH_GRADEBOOK).write_bytes(assignment.gradebook)
        _write_files(course / "source" / name, assignment.source)
        _write_files(course / "submitted" / student / name, submission.files)
        db_url = f"sqlite:///{scratch / SCRATCH_GRADEBOOK}"
        # nbgrader reads nbgrader_config.py from the working folder
        with _ONE_AT_A_TIME, contextlib.chdir(course):
            graded = autograde_copy(course, db_url, name, student, assignment.warm, log)
        if graded:
            result.files = _graded_files(course / "autograded" / student / name)
            result.grades = _grades(db_url, name, student)
            result.status = "graded"
    except Exception as err:  # the task reports, so that the instructor's side can go on with the others
        log.errors.append(f"grading stopped on an unexpected error: {type(err).__name__}: {err}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.message, result.log = log.message(), "\n".join(log.lines)
    result.status = result.status if not log.errors else "failed"
    result.seconds = time.perf_counter() - start
    return result


def late_penalties(course: Path) -> AssignLatePenalties | None:
    """The course's late-penalty step of nbgrader's autograder, its plugin made (None if the config leaves it out)."""
    config = course_config(course)
    steps = config.Autograde.get("autograde_preprocessors", Autograde.autograde_preprocessors.default_value)
    classes = [import_item(step) if isinstance(step, str) else step for step in steps]  # named or imported
    step = next((step for step in classes if isinstance(step, type) and issubclass(step, AssignLatePenalties)), None)
    if step is None:
        return None
    late = step(config=config, log=logging.getLogger(f"{__name__}.late"))
    late.init_plugin()
    return late


class Writer:
    """Writes graded :class:`Result` s of one assignment into the course, one after another, through one open
    gradebook (one writer for the whole cluster); a context manager.

    As nbgrader's autograder does: a manual score or comment a grader gave stays, and a cell with one, or
    without an auto score, is marked for manual grading; a notebook missing from the submission is not; the
    late penalty is taken from the score, manual scores included, by the course's late-penalty step.
    """

    def __init__(self, course: Path, assignment: str):
        self.course, self.assignment = course, assignment
        self.late = late_penalties(course)
        self.gradebook = Gradebook(gradebook_url(course))

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *_) -> None:
        self.gradebook.close()

    def _files(self, result: Result) -> None:
        folder = self.course / "autograded" / result.student / self.assignment
        shutil.rmtree(folder, ignore_errors=True)
        for name, mode, data in result.files:
            if Path(name).is_absolute() or ".." in Path(name).parts:  # never written outside the graded folder
                raise ValueError(f"a graded file's name leads outside {folder}: {name!r}")
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(mode)

    def write(self, result: Result) -> list[str]:
        """Write ``result``: the autograded files, then its grades; returns the notes on its late penalty."""
        self._files(result)
        executed = {name.removesuffix(".ipynb") for name, _, _ in result.files}
        gb, student, assignment = self.gradebook, result.student, self.assignment
        try:
            try:
                gb.find_student(student)
            except MissingEntry:
                gb.add_student(student)
            timestamp = result.grades["timestamp"]
            submission = gb.update_or_create_submission(assignment, student,
                                                        **({"timestamp": timestamp} if timestamp else {}))
            for notebook in submission.notebooks:
                found = result.grades["notebooks"][notebook.name]
                # each with its cell, whose name it is known by, in one query (not one per cell)
                for grade in gb.db.query(Grade).options(joinedload(Grade.cell)).filter(Grade.notebook == notebook):
                    grade.auto_score = found["scores"][grade.name]
                    grade.needs_manual_grade = notebook.name in executed and (
                        grade.manual_score is not None or grade.auto_score is None)
                for comment in gb.db.query(Comment).options(joinedload(Comment.cell)).filter(
                        Comment.notebook == notebook):
                    comment.auto_comment = found["comments"][comment.name]
            gb.db.commit()
            return self._late_penalty(submission, executed)
        except Exception:
            gb.db.rollback()
            raise

    def _late_penalty(self, submission, executed: set[str]) -> list[str]:
        self.gradebook.db.expire_all()  # the scores just written
        return late_penalty(self.late, self.gradebook, submission, executed)


def late_penalty(late: AssignLatePenalties | None, gradebook: Gradebook, submission, notebooks: set[str]) -> list[str]:
    """What nbgrader's AssignLatePenalties does for each of these notebooks of a submission, in an open gradebook,
    with ``late`` from :func:`late_penalties`; returns its notes."""
    if late is None:
        return []
    log = _Log()
    late.log.addHandler(log)
    try:
        for notebook in submission.notebooks:
            if notebook.name not in notebooks:
                continue
            notebook.late_submission_penalty = None
            if submission.total_seconds_late > 0:
                penalty = late.plugin_inst.late_submission_penalty(
                    submission.student.id, notebook.score, submission.total_seconds_late)
                if penalty is not None:
                    notebook.late_submission_penalty = late._check_late_penalty(notebook, penalty)
        gradebook.db.commit()
    finally:
        late.log.removeHandler(log)
    return log.notes
