"""Reading nbgrader's gradebook: its URL, whether a submission is in it, scores per notebook and per cell,
and what is wrong with it when it is damaged or has lost its grades."""

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from nbgrader.api import Assignment, Gradebook, MissingEntry, SubmittedAssignment

SCORE_COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "needs_manual_grade"]
WORK_FOLDERS = ("submitted", "autograded")  # where students' work sits: submissions, and graded copies


def gradebook_path(course: Path) -> Path:
    return course / "gradebook.db"


def gradebook_url(course: Path) -> str:
    """The sqlite gradebook of a course; the timeout lets parallel graders wait for each other's writes."""
    return f"sqlite:///{gradebook_path(course)}?timeout=60"


def in_gradebook(course: Path, assignment: str, student: str) -> bool:
    with Gradebook(gradebook_url(course)) as gb:
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            return False
    return True


def scores(course: Path, assignment: str) -> pd.DataFrame:
    """Each student's score per notebook of ``assignment``, from the sqlite gradebook."""
    rows = []
    with Gradebook(gradebook_url(course)) as gb:
        for notebook in gb.find_assignment(assignment).notebooks:
            for sub in notebook.submissions:
                rows.append((sub.student.id, assignment, notebook.name, sub.score, sub.max_score,
                             sub.needs_manual_grade))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS).sort_values(["student", "notebook"], ignore_index=True)


def cell_scores(course: Path, assignment: str, notebook: str, student: str) -> dict[str, float | None]:
    """The autograded score of each graded cell of one submission (None if not autograded)."""
    with Gradebook(gradebook_url(course)) as gb:
        try:
            sub = gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry as err:
            raise KeyError(f"No graded submission of {assignment}/{notebook} by {student}") from err
        return {grade.name: grade.auto_score for grade in sub.grades}


@dataclass(frozen=True)
class GradebookProblem:
    """What is wrong with a course's gradebook, in one line naming the file, what is wrong and the fix."""

    message: str
    broken: bool  # the file is not a readable gradebook; else it lacks the grades the course's folders show

    def __str__(self) -> str:
        return self.message


def students_with_work(course: Path, folder: str) -> list[str]:
    """Students with an assignment folder in course/FOLDER (``submitted`` or ``autograded``)."""
    root = course / folder
    if not root.is_dir():
        return []
    return sorted(student.name for student in root.iterdir() if student.is_dir() and not student.name.startswith(".")
                  and any(p.is_dir() and not p.name.startswith(".") for p in student.iterdir()))


def _unreadable(path: Path) -> str | None:
    """What makes the file at ``path`` no readable nbgrader gradebook, and the fix; None if it is one."""
    lost = (f"Restore {_backup(path)}; failing that, move it aside, run `wordsnums build` and regrade with "
            "`wordsnums grade --force` (manual marks and due dates are then lost)")
    if path.stat().st_size == 0:  # sqlite would take it for a new database and nbgrader fill it with nothing
        return f"is empty (0 bytes): it was cut short or overwritten. {lost}"
    try:
        # mode=rw never creates a file; the timeout waits for a grader's write, as gradebook_url does
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=60)) as con:
            verdict = con.execute("PRAGMA quick_check").fetchone()[0]
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError as err:  # locked or not permitted: says nothing about the contents
        return f"could not be read ({err}): try again when no other program is using it"
    except sqlite3.DatabaseError as err:
        if getattr(err, "sqlite_errorname", "") == "SQLITE_NOTADB":
            return f"is not a SQLite database ({err}): it was overwritten or damaged. {lost}"
        return f"is damaged ({err}): it was cut short or overwritten. {lost}"
    if verdict != "ok":
        return f"is damaged (SQLite's check: {verdict}). {lost}"
    if not {"assignment", "submitted_assignment"} <= tables:
        return f"is a SQLite database but no nbgrader gradebook (no submitted_assignment table). {lost}"
    return None


def _backup(path: Path) -> str:
    """Where to restore the gradebook from: the newest copy `nbgrader db upgrade` made, if there is one."""
    # `nbgrader db upgrade` copies gradebook.db to gradebook.db.YYYY-MM-DD-HHMMSS.ffffff first
    backups = sorted(path.parent.glob(f"{path.name}.[0-9][0-9][0-9][0-9]-*"))
    where = (f"{backups[-1]} (the newest backup `nbgrader db upgrade` made)" if backups
             else f"the backup `nbgrader db upgrade` makes ({path.name}.DATE)")
    return f"it from {where} or from your own backup"


def _who(students: list[str]) -> str:
    shown = ", ".join(students[:5])
    return f"{len(students)} student(s): {shown}" + (f" and {len(students) - 5} more" if len(students) > 5 else "")


def gradebook_problem(course: Path, work_in: tuple[str, ...] = WORK_FOLDERS) -> GradebookProblem | None:
    """What is wrong with the gradebook of ``course`` (one line with the fix), or None if nothing is.

    Broken: gradebook.db is not a readable nbgrader gradebook (overwritten, cut short, emptied). Otherwise a
    problem only if it holds no submission at all, or is missing, while a folder of ``work_in`` holds
    students' work: a grades file or report from it would say that no one was graded. `wordsnums grade`
    passes ``("autograded",)``: work waiting in submitted/ is what it is there to grade.
    """
    path = gradebook_path(course)
    if path.is_file() and (wrong := _unreadable(path)):
        return GradebookProblem(f"{path} {wrong}", broken=True)
    work = [(folder, found) for folder in work_in if (found := students_with_work(course, folder))]
    if not work:
        return None
    assignments = 0
    if path.is_file():
        # an empty course id adds no course row: checking writes nothing to the gradebook
        with Gradebook(gradebook_url(course), course_id="") as gb:
            if gb.db.query(SubmittedAssignment).count():
                return None
            assignments = gb.db.query(Assignment).count()
    state = f"{path} holds no graded submission" if path.is_file() else f"there is no {path}"
    # autograding needs the assignment in the gradebook; `wordsnums build` puts it there
    build = "" if assignments else "run `wordsnums build` and "
    graded = dict(work).get("autograded")
    if graded:  # graded copies exist, so grades did too
        return GradebookProblem(f"{state}, but autograded/ holds the graded work of {_who(graded)}: the grades "
                                f"are lost. Restore {_backup(path)}, or {build}regrade with "
                                "`wordsnums grade --force` (manual marks are then lost)", broken=False)
    folder, students = work[0]
    return GradebookProblem(f"{state} yet, but {folder}/ holds the work of {_who(students)}: "
                            f"run {'`wordsnums build` and ' if not assignments else ''}`wordsnums grade` first",
                            broken=False)
