"""Reading nbgrader's gradebook: its URL (the course config's ``CourseDirectory.db_url``), whether a submission is
in it, scores per notebook and per cell, and what is wrong with it when it is damaged, lost its grades or its
database server cannot be reached."""

import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
from nbgrader.api import Assignment, Gradebook, MissingEntry, SubmittedAssignment
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from traitlets.config import PyFileConfigLoader

SCORE_COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "needs_manual_grade"]
WORK_FOLDERS = ("submitted", "autograded")  # where students' work sits: submissions, and graded copies
DEFAULT_DB_URL = "sqlite:///gradebook.db"  # nbgrader's own default, relative to the course folder


@lru_cache(maxsize=64)
def _configured(config: Path, stamp: tuple[int, int]) -> str:
    # keyed by the file's mtime and size too: a config edited in a running process is read again
    loaded = PyFileConfigLoader(config.name, path=str(config.parent)).load_config()
    return str(loaded.CourseDirectory.get("db_url", "") or "")


def configured_db_url(course: Path) -> str:
    """``CourseDirectory.db_url`` as the course's nbgrader_config.py sets it ("" if it does not, or there is none)."""
    config = Path(course).resolve() / "nbgrader_config.py"
    try:
        stat = config.stat()
    except FileNotFoundError:
        return ""
    return _configured(config, (stat.st_mtime_ns, stat.st_size))


def absolute_url(url: str, folder: Path) -> str:
    """``url`` with a relative sqlite file resolved against ``folder`` and a 60 s lock timeout, so that parallel
    graders wait for each other's writes; a server's URL (PostgreSQL, MySQL) as it is.

    >>> absolute_url("sqlite:///gradebook.db", Path("/courses/wn"))
    'sqlite:////courses/wn/gradebook.db?timeout=60'
    >>> absolute_url("postgresql+psycopg://ta@db.example.org/wn", Path("/courses/wn"))
    'postgresql+psycopg://ta@db.example.org/wn'
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return url
    query = {"timeout": "60"} | dict(parsed.query)
    return f"{parsed.drivername}:///{Path(folder) / parsed.database}?{urlencode(query, doseq=True)}"


def gradebook_url(course: Path) -> str:
    """The URL of the course's gradebook: its config's ``CourseDirectory.db_url`` (sqlite:///gradebook.db by
    default), a relative sqlite file taken in the course folder (see :func:`absolute_url`)."""
    try:
        return absolute_url(configured_db_url(course) or DEFAULT_DB_URL, Path(course).resolve())
    except ArgumentError as err:  # not echoed: a mistyped URL may still hold the password
        raise ValueError(f"c.CourseDirectory.db_url in {Path(course).resolve() / 'nbgrader_config.py'} is no "
                         f"database URL ({err}): write it as dialect+driver://user:password@host/database") from None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def gradebook_path(course: Path) -> Path | None:
    """The gradebook's sqlite file; None when it is kept by a database server."""
    parsed = make_url(gradebook_url(course))
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


def has_gradebook(course: Path) -> bool:
    """Whether there is a gradebook to open. False only for a sqlite file not made yet: opening it would create
    it. A server's database is always there to open (nbgrader makes its tables in an empty one)."""
    path = gradebook_path(course)
    return path is None or path.is_file()


def shown_url(url: str) -> str:
    """A database URL fit to print: its password, if any, as ***."""
    return make_url(url).render_as_string(hide_password=True)


def unreachable(url: str) -> str | None:
    """Why the database server at ``url`` cannot be used (on one line), or None if a connection opens."""
    try:
        parsed = make_url(url)
        # a firewalled host would otherwise hold every command for minutes
        connect_args = {"connect_timeout": 10} if parsed.get_backend_name() == "postgresql" else {}
        engine = create_engine(parsed, connect_args=connect_args)
    except ArgumentError as err:
        return f"it is no database URL ({err})"
    except ImportError as err:  # a driver the kit does not install (postgresql+psycopg2://, mysql://)
        return f"its database driver is not installed ({err}; the kit installs psycopg: postgresql+psycopg://...)"
    try:
        with engine.connect():
            return None
    except DBAPIError as err:
        # the driver's own first line ("connection refused", "password authentication failed"), not SQLAlchemy's
        reason = str(err.orig).strip().splitlines()[0] if str(err.orig).strip() else type(err.orig).__name__
        return re.sub(r"\s+", " ", reason)
    finally:
        engine.dispose()


def server_problem(course: Path) -> str | None:
    """One line naming the course's gradebook server (no password) and the fix, if it cannot be reached;
    None for a sqlite gradebook or a server that answers."""
    url = gradebook_url(course)
    if is_sqlite(url) or not (why := unreachable(url)):
        return None
    return (f"the gradebook's database {shown_url(url)} cannot be reached: {why}. Start the database server, "
            f"or correct c.CourseDirectory.db_url in {Path(course).resolve() / 'nbgrader_config.py'}")


def submitted_timestamps(course: Path, assignment: str) -> dict[str, datetime | None]:
    """Each student with a submission of ``assignment`` in the gradebook, and its timestamp (naive UTC, or None);
    none if the course has no gradebook yet."""
    if not has_gradebook(course):  # opening a Gradebook would create its sqlite file
        return {}
    with Gradebook(gradebook_url(course)) as gb:
        try:
            return {s.student_id: s.timestamp for s in gb.find_assignment(assignment).submissions}
        except MissingEntry:
            return {}


def registered(course: Path, assignment: str) -> bool:
    """Whether the gradebook holds ``assignment`` (`wordsnums build` registers its notebooks and tests there)."""
    if not has_gradebook(course):  # opening a Gradebook would create its sqlite file
        return False
    with Gradebook(gradebook_url(course)) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return False
    return True


def pending_manual(course: Path) -> list[str]:
    """ASSIGNMENT/STUDENT of each submission with answers still to grade by hand."""
    with Gradebook(gradebook_url(course)) as gb:
        return sorted(f"{sub.assignment.name}/{sub.student_id}" for sub in gb.db.query(SubmittedAssignment)
                      if sub.needs_manual_grade)


def answers_to_grade(course: Path, assignment: str) -> dict[str, list[str]]:
    """The graded cells of each student's ``assignment`` that wait for a human grade, by student: the answers
    nbgrader counts as 0 until someone grades them."""
    found = {}
    with Gradebook(gradebook_url(course)) as gb:
        for sub in gb.find_assignment(assignment).submissions:
            waiting = [g.name for nb in sub.notebooks for g in nb.grades
                       if g.auto_score is None and g.manual_score is None]
            if waiting:
                found[sub.student_id] = waiting
    return dict(sorted(found.items()))


def scores(course: Path, assignment: str) -> pd.DataFrame:
    """Each student's score per notebook of ``assignment``, from the gradebook."""
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


def _restore(course: Path) -> str:
    """Where to restore a gradebook from: a sqlite file's backups, or a server database's own."""
    path = gradebook_path(course)
    return _backup(path) if path else "it from your database server's backup"


def gradebook_problem(course: Path, work_in: tuple[str, ...] = WORK_FOLDERS) -> GradebookProblem | None:
    """What is wrong with the gradebook of ``course`` (one line with the fix), or None if nothing is.

    Broken: gradebook.db is not a readable nbgrader gradebook (overwritten, cut short, emptied), or the database
    server that keeps it cannot be reached. Otherwise a problem only if it holds no submission at all, or is
    missing, while a folder of ``work_in`` holds students' work: a grades file or report from it would say that
    no one was graded. `wordsnums grade` passes ``("autograded",)``: work waiting in submitted/ is what it is
    there to grade.
    """
    path = gradebook_path(course)
    if path is None and (down := server_problem(course)):
        return GradebookProblem(down, broken=True)
    if path is not None and path.is_file() and (wrong := _unreadable(path)):
        return GradebookProblem(f"{path} {wrong}", broken=True)
    work = [(folder, found) for folder in work_in if (found := students_with_work(course, folder))]
    if not work:
        return None
    assignments = 0
    name = path or shown_url(gradebook_url(course))
    if has_gradebook(course):
        # an empty course id adds no course row: checking writes nothing to the gradebook
        with Gradebook(gradebook_url(course), course_id="") as gb:
            if gb.db.query(SubmittedAssignment).count():
                return None
            assignments = gb.db.query(Assignment).count()
    state = f"{name} holds no graded submission" if has_gradebook(course) else f"there is no {path}"
    # autograding needs the assignment in the gradebook; `wordsnums build` puts it there
    build = "" if assignments else "run `wordsnums build` and "
    graded = dict(work).get("autograded")
    if graded:  # graded copies exist, so grades did too
        return GradebookProblem(f"{state}, but autograded/ holds the graded work of {_who(graded)}: the grades "
                                f"are lost. Restore {_restore(course)}, or {build}regrade with "
                                "`wordsnums grade --force` (manual marks are then lost)", broken=False)
    folder, students = work[0]
    return GradebookProblem(f"{state} yet, but {folder}/ holds the work of {_who(students)}: "
                            f"run {'`wordsnums build` and ' if not assignments else ''}`wordsnums grade` first",
                            broken=False)
