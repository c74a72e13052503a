"""The similarity report: copied answers rank above honest ones, common material does not count, hostile
notebooks are skipped or read safely, and the HTML and CSV say what they must (tests/similarity_class.py)."""

import itertools
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import ROOT
from similarity_class import A4, COPIED, ESSAYS, HONEST, copy_course, filled_in, write_class, write_submission

from utils.grading import similarity
from utils.instructor import similarity_report

STUDENTS = [*HONEST, "hal", "ivy", "jo"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with the synthetic class of A4 submitted."""
    root = copy_course(ROOT, tmp_path_factory.mktemp("similarity") / "course")
    write_class(root)
    return root


@pytest.fixture(scope="module")
def pairs(course):
    return similarity.similar_pairs(course, A4, top=50, max_mb=50)


@pytest.fixture(scope="module")
def report(course, tmp_path_factory):
    return similarity_report.write_report(course, A4, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def release():
    return similarity.release_material(ROOT, A4)


def scores(pairs) -> dict[tuple[str, str], float]:
    return {(a, b): score for a, b, score in zip(pairs["student_a"], pairs["student_b"], pairs["score"], strict=True)}


def passages(pairs, a: str, b: str) -> list[tuple]:
    return pairs.loc[(pairs["student_a"] == a) & (pairs["student_b"] == b), "passages"].iloc[0]


# --- the ranking --------------------------------------------------------------------------------------------------

def test_every_copied_pair_ranks_above_every_honest_pair(pairs):
    found = scores(pairs)
    honest = [found.get(pair, 0.0) for pair in itertools.combinations(sorted(STUDENTS), 2) if pair not in COPIED]
    copied = {pair: found.get(pair, 0.0) for pair in COPIED}
    assert min(copied.values()) > max(honest), (copied, max(honest))
    kinds = dict(zip(zip(pairs["student_a"], pairs["student_b"], strict=True), pairs["kind"], strict=True))
    assert set(list(kinds)[:3]) == set(COPIED) and list(pairs["rank"][:3]) == [1, 2, 3]
    assert {pair: kinds[pair] for pair in COPIED} == COPIED


def test_the_shared_passages_are_named_side_by_side(pairs):
    copied = passages(pairs, "ada", "hal")
    sentence = "That move cannot be tested against any dataset, which is precisely its advantage for him."
    assert ("q7_essay", "prose", sentence, sentence) in copied
    paraphrased = passages(pairs, "ben", "ivy")
    assert ("q7_essay", "prose", "In the transcript, numbers come almost only from the questions.",
            "In the transcript, the numbers come nearly only from the journalists' questions.") in paraphrased
    [(answer, kind, cy, jo)] = [p for p in passages(pairs, "cy", "jo") if p[1] == "code"]
    assert answer == "q4_growth" and "year_totals[year] - year_totals[year - 1] >= 10" in cy
    assert "sums_per_year[y] - sums_per_year[y-1] >= 10" in jo


def test_quotations_of_the_texts_are_not_counted(pairs):
    """dee and eve quote exactly the same four passages: none of it counts, so they share next to nothing."""
    quoted = [[" ".join(q.split()) for q in similarity.checks.quotes(ESSAYS[s])] for s in ("dee", "eve")]
    assert quoted[0] == quoted[1] and len(quoted[0]) == 4
    dee_eve = pairs[(pairs["student_a"] == "dee") & (pairs["student_b"] == "eve")]
    assert dee_eve.empty or dee_eve["prose_score"].iloc[0] < 0.05
    dee = similarity.prose_stream("dee", "q7_essay", ESSAYS["dee"], similarity.course_texts())
    assert "quantiti" not in dee.keys  # "there is quantity, but there is also quality" is quoted, and gone


def test_quotations_count_nothing_unless_they_are_not_of_the_texts(release):
    quoted = '"NATO has 30 members and will soon have another two" and "there is quantity, but there is also quality"'
    own = {"ada": f"Ada writes that {quoted} in her words.", "ben": f"Ben thinks {quoted} matters less."}
    answers = [similarity.prose_stream(s, "q7_essay", e, similarity.course_texts()) for s, e in own.items()]
    assert similarity.compare(answers, release, 2, top=10).empty
    made_up = '"penguins rarely audit glaciers before breakfast" and "every lighthouse keeper collects umbrellas"'
    invented = {s: e.replace(quoted, made_up) for s, e in own.items()}
    answers = [similarity.prose_stream(s, "q7_essay", e, similarity.course_texts()) for s, e in invented.items()]
    found = similarity.compare(answers, release, 2, top=10)
    assert list(found[["student_a", "student_b"]].iloc[0]) == ["ada", "ben"] and found["shared_prose"].iloc[0] > 5


# --- hostile notebooks --------------------------------------------------------------------------------------------

def test_a_malformed_notebook_is_skipped_and_the_others_compared(pairs):
    skipped = similarity_report.skipped_table(pairs)
    assert list(skipped["student"]) == ["kim"] and list(skipped["status"]) == ["skipped"]
    assert "not a notebook: broken JSON at line" in skipped["reason"].iloc[0]
    assert "kim" not in set(pairs["student_a"]) | set(pairs["student_b"])
    assert pairs.attrs["students"] == 11  # lou's code does not parse, and is read all the same


def test_the_html_escapes_what_students_wrote(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    release_nb = nbformat.read(course / "release" / A4 / f"{A4}.ipynb", as_version=4)
    hostile = '<script>alert("copied")</script> <b onmouseover="x()">bold</b>.\n' + ESSAYS["ada"]
    for student in ("ana", "<img src=x onerror=alert(1)>"):
        write_submission(course, student, filled_in(release_nb, {"q7_essay": f"essay = '''{hostile}'''"}))
    page, _ = similarity_report.write_report(course, A4, tmp_path / "reports")
    text = page.read_text()
    assert "<script" not in text and "<img" not in text and "<b " not in text
    assert "&lt;script&gt;alert(&quot;copied&quot;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_answers_are_cut_and_oversized_or_misnamed_notebooks_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(similarity, "MAX_ANSWER_CHARS", 3_000)
    course = copy_course(ROOT, tmp_path / "course")
    release_nb = nbformat.read(course / "release" / A4 / f"{A4}.ipynb", as_version=4)
    write_submission(course, "long", filled_in(release_nb, {"q7_essay": f"essay = '''{ESSAYS['ada'] * 3}'''"}))
    write_submission(course, "big", filled_in(release_nb, {"q1_nato": "x = 1  # " + "y" * 2**20}))
    renamed = write_submission(course, "ren", release_nb)
    renamed.rename(renamed.with_name(f"{A4} (1).ipynb"))
    found = similarity_report.skipped_table(similarity.similar_pairs(course, A4, max_mb=1)).set_index("student")
    assert found.loc["long", "status"] == "cut" and "only the first 3,000 were compared" in found.loc["long", "reason"]
    assert found.loc["big", "status"] == "skipped" and "over the 1 MiB limit" in found.loc["big", "reason"]
    assert f"no {A4}.ipynb to grade; it holds {A4} (1).ipynb" in found.loc["ren", "reason"]


def test_no_submissions_is_a_clear_error(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    with pytest.raises(ValueError, match=rf"^no submissions of {A4} in {course / 'submitted'}: collect them first"):
        similarity_report.write_report(course, A4, tmp_path / "reports")
    assert not (tmp_path / "reports").exists()


# --- the report's files -------------------------------------------------------------------------------------------

def test_the_csv_has_the_documented_columns(report):
    table = pd.read_csv(report[1], dtype={"rank": "Int64"})
    assert list(table.columns) == similarity_report.CSV_COLUMNS
    ranked = table[table["kind"].isin(["prose", "code"])]
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert ranked["score"].is_monotonic_decreasing and ranked["score"].between(0, 1).all()
    assert table.loc[table["kind"] == "skipped", "student_a"].tolist() == ["kim"]
    assert "That move cannot be tested" in ranked["passages_a"].iloc[0]


def test_the_html_states_method_and_limits_and_accuses_no_one(report):
    text = report[0].read_text()
    for words in ("pairs to read, not verdicts", "How the pairs are found", "What this cannot see",
                  "Notebooks not compared", "kim", "inverted index", 'href="#pair-1"'):
        assert words in text, words


def test_a_formula_in_an_answer_reaches_the_csv_as_text():
    assert similarity_report._safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert similarity_report._safe_cell("plain") == "plain" and similarity_report._safe_cell(3) == 3


@pytest.mark.slow
def test_the_command_writes_both_files_and_says_where(course, tmp_path):
    wordsnums = Path(sys.executable).with_name("wordsnums")  # the command as the venv installs it
    result = subprocess.run([wordsnums, "similarity", A4, "--course", course, "--out", tmp_path, "--top", "5"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    page, table = tmp_path / f"{A4}_similarity.html", tmp_path / f"{A4}_similarity.csv"
    assert str(page) in result.stdout and str(table) in result.stdout
    assert (pd.read_csv(table)["kind"].isin(["prose", "code"])).sum() == 5 and "ada and hal" in page.read_text()


# --- the engine's pieces ------------------------------------------------------------------------------------------

def test_renamed_variables_changed_spacing_and_comments_give_the_same_code_stream():
    original = "total = 0\nfor row in rows:\n    total += row['n']  # add\nshare = total / len(rows)"
    disguised = "# my own\nsum_ =0\nfor r in rows :\n\n    sum_+= r[ 'n' ]\nshare = sum_/len(rows)"
    known = similarity.KNOWN | {"rows", "share"}
    assert similarity.code_stream("a", "q", original, known).keys == similarity.code_stream("b", "q", disguised,
                                                                                            known).keys


def test_given_and_prescribed_names_stay_and_helpers_are_renamed(release):
    assert {"members", "TEXT_A_DATE", "PARTS", "pd", "checks"} <= release.known_names  # given by the release
    assert {"nato_at_text_a", "share_years_10m", "essay"} <= release.known_names  # prescribed by the questions
    assert "nato" not in release.known_names and "later" not in release.known_names  # the solution's helpers
    assert set(release.answer_ids[A4]) >= {"q1_nato", "q2_later", "q3_csto", "q4_growth", "q6_summary", "q7_essay"}


@pytest.mark.parametrize("code", ["x = " + "(" * 5000 + ")" * 5000, "x = " + "-" * 20_000 + "1", "essay = 'a\0b' + (",
                                  "def f(:\n  'words in a broken cell, five or more'", "%time y = 'magic words " * 3])
def test_code_that_does_not_parse_is_read_without_running_it(code):
    similarity.prose_of("code", code)
    similarity.code_stream("s", "q", code)
    assert similarity.prose_of("code", "def f(:\n  'words in a broken cell, five or more'") == \
        "words in a broken cell, five or more"


def test_short_strings_are_not_prose_and_markdown_is():
    assert similarity.prose_of("code", "x = 'a label'\ny = 'this one has five words'") == "this one has five words"
    assert similarity.prose_of("markdown", "My answer.") == "My answer."


def test_an_unanswered_or_blank_notebook_gives_no_answers(tmp_path, release):
    release_nb = json.loads((ROOT / "release" / A4 / f"{A4}.ipynb").read_text())
    folder = tmp_path / "submitted" / "blank" / A4
    folder.mkdir(parents=True)
    (folder / f"{A4}.ipynb").write_text(json.dumps(release_nb))
    assert similarity.read_answers(tmp_path, A4, "blank", release, max_mb=50) == ([], [])


def test_common_shingles_and_pairs_come_from_the_index():
    table = pd.DataFrame({"student": ["a", "b", "c", "d", "e", "a", "b", "a"], "answer": "q", "kind": "prose",
                          "shingle": [1, 1, 1, 1, 1, 2, 2, 3]}).astype({"student": "category", "answer": "category",
                                                                       "kind": "category"})
    kept, counts, frequent = similarity.split_common(table, limit=3)
    assert frequent == {1} and list(kept["shingle"]) == [2, 2, 3]
    scored = similarity.score_pairs(kept, counts)
    assert list(scored[["student_a", "student_b", "shared_prose"]].iloc[0]) == ["a", "b", 1]
    assert scored["prose_score"].iloc[0] == pytest.approx(1 / (1 + similarity.PRIOR))


def test_sentences_align_on_their_content_words():
    a = similarity.prose_stream("a", "q", "Lavrov answers every question without giving any numbers. "
                                          "The op-ed opens with alarming statistics about displacement.")
    b = similarity.prose_stream("b", "q", "Lavrov replies to each question without any numbers whatsoever. "
                                          "Heavy rain fell on the quiet city today.")
    sets_a, sets_b = similarity.sentence_sets(a, frozenset()), similarity.sentence_sets(b, frozenset())
    assert similarity.aligned(sets_a, sets_b) == [(0, 0)] and similarity.alignment(sets_a, sets_b) == (1, 2)
