"""Plugins that nbgrader loads from nbgrader_config.py, so its own commands and the formgrader use them.

* :class:`HideHiddenTests`: feedback shows each test's result and message, never the hidden test code.
* :class:`BoundOutput`: outputs cut to a bounded size in graded notebooks and feedback.
* :class:`PercentPerDayLate`: a late penalty of a share of the score per day (or part of a day) late.
* :class:`KitCsvExport`: a grades CSV with autograded, manual and late-penalty columns.
* :class:`KitNotebookExporter`: a file that is not a notebook fails with a message naming it and the fix.
* :class:`ForgetUnknownCells`: cells whose nbgrader metadata a student copied or edited lose it, so
  nbgrader restores the originals instead of failing on them.
* :class:`RestoreCellKinds`: cells whose kind (test, answer, task) a student flipped in their metadata get
  it back from the gradebook, so nbgrader grades them as released instead of failing on them.
* :class:`RestoreHiddenTests`: test cells exactly as released get their hidden tests back quietly, so
  nbgrader's "checksum has changed" warnings mean a student really edited a test.
* :class:`RestoreLockedCells`: locked cells a student deleted are put back from the gradebook.
* :class:`FlagSuspiciousCode`: lines a person should look at (code that could game the tests) are logged.
* :class:`LeaveOutSpecialFiles`: links, pipes and devices of a submission, and links its code makes, are
  kept out of its graded folder, under plain ``nbgrader autograde`` as under ``wordsnums grade``.
"""

import csv
import json
import math
import re
from pathlib import Path

from nbconvert.exporters import NotebookExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExportPlugin, LateSubmissionPlugin
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor, OverwriteCells
from traitlets import Dict, Enum, Float, Integer, List, Unicode

from utils.course.model import HIDDEN_MARKERS, cell_kind, nbgrader_meta, question_label, strip_region
from utils.grading import lms
from utils.grading.notes import KIT_NOTE
from utils.grading.submissions import left_out, left_out_note, notebook_problem, remove_made_links
from utils.grading.suspicious import suspicious_lines

HIDDEN_NOTE = ("# (hidden tests ran here at grading and are not shown: the score above counts them, "
               "and a failed one's message is below)")


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MARKUP = {"text/html", "text/markdown", "text/latex", "image/svg+xml"}  # cut short, these would break
JSON_MIME = re.compile(r"^application/(.*\+)?json$")  # nbformat allows any JSON value under these


def _cost(text: str) -> int:
    r"""What ``text`` counts against a notebook's outputs: the characters a reader sees. IPython colours
    every traceback (a fifth of its characters), so colour codes are free, but never below half the
    characters, so that escape codes cannot carry a file either.

    >>> _cost("\x1b[31mValueError\x1b[39m: bad"), _cost("\x1b[0m" * 10)
    (15, 20)
    """
    return max(len(ANSI.sub("", text)), len(text) // 2)


def _cut(text: str, limit: int) -> tuple[str, int]:
    """``text`` cut to ``limit`` characters with a note of how many were cut, and the cost of what is kept."""
    kept = text[:max(limit, 0)]
    note = f"\n... [{len(text) - len(kept):,} more characters not shown]" if len(kept) < len(text) else ""
    return kept + note, _cost(kept)


def _as_text(mime: str, value) -> tuple[str, bool]:
    """An output's value as text, and whether it may be cut: plain text may, markup and JSON documents
    would no longer render (a value that is not text at all, from a forged message, counts as JSON)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and not JSON_MIME.match(mime):
        value = "".join(value)  # nbformat's multi-line string
    if isinstance(value, str):
        return value, mime not in MARKUP
    return json.dumps(value, default=str), False


class KitPreprocessor(NbGraderPreprocessor):
    """NbGraderPreprocessor that takes nbconvert's ``display_data_priority``: the HTML exporter of feedback and
    the formgrader configures it for every preprocessor, and nbgrader's base declares it unconfigurable, so
    each run warned "not recognized" (nbgrader's own GetGrades declares it the same way)."""

    display_data_priority = List(NbGraderPreprocessor.display_data_priority.default_value).tag(config=True)


class BoundOutput(KitPreprocessor):
    """Bound what a student's outputs can hold, so that printing megabytes, or a file in many small
    pieces, cannot bloat the graded notebook or carry it into the feedback (nbgrader's LimitOutput
    counts stream lines and traceback lines only).

    Every text of an output is cut to ``max_output_chars`` with a note: a stream, each text representation,
    an error's name, message and each traceback line (a long traceback keeps its first and last line).
    Images are kept. Once a notebook's outputs reach ``max_notebook_output_chars`` (counted by
    :func:`_cost`, and one for each output), the rest of each cell's outputs become one short note, an
    error if one of them was.
    Run it after SaveAutoGrades: nbgrader scores a test cell by its outputs (an error or anything on
    stderr gives 0, a number printed last partial credit), and a score must not depend on what is cut.
    """

    max_output_chars = Integer(5_000, help="Longest text kept of each text of an output").tag(config=True)
    max_notebook_output_chars = Integer(20_000, help="Most text kept of all the outputs of one notebook; "
                                        "later outputs are replaced by a short note").tag(config=True)
    _left = None  # what the notebook being processed may still show

    def preprocess(self, nb, resources):
        self._left = self.max_notebook_output_chars  # per notebook: one instance handles a whole class
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if "outputs" not in cell:
            return cell, resources
        if self._left is None:
            self._left = self.max_notebook_output_chars
        outputs = []
        for position, out in enumerate(cell.outputs):
            if self._left <= 0:
                # one note for all the rest: a million display() calls must not leave a million notes
                outputs.append(self._note(cell.outputs[position:]))
                break
            room = self._left
            cut = self._bound(out)
            self._left -= 1  # its place on the page: a million empty outputs are not free
            if cut and room < self.max_output_chars:
                self._left = 0  # cut to the room left: the notebook is full, no ever smaller crumbs after
            outputs.append(out)
        cell.outputs = outputs
        return cell, resources

    def _limit(self) -> int:
        return max(0, min(self.max_output_chars, self._left))

    def _bound(self, out) -> bool:
        """Bound each text of ``out`` in place, taking its cost from the notebook's room; whether any was cut."""
        cut = False
        kind = out.get("output_type")
        if kind == "stream":
            text, _ = _as_text("text/plain", out.get("text", ""))
            kept, cost = _cut(text, self._limit())
            if kept != text:
                out["text"], cut = kept, True
            self._left -= cost
        elif kind == "error":
            limit = self._limit()
            ename, name_cost = _cut(str(out.get("ename", "")), limit)
            evalue, value_cost = _cut(str(out.get("evalue", "")), limit - name_cost)
            lines = [str(line) for line in out.get("traceback", [])]
            traceback, traceback_cost = _bound_traceback(lines, limit)
            cut = (ename, evalue, traceback) != (out.get("ename"), out.get("evalue"), lines)
            out.update(ename=ename, evalue=evalue, traceback=traceback)
            # the traceback's last line repeats name and message: they count once
            self._left -= max(traceback_cost, name_cost + value_cost)
        for mime, value in list(out.get("data", {}).items()):
            if mime.startswith("image/") and mime not in MARKUP:
                continue  # base64 pictures, a student's plots: not text to read
            text, cuttable = _as_text(mime, value)
            if cuttable:
                kept, cost = _cut(text, self._limit())
                if kept != text:
                    out["data"][mime], cut = kept, True
                self._left -= cost
            # kept whole or not at all; a table's HTML is several times its text, hence more room for markup
            elif len(text) > min(self.max_output_chars * (4 if mime in MARKUP else 1), self._left):
                out["data"][mime], cut = f"[output of {len(text):,} characters not shown]", True
            else:
                self._left -= _cost(text)
        return cut

    def _note(self, dropped: list):
        """One output in place of ``dropped``: an error if one of them was, else on stderr if one was."""
        note = f"[output not shown: this notebook's outputs reached {self.max_notebook_output_chars:,} characters]"
        error = next((out for out in dropped if out.get("output_type") == "error"), None)
        if error is not None:
            ename = error.get("ename", "")
            return new_output("error", ename=ename if len(ename) <= 100 else "Error", evalue=note, traceback=[note])
        stderr = any(out.get("output_type") == "stream" and out.get("name") == "stderr" for out in dropped)
        return new_output("stream", name="stderr" if stderr else "stdout", text=note + "\n")


def _bound_traceback(lines: list, limit: int) -> tuple[list, int]:
    """A traceback of at most ``limit`` characters (by cost): if longer, its first line (where) and last
    line (the message) cut to share it, with a note of the lines between; and its cost."""
    cost = sum(map(_cost, lines))
    if cost <= limit:
        return lines, cost
    first, first_cost = _cut(lines[0], limit // 2) if len(lines) > 1 else (None, 0)
    last, last_cost = _cut(lines[-1], limit - first_cost)
    middle = [f"... [{len(lines) - 2:,} lines of traceback not shown]"] if len(lines) > 2 else []
    return [line for line in (first, *middle, last) if line is not None], first_cost + last_cost


class KitGetGrades(GetGrades):
    """nbgrader's GetGrades, and for the feedback page: whether a human has still to grade a cell (``pending``:
    nbgrader counts it as 0), and the points graded so far and still to come
    (``resources["nbgrader"]["pending_points"]`` and ``["graded_points"]``)."""

    def _get_score(self, cell, resources):
        super()._get_score(cell, resources)
        meta = cell.metadata.nbgrader
        grade = self.gradebook.find_grade(meta["grade_id"], self.notebook_id, self.assignment_id, self.student_id)
        meta["pending"] = grade.auto_score is None and grade.manual_score is None

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        graded = [cell.metadata.nbgrader for cell in nb.cells if "points" in cell.metadata.get("nbgrader", {})]
        pending = sum(meta["points"] for meta in graded if meta.get("pending"))
        resources["nbgrader"]["pending_points"] = pending
        resources["nbgrader"]["graded_points"] = resources["nbgrader"]["max_score"] - pending
        return nb, resources


class HideHiddenTests(KitPreprocessor):
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


class QuestionLabels(KitPreprocessor):
    """Each graded or answer cell's name in the course's words (``label`` in its nbgrader metadata: "Q12 written
    answer, graded by your instructor", "Q13 length check", "Q8 answer"), for the feedback and formgrader
    templates: nbgrader comments "No response." on an answer left blank, and feedback lists that comment."""

    def preprocess_cell(self, cell, resources, index):
        meta = nbgrader_meta(cell)
        if meta.get("grade") or meta.get("task") or meta.get("solution"):
            cell.metadata.nbgrader["label"] = question_label(meta.get("grade_id", ""), cell_kind(cell))
        elif "label" in meta:  # never one of the student's: the templates write a label as it is
            del cell.metadata.nbgrader["label"]
        return cell, resources


ALT_PREFIX = "Alt text:"
NO_ALT = "A figure drawn by this cell's code (the cell printed no description of it)."


class AltTextForImages(KitPreprocessor):
    """Alt text on every image of feedback and the formgrader: the "Alt text: ..." line its cell prints (each
    plot cell of the course prints one), else a note that the figure has no description. nbconvert's classic
    template, which both use, writes it into the ``<img alt>``."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        said = "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream")
        alts = [line[len(ALT_PREFIX):].strip() for line in said.splitlines() if line.startswith(ALT_PREFIX)]
        images = [out for out in cell.get("outputs", []) if any(m.startswith("image/") for m in out.get("data", {}))]
        for i, out in enumerate(images):
            alt = alts[min(i, len(alts) - 1)] if alts else NO_ALT
            for mime in (m for m in out["data"] if m.startswith("image/")):
                out.setdefault("metadata", {}).setdefault(mime, {}).setdefault("alt", alt)
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


EXPORT_COLUMNS = ["student_id", "assignment", "submitted", "duedate", "extension_hours", "timestamp", "hours_late",
                  "autograded", "manual", "late_penalty", "score", "max_score", "needs_manual_grade"]


def grade_rows(gradebook, students: list[str] | None = None, assignments: list[str] | None = None) -> list[dict]:
    """One row per student and assignment: the student's due date (with an extension), autograded and manual
    points, late penalty, final score; only these students and assignments, if given.

    In nbgrader's order (assignments by due date, none first; students by name), ties by name or id: the same
    file from sqlite and PostgreSQL, which sort missing values apart and leave ties in any order.
    """
    rows = []
    chosen = sorted((a for a in gradebook.assignments if not assignments or a.name in assignments),
                    key=lambda a: (a.duedate is not None, a.duedate or 0, a.name))
    people = sorted((s for s in gradebook.students if not students or s.id in students),
                    key=lambda s: (s.last_name or "", s.first_name or "", s.id))
    for assignment in chosen:
        for student in people:
            try:
                sub = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                rows.append(dict(student_id=student.id, assignment=assignment.name, submitted=False,
                                 duedate=assignment.duedate, extension_hours=0.0, timestamp=None, hours_late=0.0,
                                 autograded=0.0, manual=0.0, late_penalty=0.0, score=0.0,
                                 max_score=assignment.max_score, needs_manual_grade=False))
                continue
            grades = [g for nb in sub.notebooks for g in nb.grades]
            auto = sum(g.score for g in grades if g.auto_score is not None)
            manual = sum(g.score for g in grades if g.auto_score is None)
            penalty = sub.late_submission_penalty or 0.0
            # nbgrader's own sub.duedate fails on an extension of an assignment without a due date
            due = assignment.duedate + sub.extension if assignment.duedate and sub.extension else assignment.duedate
            late = max(0.0, (sub.timestamp - due).total_seconds()) if sub.timestamp and due else 0.0
            extension = sub.extension.total_seconds() / 3600 if sub.extension else 0.0
            rows.append(dict(student_id=student.id, assignment=assignment.name, submitted=True, duedate=due,
                             extension_hours=round(extension, 2), timestamp=sub.timestamp,
                             hours_late=round(late / 3600, 2), autograded=auto, manual=manual,
                             late_penalty=penalty, score=max(0.0, auto + manual - penalty), max_score=sub.max_score,
                             needs_manual_grade=sub.needs_manual_grade))
    return rows


class KitCsvExport(ExportPlugin):
    """Grades CSV with autograded, manual and late-penalty columns (``nbgrader export --to FILE``), or a
    Canvas or Moodle gradebook import file (``format``, with a ``student_map``: see :mod:`.lms`)."""

    format = Enum(list(lms.FORMATS), default_value="csv", help="csv: the kit's columns; canvas or moodle: that "
                  "LMS's gradebook import file").tag(config=True)
    student_map = Unicode("", help="CSV file linking each nbgrader id to the student's LMS account (canvas and "
                          "moodle)").tag(config=True)
    lms_names = Dict(value_trait=Unicode(), help="The LMS's column name for an assignment, by assignment id "
                     "(default: the id), e.g. {'a1_close_reading': 'Close reading (1234)'}").tag(config=True)

    def export(self, gradebook) -> None:
        dest = self.to or "grades.csv"
        rows = grade_rows(gradebook, [str(s) for s in self.student], [str(a) for a in self.assignment])
        if self.format != "csv":
            if not self.student_map:
                raise lms.StudentMapError(f"a {self.format} file needs a student map: give its file "
                                          "(wordsnums export --students FILE)")
            table = lms.lms_table(self.format, rows, lms.read_student_map(Path(self.student_map)), self.lms_names)
            table.to_csv(dest, index=False, lineterminator="\n")
        else:
            with open(dest, "w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
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


class ForgetUnknownCells(KitPreprocessor):
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


def _cell_kinds(resources) -> dict:
    """What the gradebook says each cell of the notebook being graded is, by grade_id: its grade, solution
    and task flags, and its points if graded."""
    meta = resources["nbgrader"]
    with Gradebook(meta["db_url"]) as gb:
        nb = gb.find_notebook(meta["notebook"], meta["assignment"])
        points = {c.name: c.max_score for c in nb.grade_cells}
        solutions, tasks = {c.name for c in nb.solution_cells}, {c.name for c in nb.task_cells}
        return {c.name: {"grade": c.name in points, "solution": c.name in solutions, "task": c.name in tasks,
                         "points": points.get(c.name)} for c in nb.source_cells}


class RestoreCellKinds(KitPreprocessor):
    """Give each known cell back the kind it was released as (its grade, solution and task flags, and points
    if they are missing), from the gradebook, logged as nbgrader logs a changed attribute.

    A student can flip these in a cell's metadata, a test cell made an answer with ``"solution": true``:
    nbgrader 0.9.6 then restores its source but not its kind, and fails the whole submission on checksums
    that cannot match ("Inconsistent checksums"). With its kind back, OverwriteCells restores the rest
    (source, locked, points) as for any edited cell. Of several cells with one grade_id, only the last
    keeps it, as nbgrader's DeduplicateIds does with flagged copies (an unflagged copy escapes it).
    """

    def preprocess(self, nb, resources):
        kinds = _cell_kinds(resources)
        seen = set()
        for cell in reversed(nb.cells):
            meta = nbgrader_meta(cell)
            grade_id = meta.get("grade_id")
            if grade_id not in kinds:  # no nbgrader metadata (ForgetUnknownCells dropped unknown grade_ids)
                continue
            if grade_id in seen:
                self.log.warning("Cell with id '%s' exists multiple times!", grade_id)  # DeduplicateIds' words
                del cell.metadata["nbgrader"]
                continue
            seen.add(grade_id)
            kind = kinds[grade_id]
            for flag in ("grade", "solution", "task"):
                if meta.get(flag, False) is not kind[flag]:  # `is`: a flag that is not a bool is restored too
                    self.report_change(grade_id, flag, kind[flag], meta.get(flag))
                    meta[flag] = kind[flag]
            if kind["grade"] and not _is_number(meta.get("points")):
                self.report_change(grade_id, "points", float(kind["points"]), meta.get("points"))
                meta["points"] = float(kind["points"])
        return nb, resources

    def report_change(self, name, attr, old, new):
        # OverwriteCells' words, which the kit turns into a note (utils/grading/notes.py)
        self.log.warning("Attribute '%s' for cell %s has changed! (should be: %s, got: %s)", attr, name, old, new)


def _is_number(value) -> bool:
    """Whether nbgrader can read ``value`` as points (OverwriteCells restores a wrong number itself)."""
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


class RestoreHiddenTests(KitPreprocessor):
    """Put the hidden tests back into test cells that are exactly as released."""

    def preprocess(self, nb, resources):
        known = _source_cells(resources)
        for cell in nb.cells:
            _, source, locked, _ = known.get(nbgrader_meta(cell).get("grade_id"), (None, "", False, None))
            if locked and HIDDEN_MARKERS[0] in source and cell.source == strip_region(source, HIDDEN_MARKERS, False):
                cell.source = source
        return nb, resources


class KitOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, with deleted graded cells put back after the nearest earlier cell of the
    source that the submission still has. nbgrader 0.9.6 looks the cell before a deleted one up among graded
    and answer cells only, and fails the whole submission with a KeyError when it is a locked cell (a given
    plot, a question's rubric) or was deleted too."""

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source_nb.source_cells]
        answers = {cell.name for cell in source_nb.solution_cells}
        for graded in source_nb.grade_cells:
            if graded.name in {nbgrader_meta(c).get("grade_id") for c in nb.cells}:
                continue
            self.log.warning(f"Missing grade cell {graded.name} encountered, adding to notebook")
            where = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells)}
            earlier = [where[name] for name in order[:order.index(graded.name)] if name in where]
            source_cell = self.gradebook.find_source_cell(graded.name, self.notebook_id, self.assignment_id)
            nb.cells.insert(max(earlier) + 1 if earlier else 0, self.missing_cell_transform(
                source_cell, graded.max_score, is_solution=graded.name in answers))
        return nb, resources


class RestoreLockedCells(KitPreprocessor):
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


class FlagSuspiciousCode(KitPreprocessor):
    """Log the lines of a submission that a person should look at (see :data:`utils.grading.suspicious.SUSPICIOUS`)."""

    def preprocess(self, nb, resources):
        for line in suspicious_lines(nb):
            self.log.warning("Code to review by hand: %s", line)
        return nb, resources


class OneResultPerTest(KitPreprocessor):
    """A test cell may show one result, as its last output: a question in parts shows its points there.

    nbgrader scores a test cell by its first result (a number is partial credit), even if an error follows, so
    a student's code that displays a number while the checks run (through ``sys.displayhook``, say) would
    forge a score. A test cell that shows more than one result, or one before other output, scores 0 and is
    noted for a person to look at. Run before SaveAutoGrades.
    """

    def preprocess_cell(self, cell, resources, index):
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            return cell, resources
        results = [i for i, output in enumerate(cell.outputs) if output.output_type == "execute_result"]
        if len(results) > 1 or (results and results[-1] != len(cell.outputs) - 1):
            cell.outputs = [o for o in cell.outputs if o.output_type != "execute_result"] + [new_output(
                "error", ename="ResultNotTrusted", evalue="this test showed a result that its own code did not "
                "make last, so it scores 0", traceback=[])]
            self.log.warning("%stest cell %s showed %d results, not one as its last output (code can forge a "
                             "score so): it scores 0; look at the code", KIT_NOTE, meta.get("grade_id"), len(results))
        return cell, resources


class LeaveOutSpecialFiles(KitPreprocessor):
    """Nothing in a graded folder that was, or is, a link, a pipe or a device.

    nbgrader copies a submission into autograded/ before any plugin runs, and its copy follows links: a
    link to a solution arrives as the solution itself. Run before the kernel, this removes such copies
    (the submitted file is a link) and whatever special file is there; run after it, the links the
    student's code made, which nbgrader's last step (making the graded files read-only) would follow.
    """

    def preprocess(self, nb, resources):
        graded = Path(resources["metadata"]["path"])
        course = CourseDirectory(config=self.config)
        who = resources["nbgrader"]
        submitted = Path(course.format_path(course.submitted_directory, who["student"], who["assignment"]))
        for original in left_out(submitted):
            copy = graded / original.relative_to(submitted)
            if copy.is_file() and not copy.is_symlink():  # what nbgrader copied from where the link pointed
                self.log.warning("%s%s", KIT_NOTE, left_out_note(original))
                copy.unlink()
        for note in remove_made_links(graded):
            self.log.warning("%s%s", KIT_NOTE, note)
        return nb, resources
