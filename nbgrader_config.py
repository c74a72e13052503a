"""nbgrader configuration for the course (paths are relative to the course folder)."""

import os
from importlib import resources
from pathlib import Path

from utils.grading import exchange

c = get_config()  # noqa: F821 (nbgrader provides get_config)
# Plugins are named by their import path, not imported: the formgrader shows this configuration as JSON
# ("Current configuration" on Manage Assignments), which a class cannot be written as.

c.CourseDirectory.course_id = "words-and-numbers"
# The gradebook: sqlite in the course folder, a plain path (`nbgrader db upgrade` derives the backup's name
# from it); on a hub, PostgreSQL from GRADEBOOK_URL (postgresql+psycopg://USER:PASSWORD@HOST/DATABASE), so
# that TAs can grade at once. Never a WORDSNUMS_ name: the grading sandbox passes those to students' code.
c.CourseDirectory.db_url = os.environ.get("GRADEBOOK_URL", "sqlite:///gradebook.db")
# `wordsnums grade` grades on this machine; to grade on a Dask cluster (the instructor guide's "Grading a class
# of thousands"), give --scheduler, or set: c.DaskGrading.scheduler = "tcp://SCHEDULER:8786"

# nbgrader's exchange (release, collect, feedback): the folder a hub's course-wide config names, or nbgrader's
# /srv/nbgrader/exchange once an administrator has made it; otherwise this course's own exchange/, so that one
# instructor on one machine can release, collect and return feedback, and the formgrader shows no warning.
if "root" not in c.Exchange and (root := exchange.default_root(Path(__file__).parent)) is not None:
    c.Exchange.root = root

# What students see in place of a solution: a plain instruction, not nbgrader's jargon.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE: replace this line and the next with your answer\n"
    "raise NotImplementedError(\"Not answered yet: replace these two lines with your code.\")"
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Files nbgrader never copies from a submission into the grading folder. Above all a student's own
# utils.py or utils/ would shadow the kit's package there, and with it the answer checks.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py", "utils"]

# A student who deletes a test cell still has it run: nbgrader puts missing graded cells back, and the
# kit puts back deleted locked cells (setup code) too. Copied or edited cell metadata cannot fail a
# submission, and only a real edit to a test cell is reported as one; a cell whose kind was flipped (a
# test made an answer) gets its kind back and is graded as released. Code that could game the tests
# is listed for a person to look at.
c.KitOverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "utils.grading.plugins.FlagSuspiciousCode",
    "nbgrader.preprocessors.DeduplicateIds",
    "utils.grading.plugins.ForgetUnknownCells",
    "utils.grading.plugins.RestoreCellKinds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "utils.grading.plugins.RestoreHiddenTests",
    "utils.grading.plugins.KitOverwriteCells",
    "utils.grading.plugins.RestoreLockedCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A file that is not a notebook, or one too large to have been made by hand, fails with a message
# naming it and the fix (`wordsnums grade` checks the same limit before it starts nbgrader).
c.Autograde.exporter_class = "utils.grading.plugins.KitNotebookExporter"
c.KitNotebookExporter.max_notebook_mb = 50

# A slow cell should not hold up a whole class; a notebook gets this long per cell. A cell that times out
# or kills its kernel costs only its own points: the kernel restarts and the rest is graded.
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120
c.KitExecute.memory_limit_mb = 2048  # per grading kernel; a memory hog gets a MemoryError in its cell

c.KitExecute.max_processes = 512  # processes and threads per grading kernel: a fork bomb stops there

# nbgrader's autograde pipeline, with outputs cut to a bounded size (a student may print megabytes, or a
# file in many pieces). BoundOutput comes after SaveAutoGrades: nbgrader scores a test cell by its outputs,
# and a score must not depend on what is cut. LeaveOutSpecialFiles, before the kernel and after it: no
# submitted link's target and no link the student's code made stays in the graded folder.
# OneResultPerTest, before SaveAutoGrades: a test cell's score is its one result, shown last (a question in parts
# shows its points there), so a number the student's code displays while the checks run cannot forge one.
c.Autograde.autograde_preprocessors = [
    "utils.grading.plugins.LeaveOutSpecialFiles",
    "utils.grading.execute.KitExecute",
    "utils.grading.plugins.LeaveOutSpecialFiles",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "utils.grading.plugins.OneResultPerTest",
    "nbgrader.preprocessors.SaveAutoGrades",
    "utils.grading.plugins.BoundOutput",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.BoundOutput.max_output_chars = 5_000  # each text of an output: a stream, an error message, a traceback line
# all outputs of a notebook together (colour codes not counted); later ones become a note. An honest
# notebook shows up to 17,500 (a blank A1: 26 tracebacks), so feedback never hides its messages.
c.BoundOutput.max_notebook_output_chars = 20_000

# Feedback and the formgrader (both nbconvert's HTMLExporter) show a student's markdown and outputs without
# script or event handlers: a submission cannot run code in the instructor's browser.
# Every image there has alt text, and every graded cell the name of its question.
c.HTMLExporter.preprocessors = [
    "nbconvert.preprocessors.sanitize.SanitizeHTML",
    "utils.grading.plugins.AltTextForImages",
    "utils.grading.plugins.QuestionLabels",
]

# Feedback shows each test's result and message, never hidden test code; the formgrader uses this too.
c.GenerateFeedback.preprocessors = [
    "utils.grading.plugins.KitGetGrades",
    "utils.grading.plugins.HideHiddenTests",
    "utils.grading.plugins.BoundOutput",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The course's feedback template (utils/grading/templates/feedback): questions by number, answers not graded
# yet shown as such. Searched before nbgrader's templates, which the formgrader still takes its own from.
c.HTMLExporter.extra_template_basedirs = [str(resources.files("utils.grading") / "templates"),
                                          str(resources.files("nbgrader") / "server_extensions/formgrader/templates")]
# Feedback is made anew every time (it only reads the gradebook): plain `nbgrader generate_feedback` would
# otherwise keep a student's old page ("Skipping existing assignment") after a grade changes
c.GenerateFeedback.force = True

# Late policy: 10% of the score off for each started day after the due date.
c.AssignLatePenalties.plugin_class = "utils.grading.plugins.PercentPerDayLate"
c.PercentPerDayLate.percent_per_day = 10.0

# `nbgrader export` writes autograded, manual and late-penalty columns.
c.ExportApp.plugin_class = "utils.grading.plugins.KitCsvExport"
