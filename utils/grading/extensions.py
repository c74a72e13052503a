"""Extensions of the due date for single students: kept in ``extensions.csv`` in the course folder.

The file is the record (``wordsnums extension`` writes it; an instructor may edit it by hand); before a
student's submission is graded, the kit copies the student's extension into nbgrader's gradebook
(``SubmittedAssignment.extension``), where nbgrader's own late-penalty step reads it, so the penalty counts
from the student's own due date, under ``wordsnums grade`` and plain ``nbgrader autograde`` alike.

One row per student and assignment::

    assignment,student_id,extension_hours,reason
    a1_close_reading,ben,48,illness (note from the office)
"""

import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nbgrader.api import Assignment, Gradebook, MissingEntry, Student, SubmittedAssignment

from utils.grading import remote
from utils.grading.gradebook import gradebook_url, has_gradebook

FILE = "extensions.csv"
COLUMNS = ["assignment", "student_id", "extension_hours", "reason"]


class ExtensionFileError(ValueError):
    """extensions.csv cannot be read; the message names the file, the line and the fix."""


def read(course: Path) -> dict[tuple[str, str], tuple[float, str]]:
    """Every extension in the course: (assignment, student) -> (hours, reason); empty without a file.

    Raises :class:`ExtensionFileError` for a file whose columns or hours are wrong.
    """
    path = course / FILE
    if not path.is_file():
        return {}
    found = {}
    with open(path, newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        if missing := [c for c in COLUMNS[:3] if c not in (rows.fieldnames or [])]:
            raise ExtensionFileError(f"{path} has no column {', '.join(missing)}: its first line must be "
                                     f"{','.join(COLUMNS)}")
        for line, row in enumerate(rows, start=2):
            try:
                hours = float(row["extension_hours"])
            except (TypeError, ValueError):
                hours = math.nan
            if not math.isfinite(hours) or hours < 0:
                raise ExtensionFileError(f"{path}, line {line}: extension_hours is {row['extension_hours']!r}; "
                                         "give a number of hours, 0 or more (48 for two days)")
            if not (row["assignment"] or "").strip() or not (row["student_id"] or "").strip():
                raise ExtensionFileError(f"{path}, line {line}: give both an assignment and a student_id")
            found[(row["assignment"].strip(), row["student_id"].strip())] = (hours, (row.get("reason") or "").strip())
    return found


def write(course: Path, extensions: dict[tuple[str, str], tuple[float, str]]) -> Path:
    """Write ``extensions`` (as :func:`read` returns them) to the course's file, sorted; returns its path."""
    path = course / FILE
    partial = path.with_name(f".{FILE}.tmp")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(COLUMNS)
        for (assignment, student), (hours, reason) in sorted(extensions.items()):
            out.writerow([assignment, student, f"{hours:g}", reason])
    partial.replace(path)  # a reader never sees half a file
    return path


def hours_of(course: Path, assignment: str) -> dict[str, float]:
    """Each student's extension of ``assignment``, in hours (students without one are left out)."""
    return {student: hours for (name, student), (hours, _) in read(course).items() if name == assignment}


def set_in_gradebook(gradebook: Gradebook, assignment: str, student: str, hours: float | None) -> bool:
    """Set the extension of the student's submission in an open gradebook (None: none); False if nbgrader has
    no submission of theirs yet (it gets the extension when it is graded, by :func:`prepare`)."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return False
    # without a due date an extension means nothing, and nbgrader's late-penalty step would fail on one
    submission.extension = timedelta(hours=hours) if hours and submission.assignment.duedate else None
    gradebook.db.commit()
    return True


def prepare(course: Path, assignment: str, students: list[str]) -> dict[str, str]:
    """Before grading these students: their extensions of ``assignment`` copied into the gradebook (a submission
    row made where nbgrader has none yet, as its autograder would), and one the file no longer grants cleared;
    returns the :func:`note` on each extension."""
    granted, chosen = hours_of(course, assignment), set(students)
    if not has_gradebook(course):
        return {}
    with Gradebook(gradebook_url(course)) as gb:
        try:
            duedate = gb.find_assignment(assignment).duedate
        except MissingEntry:
            return {}
        # the extensions the gradebook holds, in one query (a class of thousands has few)
        for submission in gb.db.query(SubmittedAssignment).join(Assignment).filter(
                Assignment.name == assignment, SubmittedAssignment.extension.isnot(None)):
            if submission.student_id in chosen and submission.student_id not in granted:
                submission.extension = None
        gb.db.commit()
        for student in sorted(chosen & set(granted)) if duedate is not None else []:
            if not set_in_gradebook(gb, assignment, student, granted[student]):
                try:
                    gb.find_student(student)
                except MissingEntry:
                    gb.add_student(student)
                with gb.db.no_autoflush:  # else nbgrader's add_submission warns of rows it has not added yet
                    gb.update_or_create_submission(assignment, student, extension=timedelta(hours=granted[student]))
    return {student: note(granted[student], duedate) for student in sorted(chosen & set(granted))}


def note(hours: float, duedate) -> str:
    """What the grading log says of an extension, given the assignment's due date (naive UTC, or None).

    >>> from datetime import datetime
    >>> note(48, datetime(2026, 2, 1, 17))
    'an extension of 48 hours: due 2026-02-03 17:00 UTC'
    """
    if duedate is None:
        return f"an extension of {hours:g} hours (the assignment has no due date, so no penalty either way)"
    due = f": due {duedate + timedelta(hours=hours):%Y-%m-%d %H:%M} UTC"
    return f"an extension of {hours:g} hours{due}"


def requested_hours(course: Path, assignment: str, hours: float | None = None, days: float | None = None,
                    until: str | None = None) -> float:
    """The extension asked for, in hours: given as hours, days, or the student's own due date (UTC, as
    'YYYY-MM-DD HH:MM'), which must come after the assignment's. Raises ValueError with the fix."""
    if until is not None:
        try:
            wanted = datetime.fromisoformat(until.strip().removesuffix("UTC").strip())
        except ValueError:
            raise ValueError(f"--until {until!r} is not a date and time: give 'YYYY-MM-DD HH:MM' (UTC)") from None
        wanted = wanted.astimezone(UTC).replace(tzinfo=None) if wanted.tzinfo else wanted
        with Gradebook(gradebook_url(course)) as gb:
            try:
                duedate = gb.find_assignment(assignment).duedate
            except MissingEntry:
                duedate = None
        if duedate is None:
            raise ValueError(f"{assignment} has no due date to extend: set one (nbgrader db assignment add "
                             f"{assignment} --duedate='YYYY-MM-DD HH:MM:SS UTC'), or give --hours or --days")
        hours = (wanted - duedate).total_seconds() / 3600
        if hours <= 0:
            raise ValueError(f"--until {until} is not after the due date of {assignment}, {duedate:%Y-%m-%d %H:%M} UTC")
        return hours
    if days is not None:
        hours = days * 24
    if hours is None:
        raise ValueError("say how long: --hours N, --days N or --until 'YYYY-MM-DD HH:MM' (or --remove)")
    if not math.isfinite(hours) or hours <= 0:
        raise ValueError(f"an extension of {hours:g} hours gives no more time: give more than 0")
    return hours


def _known(course: Path, gradebook: Gradebook, students: list[str]) -> None:
    """Refuses ids that are neither in the gradebook nor in submitted/ (a typo would grant no one)."""
    unknown = [s for s in students if not (course / "submitted" / s).is_dir()
               and not gradebook.db.query(Student).filter(Student.id == s).count()]
    if unknown:
        raise ValueError(f"no student {', '.join(map(repr, unknown))} in the gradebook or in {course / 'submitted'}: "
                         "check the id, or add the student first (nbgrader db student add ID)")


def grant(course: Path, assignment: str, students: list[str], hours: float | None, reason: str = "") -> list[dict]:
    """Record an extension of ``hours`` (None: take it back) for these students in extensions.csv, and apply it at
    once to the late penalty of those already graded; returns, per student, the due date and the penalty before
    and after (None where nothing is graded yet).

    Raises ValueError for an unknown student or an assignment the gradebook does not hold.
    """
    with Gradebook(gradebook_url(course)) as gb:
        try:
            duedate = gb.find_assignment(assignment).duedate
        except MissingEntry:
            raise ValueError(f"{assignment} is not in the gradebook yet: run `wordsnums build {assignment}` "
                             "first") from None
        _known(course, gb, students)
        granted = read(course)
        for student in students:
            if hours is None:
                granted.pop((assignment, student), None)
            else:
                granted[(assignment, student)] = (hours, reason)
        write(course, granted)
        late, rows = remote.late_penalties(course), []
        for student in students:
            due = duedate + timedelta(hours=hours) if duedate is not None and hours else duedate
            row = dict(student=student, due=due, before=None, after=None)
            graded = course / "autograded" / student / assignment
            if set_in_gradebook(gb, assignment, student, hours) and graded.is_dir():
                submission = gb.find_submission(assignment, student)
                row["before"] = submission.late_submission_penalty or 0.0
                remote.late_penalty(late, gb, submission,
                                    {nb.name for nb in submission.notebooks if (graded / f"{nb.name}.ipynb").is_file()})
                gb.db.expire_all()
                row["after"] = gb.find_submission(assignment, student).late_submission_penalty or 0.0
            rows.append(row)
    return rows
