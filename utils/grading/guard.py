"""What grading must never change in a course: a snapshot to compare before and after a submission runs.

Grading works on a scratch copy, but a student's code can still name the course by an absolute path.
The snapshot covers source/, release/, submitted/, nbgrader_config.py and, in the gradebook, the rows
of every student not being graded in this run.
"""

import hashlib
import sqlite3
from pathlib import Path

PROTECTED = ("source", "release", "submitted")

STUDENT_ROWS = """
select sa.student_id, 'grade', g.cell_id, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade
  from grade g join submitted_notebook sn on g.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id
union all
select sa.student_id, 'comment', c.cell_id, c.auto_comment, c.manual_comment, null, null
  from comment c join submitted_notebook sn on c.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id
union all
select sa.student_id, 'submission', sa.assignment_id, sa.timestamp, sa.extension, null, null from submitted_assignment sa
order by 1, 2, 3
"""


def file_digests(folder: Path, files) -> dict[str, str]:
    """A sha256 per file, by its path relative to ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def snapshot(course: Path, skip_students: set[str]) -> dict[str, str]:
    """A fingerprint per protected file, and per student's gradebook rows (but ``skip_students``)."""
    files = [course / "nbgrader_config.py"] + [p for top in PROTECTED for p in (course / top).rglob("*")]
    state = file_digests(course, files)
    db = course / "gradebook.db"
    if db.is_file():
        rows: dict[str, list] = {}
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=60) as conn:
            for row in conn.execute(STUDENT_ROWS):
                rows.setdefault(row[0], []).append(row[1:])
        state |= {f"gradebook rows of {student}": hashlib.sha256(repr(r).encode()).hexdigest()
                  for student, r in rows.items() if student not in skip_students}
    return state


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs between two snapshots, each as 'changed X', 'added X' or 'removed X'.

    >>> changes({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"})
    ['changed b', 'added c']
    """
    return [f"{'changed' if key in before and key in after else 'added' if key in after else 'removed'} {key}"
            for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)]


MANUAL_MARKS = """
select 'grade', g.id, sa.student_id, g.manual_score, g.extra_credit from grade g
  join submitted_notebook sn on g.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id
union all
select 'comment', c.id, sa.student_id, c.manual_comment, null from comment c
  join submitted_notebook sn on c.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id
"""


def manual_marks(course: Path) -> dict[tuple[str, str], tuple]:
    """Every manual score, extra credit and manual comment in the gradebook: autograding never changes them."""
    db = course / "gradebook.db"
    if not db.is_file():
        return {}
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=60) as conn:
        return {(table, row_id): (student, *values) for table, row_id, student, *values in conn.execute(MANUAL_MARKS)}


def restore_manual_marks(course: Path, before: dict[tuple[str, str], tuple]) -> list[str]:
    """Put back manual marks changed since ``before`` (new rows get none); returns whose were put back."""
    after = manual_marks(course)
    changed = {key: before.get(key, (student, None, None)) for key, (student, *values) in after.items()
               if before.get(key, (student, None, None)) != (student, *values)}
    if changed:
        with sqlite3.connect(course / "gradebook.db", timeout=60) as conn:
            for (table, row_id), (_, first, second) in changed.items():
                if table == "grade":
                    conn.execute("update grade set manual_score = ?, extra_credit = ? where id = ?", (first, second, row_id))
                else:
                    conn.execute("update comment set manual_comment = ? where id = ?", (first, row_id))
    return sorted({student for student, *_ in changed.values()})
