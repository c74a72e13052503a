"""Feedback on the grading day: what plain nbgrader gives with the course's configuration."""

import html
import re
from pathlib import Path

import pytest
from fixture_class import A1, grading_course
from nbgrader.api import Gradebook
from test_cli import wordsnums

from utils.course import model, synthetic
from utils.grading import gradebook, parallel

pytestmark = pytest.mark.slow


def feedback_page(root: Path, student: str) -> str:
    return html.unescape((root / "feedback" / student / A1 / f"{A1}.html").read_text())


def text_of(page: str) -> str:
    """The page's words, tags and runs of white space taken out."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def set_manual(root: Path, grade_id: str, score: float) -> None:
    with Gradebook(gradebook.gradebook_url(root)) as gb:
        gb.find_grade(grade_id, A1, A1, "full").manual_score = score
        gb.db.commit()


def test_feedback_tells_what_is_not_graded_yet_and_plain_nbgrader_makes_it_anew(tmp_course):
    root = tmp_course
    grading_course(root, due=None)
    synthetic.write_class(root, A1, {"full": "full"})
    assert [o.status for o in parallel.grade(root, A1)] == ["graded"]
    auto = gradebook.scores(root, A1).set_index("student").loc["full", "score"]  # Q12 and Q13 still to grade

    first = model.run_nbgrader(["generate_feedback", A1], cwd=root)
    said = first.stdout + first.stderr
    assert "not recognized" not in said and "Alternative text is missing" not in said, said
    assert 'alt="Dispersion plot of ' in feedback_page(root, "full")
    page = text_of(feedback_page(root, "full"))
    assert f"{A1}: {auto} of the 17.0 points graded so far" in page
    assert "7.0 more points are not graded yet" in page and "24.0 points in all" in page
    assert "Q12 written answer, graded by your instructor (not graded yet, 4.0 points)" in page
    assert "Q13 written answer, graded by your instructor (not graded yet, 3.0 points)" in page
    assert "Q1 checks (Score: 1.0 / 1.0)" in page and "Q13 length check (Score: 1.0 / 1.0)" in page
    for jargon in ("Coding free-response", "Test cell", "Grade cell", "their result is shown below"):
        assert jargon not in page

    set_manual(root, "q12_paragraph", 3.5)
    run = model.run_nbgrader(["generate_feedback", A1], cwd=root)  # no --force: the course's configuration
    assert "Skipping existing assignment" not in run.stdout + run.stderr
    page = text_of(feedback_page(root, "full"))
    assert f"{A1}: {auto + 3.5} of the 21.0 points graded so far" in page
    assert "Q12 written answer, graded by your instructor (Score: 3.5 / 4.0)" in page
    assert "Q13 written answer, graded by your instructor (not graded yet, 3.0 points)" in page

    set_manual(root, "q13_evasion", 0.0)  # a grade of 0 is a grade
    model.run_nbgrader(["generate_feedback", A1], cwd=root)
    page = text_of(feedback_page(root, "full"))
    assert f"{A1}: {auto + 3.5} / 24.0 points" in page and "not graded yet" not in page
    assert "Q13 written answer, graded by your instructor (Score: 0.0 / 3.0)" in page


def test_wordsnums_feedback_holds_back_pages_with_answers_to_grade_unless_allowed(tmp_course):
    root = tmp_course
    grading_course(root, due=None)
    synthetic.write_class(root, A1, {"ana": "full", "ben": "full"})
    assert [o.status for o in parallel.grade(root, A1)] == ["graded", "graded"]
    with Gradebook(gradebook.gradebook_url(root)) as gb:
        for grade_id in ("q12_paragraph", "q13_evasion"):
            gb.find_grade(grade_id, A1, A1, "ana").manual_score = 2.0
        gb.db.commit()
    assert gradebook.answers_to_grade(root, A1) == {"ben": ["q12_paragraph", "q13_evasion"]}

    held = wordsnums("feedback", A1, "--course", root)
    assert held.returncode == 1, held.stdout + held.stderr
    assert f"{A1}: 1 student(s) have answers not graded yet: ben (Q12, Q13)" in held.stdout
    assert "their feedback is not written: grade those answers in the formgrader, or run again with " \
           "--allow-pending to write it now" in held.stdout
    assert sorted(p.parts[-3] for p in (root / "feedback").glob(f"*/{A1}/*.html")) == ["ana"]

    allowed = wordsnums("feedback", A1, "--course", root, "--allow-pending")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "their feedback shows those answers as not graded yet, and the score so far" in allowed.stdout
    assert "not graded yet" in text_of(feedback_page(root, "ben"))
    assert "not graded yet" not in text_of(feedback_page(root, "ana"))
