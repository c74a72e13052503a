"""Grading with nbgrader: autograde submissions and read scores from its gradebook."""

from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

from utils.course import run_nbgrader

SCORE_COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "needs_manual_grade"]


def autograde(course: Path, assignment: str, student: str | None = None, force: bool = True):
    """Run ``nbgrader autograde`` on the submissions in course/submitted/."""
    args = ["autograde", assignment] + (["--student", student] if student else []) + (["--force"] if force else [])
    return run_nbgrader(args, cwd=course)


def scores(course: Path, assignment: str) -> pd.DataFrame:
    """Each student's score per notebook of ``assignment``, from the sqlite gradebook."""
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for notebook in gb.find_assignment(assignment).notebooks:
            for sub in notebook.submissions:
                rows.append((sub.student.id, assignment, notebook.name, sub.score, sub.max_score,
                             sub.needs_manual_grade))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS).sort_values(["student", "notebook"], ignore_index=True)


def cell_scores(course: Path, assignment: str, notebook: str, student: str) -> dict[str, float | None]:
    """The autograded score of each graded cell of one submission (None if not autograded)."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            sub = gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry as err:
            raise KeyError(f"No graded submission of {assignment}/{notebook} by {student}") from err
        return {grade.name: grade.auto_score for grade in sub.grades}
