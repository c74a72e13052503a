"""The grading day's pages with no network: the formgrader's submission page and a student's feedback page, in
Chromium, with every request that leaves the Jupyter server refused and recorded.

A page must ask nothing from outside, fail no request and throw no script error; the formgrader's own script
must get as far as its keyboard shortcuts (its help dialog opens).
"""

from urllib.parse import urlparse

import pytest
from conftest import ROOT
from fixture_class import A1, grading_course
from nbgrader.api import Gradebook
from test_browser import CHROMIUM, FLAGS, jupyter_lab

from utils.course import model, synthetic
from utils.grading import gradebook, parallel

SHOTS = ROOT / "test-artifacts" / "formgrader"  # apart from the student's browser test, which empties its own
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="needs Debian's chromium: `make test` installs it as root")]


@pytest.fixture
def graded_course(tmp_course):
    """A1 graded for one student, the written answers not yet graded, and the feedback written."""
    root = tmp_course
    grading_course(root, due=None)
    synthetic.write_class(root, A1, {"ada": "full"})
    assert [o.status for o in parallel.grade(root, A1)] == ["graded"]
    model.run_nbgrader(["generate_feedback", A1], cwd=root)
    with open(root / "nbgrader_config.py", "a") as config:  # named: a hub's on this machine would otherwise be used
        config.write(f"\nc.Exchange.root = {str(root / 'exchange')!r}\n")
    return root


@pytest.fixture
def formgrader(graded_course, tmp_path):
    """JupyterLab serving the course folder, with nbgrader's formgrader; yields its URL and token."""
    with jupyter_lab(graded_course, tmp_path) as (url, token):
        yield url, token, graded_course


class Watch:
    """What a page asked from outside (refused), which requests failed and which script errors it threw."""

    def __init__(self, page):
        self.outside, self.failed, self.errors = [], [], []
        page.route("**/*", self.route)
        page.on("requestfailed", lambda request: self.failed.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", lambda response: response.status >= 400 and self.failed.append(
            f"{response.status} {response.url}"))

    def route(self, route):
        if urlparse(route.request.url).hostname in {"127.0.0.1", None} or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


def test_the_formgrader_and_feedback_pages_need_no_network(formgrader):
    from playwright.sync_api import sync_playwright

    url, token, root = formgrader
    with Gradebook(gradebook.gradebook_url(root)) as gb:
        submission = gb.find_submission_notebook(A1, A1, "ada").id
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        watch = Watch(page)
        page.goto(f"{url}/formgrader/submissions/{submission}/?token={token}", wait_until="networkidle")
        assert page.evaluate("typeof MathJax") == "object"
        assert "Q12 written answer, graded by you" in page.inner_text("body")
        page.locator(".help").click()
        page.locator("#help-dialog").get_by_text("Keyboard shortcuts").wait_for()
        page.screenshot(path=SHOTS / "formgrader-offline-help.png")
        assert (watch.outside, watch.failed, watch.errors) == ([], [], [])

        watch = Watch(page)
        page.goto(f"{url}/files/feedback/ada/{A1}/{A1}.html?token={token}", wait_until="networkidle")
        assert "not graded yet" in page.inner_text("body")
        page.screenshot(path=SHOTS / "feedback-offline.png")
        assert (watch.outside, watch.failed, watch.errors) == ([], [], [])
        browser.close()
