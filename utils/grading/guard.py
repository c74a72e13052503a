"""What grading must never change in a course: a snapshot to compare before and after a submission runs.

Grading works on a scratch copy, but a student's code can still name the course by an absolute path.
The snapshot covers source/, release/, submitted/, nbgrader_config.py and, in the gradebook, the rows
of every student not being graded in this run. The gradebook is read and written through nbgrader's own
API, so this keeps working after ``nbgrader db upgrade`` and on any database nbgrader supports.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nbgrader.api import Comment, Grade, Gradebook, SubmittedAssignment, SubmittedNotebook

from utils.grading.gradebook import gradebook_url, has_gradebook

PROTECTED = ("source", "release", "submitted")


@contextmanager
def _gradebook(course: Path) -> Iterator[Gradebook | None]:
    """nbgrader's gradebook of ``course``, or None before any grading has made it."""
    # opening a Gradebook creates a missing sqlite file: a guard must not
    if not has_gradebook(course):
        yield None
        return
    # an empty course id adds no course row, so opening it writes nothing (and races no other grader)
    with Gradebook(gradebook_url(course), course_id="") as gb:
        yield gb


def file_digests(folder: Path, files) -> dict[str, str]:
    """A sha256 per file, by its path relative to ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def _student_rows(gb: Gradebook) -> dict[str, list[tuple]]:
    """Each student's grades, comments and submissions, sorted so the same rows always fingerprint the same."""
    grades = (gb.db.query(SubmittedAssignment.student_id, Grade.cell_id, Grade.auto_score, Grade.manual_score,
                          Grade.extra_credit, Grade.needs_manual_grade)
              .join(Grade.notebook).join(SubmittedNotebook.assignment))
    comments = (gb.db.query(SubmittedAssignment.student_id, Comment.cell_id, Comment.auto_comment,
                            Comment.manual_comment)
                .join(Comment.notebook).join(SubmittedNotebook.assignment))
    submissions = gb.db.query(SubmittedAssignment.student_id, SubmittedAssignment.assignment_id,
                              SubmittedAssignment.timestamp, SubmittedAssignment.extension)
    rows: dict[str, list[tuple]] = {}
    for kind, query in (("grade", grades), ("comment", comments), ("submission", submissions)):
        for student, key, *values in query:
            rows.setdefault(student, []).append((kind, key, *values))
    # (kind, key) is unique per student: a cell or an assignment is in one submission of theirs at most
    return {student: sorted(r, key=lambda row: row[:2]) for student, r in rows.items()}


def snapshot(course: Path, skip_students: set[str]) -> dict[str, str]:
    """A fingerprint per protected file, and per student's gradebook rows (but ``skip_students``)."""
    files = [course / "nbgrader_config.py"] + [p for top in PROTECTED for p in (course / top).rglob("*")]
    state = file_digests(course, files)
    with _gradebook(course) as gb:
        if gb is not None:
            state |= {f"gradebook rows of {student}": hashlib.sha256(repr(r).encode()).hexdigest()
                      for student, r in _student_rows(gb).items() if student not in skip_students}
    return state


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs between two snapshots, each as 'changed X', 'added X' or 'removed X'.

    >>> changes({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"})
    ['changed b', 'added c']
    """
    return [f"{'changed' if key in before and key in after else 'added' if key in after else 'removed'} {key}"
            for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)]


def _manual_marks(gb: Gradebook) -> dict[tuple[str, str], tuple]:
    grades = (gb.db.query(Grade.id, SubmittedAssignment.student_id, Grade.manual_score, Grade.extra_credit)
              .join(Grade.notebook).join(SubmittedNotebook.assignment).order_by(Grade.id))
    comments = (gb.db.query(Comment.id, SubmittedAssignment.student_id, Comment.manual_comment)
                .join(Comment.notebook).join(SubmittedNotebook.assignment).order_by(Comment.id))
    return ({("grade", row_id): (student, score, extra) for row_id, student, score, extra in grades}
            | {("comment", row_id): (student, comment, None) for row_id, student, comment in comments})


def manual_marks(course: Path) -> dict[tuple[str, str], tuple]:
    """Every manual score, extra credit and manual comment in the gradebook: autograding never changes them.

    Keyed by ('grade' or 'comment', the row's id), each as (student, manual score or comment, extra credit).
    """
    with _gradebook(course) as gb:
        return {} if gb is None else _manual_marks(gb)


def restore_manual_marks(course: Path, before: dict[tuple[str, str], tuple]) -> list[str]:
    """Put back manual marks changed since ``before`` (new rows get none); returns whose were put back."""
    with _gradebook(course) as gb:
        if gb is None:
            return []
        changed = {key: before.get(key, (student, None, None)) for key, (student, *values) in _manual_marks(gb).items()
                   if before.get(key, (student, None, None)) != (student, *values)}
        for (table, row_id), (_, first, second) in changed.items():
            if table == "grade":
                grade = gb.find_grade_by_id(row_id)
                grade.manual_score, grade.extra_credit = first, second
            else:
                gb.find_comment_by_id(row_id).manual_comment = first
        if changed:
            gb.db.commit()
    return sorted({student for student, *_ in changed.values()})
