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

from utils import checks
from utils.course import model
from utils.grading import similarity
from utils.instructor import cli, similarity_report

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


def pair(pairs, a: str, b: str):
    return pairs[(pairs["student_a"] == a) & (pairs["student_b"] == b)].iloc[0]


def passages(pairs, a: str, b: str) -> list[tuple]:
    """A pair's passages as (answer, kind, text of a, text of b)."""
    return [(p.answer, p.kind, p.text_a, p.text_b) for p in pair(pairs, a, b)["passages"]]


def marked(pieces: tuple) -> list[str]:
    return [text for text, mark in pieces if mark]


# --- the ranking --------------------------------------------------------------------------------------------------

def test_every_copied_pair_ranks_above_every_honest_pair(pairs):
    found = scores(pairs)
    honest = [found.get(pair, 0.0) for pair in itertools.combinations(sorted(STUDENTS), 2) if pair not in COPIED]
    copied = {pair: found.get(pair, 0.0) for pair in COPIED}
    assert min(copied.values()) > max(honest), (copied, max(honest))
    kinds = dict(zip(zip(pairs["student_a"], pairs["student_b"], strict=True), pairs["kind"], strict=True))
    assert set(list(kinds)[:3]) == set(COPIED) and list(pairs["rank"][:3]) == [1, 2, 3]
    assert {pair: kinds[pair] for pair in COPIED} == COPIED


def test_a_pair_scores_as_its_most_alike_answer(pairs):
    """jo's Q4 is cy's, renamed: all 131 of its code runs are shared, and the pair scores as that answer, though
    their other answers differ."""
    cy_jo = pair(pairs, "cy", "jo")
    [q4] = [m for m in cy_jo["answers"] if m.answer == "q4_growth"]
    assert (q4.kind, q4.shared, q4.smaller, q4.summary()) == ("code", 131, 131, "131 of 131 code runs shared")
    assert cy_jo["score"] == q4.score == cy_jo["code_score"] and cy_jo["answer"] == "q4_growth"
    assert cy_jo["answers"][0] is q4 and [m.score for m in cy_jo["answers"]] == sorted(
        (m.score for m in cy_jo["answers"]), reverse=True)


def test_the_typical_score_is_the_median_of_the_pairs_sharing_anything(pairs):
    assert pairs.attrs["sharing"] == len(pairs)  # fewer than 50 pairs share anything in this class
    assert pairs.attrs["typical"] == pytest.approx(pairs["score"].median(), abs=0.001)
    assert min(scores(pairs)[pair] for pair in COPIED) > pairs.attrs["typical"]


def test_sentences_align_on_less_common_words_not_on_the_topic(pairs):
    """cy and jo (honest essays) both computed the share of years with growth of ten million: the words everyone
    uses for that (years, million, growth) do not align their sentences; ben and ivy's reworded ones do."""
    assert pair(pairs, "cy", "jo")["aligned_sentences"] == 0
    assert pair(pairs, "ben", "ivy")["aligned_sentences"] >= 8
    assert pair(pairs, "ada", "hal")["aligned_sentences"] == 13
    honest = pairs[~pairs[["student_a", "student_b"]].apply(tuple, axis=1).isin(COPIED)]
    assert honest["aligned_sentences"].max() <= 1


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
    assert "    for k in range(len(df)):\n        sums_per_year[" not in jo  # code keeps its own indentation
    assert "for k in range(len(df)):\n    sums_per_year[int(" in jo


def test_the_shared_words_are_marked(pairs):
    """Code: the shared tokens, line by line, not the comments or the indentation; copied prose: its words from
    the first shared one to the last; aligned sentences: the content words both have."""
    [code] = [p for p in pair(pairs, "cy", "jo")["passages"] if p.kind == "code"]
    assert "if sums_per_year[y] - sums_per_year[y-1] >= 10:" in marked(code.b)
    assert 'sums_per_year[int(df.loc[k, "year"])] = float(df.loc[k, PARTS].sum())' in marked(code.b)
    assert not any("#" in text or text != text.strip() for text in marked(code.b))
    assert len(marked(code.a)) == len(marked(code.b)) == 12  # every line of the cell but the comment
    copied = pair(pairs, "ada", "hal")["passages"][1]
    assert copied.a == (("Text A is a press conference, so its facts arrive through questions", True), (".", False))
    sentence = next(p for p in pair(pairs, "ben", "ivy")["passages"] if p.text_a.startswith("In the transcript"))
    assert marked(sentence.a) == ["transcript, numbers come", "questions"]
    assert marked(sentence.b) == ["transcript, the numbers come", "questions"]


def test_quotations_of_the_texts_are_not_counted(pairs):
    """dee and eve quote exactly the same four passages: none of it counts, so they share next to nothing."""
    quoted = [[" ".join(q.split()) for q in checks.quotes(ESSAYS[s])] for s in ("dee", "eve")]
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
    assert skipped["reason"].iloc[0].startswith(f"submitted/kim/{A4}/{A4}.ipynb: ")  # from the course, not /tmp/...
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
    unmarked = text.replace("<mark>", "").replace("</mark>", "")  # the marks fall inside what they wrote
    assert "&lt;script&gt;alert(&quot;copied&quot;)&lt;/script&gt;" in unmarked
    assert "&lt;img src=x onerror=alert(1)&gt;" in unmarked
    assert "&lt;<mark>script&gt;alert(&quot;copied&quot;)" in text


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

def test_the_csv_files_have_the_documented_columns(report):
    folder = report[0].parent
    table = pd.read_csv(report[1])
    assert report[1] == folder / f"{A4}_similarity.csv" and list(table.columns) == similarity_report.CSV_COLUMNS
    assert list(table["rank"]) == list(range(1, len(table) + 1)) and set(table["kind"]) == {"prose", "code"}
    assert table["score"].is_monotonic_decreasing and table["score"].between(0, 1).all()
    assert table.loc[table["rank"] == 2, "answers"].iloc[0].startswith("q4_growth (code) 0.686: 131 of 131 code runs")
    skipped = pd.read_csv(folder / f"{A4}_similarity_skipped.csv")
    assert list(skipped.columns) == similarity_report.SKIPPED_COLUMNS and skipped["student"].tolist() == ["kim"]


def test_the_passages_csv_has_one_row_per_passage(report):
    pairs = pd.read_csv(report[1])
    table = pd.read_csv(report[0].parent / f"{A4}_similarity_passages.csv", keep_default_na=False)
    assert list(table.columns) == similarity_report.PASSAGE_COLUMNS
    assert table.groupby("rank").size().to_dict() == dict(zip(pairs["rank"], pairs["passages"], strict=True))
    ada_hal = table[table["rank"] == 1]
    assert len(ada_hal) == 13 and set(ada_hal["answer"]) == {"q7_essay"} and set(ada_hal["kind"]) == {"prose"}
    assert "That move cannot be tested against any dataset" in ada_hal["text_a"].iloc[3]
    [code] = table[(table["rank"] == 2) & (table["kind"] == "code")].itertuples()
    assert code.answer == "q4_growth" and "\n\nsums_per_year = {}\n" in code.text_b  # a blank line, kept whole
    assert code.text_a.count("\n") == 11  # its 12 lines


def test_the_html_states_method_and_limits_and_accuses_no_one(report):
    text = report[0].read_text()
    for words in ("pairs to read, not verdicts", "How the pairs are found", "The method precisely",
                  "What this cannot see", "Notebooks not compared", "kim", "Typical for this class",
                  f"{A4}_similarity_passages.csv", f"{A4}_similarity_skipped.csv"):
        assert words in text, words
    for jargon in ("shingle", "inverted index"):
        assert jargon not in text, jargon


def test_the_html_marks_shared_text_and_says_what_marks_mean(report):
    text = report[0].read_text()
    assert "<mark>Text A is a press conference, so its facts arrive through questions</mark>." in text
    assert "<mark>Marked text</mark> (highlighted and underlined) is in both answers" in text
    assert "<pre><mark>df = yearly.sort_values( &quot;year&quot; ).reset_index( drop = True )</mark>" in text
    assert "13 aligned sentences: 8 shown, 5 more not shown" in text


def test_the_html_links_pairs_by_name_with_captions_and_folds_the_typical(report, pairs):
    text = report[0].read_text()
    assert '<a href="#pair-1">ada and hal</a>' in text and 'id="pair-1"' in text
    assert text.count("<caption>") == text.count("<table")
    typical = pairs.attrs["typical"]
    above, below = text.split('<details id="below-typical">')
    for p in pairs.itertuples():
        assert f'id="pair-{p.rank}"' in (above if p.score >= typical else below), p
    assert f"{(pairs['score'] < typical).sum()} pairs below the typical score {typical:.3f}" in below


def test_a_formula_in_an_answer_reaches_the_csv_as_text():
    assert similarity_report._safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert similarity_report._safe_cell("plain") == "plain" and similarity_report._safe_cell(3) == 3


@pytest.mark.slow
def test_the_command_writes_the_files_and_says_where(course, tmp_path):
    wordsnums = Path(sys.executable).with_name("wordsnums")  # the command as the venv installs it
    result = subprocess.run([wordsnums, "similarity", A4, "--course", course, "--out", tmp_path, "--top", "5"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    names = [f"{A4}_similarity.html", f"{A4}_similarity.csv", f"{A4}_similarity_passages.csv",
             f"{A4}_similarity_skipped.csv"]
    assert all(str(tmp_path / name) in result.stdout for name in names), result.stdout
    assert result.stdout.startswith(f"{A4}: 11 of 12 students compared, 5 pairs listed (")
    assert len(pd.read_csv(tmp_path / names[1])) == 5 and "ada and hal" in (tmp_path / names[0]).read_text()


def test_the_command_prints_a_summary_line(course, tmp_path, capsys):
    assert cli.main(["similarity", A4, "--course", str(course), "--out", str(tmp_path)]) == 0
    first, *files = capsys.readouterr().out.splitlines()
    assert first == (f"{A4}: 11 of 12 students compared, 42 pairs listed (23 at or above the typical score 0.294), "
                     "1 notebook not compared")
    name = f"{tmp_path}/{A4}_similarity"
    assert files == [f"  report: {name}.html", f"  pairs (CSV, one row per pair): {name}.csv",
                     f"  shared passages (CSV, one row per passage): {name}_passages.csv",
                     f"  notebooks not compared (CSV, one row per notebook): {name}_skipped.csv"]


def test_without_an_assignment_those_without_submissions_are_skipped(course, tmp_path, capsys):
    assert cli.main(["similarity", "--course", str(course), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    others = [a for a in model.assignments(course) if a != A4]
    assert others and all(f"{a}: skipped, no submissions in {course / 'submitted'}\n" in out for a in others)
    assert f"{A4}: 11 of 12 students compared" in out and (tmp_path / f"{A4}_similarity.html").is_file()
    assert cli.main(["similarity", others[0], "--course", str(course), "--out", str(tmp_path)]) == 2  # named: error
    assert f"no submissions of {others[0]}" in capsys.readouterr().err


def test_with_no_submissions_at_all_the_command_fails(tmp_path, capsys):
    course = copy_course(ROOT, tmp_path / "course")
    assert cli.main(["similarity", "--course", str(course), "--out", str(tmp_path / "reports")]) == 2
    captured = capsys.readouterr()
    assert "no submissions of any assignment" in captured.err and not (tmp_path / "reports").exists()


# --- small classes ----------------------------------------------------------------------------------------------

def test_one_submission_has_nothing_to_compare(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    release_nb = nbformat.read(course / "release" / A4 / f"{A4}.ipynb", as_version=4)
    write_submission(course, "ada", filled_in(release_nb, {"q7_essay": f'essay = """{ESSAYS["ada"]}"""'}))
    written = similarity_report.write_files(course, A4, tmp_path / "reports")
    text = written.html.read_text()
    assert "1 student submitted; only one submission has answers: nothing to compare." in text
    assert "Shared passages" not in text and "<h2>Pairs</h2>" not in text and "1 students" not in text
    assert written.summary == f"{A4}: 1 of 1 student compared: nothing to compare"
    assert pd.read_csv(written.pairs).empty and pd.read_csv(written.passages).empty


def test_blank_notebooks_are_listed_as_not_compared(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    release_nb = nbformat.read(course / "release" / A4 / f"{A4}.ipynb", as_version=4)
    for student in ("p", "q", "r", "s"):
        write_submission(course, student, release_nb)
    written = similarity_report.write_files(course, A4, tmp_path / "reports")
    text = written.html.read_text()
    assert "4 students submitted; none has answers: nothing to compare." in text
    assert text.count(f"({A4}), not compared (no answers): no answers: every answer cell is as released") == 4
    assert "None: every submitted notebook" not in text and "of the 0 compared" not in text
    assert written.summary == f"{A4}: 0 of 4 students compared: nothing to compare, 4 notebooks not compared"
    skipped = pd.read_csv(written.skipped)
    assert skipped["student"].tolist() == ["p", "q", "r", "s"] and set(skipped["status"]) == {"blank"}


def test_singulars():
    assert similarity.plural(1, "aligned sentence") == "1 aligned sentence"
    assert similarity.Match("q", "code", 0.1, 1, 1).summary() == "1 of 1 code run shared"
    match = similarity.Match("q", "prose", 0.1, 3, 40, aligned=1, sentences=1, passages=[None])
    assert (match.summary(), similarity_report._shown(match, "x.csv")) == \
        ("3 of 40 word pairs shared, 1 of 1 sentence aligned", "1 aligned sentence")


def test_the_similarity_modules_are_cheap_to_import():
    """The command line imports them for --help: no pandas, nltk or nbformat until a report is made."""
    code = "import sys, utils.instructor.similarity_report as r; print(sorted({'pandas', 'nltk', 'nbformat'} & " \
           "set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


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
    assert list(scored[["student_a", "student_b", "shared_prose", "answer"]].iloc[0]) == ["a", "b", 1, "q"]
    assert scored["prose_score"].iloc[0] == pytest.approx(1 / (1 + similarity.PRIOR["prose"]))


def test_sentences_align_on_their_content_words():
    a = similarity.prose_stream("a", "q", "Lavrov answers every question without giving any numbers. "
                                          "The op-ed opens with alarming statistics about displacement.")
    b = similarity.prose_stream("b", "q", "Lavrov replies to each question without any numbers whatsoever. "
                                          "Heavy rain fell on the quiet city today.")
    sets_a, sets_b = similarity.sentence_sets(a, frozenset()), similarity.sentence_sets(b, frozenset())
    assert similarity.aligned(sets_a, sets_b) == [(0, 0)] and similarity.alignment(sets_a, sets_b) == (1, 2)
