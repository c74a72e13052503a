import math

import numpy as np
import pytest

from utils import keyness, nlp, texts


def test_log_likelihood_by_hand():
    # a=30 in a target of 1,000 words, b=10 in a reference of 2,000 words
    e1, e2 = 1000 * 40 / 3000, 2000 * 40 / 3000
    by_hand = 2 * (30 * math.log(30 / e1) + 10 * math.log(10 / e2))
    assert by_hand == pytest.approx(29.0392279, abs=1e-6)
    assert keyness.log_likelihood(30, 10, 1000, 2000) == pytest.approx(by_hand, rel=1e-12)
    assert keyness.log_likelihood(10, 0, 1000, 1000) == pytest.approx(20 * math.log(2))  # 0 ln 0 = 0
    assert keyness.log_likelihood(5, 5, 1000, 1000) == pytest.approx(0)


def test_log_ratio_and_significance_bands():
    assert keyness.log_ratio(30, 10, 1000, 2000) == pytest.approx(math.log2(6))
    assert keyness.log_ratio(4, 0, 1000, 1000) == pytest.approx(math.log2(4 / 0.5))
    bands = keyness.significance([2.0, 3.84, 6.63, 10.83, 15.13, 100]).tolist()
    assert bands == ["n.s.", "p < 0.05", "p < 0.01", "p < 0.001", "p < 0.0001", "p < 0.0001"]


def test_keyness_table():
    target = ["we"] * 30 + ["talk"] * 970
    reference = ["we"] * 10 + ["talk"] * 1990
    table = keyness.keyness(target, reference)
    assert list(table.columns) == keyness.KEYNESS_COLUMNS
    we = table.set_index("word").loc["we"]
    assert we["g2"] == pytest.approx(29.0392279, abs=1e-6)
    assert we["expected_target"] == pytest.approx(1000 * 40 / 3000)
    assert we["target_per_1000"] == 30 and we["reference_per_1000"] == 5
    assert we["direction"] == "target" and we["significance"] == "p < 0.0001"
    assert table.set_index("word").loc["talk", "direction"] == "reference"
    assert table["g2"].is_monotonic_decreasing


def test_keyness_edge_cases():
    assert keyness.keyness([], ["a"]).empty and keyness.keyness(["a"], []).empty
    assert keyness.keyness(["a", "b"], ["a"], min_freq=5).empty
    assert keyness.keyness(["a"], ["a"]).loc[0, "g2"] == 0


def test_keyness_of_the_course_texts():
    table = keyness.keyness(nlp.words(texts.load_text("a")), nlp.words(texts.load_text("b")))
    top = table.set_index("word")
    assert top.loc["displacement", "direction"] == "reference"
    assert top.loc["displacement", "significance"] == "p < 0.001"
    assert top.loc["that", "direction"] == "target"


def test_collocates_by_hand():
    tokens = "a x b a y b c c c c".split()
    table = keyness.collocates(tokens, "a", left=1, right=1, min_freq=1).set_index("collocate")
    # windows around positions 0 and 3: slots 1 (x), 2 (b), 4 (y); the node is left out
    assert table["observed"].to_dict() == {"b": 1, "x": 1, "y": 1}
    n, s = 10 - 2, 3
    assert table.loc["b", "expected"] == pytest.approx(2 * s / n)
    assert table.loc["b", "mi"] == pytest.approx(math.log2(1 / (2 * s / n)))
    # G2 of the 2x2 table: b in window 1, b outside 1, others in window 2, others outside 4
    o = np.array([1, 1, 2, 4], float)
    e = np.array([s * 2 / n, (n - s) * 2 / n, s * 6 / n, (n - s) * 6 / n])
    assert table.loc["b", "g2"] == pytest.approx(2 * np.sum(o * np.log(o / e)))


def test_collocates_count_each_position_once_and_filter():
    tokens = "nato nato has thirty".split()
    table = keyness.collocates(tokens, "nato", left=2, right=2, min_freq=1).set_index("collocate")
    assert table["observed"].to_dict() == {"has": 1, "thirty": 1}
    assert (table["observed"] <= table["collocate_freq"]).all()
    assert keyness.collocates(tokens, "missing").empty and keyness.collocates([], "x").empty
    assert keyness.collocates(tokens, "nato", 2, 2, min_freq=2).empty
