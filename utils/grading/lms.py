"""Grades for a learning management system: Canvas's and Moodle's gradebook import files.

A student map (CSV) links each nbgrader id to the student's LMS account::

    student_id,lms_id,first_name,last_name,email,section,sis_user_id,sis_login_id
    ada,48213,Ada,Lovelace,ada@example.edu,Section 1,S1001,ada

``student_id``, ``lms_id``, ``first_name`` and ``last_name`` are required; the rest may be left out.
``lms_id`` is Canvas's user ID (the "ID" column of its gradebook export) or Moodle's "ID number".

- **Canvas** ("Import" in the Gradebook): the columns of its own gradebook export, ``Student`` ("Last,
  First"), ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment, and a second
  row ``Points Possible`` with each assignment's maximum. A column named as an existing Canvas assignment,
  "Name (ID)", updates it; any other name makes a new assignment (``KitCsvExport.lms_names`` renames).
- **Moodle** ("Import > CSV file" in Grade administration): ``First name``, ``Last name``, ``ID number``,
  ``Email address``, then one column per assignment; map "ID number" to ``useridnumber`` (or the email to
  ``useremail``) and each assignment to its grade item on the import page.

The score is the final one (autograded plus manual, less the late penalty). A student with no submission
gets an empty cell, which both systems leave as it was.
"""

import csv
from pathlib import Path

import pandas as pd

REQUIRED = ["student_id", "lms_id", "first_name", "last_name"]
OPTIONAL = ["email", "section", "sis_user_id", "sis_login_id"]
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]
FORMATS = ("csv", "canvas", "moodle")


class StudentMapError(ValueError):
    """The student map cannot be used; the message names the file and the fix."""


def read_student_map(path: Path) -> pd.DataFrame:
    """The student map, one row per nbgrader id, every value a string (missing optional columns empty).

    Raises :class:`StudentMapError` for a missing file, missing columns, or an id given twice.
    """
    if not path.is_file():
        raise StudentMapError(f"no student map {path}: write one, with the columns {','.join(REQUIRED)} "
                              "(see `wordsnums export --help`)")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, csv.Error, UnicodeDecodeError) as err:
        raise StudentMapError(f"{path} is not a CSV file the kit can read ({err}): save it as CSV (UTF-8)") from None
    table.columns = [c.strip() for c in table.columns]
    if missing := [c for c in REQUIRED if c not in table.columns]:
        raise StudentMapError(f"{path} has no column {', '.join(missing)}: its first line must name at least "
                              f"{','.join(REQUIRED)}")
    table = table.apply(lambda column: column.str.strip())
    for column in ("student_id", "lms_id"):
        if (twice := table.loc[table[column].duplicated() & (table[column] != ""), column]).any():
            raise StudentMapError(f"{path} gives the {column} {twice.iloc[0]!r} on more than one line: one line "
                                  "per student")
    if (table["student_id"] == "").any() or (table["lms_id"] == "").any():
        line = int(((table["student_id"] == "") | (table["lms_id"] == "")).to_numpy().argmax()) + 2
        raise StudentMapError(f"{path}, line {line}: give both a student_id and an lms_id")
    return table.reindex(columns=REQUIRED + OPTIONAL, fill_value="").set_index("student_id", drop=False)


def unmapped(students: list[str], student_map: pd.DataFrame) -> list[str]:
    """The nbgrader ids with grades that the map leaves out."""
    return sorted(set(students) - set(student_map.index))


def lms_table(fmt: str, rows: list[dict], student_map: pd.DataFrame, names: dict[str, str] | None = None,
              ) -> pd.DataFrame:
    """The import table for ``fmt`` ("canvas" or "moodle") from the export's rows (:func:`.plugins.grade_rows`).

    Every student of the map has a row, in the map's order; every assignment of ``rows`` a column, named by
    ``names`` where it has an entry. Raises :class:`StudentMapError` if a student with grades is not in the map.
    """
    grades = pd.DataFrame(rows, columns=["student_id", "assignment", "submitted", "score", "max_score"])
    if missing := unmapped(grades["student_id"].unique().tolist(), student_map):
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise StudentMapError(f"the student map has no line for {len(missing)} student(s) in the gradebook: "
                              f"{shown}. Add a line for each ({','.join(REQUIRED)}); nothing written")
    names = names or {}
    assignments = list(dict.fromkeys(grades["assignment"]))
    submitted = grades[grades["submitted"]]
    scores = submitted.pivot(index="student_id", columns="assignment", values="score").round(2)
    scores = scores.reindex(index=student_map.index, columns=assignments)
    people = student_map
    if fmt == "canvas":
        table = pd.DataFrame({"Student": people["last_name"] + ", " + people["first_name"], "ID": people["lms_id"],
                              "SIS User ID": people["sis_user_id"], "SIS Login ID": people["sis_login_id"],
                              "Section": people["section"]})
    elif fmt == "moodle":
        table = pd.DataFrame({"First name": people["first_name"], "Last name": people["last_name"],
                              "ID number": people["lms_id"], "Email address": people["email"]})
    else:
        raise ValueError(f"no LMS format {fmt!r}: give one of {', '.join(FORMATS[1:])}")
    table = pd.concat([table, scores], axis=1).rename(columns=lambda c: names.get(c, c))
    if fmt == "canvas":  # Canvas's own export has this row; its import reads each assignment's points from it
        maxima = grades.drop_duplicates("assignment").set_index("assignment")["max_score"]
        possible = {c: "" for c in CANVAS_COLUMNS} | {names.get(a, a): maxima[a] for a in assignments}
        possible["Student"] = "Points Possible"
        table = pd.concat([pd.DataFrame([possible]), table], ignore_index=True)
    return table.reset_index(drop=True)
