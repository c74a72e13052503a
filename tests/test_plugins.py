"""Unit tests of the kit's nbgrader plugins, one small fixture notebook each, so a failure names the plugin.

The preprocessors, exporters and plugins of utils/grading/plugins.py and utils/grading/execute.py, as
nbgrader_config.py wires them into autograde, feedback and export. Plugins that read the gradebook get a
real sqlite gradebook in tmp_path (copied from one made per session: making one runs alembic, which is slow).
KitExecute starts real python3 kernels and is marked slow; the rest run in well under a second each.
"""

import csv
import json
import logging
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, OverwriteCells, SaveAutoGrades
from nbgrader.utils import compute_checksum, determine_grade
from traitlets.config import Config, PyFileConfigLoader
from traitlets.utils.importstring import import_item

from utils.course.model import nbgrader_env
from utils.grading import extensions, lms
from utils.grading.execute import KitExecute
from utils.grading.notes import KIT_NOTE, note_for
from utils.grading.plugins import (
    HIDDEN_NOTE,
    NO_ALT,
    AltTextForImages,
    BoundOutput,
    FlagSuspiciousCode,
    ForgetUnknownCells,
    HideHiddenTests,
    KitCsvExport,
    KitNotebookExporter,
    KitOverwriteCells,
    LeaveOutSpecialFiles,
    OneResultPerTest,
    PercentPerDayLate,
    QuestionLabels,
    RestoreCellKinds,
    RestoreHiddenTests,
    RestoreLockedCells,
    SubmissionError,
    grade_rows,
)

# nbgrader's add_submission makes its objects in a way SQLAlchemy warns about; nothing of the kit's
pytestmark = pytest.mark.filterwarnings("ignore:Object of type <Submitted")

ASSIGNMENT, NOTEBOOK = "ps1", "nb1"
DUE = datetime(2024, 3, 1, 12, 0, 0)
TEST_SOURCE = ("from utils import checks\n"
               "assert count_words('a b') == 2\n"
               "### BEGIN HIDDEN TESTS\n"
               "assert count_words('a b c') == 3\n"
               "### END HIDDEN TESTS")
RELEASED_TEST = "from utils import checks\nassert count_words('a b') == 2"


# --- small notebooks and a log that remembers what a plugin said ---------------------------------------

def nbmeta(grade_id, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return meta


def code(source, grade_id=None, outputs=(), **kinds):
    cell = new_code_cell(source, outputs=list(outputs))
    if grade_id is not None:
        cell.metadata["nbgrader"] = nbmeta(grade_id, **kinds)
    return cell


def markdown(source, grade_id=None, **kinds):
    cell = new_markdown_cell(source)
    if grade_id is not None:
        cell.metadata["nbgrader"] = nbmeta(grade_id, **kinds)
    return cell


def graded_test_cell(source=TEST_SOURCE, outputs=()):
    return code(source, "q1_test", outputs, grade=True, locked=True, points=1)


def grade_ids(nb) -> list:
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


class LogRecorder(logging.Handler):
    """A logger of its own for one test (passed to a plugin as ``log=``) and what it got at INFO and above."""

    def __init__(self, name):
        super().__init__(logging.INFO)
        self.records = []
        self.logger = logging.getLogger(name)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self)

    def emit(self, record):
        self.records.append(record)

    @property
    def messages(self) -> list:
        return [r.getMessage() for r in self.records]

    @property
    def warnings(self) -> list:
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING]


@pytest.fixture
def log(request):
    recorder = LogRecorder(f"tests.plugins.{request.node.name}")
    yield recorder
    recorder.logger.removeHandler(recorder)


# --- a gradebook with the source cells of one released notebook -----------------------------------------

LOCKED, ANSWER = {"locked": True}, {"solution": True}
SOURCE_CELLS = [  # (name, cell_type, source, nbgrader kinds) in notebook order
    ("intro", "markdown", "# Counting words\nRun every cell in order.", LOCKED),
    ("setup", "code", "from utils import checks\nWORDS = ['a', 'b']", LOCKED),
    ("q1", "code", "def count_words(text):\n    ### BEGIN SOLUTION\n    return len(text.split())\n"
                   "    ### END SOLUTION", ANSWER),
    ("q1_test", "code", TEST_SOURCE, {"grade": True, "locked": True, "points": 1}),
    ("data_note", "markdown", "The data below is given; do not change it.", LOCKED),
    ("data", "code", "TEXT = 'the cat sat'", LOCKED),
    ("q2", "markdown", "Short words are counted too.", {"grade": True, "solution": True, "points": 2}),
]
NAMES = [name for name, *_ in SOURCE_CELLS]
SOURCE = {name: source for name, _, source, _ in SOURCE_CELLS}
HANDED_IN = {"q1": "def count_words(text):\n    return len(text.split())", "q1_test": RELEASED_TEST,
             "q2": "Every word counts."}


def source_cell(name, cell_type, source, kinds):
    return (code if cell_type == "code" else markdown)(source, name, **kinds)


def released_notebook():
    """The notebook as a student hands it in: answers written, test cells as released (no hidden tests)."""
    return new_notebook(cells=[source_cell(name, cell_type, HANDED_IN.get(name, source), kinds)
                               for name, cell_type, source, kinds in SOURCE_CELLS])


@pytest.fixture(scope="session")
def empty_gradebook(tmp_path_factory) -> Path:
    """An empty gradebook, made once: a new gradebook runs the alembic command (beside this Python) for its
    schema version, a subprocess that takes seconds on a busy machine."""
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", nbgrader_env()["PATH"])
        Gradebook(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def new_gradebook(empty_gradebook, tmp_path) -> str:
    """The url of an empty gradebook of this test's own, in tmp_path."""
    path = tmp_path / "gradebook.db"
    shutil.copyfile(empty_gradebook, path)
    return f"sqlite:///{path}"


@pytest.fixture
def source_db(new_gradebook):
    url = new_gradebook
    with Gradebook(url) as gb:
        gb.add_assignment(ASSIGNMENT, duedate=DUE)
        gb.add_notebook(NOTEBOOK, ASSIGNMENT)
        for name, cell_type, source, kinds in SOURCE_CELLS:
            gb.add_source_cell(name, NOTEBOOK, ASSIGNMENT, cell_type=cell_type, source=source,
                               locked=kinds.get("locked", False),
                               checksum=compute_checksum(source_cell(name, cell_type, source, kinds)))
            if kinds.get("grade"):
                gb.add_grade_cell(name, NOTEBOOK, ASSIGNMENT, max_score=kinds["points"], cell_type=cell_type)
            if kinds.get("solution"):
                gb.add_solution_cell(name, NOTEBOOK, ASSIGNMENT)
    return url


@pytest.fixture
def resources(source_db):
    return {"nbgrader": {"db_url": source_db, "notebook": NOTEBOOK, "assignment": ASSIGNMENT, "student": "late"}}


# --- OneResultPerTest ------------------------------------------------------------------------------------

def result(value):
    return new_output("execute_result", data={"text/plain": repr(value)}, execution_count=1)


PRINTED = new_output("stream", name="stdout", text="Q4, part 2: a check failed\n")
FAILED = new_output("error", ename="CheckFailed", evalue="`boundary` is not a line", traceback=[])


@pytest.mark.parametrize("outputs, score", [
    ([PRINTED, result(1.0)], 1.0),  # a question in parts: its points, last
    ([PRINTED], 2.0),  # a test that passed and showed no result
    ([result(2.0), FAILED], 0.0),  # a number shown while a check ran, then the check failed
    ([PRINTED, result(1.0), result(2.0)], 0.0),  # a second result after the cell's own
    ([result(2.0), PRINTED], 0.0),
], ids=["parts", "plain", "forged-then-failed", "two-results", "result-not-last"])
def test_a_test_cell_scores_only_by_one_result_shown_last(outputs, score, log):
    """nbgrader's own determine_grade, after the kit's step: a forged result gains nothing."""
    test = code("checks.passed('Q1')", outputs=list(outputs))
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "q1_test", "points": 2}
    OneResultPerTest(log=log.logger).preprocess(new_notebook(cells=[test]), {})
    assert determine_grade(test)[0] == score
    if score == 0.0 and outputs[-1] is not FAILED:
        shown = sum(o.output_type == "execute_result" for o in outputs)
        assert log.messages == [f"{KIT_NOTE}test cell q1_test showed {shown} results, not one as its last output "
                                "(code can forge a score so): it scores 0; look at the code"]
        assert note_for(log.messages[0]) is None  # the worker takes KIT_NOTE lines as they are


# --- BoundOutput ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_lines", [False, True], ids=["text", "list-of-lines"])
def test_bound_output_cuts_a_long_stream_with_a_note(as_lines):
    text = "word " * 4_000  # 20,000 characters
    output = new_output("stream", name="stdout", text=text)
    if as_lines:
        output["text"] = [text[:10_000], text[10_000:]]
    nb = new_notebook(cells=[code("print('word ' * 4000)", outputs=[output])])
    BoundOutput(max_output_chars=1_000).preprocess(nb, {})
    kept = nb.cells[0].outputs[0]["text"]
    assert kept == text[:1_000] + "\n... [19,000 more characters not shown]"


def test_bound_output_keeps_outputs_under_the_limit():
    outputs = [new_output("stream", name="stdout", text="short\n"),
               new_output("execute_result", data={"text/plain": "x" * 5_000, "text/html": "<b>x</b>"},
                          execution_count=1),
               new_output("error", ename="ValueError", evalue="bad", traceback=["line 1", "ValueError: bad"])]
    nb = new_notebook(cells=[code("x", outputs=outputs)])
    before = nbformat.from_dict(nb.copy())
    BoundOutput().preprocess(nb, {})
    assert nb == before


def test_bound_output_replaces_large_text_data_but_keeps_images():
    limit = 1_000
    html = "<p>" + "x" * (limit * 4) + "</p>"
    png = "iVBORw0KGgo" * 2_000  # base64 data: not text, never replaced
    output = new_output("display_data", data={"text/html": html, "text/plain": "y" * (limit * 2), "image/png": png})
    nb = new_notebook(cells=[code("show()", outputs=[output])])
    BoundOutput(max_output_chars=limit).preprocess(nb, {})
    data = nb.cells[0].outputs[0]["data"]
    assert data["text/html"] == f"[output of {len(html):,} characters not shown]"  # cut short, it would break
    assert data["text/plain"] == "y" * limit + "\n... [1,000 more characters not shown]"
    assert data["image/png"] == png


def test_bound_output_cuts_a_long_traceback_to_first_and_last_line():
    frames = [f"frame {i}: " + "f" * 100 for i in range(100)]
    traceback = ["Traceback (most recent call last)", *frames, "RecursionError: maximum recursion depth exceeded"]
    output = new_output("error", ename="RecursionError", evalue="maximum recursion depth exceeded",
                        traceback=traceback)
    nb = new_notebook(cells=[code("f()", outputs=[output])])
    BoundOutput(max_output_chars=1_000).preprocess(nb, {})
    assert nb.cells[0].outputs[0]["traceback"] == [
        "Traceback (most recent call last)", "... [100 lines of traceback not shown]",
        "RecursionError: maximum recursion depth exceeded"]


@pytest.mark.parametrize("traceback", [
    ["---------", "ValueError  Traceback\n----> 1 raise ValueError('x' * 20_000)", "ValueError: " + "x" * 20_000],
    ["ValueError: " + "x" * 20_000],  # as HideHiddenTests leaves it, before BoundOutput in the feedback
], ids=["ipython", "one-line"])
def test_bound_output_bounds_an_error_with_a_long_message(traceback):
    output = new_output("error", ename="ValueError", evalue="x" * 20_000, traceback=traceback)
    nb = new_notebook(cells=[code("raise ValueError('x' * 20_000)", outputs=[output])])
    BoundOutput(max_output_chars=1_000).preprocess(nb, {})
    kept = nb.cells[0].outputs[0]
    assert sum(map(len, kept["traceback"])) + len(kept["evalue"]) < 3_000
    assert kept["ename"] == "ValueError"
    assert kept["evalue"].endswith(" more characters not shown]")
    assert kept["traceback"][-1].startswith("ValueError: xxx") and kept["traceback"][-1].endswith(" not shown]")
    nbformat.validate(nb)


def test_bound_output_cuts_a_long_exception_name_and_each_traceback_line():
    output = new_output("error", ename="E" * 20_000, evalue="", traceback=["a" * 3_000, "b" * 20_000])
    nb = new_notebook(cells=[code("raise type('E' * 20_000, (Exception,), {})()", outputs=[output])])
    BoundOutput(max_output_chars=1_000).preprocess(nb, {})
    kept = nb.cells[0].outputs[0]
    assert kept["ename"] == "E" * 1_000 + "\n... [19,000 more characters not shown]"
    assert kept["traceback"] == ["a" * 500 + "\n... [2,500 more characters not shown]",
                                 "b" * 500 + "\n... [19,500 more characters not shown]"]


def outputs_kept(nb) -> list:
    """Every text each output of ``nb`` holds, in order."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts += [out.get("text", ""), out.get("ename", ""), out.get("evalue", ""), *out.get("traceback", []),
                      *(v for k, v in out.get("data", {}).items() if not k.startswith("image/"))]
    return [text for text in texts if text]


NOTEBOOK_NOTE = "[output not shown: this notebook's outputs reached 20,000 characters]"


def test_bound_output_bounds_the_outputs_of_the_whole_notebook():
    # a file of 44,100 characters, shown 4,900 at a time: each output is under the limit of 5,000
    pieces = [str(i) * 4_900 for i in range(1, 10)]
    shown = [new_output("display_data", data={"text/plain": piece}) for piece in pieces]
    nb = new_notebook(cells=[code("for piece in pieces: display(piece)", outputs=shown)])
    BoundOutput().preprocess(nb, {})
    outputs = nb.cells[0].outputs
    assert [out["data"]["text/plain"] for out in outputs[:4]] == pieces[:4]
    assert outputs[4]["data"]["text/plain"] == "5" * 396 + "\n... [4,504 more characters not shown]"  # 4 x (4,900 + 1)
    assert len(outputs) == 6  # the rest of the cell: one note, not one per output
    assert (outputs[5]["output_type"], outputs[5]["name"], outputs[5]["text"]) == ("stream", "stdout",
                                                                                  NOTEBOOK_NOTE + "\n")
    assert sum(len(text.split("\n... [")[0]) for text in outputs_kept(nb) if text != NOTEBOOK_NOTE + "\n") == 19_996
    nbformat.validate(nb)


def test_bound_output_replaces_the_outputs_of_later_cells_by_a_note_of_the_same_kind():
    printed = [code(f"print('{i}' * 4_900)", outputs=[new_output("stream", name="stdout", text=str(i) * 4_900)])
               for i in range(1, 6)]
    failed = code("raise ValueError('no')", outputs=[
        new_output("stream", name="stderr", text="a warning\n"),
        new_output("error", ename="ValueError", evalue="no", traceback=["Traceback", "ValueError: no"])])
    warned = code("warn()", outputs=[new_output("stream", name="stderr", text="a warning\n")])
    nb = new_notebook(cells=[*printed, failed, warned, code("x = 1")])
    BoundOutput().preprocess(nb, {})
    assert [cell.outputs[0]["text"] for cell in nb.cells[:4]] == [str(i) * 4_900 for i in range(1, 5)]
    assert nb.cells[4].outputs[0]["text"] == "5" * 396 + "\n... [4,504 more characters not shown]"
    # still an error, with its name, and still on stderr: what a reader (or nbgrader) sees of the cell
    assert nb.cells[5].outputs == [new_output("error", ename="ValueError", evalue=NOTEBOOK_NOTE,
                                              traceback=[NOTEBOOK_NOTE])]
    assert nb.cells[6].outputs == [new_output("stream", name="stderr", text=NOTEBOOK_NOTE + "\n")]
    assert nb.cells[7].outputs == []
    nbformat.validate(nb)


def test_bound_output_counts_each_output_at_least_one():
    nb = new_notebook(cells=[code("for _ in range(30_000): display({'text/plain': ''}, raw=True)")])
    nb.cells[0].outputs = nbformat.from_dict([{"output_type": "display_data", "data": {"text/plain": ""},
                                               "metadata": {}}] * 30_000)  # new_output validates each: slow
    BoundOutput().preprocess(nb, {})
    assert len(nb.cells[0].outputs) == 20_001
    assert nb.cells[0].outputs[-1]["text"] == NOTEBOOK_NOTE + "\n"


def test_bound_output_counts_each_notebook_afresh():
    bound = BoundOutput(max_notebook_output_chars=10_000)
    for _ in range(3):  # one instance grades a whole class
        nb = new_notebook(cells=[code("show()", outputs=[new_output("stream", name="stdout", text="x" * 4_000)])
                                 for _ in range(3)])
        bound.preprocess(nb, {})
        assert [cell.outputs[0]["text"] for cell in nb.cells] == [
            "x" * 4_000, "x" * 4_000, "x" * 1_998 + "\n... [2,002 more characters not shown]"]


def ipython_traceback(ename, evalue, line):
    """An error's traceback as IPython colours it, with the kit's hint line."""
    return [f"\x1b[31m{'-' * 75}\x1b[39m", f"\x1b[31m{ename}\x1b[39m{' ' * 23}Traceback (most recent call last)",
            f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[2]\x1b[39m\x1b[32m, line 2\x1b[39m\n"
            f"\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m \x1b[38;5;28;01m{line}\x1b[39;00m\n",
            f"\x1b[31m{ename}\x1b[39m: {evalue}",
            "Hint: this answer cell still holds its placeholder: replace its two lines with your code and run it."]


def test_bound_output_leaves_an_honest_notebook_alone():
    # like a blank A1 as graded: 26 coloured tracebacks (17,300 characters shown, 22,100 with the colours),
    # a table, a figure, a few lines printed
    evalue = "Not answered yet: replace these two lines with your code."
    cells = [code("raise NotImplementedError", f"q{i}", outputs=[new_output(
        "error", ename="NotImplementedError", evalue=evalue,
        traceback=ipython_traceback("NotImplementedError", evalue, "raise NotImplementedError(...)" + " " * 180))])
        for i in range(26)]
    table = new_output("execute_result", execution_count=1,
                       data={"text/plain": "   speaker  words\n0  Lavrov    736\n" * 20,
                             "text/html": "<table>" + "<tr><td>Lavrov</td><td>736</td></tr>" * 40 + "</table>"})
    figure = new_output("display_data", data={"image/png": "iVBORw0KGgo" * 3_000, "text/plain": "<Figure>"})
    printed = new_output("stream", name="stdout", text="checked: 13 quotes\n" * 20)
    nb = new_notebook(cells=[code("turns", outputs=[table, figure, printed]), *cells])
    assert sum(map(len, outputs_kept(nb))) > 20_000
    before = nbformat.from_dict(nb.copy())
    BoundOutput().preprocess(nb, {})
    assert nb == before


def test_bound_output_counts_colour_codes_once_they_are_most_of_the_text():
    # escape codes carry data too (38;5;N is a byte): text of nothing but codes counts half its length
    coloured = "".join(f"\x1b[38;5;{byte}m" for byte in b"a gradebook row, byte by byte " * 50)
    nb = new_notebook(cells=[code("show()", outputs=[new_output("stream", name="stdout", text=coloured[:4_900])])
                             for _ in range(20)])
    BoundOutput().preprocess(nb, {})
    texts = [cell.outputs[0]["text"] for cell in nb.cells]
    assert texts[:7] == [coloured[:4_900]] * 7  # 2,450 (+ 1) each; the 2,843 left hold fewer than 4,900
    assert texts[7] == coloured[:2_843] + "\n... [2,057 more characters not shown]"
    assert texts[8:] == [NOTEBOOK_NOTE + "\n"] * 12


def test_bound_output_counts_forged_errors_without_a_traceback():
    forged = [code("forge()", outputs=[new_output("error", ename="E", evalue="x" * 4_000, traceback=[])])
              for _ in range(10)]
    nb = new_notebook(cells=forged)
    BoundOutput().preprocess(nb, {})
    assert [cell.outputs[0]["evalue"] == "x" * 4_000 for cell in nb.cells] == [True] * 4 + [False] * 6
    assert nb.cells[4].outputs[0]["evalue"] == "x" * 3_991 + "\n... [9 more characters not shown]"
    assert [cell.outputs[0]["evalue"] for cell in nb.cells[5:]] == [NOTEBOOK_NOTE] * 5
    assert {cell.outputs[0]["ename"] for cell in nb.cells} == {"E"}


def test_the_course_bounds_outputs_only_after_nbgrader_scored_them(root):
    # nbgrader scores a test cell by its outputs (an error or stderr: 0; a number: partial credit)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    steps = [import_item(step) for step in config.Autograde.autograde_preprocessors]
    assert steps.index(SaveAutoGrades) < steps.index(BoundOutput)
    assert config.BoundOutput.max_notebook_output_chars == 20_000


def test_the_course_configuration_is_json_that_names_plugins_which_import(root):
    # the formgrader's "Current configuration" panel prints the configuration as JSON (a class would be a blank)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    shown = json.loads(json.dumps(config))
    named = [name for section in shown.values() for value in section.values()
             for name in (value if isinstance(value, list) else [value])
             if isinstance(name, str) and name.startswith(("utils.", "nbgrader.", "nbconvert."))]
    assert len(named) == 31  # 28 plugins in 4 lists, an exporter and 2 plugin classes
    assert all(isinstance(import_item(name), type) for name in named)


# --- AltTextForImages --------------------------------------------------------------------------------------

def image(**metadata):
    return new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
                      metadata=metadata)


def test_alt_text_for_images_takes_the_line_the_cell_prints_and_keeps_one_given():
    said = new_output("stream", name="stdout", text="Mean: 3\nAlt text: Bar chart of we and they per 1,000 words.\n")
    kept = image(**{"image/png": {"alt": "Given by the author", "width": 400}})
    nb = new_notebook(cells=[code("plot()", outputs=[image(), said]), code("plot()", outputs=[kept]),
                             code("plt.plot([1, 2])", outputs=[image()]), new_markdown_cell("![a](b.png)")])
    AltTextForImages().preprocess(nb, {})
    assert nb.cells[0].outputs[0].metadata["image/png"]["alt"] == "Bar chart of we and they per 1,000 words."
    assert nb.cells[1].outputs[0].metadata["image/png"] == {"alt": "Given by the author", "width": 400}
    assert nb.cells[2].outputs[0].metadata["image/png"]["alt"] == NO_ALT


def test_question_labels_name_graded_cells_in_the_course_words():
    nb = new_notebook(cells=[code("answer = 'prose'", "q12_paragraph", solution=True, grade=True, points=4),
                             code("assert True", "q12_quotes", grade=True, points=1),
                             code("assert True", "q3_test", grade=True, points=1),
                             code("x = 1", "q3_work", solution=True), code("print(1)"),
                             code("import utils", "setup", locked=True)])
    nb.cells[-1].metadata.nbgrader["label"] = "<script>alert(1)</script>"  # written by a student
    QuestionLabels().preprocess(nb, {})
    labels = [c.metadata.get("nbgrader", {}).get("label") for c in nb.cells]
    assert labels == ["Q12 written answer, graded by your instructor", "Q12 quotation check", "Q3 checks", "Q3 answer",
                      None, None]


# --- HideHiddenTests ----------------------------------------------------------------------------------------

def test_hide_hidden_tests_removes_the_hidden_part_and_adds_the_note():
    nb = new_notebook(cells=[graded_test_cell()])
    HideHiddenTests().preprocess(nb, {})
    assert nb.cells[0].source == f"{RELEASED_TEST}\n{HIDDEN_NOTE}"
    assert "a b c" not in nb.cells[0].source


def test_hide_hidden_tests_leaves_only_the_note_when_all_tests_are_hidden():
    nb = new_notebook(cells=[graded_test_cell("### BEGIN HIDDEN TESTS\nassert secret() == 42\n### END HIDDEN TESTS\n")])
    HideHiddenTests().preprocess(nb, {})
    assert nb.cells[0].source == HIDDEN_NOTE


def test_hide_hidden_tests_turns_a_test_traceback_into_one_line():
    error = new_output("error", ename="AssertionError", evalue="count_words('a b c') should be 3",
                       traceback=["\x1b[0;31mAssertionError\x1b[0m Traceback",
                                  "----> 4 assert count_words('a b c') == 3",
                                  "AssertionError: count_words('a b c') should be 3"])
    printed = new_output("stream", name="stdout", text="checking\n")
    nb = new_notebook(cells=[graded_test_cell(outputs=[printed, error])])
    HideHiddenTests().preprocess(nb, {})
    assert nb.cells[0].outputs[0] == printed
    assert nb.cells[0].outputs[1]["traceback"] == ["AssertionError: count_words('a b c') should be 3"]


def test_hide_hidden_tests_leaves_answer_cells_alone():
    error = new_output("error", ename="NameError", evalue="name 'y' is not defined",
                       traceback=["Traceback", "----> 1 y", "NameError: name 'y' is not defined"])
    answer = code("# ### BEGIN HIDDEN TESTS is only text here\ny", "q1", [error], solution=True)
    plain = code("### BEGIN HIDDEN TESTS\nprint(1)\n### END HIDDEN TESTS")
    nb = new_notebook(cells=[answer, plain])
    before = nbformat.from_dict(nb.copy())
    HideHiddenTests().preprocess(nb, {})
    assert nb == before


# --- PercentPerDayLate ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds_late, penalty", [
    (30 * 3600, 3.4),  # two started days: 20% of 17
    (1, 1.7),  # a second late is a started day
    (24 * 3600, 1.7),  # exactly one day
    (24 * 3600 + 1, 3.4),
    (11 * 86_400, 17.0),  # never more than the score
])
def test_percent_per_day_late_takes_ten_percent_per_started_day(seconds_late, penalty):
    assert PercentPerDayLate().late_submission_penalty("late", 17.0, seconds_late) == pytest.approx(penalty)


def test_percent_per_day_late_uses_its_configured_rate_and_logs_the_penalty(log):
    plugin = PercentPerDayLate(percent_per_day=25.0, log=log.logger)
    assert plugin.late_submission_penalty("late", 8.0, 30 * 3600) == pytest.approx(4.0)
    assert log.messages == ["late is 30.0 hours late: penalty 4.00 of 8.00 (25% per started day)"]


# --- grade_rows, KitCsvExport and the late penalty in a real gradebook -----------------------------------------

@pytest.fixture
def graded_db(new_gradebook):
    """ps1 due DUE, 17 points (q1 10 + q2 5 autograded, essay 2 manual). `late` handed in 30 hours late with
    full marks, `ontime` in time with q1 right and the essay not graded yet, `absent` nothing."""
    url = new_gradebook
    with Gradebook(url) as gb:
        gb.add_assignment(ASSIGNMENT, duedate=DUE)
        gb.add_notebook(NOTEBOOK, ASSIGNMENT)
        gb.add_grade_cell("q1_test", NOTEBOOK, ASSIGNMENT, max_score=10, cell_type="code")
        gb.add_grade_cell("q2_test", NOTEBOOK, ASSIGNMENT, max_score=5, cell_type="code")
        gb.add_grade_cell("essay", NOTEBOOK, ASSIGNMENT, max_score=2, cell_type="markdown")
        for student, last_name in [("late", "A"), ("ontime", "B"), ("absent", "C")]:
            gb.add_student(student, last_name=last_name)
        handed_in = {"late": (DUE + timedelta(hours=30), 10, 5, 2.0), "ontime": (DUE - timedelta(hours=1), 10, 0, None)}
        for student, (timestamp, q1, q2, essay) in handed_in.items():
            gb.add_submission(ASSIGNMENT, student, timestamp=timestamp)
            for name, score in [("q1_test", q1), ("q2_test", q2)]:
                grade = gb.find_grade(name, NOTEBOOK, ASSIGNMENT, student)
                grade.auto_score, grade.needs_manual_grade = score, False
            grade = gb.find_grade("essay", NOTEBOOK, ASSIGNMENT, student)
            grade.manual_score, grade.needs_manual_grade = essay, essay is None
        gb.db.commit()
    return url


def assign_late_penalty(url, student):
    """nbgrader's AssignLatePenalties with the kit's plugin, as nbgrader_config.py sets it up."""
    resources = {"nbgrader": {"db_url": url, "notebook": NOTEBOOK, "assignment": ASSIGNMENT, "student": student}}
    AssignLatePenalties(plugin_class=PercentPerDayLate).preprocess(new_notebook(), resources)


EXPECTED_CSV = [
    ["student_id", "assignment", "submitted", "duedate", "extension_hours", "timestamp", "hours_late", "autograded",
     "manual", "late_penalty", "score", "max_score", "needs_manual_grade"],
    ["late", "ps1", "True", "2024-03-01 12:00:00", "0.0", "2024-03-02 18:00:00", "30.0", "15.0", "2.0", "3.4", "13.6",
     "17.0", "False"],
    ["ontime", "ps1", "True", "2024-03-01 12:00:00", "0.0", "2024-03-01 11:00:00", "0.0", "10.0", "0.0", "0.0", "10.0",
     "17.0", "True"],
    ["absent", "ps1", "False", "2024-03-01 12:00:00", "0.0", "", "0.0", "0.0", "0.0", "0.0", "0.0", "17.0", "False"],
]


def test_the_late_penalty_through_nbgrader_is_ten_percent_per_started_day(graded_db):
    for student in ("late", "ontime"):
        assign_late_penalty(graded_db, student)
    with Gradebook(graded_db) as gb:
        assert gb.find_submission(ASSIGNMENT, "late").late_submission_penalty == pytest.approx(3.4)
        assert gb.find_submission(ASSIGNMENT, "ontime").late_submission_penalty == 0.0


def test_grade_rows_split_autograded_manual_and_penalty(graded_db):
    assign_late_penalty(graded_db, "late")
    with Gradebook(graded_db) as gb:
        rows = {row["student_id"]: row for row in grade_rows(gb)}
    assert {k: rows["late"][k] for k in ("autograded", "manual", "late_penalty", "hours_late", "max_score")} == {
        "autograded": 15.0, "manual": 2.0, "late_penalty": pytest.approx(3.4), "hours_late": 30.0, "max_score": 17.0}
    assert rows["late"]["score"] == pytest.approx(13.6)
    assert (rows["ontime"]["score"], rows["ontime"]["needs_manual_grade"]) == (10.0, True)
    assert (rows["absent"]["timestamp"], rows["absent"]["score"]) == (None, 0.0)


def test_kit_csv_export_writes_the_exact_rows(graded_db, tmp_path, log):
    assign_late_penalty(graded_db, "late")
    dest = tmp_path / "export" / "grades.csv"
    dest.parent.mkdir()
    with Gradebook(graded_db) as gb:
        KitCsvExport(to=str(dest), log=log.logger).export(gb)
    with open(dest, newline="") as handle:
        assert list(csv.reader(handle)) == EXPECTED_CSV
    assert log.messages == [f"Wrote {dest}"]


def test_kit_csv_export_writes_grades_csv_by_default(graded_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Gradebook(graded_db) as gb:
        KitCsvExport().export(gb)
    with open(tmp_path / "grades.csv", newline="") as handle:
        assert [row[0] for row in csv.reader(handle)] == ["student_id", "late", "ontime", "absent"]


def test_kit_csv_export_honours_the_student_and_assignment_filters(graded_db, tmp_path):
    dest = tmp_path / "grades.csv"
    with Gradebook(graded_db) as gb:
        gb.add_assignment("ps2")
        KitCsvExport(to=str(dest), student=["late"], assignment=[ASSIGNMENT]).export(gb)
    with open(dest, newline="") as handle:
        assert [row[:2] for row in csv.reader(handle)] == [["student_id", "assignment"], ["late", ASSIGNMENT]]


def test_an_extension_moves_the_due_date_and_lifts_the_penalty(graded_db, tmp_path):
    """nbgrader's own late-penalty step, with the kit's plugin, counts from the due date with the extension."""
    with Gradebook(graded_db) as gb:
        gb.find_submission(ASSIGNMENT, "late").extension = timedelta(hours=24)
        gb.db.commit()
    assign_late_penalty(graded_db, "late")
    with Gradebook(graded_db) as gb:
        row = next(r for r in grade_rows(gb) if r["student_id"] == "late")
    assert (row["extension_hours"], row["hours_late"], row["late_penalty"]) == (24.0, 6.0, pytest.approx(1.7))
    assert row["duedate"] == DUE + timedelta(hours=24)


def test_no_extension_is_set_where_there_is_no_due_date(graded_db):
    """nbgrader's SubmittedAssignment.duedate, which its late-penalty step reads, fails on one; the export does not."""
    with Gradebook(graded_db) as gb:
        gb.add_assignment("ps2")
        gb.add_submission("ps2", "late", timestamp=DUE)
        assert extensions.set_in_gradebook(gb, "ps2", "late", 48)
        assert gb.find_submission("ps2", "late").extension is None
        gb.find_submission("ps2", "late").extension = timedelta(hours=48)  # as a person might, by hand
        gb.db.commit()
        row = next(r for r in grade_rows(gb, assignments=["ps2"]) if r["student_id"] == "late")
    assert (row["duedate"], row["extension_hours"], row["hours_late"]) == (None, 48.0, 0.0)


STUDENT_MAP = """student_id,lms_id,first_name,last_name,email,section,sis_user_id,sis_login_id
late,101,Lena,Ate,lena@example.edu,S1,U101,lena
ontime,102,Otto,Time,otto@example.edu,S1,U102,otto
absent,103,Abe,Sent,abe@example.edu,S2,U103,abe
"""


@pytest.mark.parametrize("fmt, expected", [
    ("canvas", [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1"],
                ["Points Possible", "", "", "", "", "17.0"],
                ["Ate, Lena", "101", "U101", "lena", "S1", "13.6"],
                ["Time, Otto", "102", "U102", "otto", "S1", "10.0"],
                ["Sent, Abe", "103", "U103", "abe", "S2", ""]]),
    ("moodle", [["First name", "Last name", "ID number", "Email address", "ps1"],
                ["Lena", "Ate", "101", "lena@example.edu", "13.6"],
                ["Otto", "Time", "102", "otto@example.edu", "10.0"],
                ["Abe", "Sent", "103", "abe@example.edu", ""]]),
])
def test_lms_export_writes_the_documented_columns(graded_db, tmp_path, fmt, expected):
    """Canvas: its gradebook export's columns and Points Possible row; Moodle: its plain-text export's user
    columns. The final score (less the late penalty); no submission: an empty cell, which changes nothing."""
    assign_late_penalty(graded_db, "late")
    (tmp_path / "students.csv").write_text(STUDENT_MAP)
    dest = tmp_path / f"{fmt}.csv"
    with Gradebook(graded_db) as gb:
        KitCsvExport(to=str(dest), format=fmt, student_map=str(tmp_path / "students.csv")).export(gb)
    with open(dest, newline="") as handle:
        assert list(csv.reader(handle)) == expected


def test_lms_export_names_the_students_the_map_leaves_out(graded_db, tmp_path):
    (tmp_path / "students.csv").write_text(STUDENT_MAP.replace("ontime,102,Otto,Time,otto@example.edu,S1,U102,otto\n",
                                                               ""))
    dest = tmp_path / "canvas.csv"
    with Gradebook(graded_db) as gb, pytest.raises(lms.StudentMapError, match="no line for 1 student.*: ontime"):
        KitCsvExport(to=str(dest), format="canvas", student_map=str(tmp_path / "students.csv"),
                     lms_names={ASSIGNMENT: "Problem set 1 (77)"}).export(gb)
    assert not dest.exists()


@pytest.mark.parametrize("text, words", [
    ("student_id,first_name,last_name\nlate,L,A\n", "has no column lms_id"),
    ("student_id,lms_id,first_name,last_name\nlate,1,L,A\nlate,2,L,A\n", "student_id 'late' on more than one"),
    ("student_id,lms_id,first_name,last_name\nlate,,L,A\n", "line 2: give both"),
])
def test_a_bad_student_map_is_named_with_the_fix(tmp_path, text, words):
    path = tmp_path / "students.csv"
    path.write_text(text)
    with pytest.raises(lms.StudentMapError, match=words):
        lms.read_student_map(path)


# --- KitNotebookExporter ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, says", [
    (b'{"cells": [', "broken JSON at line 1"),
    (b"", "the file is empty"),
    (b'{"name": "not a notebook", "values": [1, 2]}', "valid JSON but without notebook cells"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not text"),
], ids=["broken-json", "empty", "json-without-cells", "binary"])
def test_kit_notebook_exporter_names_a_file_that_is_not_a_notebook(tmp_path, content, says):
    path = tmp_path / "a1.ipynb"
    path.write_bytes(content)
    with pytest.raises(SubmissionError) as raised:
        KitNotebookExporter().from_filename(str(path))
    assert str(path) in str(raised.value)
    assert says in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_kit_notebook_exporter_refuses_a_notebook_over_max_notebook_mb(tmp_path):
    path = tmp_path / "a1.ipynb"
    big = new_output("stream", name="stdout", text="x" * (3 * 2**19))  # 1.5 MiB of printed text
    nbformat.write(new_notebook(cells=[code("print('x' * 1_572_864)", outputs=[big])]), path)
    with pytest.raises(SubmissionError, match="over the 1 MiB limit") as raised:
        KitNotebookExporter(max_notebook_mb=1).from_filename(str(path))
    assert str(path) in str(raised.value)
    KitNotebookExporter(max_notebook_mb=2).from_filename(str(path))  # under a larger limit it is read


def test_kit_notebook_exporter_reads_a_good_notebook(tmp_path):
    path = tmp_path / "a1.ipynb"
    nbformat.write(released_notebook(), path)
    output, _ = KitNotebookExporter().from_filename(str(path))
    assert grade_ids(nbformat.reads(output, as_version=4)) == NAMES


# --- ForgetUnknownCells -----------------------------------------------------------------------------------------

def test_forget_unknown_cells_drops_metadata_of_an_unknown_grade_id(resources, log):
    nb = released_notebook()
    nb.cells.append(code("assert True", "q1_test_copy", grade=True, locked=True, points=5))
    ForgetUnknownCells(log=log.logger).preprocess(nb, resources)
    assert "nbgrader" not in nb.cells[-1].metadata
    assert nb.cells[-1].source == "assert True"
    assert grade_ids(nb)[:-1] == NAMES  # known cells keep theirs
    assert log.messages == ["Cell 'q1_test_copy' does not exist in the database"]


def test_forget_unknown_cells_drops_an_empty_grade_id_quietly(resources, log):
    nb = released_notebook()
    nb.cells.insert(3, code("x = 1", "", solution=True))  # a copy DeduplicateIds cleared
    nb.cells.append(code("print(WORDS)"))  # no nbgrader metadata at all: untouched
    ForgetUnknownCells(log=log.logger).preprocess(nb, resources)
    assert "nbgrader" not in nb.cells[3].metadata
    assert grade_ids(nb) == ["intro", "setup", "q1", None, "q1_test", "data_note", "data", "q2", None]
    assert log.messages == []


# --- RestoreCellKinds ------------------------------------------------------------------------------------------

def flipped(nb, grade_id, **flags):
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.metadata["nbgrader"].update(flags)
    return cell


def test_restore_cell_kinds_gives_a_test_cell_made_an_answer_its_kind_back(resources, log):
    nb = released_notebook()
    flipped(nb, "q1_test", solution=True)
    RestoreCellKinds(log=log.logger).preprocess(nb, resources)
    assert [(c.source, c.metadata) for c in nb.cells] == [(c.source, c.metadata) for c in released_notebook().cells]
    assert log.messages == ["Attribute 'solution' for cell q1_test has changed! (should be: False, got: True)"]
    assert note_for(log.messages[0]) == "cell q1_test: its solution was changed from False to True; graded with False"


def test_restore_cell_kinds_restores_grade_and_missing_points(resources, log):
    nb = released_notebook()
    del flipped(nb, "q2", grade=False).metadata["nbgrader"]["points"]  # a graded answer made a plain answer
    flipped(nb, "q1", grade=True, solution="yes")  # not a bool: nbgrader would read it as true
    RestoreCellKinds(log=log.logger).preprocess(nb, resources)
    q1, q2 = nb.cells[2].metadata["nbgrader"], nb.cells[6].metadata["nbgrader"]
    assert (q1["grade"], q1["solution"], q2["grade"], q2["solution"], q2["points"]) == (False, True, True, True, 2.0)
    assert log.messages == ["Attribute 'grade' for cell q2 has changed! (should be: True, got: False)",
                            "Attribute 'points' for cell q2 has changed! (should be: 2.0, got: None)",
                            "Attribute 'grade' for cell q1 has changed! (should be: False, got: True)",
                            "Attribute 'solution' for cell q1 has changed! (should be: True, got: yes)"]


def test_restore_cell_kinds_keeps_only_the_last_of_an_unflagged_copy(resources, log):
    nb = released_notebook()
    copy = nbformat.from_dict(nb.cells[3].copy())
    copy.metadata["nbgrader"] = dict(copy.metadata["nbgrader"], grade=False, locked=False)  # DeduplicateIds skips it
    nb.cells.append(copy)
    RestoreCellKinds(log=log.logger).preprocess(nb, resources)
    assert grade_ids(nb) == [*NAMES[:3], None, *NAMES[4:], "q1_test"]
    assert nb.cells[-1].metadata["nbgrader"]["grade"] is True
    assert log.messages == ["Attribute 'grade' for cell q1_test has changed! (should be: True, got: False)",
                            "Cell with id 'q1_test' exists multiple times!"]


@pytest.mark.parametrize("source", [RELEASED_TEST, "pass"], ids=["as-released", "edited"])
def test_sanitize_grades_a_flipped_test_cell_as_released(resources, log, source):
    nb = released_notebook()
    flipped(nb, "q1_test", solution=True).source = source
    nb = sanitize(nb, resources, log)
    CheckCellMetadata().preprocess(nb, resources)
    test = nb.cells[3]
    assert test.source == TEST_SOURCE  # hidden tests and all
    assert {k: test.metadata["nbgrader"][k] for k in ("grade", "solution", "locked", "points")} == {
        "grade": True, "solution": False, "locked": True, "points": 1}
    flip = "Attribute 'solution' for cell q1_test has changed! (should be: False, got: True)"
    assert log.warnings[0] == flip
    assert len(log.warnings) == (1 if source == RELEASED_TEST else 2)  # an edit is noted as one too
    assert all("checksum" in warning for warning in log.warnings[1:])


def test_nbgrader_alone_fails_a_submission_with_a_flipped_test_cell(resources, log):
    # why RestoreCellKinds exists: nbgrader 0.9.6 puts the source back, then finds the checksum still wrong
    nb = released_notebook()
    flipped(nb, "q1_test", solution=True)
    with pytest.raises(RuntimeError, match="Inconsistent checksums for cell q1_test"):
        OverwriteCells(log=log.logger).preprocess(nb, resources)


# --- RestoreHiddenTests -----------------------------------------------------------------------------------------

def test_restore_hidden_tests_puts_them_back_into_an_unchanged_test_cell(resources):
    nb = released_notebook()
    RestoreHiddenTests().preprocess(nb, resources)
    assert nb.cells[3].source == TEST_SOURCE
    assert nb.cells[2].source == "def count_words(text):\n    return len(text.split())"  # answers untouched


def test_restore_hidden_tests_leaves_an_edited_test_cell_as_it_is(resources):
    nb = released_notebook()
    edited = RELEASED_TEST.replace("== 2", "== 2 or True")
    nb.cells[3].source = edited
    RestoreHiddenTests().preprocess(nb, resources)
    assert nb.cells[3].source == edited


# --- RestoreLockedCells -----------------------------------------------------------------------------------------

def test_restore_locked_cells_puts_a_deleted_locked_cell_back_in_its_place(resources, source_db, log):
    nb = released_notebook()
    del nb.cells[5]  # data
    del nb.cells[1]  # setup
    RestoreLockedCells(log=log.logger).preprocess(nb, resources)
    assert grade_ids(nb) == NAMES
    setup = nb.cells[1]
    assert (setup.cell_type, setup.source) == ("code", SOURCE["setup"])
    assert setup.metadata["editable"] is False and setup.metadata["deletable"] is False
    with Gradebook(source_db) as gb:
        checksum = gb.find_source_cell("setup", NOTEBOOK, ASSIGNMENT).checksum
    assert setup.metadata["nbgrader"] == {"grade": False, "solution": False, "locked": True, "grade_id": "setup",
                                          "checksum": checksum, "schema_version": 3}
    assert log.messages == ["Locked cell setup was deleted; put back from the source",
                            "Locked cell data was deleted; put back from the source"]
    nbformat.validate(nb)


def test_restore_locked_cells_puts_back_a_first_markdown_cell_at_the_top(resources):
    nb = released_notebook()
    del nb.cells[0]  # intro
    RestoreLockedCells().preprocess(nb, resources)
    assert grade_ids(nb) == NAMES
    assert (nb.cells[0].cell_type, nb.cells[0].source) == ("markdown", SOURCE["intro"])


def test_restore_locked_cells_leaves_answers_and_complete_notebooks_alone(resources, log):
    nb = released_notebook()
    nb.cells.append(code("print('my own cell')"))
    complete = nbformat.from_dict(nb.copy())
    RestoreLockedCells(log=log.logger).preprocess(nb, resources)
    assert nb == complete
    del nb.cells[2]  # the answer cell: not locked, so not this plugin's to restore
    RestoreLockedCells(log=log.logger).preprocess(nb, resources)
    assert "q1" not in grade_ids(nb)
    assert log.messages == []


# --- the sanitize plugins in nbgrader_config.py's order, with the kit's OverwriteCells between them ---------------

def sanitize(nb, resources, log):
    """Autograde's sanitize steps that read the gradebook, in the order nbgrader_config.py lists them."""
    for plugin in (ForgetUnknownCells(log=log.logger), RestoreCellKinds(log=log.logger),
                   RestoreHiddenTests(log=log.logger), KitOverwriteCells(add_missing_cells=True, log=log.logger),
                   RestoreLockedCells(log=log.logger)):
        nb, resources = plugin.preprocess(nb, resources)
    return nb


def test_sanitize_mends_a_submission_without_checksum_warnings(resources, log):
    nb = released_notebook()
    stray = code(RELEASED_TEST, "q1_test_copy", grade=True, locked=True, points=1)
    nb.cells.append(stray)
    del nb.cells[1]  # setup
    sanitize(nb, resources, log)
    assert grade_ids(nb) == [*NAMES, None]
    assert nb.cells[3].source == TEST_SOURCE
    assert log.warnings == ["Cell 'q1_test_copy' does not exist in the database",
                            "Locked cell setup was deleted; put back from the source"]


def test_sanitize_puts_back_a_deleted_test_cell_graded(resources, log):
    nb = released_notebook()
    del nb.cells[3]  # q1_test
    sanitize(nb, resources, log)
    assert grade_ids(nb) == NAMES
    assert nb.cells[3].metadata["nbgrader"]["grade"] is True
    assert TEST_SOURCE in nb.cells[3].source
    assert log.warnings == ["Missing grade cell q1_test encountered, adding to notebook"]


def test_sanitize_puts_back_a_deleted_graded_cell_that_follows_a_locked_cell(resources, log):
    # nbgrader 0.9.6's own OverwriteCells fails here with a KeyError (a3's q10_verdict after plot_ukraine)
    nb = released_notebook()
    del nb.cells[6]  # q2, after the locked data cell
    sanitize(nb, resources, log)
    assert grade_ids(nb) == NAMES
    assert log.warnings == ["Missing grade cell q2 encountered, adding to notebook"]


def test_sanitize_puts_back_a_graded_cell_deleted_with_the_locked_cell_before_it(resources, log):
    nb = released_notebook()
    del nb.cells[5:7]  # the locked data cell and q2 after it
    sanitize(nb, resources, log)
    assert grade_ids(nb) == NAMES
    assert log.warnings == ["Missing grade cell q2 encountered, adding to notebook",
                            f"Locked cell {NAMES[5]} was deleted; put back from the source"]


# --- FlagSuspiciousCode -----------------------------------------------------------------------------------------

def test_flag_suspicious_code_logs_a_rebound_name(log):
    nb = new_notebook(cells=[code("words = 'a b'.split()"), code("n = 3\nchecks = None", "q1", solution=True)])
    FlagSuspiciousCode(log=log.logger).preprocess(nb, {})
    assert len(log.messages) == 1
    assert log.messages[0].startswith("Code to review by hand: ")
    assert "checks = None" in log.messages[0]


def test_flag_suspicious_code_is_quiet_on_a_clean_notebook(log):
    nb = new_notebook(cells=[code("words = 'a b c'.split()\nprint(len(words))"),
                             code(HANDED_IN["q1"], "q1", solution=True)])
    FlagSuspiciousCode(log=log.logger).preprocess(nb, {})
    assert log.messages == []


# --- KitExecute (real kernels) -------------------------------------------------------------------------------------

def kernel_notebook(*sources):
    nb = new_notebook(cells=[code(source, f"cell{i}") for i, source in enumerate(sources, start=1)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb, tmp_path, log, **config):
    KitExecute(log=log.logger, **config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb


def printed(cell) -> str:
    return "".join(out["text"] for out in cell.outputs if out["output_type"] == "stream")


def errors(cell) -> list:
    return [(out["ename"], out["evalue"]) for out in cell.outputs if out["output_type"] == "error"]


@pytest.mark.slow
def test_kit_execute_survives_a_timeout_and_replays_the_cells_before_it(tmp_path, log):
    nb = execute(kernel_notebook("x = 1\nprint('set up')", "x += 1", "while True:\n    pass", "print(x)"),
                 tmp_path, log, timeout=3)
    assert printed(nb.cells[0]) == "set up\n"  # the replay does not add outputs to the cells before
    [(ename, evalue)] = errors(nb.cells[2])
    assert ename == "CellTimeoutError" and "ran longer than 3 s" in evalue
    assert printed(nb.cells[3]) == "2\n"
    assert log.warnings == ["Cell cell3 timed out; restarted the kernel and graded the rest"]


@pytest.mark.slow
def test_kit_execute_survives_a_cell_that_kills_the_kernel(tmp_path, log):
    sources = ["x = 1", "import os\nos._exit(1)", "print(x)", "while True:\n    pass", "print(x + 1)"]
    nb = execute(kernel_notebook(*sources), tmp_path, log, timeout=3)
    [(ename, evalue)] = errors(nb.cells[1])
    assert ename == "KernelDied" and "stopped the Python kernel" in evalue
    assert printed(nb.cells[2]) == "1\n"
    assert errors(nb.cells[3])[0][0] == "CellTimeoutError"  # a second lost cell: the killer is not replayed
    assert printed(nb.cells[4]) == "2\n"
    assert log.warnings == ["Cell cell2 killed the kernel; restarted the kernel and graded the rest",
                            "Cell cell4 timed out; restarted the kernel and graded the rest"]


LIMIT_MB = "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)"


@pytest.mark.slow
def test_kit_execute_gives_a_memory_hog_a_memory_error_in_its_own_cell(tmp_path, log):
    # The limit is on address space, which an idle ipykernel already takes 500-800 MiB of: at 512 MiB a
    # kernel sometimes cannot start its threads at all. The configured 2048 MiB against a 3 GiB hog.
    nb = execute(kernel_notebook("x = 1", LIMIT_MB, "hog = bytearray(3 * 2**30)", "print(x)"),
                 tmp_path, log, timeout=10, memory_limit_mb=2048)
    assert printed(nb.cells[1]) == "2048\n"
    assert [ename for ename, _ in errors(nb.cells[2])] == ["MemoryError"]
    assert printed(nb.cells[3]) == "1\n"
    assert log.warnings == []  # the kernel lived: nothing to restart


@pytest.mark.slow
def test_kit_execute_keeps_the_memory_limit_after_a_restart(tmp_path, log):
    nb = execute(kernel_notebook("import os\nos._exit(1)", LIMIT_MB), tmp_path, log, timeout=10, memory_limit_mb=1024)
    assert errors(nb.cells[0])[0][0] == "KernelDied"
    assert printed(nb.cells[1]) == "1024\n"


# --- LeaveOutSpecialFiles -------------------------------------------------------------------------------

def test_leave_out_special_files_removes_copied_link_targets_and_links_made_in_the_graded_folder(tmp_path, log):
    secret = tmp_path / "source" / "solutions.ipynb"
    secret.parent.mkdir()
    secret.write_text("the solutions")
    submitted, graded = tmp_path / "submitted" / "s1" / ASSIGNMENT, tmp_path / "autograded" / "s1" / ASSIGNMENT
    for folder in (submitted, graded):
        folder.mkdir(parents=True)
        (folder / "data.csv").write_text("a,b\n")  # the student's own file: kept
    os.symlink(secret, submitted / "answers.json")
    shutil.copy(submitted / "answers.json", graded / "answers.json")  # as nbgrader copies: the target's content
    os.symlink(tmp_path / "nbgrader_config.py", graded / "made_link")  # as a student's code could make
    os.mkfifo(graded / "made_pipe")
    config = Config({"CourseDirectory": {"root": str(tmp_path)}})
    resources = {"metadata": {"path": str(graded)}, "nbgrader": {"student": "s1", "assignment": ASSIGNMENT}}
    nb = new_notebook(cells=[code("x = 1")])
    LeaveOutSpecialFiles(config=config, log=log.logger).preprocess(nb, resources)
    assert sorted(p.name for p in graded.iterdir()) == ["data.csv"]
    assert secret.read_text() == "the solutions" and (submitted / "answers.json").is_symlink()
    assert log.warnings == [
        f"{KIT_NOTE}{submitted / 'answers.json'} is a symbolic link: left out of grading (it points to {secret})",
        f"{KIT_NOTE}its code made made_link, a symbolic link to {tmp_path / 'nbgrader_config.py'}: left out of the "
        "graded copy",
        f"{KIT_NOTE}its code made made_pipe, a named pipe (FIFO): left out of the graded copy"]


def test_the_course_leaves_special_files_out_before_and_after_the_kernel(root):
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    steps = [import_item(step) for step in config.Autograde.autograde_preprocessors]
    assert steps[:3] == [LeaveOutSpecialFiles, KitExecute, LeaveOutSpecialFiles]
