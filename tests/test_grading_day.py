"""The instructor's grading day in a real browser, through nbgrader's exchange and formgrader.

A1 is released; the student ada fetches it, works and submits (nbgrader's commands, as in the demo). The
instructor, in JupyterLab, opens the formgrader in a Lab tab beside the file browser, collects, grades with
``wordsnums grade``, gives Q12 and Q13 a score and a comment on the submission's page, generates and releases
feedback; ada, in her own JupyterLab, fetches it and reads both grades. A screenshot of each step and the
seconds each took go to test-artifacts/grading-day/.
"""

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT
from fixture_class import A1, grading_course
from nbgrader.api import Gradebook
from test_browser import CHROMIUM, FLAGS, Steps, jupyter_lab, menu, quiet_lab
from test_cli import wordsnums

from utils.course import model
from utils.grading import gradebook
from utils.instructor import demo

SHOTS = ROOT / "test-artifacts" / "grading-day"
GRADES = {"q12_paragraph": ("3.5", "A clear paragraph; name the speaker's exact words next time."),
          "q13_evasion": ("2", "Good evasion example; the second reason is missing.")}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="needs Debian's chromium: `make test` installs it as root")]


@pytest.fixture
def term(tmp_course, tmp_path_factory):
    """A1 released to the course's exchange and submitted by ada, who has a folder and nbgrader cache of her own."""
    root = tmp_course
    grading_course(root, due=None)
    with open(root / "nbgrader_config.py", "a") as config:  # instructor and student share one account here;
        # the course's own exchange, named: a hub's on this machine would otherwise be used (test_exchange.py)
        config.write(f"\nc.CollectApp.check_owner = False\nc.Exchange.root = {str(root / 'exchange')!r}\n")
    model.run_nbgrader(["release_assignment", A1], cwd=root)
    home = root / "students" / "ada"
    home.mkdir(parents=True)
    (home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {demo.COURSE_ID!r}\n"
        f"c.Exchange.root = {str(root / 'exchange')!r}\nc.Exchange.cache = {str(tmp_path_factory.mktemp('cache'))!r}\n")
    demo.fetch_work_submit(root, A1, "ada", "full")
    return root, home


def test_the_grading_day_in_the_formgrader_and_back_to_the_student(term, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    root, home = term
    labs = {name: tmp_path_factory.mktemp(f"{name}-lab") for name in ("instructor", "student")}
    with (jupyter_lab(root, labs["instructor"], quiet_lab(labs["instructor"])) as (url, token),
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        steps = Steps(page, SHOTS)
        try:
            instructor_day(page, steps, url, token, root)
            with jupyter_lab(home, labs["student"], quiet_lab(labs["student"])) as (student_url, student_token):
                student_reads_feedback(page, steps, student_url, student_token, home)
        except Exception:
            page.screenshot(path=SHOTS / "failed.png")  # where it stopped, for whoever reads the CI log
            raise
        browser.close()
    log = (labs["instructor"] / "lab.log").read_text()
    # ("Formgrader config is not serializable" stays: nbgrader prints the server's configuration too, and
    # jupyter_server keeps its extension list as a LazyConfigValue; the course's own part is JSON, test_plugins)
    # nbgrader's formgrader loads first, then the kit's pages edit its templates
    assert log.index("Loading the formgrader nbgrader serverextension") < log.index(
        "Words and Numbers: the formgrader's pages in the course's words")
    for noise in ("Unwritable directory", "not recognized"):
        assert noise not in log, [line for line in log.splitlines() if noise in line][:3]
    assert [name for name, _ in steps.times] == [
        "formgrader-in-a-lab-tab", "collected", "autograded", "q12-q13-graded", "feedback-generated",
        "feedback-released", "student-fetches-feedback", "student-reads-feedback"]


def close_success(frame, words: str) -> None:
    """Waits for the formgrader's success dialog, checks its words and closes it."""
    dialog = frame.locator("#success-modal")
    dialog.wait_for(timeout=180_000)
    assert words in dialog.inner_text(), dialog.inner_text()
    dialog.get_by_role("button", name="Close").last.click()
    dialog.wait_for(state="detached")


def instructor_day(page, steps: Steps, url: str, token: str, root: Path) -> None:
    page.goto(f"{url}/lab?token={token}")
    menu(page, "Nbgrader", "Formgrader")
    frame = page.frame_locator("iframe[src*='formgrader']")
    row = frame.locator("tr").filter(has=frame.get_by_role("link", name=A1, exact=True))
    row.wait_for()
    assert frame.locator("#warning-exchange").count() == 0  # the course's own exchange, no set-up
    frame.get_by_text("Current configuration (click to expand)").click()
    shown = frame.locator("#collapseConfig.in pre.panel-body")  # Bootstrap's "in": the panel has slid open
    shown.wait_for()
    config = json.loads(shown.inner_text())  # readable: indented JSON, plugins by name
    assert "utils.grading.execute.KitExecute" in config["Autograde"]["autograde_preprocessors"]
    assert config["IdentityProvider"]["token"] == "(hidden)" and token not in shown.inner_text()
    # in a Lab tab beside the file browser, no column is cut off: the menu goes on top, the table fits
    tab = page.locator("iframe[src*='formgrader']").bounding_box()
    assert tab["width"] < 1200  # the file browser is open beside it: the narrow layout is the one tested
    last = frame.get_by_role("columnheader", name="Release Feedback").bounding_box()
    assert last["x"] + last["width"] <= tab["x"] + tab["width"], (last, tab)
    menu_box, table = frame.locator("ul.nav-stacked").bounding_box(), frame.locator("table").first.bounding_box()
    assert menu_box["y"] + menu_box["height"] <= table["y"]
    steps.done("formgrader-in-a-lab-tab")

    row.locator(".collect a").click()
    close_success(frame, f"Successfully collected submissions of '{A1}'")
    assert (root / "submitted" / "ada" / A1 / f"{A1}.ipynb").is_file()
    row.locator(".num-submissions a").filter(has_text="1").wait_for()
    steps.done("collected")

    graded = wordsnums("grade", A1, "--course", root)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    auto = gradebook.scores(root, A1).set_index("student").loc["ada", "score"]
    assert auto == 17.0
    frame.get_by_role("link", name="Manual Grading").click()
    frame.get_by_role("link", name=A1, exact=True).click()
    frame.locator("tr").filter(has_text=A1).get_by_role("link", name=A1).first.click()
    frame.get_by_role("columnheader", name="Checks and Written Answers").wait_for()  # not "Code Score"
    assert frame.get_by_text("Code Score").count() == 0
    frame.get_by_role("link", name=re.compile("Submission #1")).click()
    frame.locator("#q12_paragraph").wait_for()
    steps.done("autograded")

    for grade_id, (score, comment) in GRADES.items():
        frame.locator(f"#{grade_id}-comment").fill(comment)
        frame.locator(f"#{grade_id}").fill(score)
        frame.locator(f"#{grade_id}").press("Tab")  # the formgrader saves a field when it changes
    with Gradebook(gradebook.gradebook_url(root)) as gb:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            gb.db.expire_all()
            saved = {g: (gb.find_grade(g, A1, A1, "ada").manual_score, gb.find_comment(g, A1, A1, "ada").comment)
                     for g in GRADES}
            if saved == {g: (float(s), c) for g, (s, c) in GRADES.items()}:
                break
            time.sleep(0.3)
        assert saved == {g: (float(s), c) for g, (s, c) in GRADES.items()}
    steps.done("q12-q13-graded")

    frame.get_by_role("link", name="Manual Grading").click()  # the submission page's way out
    frame.get_by_role("link", name="Manage Assignments").click()
    row.locator(".generate-feedback a").click()
    close_success(frame, f"Successfully generated feedback of '{A1}'")
    assert (root / "feedback" / "ada" / A1 / f"{A1}.html").is_file()
    steps.done("feedback-generated")

    row.locator(".release-feedback a").click()
    close_success(frame, f"Successfully released feedback of '{A1}'")
    assert len(list((root / "exchange" / demo.COURSE_ID / "feedback").glob("*.html"))) == 1
    steps.done("feedback-released")


def student_reads_feedback(page, steps: Steps, url: str, token: str, home: Path) -> None:
    page.goto(f"{url}/lab?token={token}")
    menu(page, "Nbgrader", "Assignment List")
    submitted = page.locator("#submitted_assignments_list .list_item", has_text=A1).first
    submitted.get_by_role("button", name="Fetch Feedback").click()
    page.get_by_text("view feedback").first.wait_for()
    fetched = list((home / A1 / "feedback").glob(f"*/{A1}.html"))
    assert len(fetched) == 1
    steps.done("student-fetches-feedback")

    page.goto(f"{url}/files/{fetched[0].relative_to(home)}?token={token}")
    text = " ".join(page.inner_text("body").split())
    assert f"{A1}: 22.5 / 24.0 points" in text, text[:500]
    assert "Q12 written answer, graded by your instructor (Score: 3.5 / 4.0)" in text
    assert "Q13 written answer, graded by your instructor (Score: 2.0 / 3.0)" in text
    assert all(comment in text for _, comment in GRADES.values())
    assert "not graded yet" not in text
    steps.done("student-reads-feedback")
    shutil.copy2(fetched[0], SHOTS / "feedback.html")
