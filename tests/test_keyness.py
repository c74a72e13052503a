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


def test_two_term_and_four_term_g2_by_hand():
    """The kit's G2 is the two-term form of the UCREL calculator (Rayson and Garside 2000); AntConc 4's
    default is the four-term form, the G2 of the whole 2x2 table. Both by hand, term by term."""
    # a = 30 of c = 1,000 target words, b = 10 of d = 2,000 reference words; the 2x2 table and its expected
    # counts (row total x column total / 3,000):
    #                  target          reference
    #   the word       a = 30          b = 10          40
    #   other words    c - a = 970     d - b = 1,990   2,960
    #                  1,000           2,000           3,000
    #   E1 = 1,000 x 40 / 3,000 = 13.3333    E2 = 2,000 x 40 / 3,000 = 26.6667
    #   c - E1 = 986.6667                    d - E2 = 1,973.3333
    e1, e2 = 1000 * 40 / 3000, 2000 * 40 / 3000
    terms = {"a": 30 * math.log(30 / e1),                 # 30 ln(2.25)      = +24.3279
             "b": 10 * math.log(10 / e2),                 # 10 ln(0.375)     =  -9.8083
             "c - a": 970 * math.log(970 / (1000 - e1)),  # 970 ln(0.98311)  = -16.5251
             "d - b": 1990 * math.log(1990 / (2000 - e2))}  # 1990 ln(1.00845) = +16.7369
    assert [round(t, 4) for t in terms.values()] == [24.3279, -9.8083, -16.5251, 16.7369]
    two_term = 2 * (terms["a"] + terms["b"])  # 2 x 14.5196 = 29.0392: the UCREL calculator
    four_term = 2 * sum(terms.values())        # 2 x 14.7314 = 29.4627: AntConc 4 by default
    assert two_term == pytest.approx(29.0392, abs=1e-4) and four_term == pytest.approx(29.4627, abs=1e-4)
    assert keyness.log_likelihood(30, 10, 1000, 2000) == pytest.approx(two_term, abs=1e-5)
    assert keyness.log_likelihood(30, 10, 1000, 2000, terms=4) == pytest.approx(four_term, abs=1e-5)
    table = keyness.keyness(["we"] * 30 + ["talk"] * 970, ["we"] * 10 + ["talk"] * 1990, terms=4)
    assert table.set_index("word").loc["we", "g2"] == pytest.approx(four_term, abs=1e-5)
    # a zero count: 0 ln 0 = 0 in both forms
    assert keyness.log_likelihood(10, 0, 1000, 1000, terms=4) == pytest.approx(
        2 * (10 * math.log(2) + 990 * math.log(990 / 995) + 1000 * math.log(1000 / 995)))
    with pytest.raises(ValueError, match="use 2 .* or 4"):
        keyness.log_likelihood(30, 10, 1000, 2000, terms=3)


# G2 of the 2x2 table (four terms) and of the target row (two terms), as SciPy 1.17.1 gives them:
# stats.chi2_contingency(table, correction=False, lambda_="log-likelihood") and stats.power_divergence of
# the first row against its expected counts (SciPy is not a dependency: importing it made nltk's import 1 s slower)
SCIPY_G2 = [(30, 10, 1000, 2000, 29.46272930097768, 29.0392279127452),
            (1, 9, 1020, 351, 18.775616852677338, 18.614986288475105),
            (5, 5, 1000, 1000, 0.0, 0.0),
            (120, 3, 50000, 2000000, 863.4786472916046, 863.1977922626611)]


@pytest.mark.parametrize(("a", "b", "c", "d", "four", "two"), SCIPY_G2)
def test_g2_is_scipys_log_likelihood(a, b, c, d, four, two):
    assert keyness.log_likelihood(a, b, c, d, terms=4) == pytest.approx(four, rel=1e-9, abs=1e-12)
    assert keyness.log_likelihood(a, b, c, d) == pytest.approx(two, rel=1e-9, abs=1e-12)


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


def test_key_terms_have_guardrails_and_multi_word_terms():
    a, b = nlp.words(texts.load_text("a")), nlp.words(texts.load_text("b"))
    table = keyness.key_terms(b, a, drop=nlp.stopwords())
    key = table[table["significance"] != "n.s."]
    assert "forced displacement" in set(key["word"])  # a two-word term
    assert set(key["direction"]) == {"target", "reference"}  # over- and under-used
    assert (key.loc[key["direction"] == "target", "target"] >= 3).all()
    # a 4-word text: nothing is key, where the plain table said "must" (1 vs 1) at p < 0.01
    assert keyness.key_terms("we must act now".split(), a).query("significance != 'n.s.'").empty
    assert "The text has only 4 words" in keyness.size_warning(4, len(a))
    assert keyness.size_warning(5000, 5000) == ""
    same = keyness.key_terms(a, a)
    assert (same["significance"] == "n.s.").all()


def test_term_counts_keep_world_war_ii_together():
    counts = keyness.term_counts("since world war ii the world has changed".split(), drop={"since", "the", "has"})
    assert counts["world war ii"] == 1 and counts["world"] == 2 and "ii the" not in counts
