"""The grade report: item analysis per question, two plots with alt text, a Markdown summary."""

from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

from utils.grading import gradebook

ITEM_COLUMNS = ["question", "max_points", "mean", "full_marks_share", "discrimination"]


class NoGrades(LookupError):
    """No submission of the assignment is graded: there is nothing to report yet."""

    def __init__(self, assignment: str):
        super().__init__(f"no graded submissions of {assignment} yet: run wordsnums grade first")


def item_scores(course: Path, assignment: str) -> pd.DataFrame:
    """Score of every graded cell for every student (rows: students, columns: grade_ids).

    Raises :class:`NoGrades` if no submission of ``assignment`` is in the gradebook.
    """
    if not gradebook.has_gradebook(course):  # opening a Gradebook would create an empty sqlite file
        raise NoGrades(assignment)
    records = {}
    with Gradebook(gradebook.gradebook_url(course)) as gb:
        try:
            notebooks = gb.find_assignment(assignment).notebooks
        except MissingEntry:
            raise NoGrades(assignment) from None
        for notebook in notebooks:
            for sub in notebook.submissions:
                row = records.setdefault(sub.student.id, {})
                for grade in sub.grades:
                    row[grade.name] = grade.score
        maxima = {cell.name: cell.max_score for nb in gb.find_assignment(assignment).notebooks
                  for cell in nb.grade_cells}
    if not records:
        raise NoGrades(assignment)
    table = pd.DataFrame.from_dict(records, orient="index").reindex(columns=list(maxima)).sort_index()
    table.attrs["max_points"] = maxima
    return table


def item_analysis(scores: pd.DataFrame) -> pd.DataFrame:
    """Per question: mean, share of students with full marks, and discrimination.

    Discrimination is the correlation of the question's score with the total of the other
    questions (the corrected item-total correlation): near 0 or negative means the question
    does not separate stronger from weaker work. It is NaN where all students scored alike.
    """
    maxima = scores.attrs.get("max_points", {})
    total = scores.sum(axis=1)
    rows = []
    for question in scores.columns:
        item = scores[question]
        rest = total - item
        disc = item.corr(rest) if item.nunique() > 1 and rest.nunique() > 1 else float("nan")
        top = maxima.get(question, item.max())
        rows.append((question, top, item.mean(), (item >= top).mean() if top else float("nan"), disc))
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def distribution_plot(totals: pd.Series, max_total: float, ax=None, title: str = "Grade distribution"):
    """Histogram of total scores; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(totals, bins=min(10, max(len(totals), 1)), range=(0, max_total), color="tab:blue", edgecolor="white")
    ax.set_title(title)
    ax.set_xlabel(f"Total score (points, of {max_total:g})")
    ax.set_ylabel("Students")
    return ax


def item_plot(items: pd.DataFrame, ax=None, title: str = "Share of full marks per question"):
    """Horizontal bars: share of students with full marks on each question; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 + 0.3 * len(items)))
    ax.barh(items["question"], items["full_marks_share"] * 100, color="tab:green")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_title(title)
    ax.set_xlabel("Students with full marks (%)")
    ax.set_ylabel("Question (grade_id)")
    return ax


def write_report(course: Path, assignment: str, out_dir: Path) -> Path:
    """Write the item analysis CSV, two PNG plots and ``report.md`` with alt text; returns report.md.

    Raises :class:`NoGrades`, and writes nothing, if no submission of ``assignment`` is graded.
    """
    import matplotlib.pyplot as plt

    scores = item_scores(course, assignment)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = item_analysis(scores)
    totals = scores.sum(axis=1)
    max_total = sum(scores.attrs["max_points"].values())
    items.round(3).to_csv(out_dir / f"{assignment}_items.csv", index=False)

    ax = distribution_plot(totals, max_total, title=f"{assignment}: total scores")
    ax.figure.tight_layout()
    ax.figure.savefig(out_dir / f"{assignment}_distribution.png", dpi=100)
    plt.close(ax.figure)
    ax = item_plot(items, title=f"{assignment}: share of full marks per question")
    ax.figure.tight_layout()
    ax.figure.savefig(out_dir / f"{assignment}_items.png", dpi=100)
    plt.close(ax.figure)

    hardest = items.sort_values("full_marks_share").iloc[0] if len(items) else None
    weak = items[items["discrimination"] < 0.2]["question"].tolist()
    alt_dist = (f"Histogram of the total scores of {len(totals)} students, out of {max_total:g} points: mean "
                f"{totals.mean():.1f}, lowest {totals.min():g}, highest {totals.max():g}.")
    alt_items = (f"Bar chart of the share of students with full marks on each of {len(items)} questions; the lowest "
                 f"is {hardest['question']} at {hardest['full_marks_share']:.0%}." if hardest is not None else "")
    lines = [
        f"# Grade report: {assignment}", "",
        f"{len(totals)} students; mean total {totals.mean():.1f} of {max_total:g} points "
        f"(median {totals.median():.1f}). Manual points count once they are graded in the formgrader.", "",
        f"![{alt_dist}]({assignment}_distribution.png)", "",
        f"![{alt_items}]({assignment}_items.png)", "",
        "## Item analysis", "",
        "| question | max | mean | full marks | discrimination |", "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {r.question} | {r.max_points:g} | {r.mean:.2f} | {r.full_marks_share:.0%} | "
              f"{'n/a' if pd.isna(r.discrimination) else f'{r.discrimination:.2f}'} |" for r in items.itertuples()]
    lines += ["", "Discrimination is the correlation of a question's score with the rest of the total. "
              + (f"Below 0.2 (review these questions): {', '.join(weak)}." if weak else "No question is below 0.2.")]
    report = out_dir / f"{assignment}_report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report
