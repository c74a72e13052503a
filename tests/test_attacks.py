"""Students who attack the grader, graded by `wordsnums grade --jobs 2` and by plain `nbgrader autograde`.

The promise: their code reads nothing of the course, changes no file and no grade, reaches no network,
signals no process outside its sandbox and outlives its grading in no process; honest students beside
them keep exactly their scores; no feedback shows a solution, a hidden test or script.
"""

import hashlib
import html
import re
import socket
import threading
import time
from pathlib import Path

import nbformat
import pytest
from attack_class import KIT, MARKER, write_attack_class
from distributed import LocalCluster
from fixture_class import A1, NOTEBOOK, grading_course
from nbconvert.exporters import HTMLExporter
from nbgrader.api import Gradebook
from traitlets.config import PyFileConfigLoader

from utils.course import model
from utils.grading import gradebook, parallel

pytestmark = pytest.mark.slow
GRADING_OUTPUTS = {"autograded", "feedback", "grading_log", "gradebook.db", parallel.LEDGER, f"{parallel.LEDGER}.lock"}


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 that keeps whatever reaches it; stopped when the test ends."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                received.append(conn.recv(1024))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def digests(folder: Path, skip=frozenset()) -> dict[str, tuple[str, int]]:
    """Each file's content and mode (a link followed by a chmod would change only the mode)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not skip.intersection(p.relative_to(folder).parts) and "__pycache__" not in p.parts}


def marks(root: Path) -> set:
    """Every manual score and extra credit in the gradebook: autograding sets none."""
    with Gradebook(gradebook.gradebook_url(root)) as gb:
        return {(g.manual_score, g.extra_credit) for s in gb.students for sub in s.submissions
                for nb in sub.notebooks for g in nb.grades}


def survivors() -> list[str]:
    """Processes the detacher left behind, anywhere on this machine."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if MARKER.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            pass
    return found


def secret_fragments(root: Path) -> list[str]:
    """Stretches of A1's solutions and hidden tests that the release notebook does not hold."""
    source = nbformat.read(root / "source" / A1 / NOTEBOOK, as_version=4)
    released = (root / "release" / A1 / NOTEBOOK).read_text()
    fragments = []
    for c in source.cells:
        for markers in (model.SOLUTION_MARKERS, model.HIDDEN_MARKERS):
            inside = model.strip_region(c.source, markers, keep=True).split("\n")
            outside = set(model.strip_region(c.source, markers, keep=False).split("\n"))
            for line in inside:
                run = max(re.findall(r"[\w .,()=<>+-]{16,}", line), key=len, default="").strip()
                if line not in outside and len(run) >= 16 and run not in released:
                    fragments.append(run)
    return fragments


def scripts(page: str) -> list[str]:
    """Script a student could have put in a page: their marker inside a script tag or an event handler."""
    return re.findall(r"<script[^>]*>[^<]*PWNED[^<]*|<[^>]+\bon\w+\s*=[^>]*PWNED", page)


def graded_and_gained_nothing(root: Path, expected: dict, received: list, course_before: dict, kit_before: dict,
                              **where) -> None:
    """Grade the attack class (on local workers, or where ``where`` says) and check that it gained nothing."""
    start = time.perf_counter()
    outcomes = {o.student: o for o in parallel.grade(root, A1, **where)}
    took = time.perf_counter() - start
    assert took < 300, f"grading took {took:.0f} s: something kept the run open"
    assert {s: o.status for s, o in outcomes.items()} == {s: "graded" for s in expected}, outcomes
    assert gradebook.scores(root, A1).set_index("student")["score"].to_dict() == expected

    time.sleep(6)  # the detacher's child would have written its extra credit by now
    assert survivors() == []
    assert marks(root) == {(None, None)}
    assert received == []
    assert digests(root, GRADING_OUTPUTS) == course_before
    assert digests(KIT) == kit_before


def test_the_attack_class_gains_nothing_and_changes_nothing(tmp_course, listener):
    port, received = listener
    root = tmp_course
    expected = write_attack_class(root, grading_course(root, due=None), port)
    course_before, kit_before = digests(root, GRADING_OUTPUTS), digests(KIT)
    graded_and_gained_nothing(root, expected, received, course_before, kit_before, jobs=2)

    model.run_nbgrader(["generate_feedback", A1, "--force"], cwd=root)
    secrets = secret_fragments(root)
    assert len(secrets) > 20
    for student in ("leaker", "exec_source"):
        page = html.unescape((root / "feedback" / student / A1 / f"{A1}.html").read_text())
        assert [s for s in secrets if s in page] == [], student
    for page in (root / "feedback").rglob("*.html"):
        assert scripts(page.read_text()) == [], page
    # the formgrader renders a submission with nbconvert's HTMLExporter and the course's configuration
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    page, _ = HTMLExporter(config=config).from_filename(str(root / "autograded" / "scripter" / A1 / NOTEBOOK))
    assert scripts(page) == []

    # plain nbgrader, with the course's configuration, runs every kernel in the same sandbox
    run = model.run_nbgrader(["autograde", A1, "--force"], cwd=root, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert gradebook.scores(root, A1).set_index("student")["score"].to_dict() == expected
    time.sleep(6)
    assert survivors() == []
    assert marks(root) == {(None, None)}
    assert received == []
    assert digests(root, GRADING_OUTPUTS) == course_before
    assert digests(KIT) == kit_before


def test_the_attack_class_graded_on_a_dask_cluster_gains_nothing_and_changes_nothing(tmp_course, listener):
    port, received = listener
    root = tmp_course
    expected = write_attack_class(root, grading_course(root, due=None), port)
    course_before, kit_before = digests(root, GRADING_OUTPUTS), digests(KIT)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        graded_and_gained_nothing(root, expected, received, course_before, kit_before,
                                  scheduler=cluster.scheduler_address)
