"""Plugins that nbgrader loads from nbgrader_config.py, so its own commands and the formgrader use them.

* :class:`HideHiddenTests`: feedback shows each test's result and message, never the hidden test code.
* :class:`BoundOutput`: outputs cut to a bounded size in graded notebooks and feedback.
* :class:`PercentPerDayLate`: a late penalty of a share of the score per day (or part of a day) late.
* :class:`KitCsvExport`: a grades CSV with autograded, manual and late-penalty columns.
* :class:`KitNotebookExporter`: a file that is not a notebook fails with a message naming it and the fix.
* :class:`ForgetUnknownCells`: cells whose nbgrader metadata a student copied or edited lose it, so
  nbgrader restores the originals instead of failing on them.
* :class:`RestoreHiddenTests`: test cells exactly as released get their hidden tests back quietly, so
  nbgrader's "checksum has changed" warnings mean a student really edited a test.
* :class:`RestoreLockedCells`: locked cells a student deleted are put back from the gradebook.
* :class:`FlagSuspiciousCode`: lines a person should look at (code that could game the tests) are logged.
"""

import csv
import math

from nbconvert.exporters import NotebookExporter
from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin, LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer

from utils.course.model import HIDDEN_MARKERS, cell_kind, nbgrader_meta, strip_region
from utils.grading.submissions import notebook_problem
from utils.grading.suspicious import suspicious_lines

HIDDEN_NOTE = "# (hidden tests ran here at grading; their result is shown below)"


class BoundOutput(NbGraderPreprocessor):
    """Cut every output to a bounded size, so that a student printing megabytes cannot bloat the
    graded notebook, the gradebook's copies or the feedback (nbgrader's LimitOutput counts lines only)."""

    max_output_chars = Integer(5_000, help="Longest text kept per output").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        limit = self.max_output_chars
        for out in cell.get("outputs", []):
            if "text" in out:
                text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                if len(text) > limit:
                    out["text"] = text[:limit] + f"\n... [{len(text) - limit:,} more characters not shown]"
            for mime, value in list(out.get("data", {}).items()):
                size = len(value if isinstance(value, str) else "".join(value))
                if mime.startswith("text/") and size > limit * 4:
                    out["data"][mime] = f"[output of {size:,} characters not shown]"
            if "traceback" in out and sum(map(len, out["traceback"])) > limit:
                out["traceback"] = out["traceback"][:1] + ["... [traceback cut]"] + out["traceback"][-1:]
        return cell, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden test code from test cells and replace their tracebacks by the message, before
    nbgrader writes the feedback HTML."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell_kind(cell) == "test":
            if HIDDEN_MARKERS[0] in cell.source:
                visible = strip_region(cell.source, HIDDEN_MARKERS, keep=False).rstrip()
                cell.source = f"{visible}\n{HIDDEN_NOTE}" if visible else HIDDEN_NOTE
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    # a traceback would print the failing line of a hidden test, expected value and all
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources


class PercentPerDayLate(LateSubmissionPlugin):
    """Late penalty: ``percent_per_day`` of the score for each started day late, at most the score."""

    percent_per_day = Float(10.0, help="Share of the score taken off per started day late, in percent").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = math.ceil(total_seconds_late / 86_400)
        penalty = min(score, score * self.percent_per_day / 100 * days)
        self.log.warning("%s is %.1f hours late: penalty %.2f of %.2f (%g%% per started day)",
                         student_id, total_seconds_late / 3600, penalty, score, self.percent_per_day)
        return penalty


EXPORT_COLUMNS = ["student_id", "assignment", "duedate", "timestamp", "hours_late", "autograded", "manual",
                  "late_penalty", "score", "max_score", "needs_manual_grade"]


def grade_rows(gradebook) -> list[dict]:
    """One row per student and assignment: autograded and manual points, late penalty, final score."""
    rows = []
    for assignment in gradebook.assignments:
        for student in gradebook.students:
            try:
                sub = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                rows.append(dict(student_id=student.id, assignment=assignment.name, duedate=assignment.duedate,
                                 timestamp=None, hours_late=0.0, autograded=0.0, manual=0.0, late_penalty=0.0,
                                 score=0.0, max_score=assignment.max_score, needs_manual_grade=False))
                continue
            grades = [g for nb in sub.notebooks for g in nb.grades]
            auto = sum(g.score for g in grades if g.auto_score is not None)
            manual = sum(g.score for g in grades if g.auto_score is None)
            penalty = sub.late_submission_penalty or 0.0
            rows.append(dict(student_id=student.id, assignment=assignment.name, duedate=assignment.duedate,
                             timestamp=sub.timestamp, hours_late=round(sub.total_seconds_late / 3600, 2),
                             autograded=auto, manual=manual, late_penalty=penalty,
                             score=max(0.0, auto + manual - penalty), max_score=sub.max_score,
                             needs_manual_grade=sub.needs_manual_grade))
    return rows


class KitCsvExport(ExportPlugin):
    """Grades CSV with autograded, manual and late-penalty columns (``nbgrader export --to FILE``)."""

    def export(self, gradebook) -> None:
        dest = self.to or "grades.csv"
        with open(dest, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(grade_rows(gradebook))
        self.log.info("Wrote %s", dest)


class SubmissionError(ValueError):
    """A submitted file nbgrader cannot read; the message names the file and the fix."""


class KitNotebookExporter(NotebookExporter):
    """nbgrader's notebook exporter, with a plain message for a file that is not a notebook
    (nbgrader alone logs a JSON traceback and "There was an error processing assignment")."""

    max_notebook_mb = Integer(50, help="Largest notebook graded, in MiB: a release notebook is under 100 kB, so "
                              "anything this large was not made by hand").tag(config=True)

    def from_filename(self, filename, resources=None, **kw):
        problem = notebook_problem(filename, self.max_notebook_mb)
        if problem:
            raise SubmissionError(problem)
        return super().from_filename(filename, resources, **kw)


def _source_cells(resources) -> dict:
    """The gradebook's copy of each locked or graded cell of the notebook being graded, by grade_id."""
    meta = resources["nbgrader"]
    with Gradebook(meta["db_url"]) as gb:
        cells = gb.find_notebook(meta["notebook"], meta["assignment"]).source_cells
        return {c.name: (c.cell_type, c.source, c.locked, c.checksum) for c in cells}


class ForgetUnknownCells(NbGraderPreprocessor):
    """Drop the nbgrader metadata of cells whose grade_id is empty (a copy nbgrader's DeduplicateIds
    cleared) or unknown to the gradebook (edited metadata). nbgrader 0.9.6 fails the whole submission
    on them (a KeyError in OverwriteCells); without it they are ordinary cells, and
    ``add_missing_cells`` puts the originals back."""

    def preprocess(self, nb, resources):
        known = _source_cells(resources)
        for cell in nb.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if "nbgrader" in cell.metadata and grade_id not in known:
                if grade_id:
                    self.log.warning("Cell '%s' does not exist in the database", grade_id)
                del cell.metadata["nbgrader"]
        return nb, resources


class RestoreHiddenTests(NbGraderPreprocessor):
    """Put the hidden tests back into test cells that are exactly as released."""

    def preprocess(self, nb, resources):
        known = _source_cells(resources)
        for cell in nb.cells:
            _, source, locked, _ = known.get(nbgrader_meta(cell).get("grade_id"), (None, "", False, None))
            if locked and HIDDEN_MARKERS[0] in source and cell.source == strip_region(source, HIDDEN_MARKERS, False):
                cell.source = source
        return nb, resources


class RestoreLockedCells(NbGraderPreprocessor):
    """Put back locked cells a student deleted (setup code, given data), from the gradebook's copy.

    nbgrader restores deleted graded cells (``OverwriteCells.add_missing_cells``) but not locked cells
    without points, whose loss would make every later answer fail.
    """

    def preprocess(self, nb, resources):
        known = _source_cells(resources)
        order = list(known)
        present = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells)}
        for position, (name, (cell_type, source, locked, checksum)) in enumerate(known.items()):
            if not locked or name in present:
                continue
            self.log.warning("Locked cell %s was deleted; put back from the source", name)
            new = (new_code_cell if cell_type == "code" else new_markdown_cell)(source)
            new.metadata.update(editable=False, deletable=False,
                                nbgrader={"grade": False, "solution": False, "locked": True, "grade_id": name,
                                          "checksum": checksum, "schema_version": 3})
            earlier = [present[n] for n in order[:position] if n in present]
            nb.cells.insert(max(earlier) + 1 if earlier else 0, new)
            present = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells)}
        return nb, resources


class FlagSuspiciousCode(NbGraderPreprocessor):
    """Log the lines of a submission that a person should look at (see :data:`utils.grading.suspicious.SUSPICIOUS`)."""

    def preprocess(self, nb, resources):
        for line in suspicious_lines(nb):
            self.log.warning("Code to review by hand: %s", line)
        return nb, resources
