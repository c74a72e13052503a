"""Reading nbgrader's gradebook: its URL, whether a submission is in it, scores per notebook and per cell."""

from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

SCORE_COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "needs_manual_grade"]


def gradebook_url(course: Path) -> str:
    """The sqlite gradebook of a course; the timeout lets parallel graders wait for each other's writes."""
    return f"sqlite:///{course / 'gradebook.db'}?timeout=60"


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
