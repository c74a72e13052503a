import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import SOURCE_NOTEBOOKS

from utils.course import lint, model, synthetic


def test_solution_code_strips_markers_and_hidden_tests():
    src = ("a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\n"
           "### BEGIN HIDDEN TESTS\nassert b == 2\n### END HIDDEN TESTS")
    assert model.solution_code(src) == "a = 1\nb = 2"


def test_points_table(root):
    table = model.points(root).set_index("assignment")
    assert table.loc["a1_close_reading", ["autograded", "manual", "total"]].tolist() == [17.0, 7.0, 24.0]
    assert table.loc["a2_rhetoric", ["autograded", "manual", "total"]].tolist() == [18.0, 10.0, 28.0]
    assert table.loc["a3_displacement_data", ["autograded", "manual", "total"]].tolist() == [14.0, 5.0, 19.0]
    assert table.loc["a4_synthesis", ["autograded", "manual", "total"]].tolist() == [11.0, 6.0, 17.0]


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebook_structure(path):
    nb = nbformat.read(path, as_version=4)
    kinds = [model.cell_kind(c) for c in nb.cells]
    assert lint.notebook_problems(path) == []
    autograded = kinds.count("answer")
    assert 5 <= autograded <= 12, "5 to 12 autograded questions"
    if path.parent.name == "a1_close_reading":
        assert 8 <= autograded <= 12 and kinds.count("manual") == 2, "A1: 8 to 12 autograded questions, 2 manual"
    assert sum(1 for c in nb.cells if model.cell_kind(c) == "manual") >= 1, "a manually graded answer with a rubric"
    assert all("Rubric" in nb.cells[i - 1].source for i, c in enumerate(nb.cells) if model.cell_kind(c) == "manual")
    # every answer cell is followed by its test before the next answer (partial students rely on it)
    order = [k for k in kinds if k in {"answer", "manual", "test"}]
    for i, kind in enumerate(order):
        if kind == "answer":
            assert order[i + 1] == "test", f"answer cell {i} has no test cell after it"
    intro = nb.cells[0].source
    assert "Learning objectives" in intro and "Estimated time" in intro


def test_perturbed_changes_every_kind_of_value():
    cases = [True, 3, 2.5, np.int64(4), "Share the Post:", [1, 2], {"a", "b"}, {"k": 1, "j": 2},
             pd.Series([1, 2]), pd.Series(["a", "b"]), pd.DataFrame({"x": [1, 2]}), pd.Timestamp("2023-06-30")]
    for value in cases:
        wrong = synthetic.perturbed(value)
        assert type(wrong) is type(value) or isinstance(value, np.generic)
        if isinstance(value, (pd.Series, pd.DataFrame)):
            assert not wrong.equals(value)
        else:
            assert wrong != value


def test_assigned_names():
    code = "import re\na = 1\nb, (c, d) = 2, (3, 4)\ne += 1\nf: int = 2\nprint(a)\nfor x in []: pass"
    assert synthetic.assigned_names(code) == ["a", "b", "c", "d", "e", "f"]


def test_expected_scores_follow_cell_order(root):
    nb = nbformat.read(root / "source/a1_close_reading/a1_close_reading.ipynb", as_version=4)
    ids = synthetic.answer_ids(nb)
    assert synthetic.n_answered("partial", len(ids)) == math.ceil(len(ids) / 2)
    assert synthetic.expected_score("full", nb) == 17
    assert synthetic.expected_score("partial", nb) == 10
    assert synthetic.n_answered("mixed", len(ids)) == len(ids)
    assert {synthetic.expected_score(k, nb) for k in ("blank", "wrong", "tampered")} == {0}
    with pytest.raises(ValueError, match="Unknown kind"):
        synthetic.submission("lazy", nb, nb)


def test_a_mixed_student_gets_one_part_wrong_in_each_question_in_parts(root):
    nb = nbformat.read(root / "source/a1_close_reading/a1_close_reading.ipynb", as_version=4)
    # Q4's share and Q7's antithesis are read by their own part alone; Q8's two parts read one table
    assert synthetic.wrong_parts(nb) == {"q4_speakers": ("`lavrov_share`", ["lavrov_share"], 1.0),
                                         "q7_figures": ("`antithesis`", ["antithesis"], 1.0)}
    assert synthetic.expected_score("mixed", nb) == 15
    a3 = nbformat.read(root / "source/a3_displacement_data/a3_displacement_data.ipynb", as_version=4)
    assert synthetic.expected_score("mixed", a3) == 14 - 1 - 0.5 - 1
    release = nbformat.read(root / "release/a1_close_reading/a1_close_reading.ipynb", as_version=4)
    cells = {model.nbgrader_meta(c).get("grade_id"): c.source for c in synthetic.submission("mixed", nb, release).cells}
    assert cells["q4_speakers"].endswith("_kept_lavrov_share = lavrov_share\nlavrov_share = _perturbed(lavrov_share)")
    assert cells["q5_longest"].startswith("lavrov_share = _kept_lavrov_share\n")  # put back for later questions


def test_part_names_follow_the_functions_a_part_calls():
    code = ("parts = checks.Parts('Q7', {'a': 1, 'b': 1})\ndef check(column):\n    checks.expect_columns(table, "
            "[column], 'table')\nwith parts.part('a'):\n    check('a')\nwith parts.part('b'):\n    check('b')\n"
            "    assert b_only > 0\n### BEGIN HIDDEN TESTS\nwith parts.part('a'):\n    assert a_only == 1\n"
            "### END HIDDEN TESTS\nparts")
    assert synthetic.part_names(code) == {"a": {"check", "checks", "column", "table", "a_only"},
                                          "b": {"check", "checks", "column", "table", "b_only"}}
