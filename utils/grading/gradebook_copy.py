"""Copying a course's gradebook into another database (sqlite to PostgreSQL, say): every row of every nbgrader
table, ids unchanged, checked by counting each table's rows on both sides.

nbgrader's ORM metadata (``nbgrader.api.Base.metadata``) holds every table of its gradebook but alembic's
version stamp, and every primary key is a string (a uuid, a student id, a course id): no sequence to advance
after the copy. Both are checked here, so a future nbgrader that changes either is refused, not half copied.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from nbgrader.api import Base, Gradebook, SubmittedAssignment
from sqlalchemy import Engine, String, create_engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from utils.course.model import nbgrader_env
from utils.grading.gradebook import shown_url

ALEMBIC = "alembic_version"  # nbgrader's schema version; Gradebook() stamps a new database with its own
BATCH = 1000  # rows read and written at once: a term's grades need not fit in memory twice


class CopyRefused(ValueError):
    """The copy cannot be made (the target holds a gradebook, the schemas differ); the message says why and the fix."""


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _alembic_on_path() -> Iterator[None]:
    """A new gradebook asks nbgrader's `alembic` command, beside this Python, for its version: put it on PATH."""
    before = os.environ.get("PATH")
    os.environ["PATH"] = nbgrader_env()["PATH"]
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before


def _version(engine: Engine) -> str | None:
    if not inspect(engine).has_table(ALEMBIC):
        return None
    with engine.connect() as con:
        return con.execute(text(f"SELECT version_num FROM {ALEMBIC}")).scalar()


def row_counts(engine: Engine) -> dict[str, int]:
    """The number of rows of each nbgrader table, in the order they are filled (a missing table counts 0)."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as con:
        return {table.name: con.execute(select(func.count()).select_from(table)).scalar() if table.name in present
                else 0 for table in Base.metadata.sorted_tables}


def _check_schema(source: Engine, source_url: str) -> None:
    """Refuse a source with tables nbgrader's metadata lacks (they would be left behind) or integer keys."""
    unknown = set(inspect(source).get_table_names()) - {t.name for t in Base.metadata.sorted_tables} - {ALEMBIC}
    if unknown:
        raise CopyRefused(f"{shown_url(source_url)} has tables nbgrader's schema does not know "
                          f"({', '.join(sorted(unknown))}): they would not be copied; copy it with your database's "
                          "own tools instead")
    for table in Base.metadata.sorted_tables:
        if any(not isinstance(column.type, String) for column in table.primary_key.columns):
            raise CopyRefused(f"nbgrader's table {table.name} has a key that is not a string: this copy would "
                              "not advance its sequence; copy it with your database's own tools instead")


def _target_problem(target: Engine, target_url: str) -> str | None:
    counts = row_counts(target)
    if not any(counts.values()):
        return None
    submissions = counts[SubmittedAssignment.__tablename__]
    held = (f"{submissions} submission(s)" if submissions
            else ", ".join(f"{n} {name} row(s)" for name, n in counts.items() if n))
    return (f"{shown_url(target_url)} already holds a gradebook ({held}): nothing copied. Copy into a new, "
            "empty database (or drop this one's tables first)")


def copy_gradebook(source_url: str, target_url: str) -> dict[str, tuple[int, int]]:
    """Copy every row of the gradebook at ``source_url`` into ``target_url``, in one transaction.

    The target's tables are made by opening it as nbgrader's Gradebook (which also stamps its schema version);
    a target that holds any gradebook row, or a source at another schema version than this nbgrader's, is
    refused with :class:`CopyRefused`. Returns each table's row count as (in the source, in the target).
    """
    with _engine(source_url) as source, _engine(target_url) as target:
        _check_schema(source, source_url)
        if problem := _target_problem(target, target_url):  # before Gradebook() adds anything to it
            raise CopyRefused(problem)
        with _alembic_on_path(), Gradebook(target_url, course_id=""):  # no course id: it adds no course row
            pass
        if (have := _version(source)) != (want := _version(target)):
            raise CopyRefused(f"{shown_url(source_url)} is at nbgrader's schema version {have}, this nbgrader "
                              f"writes {want}: run `nbgrader db upgrade` in the course folder first. Nothing copied")
        try:
            with source.connect() as reading, target.begin() as writing:
                for table in Base.metadata.sorted_tables:  # parents before the rows that refer to them
                    for rows in reading.execute(select(table)).mappings().partitions(BATCH):
                        writing.execute(table.insert(), [dict(row) for row in rows])
        except DBAPIError as err:  # a value PostgreSQL refuses that sqlite let in (a too-long id, say)
            reason = " ".join(str(err.orig).split())
            raise CopyRefused(f"{shown_url(target_url)} refused a row ({reason}): nothing copied") from None
        before, after = row_counts(source), row_counts(target)
    return {name: (before[name], after[name]) for name in before}


def _rows(con, table, column: str, values) -> list[dict]:
    return [dict(row) for row in con.execute(select(table).where(table.c[column].in_(list(values)))).mappings()]


def copy_assignment(source_url: str, target_url: str, assignment: str) -> None:
    """Copy what nbgrader knows of ``assignment`` (its course, notebooks and cells, ids unchanged, no student and
    no submission) from the gradebook at ``source_url`` into a new one at ``target_url``: all nbgrader's
    autograder needs to grade a submission of it elsewhere (:mod:`utils.grading.remote`).
    """
    tables = Base.metadata.tables
    with _engine(source_url) as source, _engine(target_url) as target:
        with _alembic_on_path(), Gradebook(target_url, course_id=""):
            pass
        with source.connect() as reading:
            found = _rows(reading, tables["assignment"], "name", [assignment])
            if not found:
                raise CopyRefused(f"{shown_url(source_url)} holds no assignment {assignment!r}: run "
                                  f"`wordsnums build {assignment}` (nbgrader generate_assignment) first")
            notebooks = _rows(reading, tables["notebook"], "assignment_id", [row["id"] for row in found])
            notebook_ids = [row["id"] for row in notebooks]
            cells = _rows(reading, tables["base_cell"], "notebook_id", notebook_ids)
            cell_ids = [row["id"] for row in cells]
            copied = [("course", _rows(reading, tables["course"], "id", [row["course_id"] for row in found])),
                      ("assignment", found), ("notebook", notebooks), ("base_cell", cells),
                      *[(name, _rows(reading, tables[name], "id", cell_ids))
                        for name in ("grade_cells", "solution_cells", "task_cells")],
                      ("source_cell", _rows(reading, tables["source_cell"], "notebook_id", notebook_ids))]
        with target.begin() as writing:
            for name, rows in copied:
                if rows:
                    writing.execute(tables[name].insert(), rows)
