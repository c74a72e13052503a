"""The course on a real JupyterHub: real Unix users, a shared exchange, the student image, sandboxed grading.

JupyterHub with LocalProcessSpawner and a shared-password authenticator listens on 127.0.0.1. The students'
servers run the student image (the bundle's Dockerfile run on /opt/wordsnums-hub: no solution, no grading
code); the instructor is a Unix user whose course folder no one else can open, and who runs the kit from an
environment of its own over the same packages. Three students log in through the hub's login form (one in
Chromium), fetch A1 through nbgrader's server extension, answer fully, half or not at all, and submit; one
tries to read the others' work and the course, and the file system refuses. The instructor collects, grades
with `wordsnums grade` (sandboxed), writes and releases feedback; each student fetches their own.
Screenshots of the browser student go to test-artifacts/hub/.
"""

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from nbgrader.api import Gradebook
from student_image import IMAGE_ENV
from test_browser import CHROMIUM, FLAGS, free_port, menu, wait_for_port

from utils.course import synthetic

A1 = "a1_close_reading"
COURSE_ID = "words-and-numbers"
INSTRUCTOR = "wn-instructor"
STUDENTS = {"wn-ada": "full", "wn-ben": "partial", "wn-cy": "blank"}  # wn-cy works in Chromium
BROWSER_STUDENT = "wn-cy"
MARKER = ".wordsnums-hub-test"  # in the home of each user this test made: only those are reused
SHOTS = ROOT / "test-artifacts" / "hub"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="makes Unix users and runs JupyterHub: run as root"),
              pytest.mark.skipif(not (IMAGE_ENV / "bin" / "jupyterhub").exists(),
                                 reason=f"needs {IMAGE_ENV}: `make test` builds it as root")]


def ensure_user(name: str) -> Path:
    """A Unix user made for this test (made now if missing); its home, emptied, private to it."""
    try:
        home = Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        home = Path(pwd.getpwnam(name).pw_dir)
        (home / MARKER).touch()
    if not (home / MARKER).is_file():
        pytest.skip(f"a user {name} exists that this test did not make; remove it or rename the test's users")
    for path in home.iterdir():
        if path.name != MARKER:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    os.chmod(home, 0o700)
    return home


def chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for p in [path, *path.rglob("*")]:
        os.lchown(p, entry.pw_uid, entry.pw_gid)


def as_user(user: str, args: list[str], cwd: Path, env: dict[str, str], check: bool = True):
    """Run ``args`` as ``user`` with only the environment ``env``."""
    proc = subprocess.run(["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *args],
                          cwd=cwd, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"{' '.join(args)} as {user}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}"
    return proc


def purelib(python: Path) -> Path:
    """Where ``python`` installs packages."""
    return Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())


def instructor_env(top: Path) -> Path:
    """The instructor's environment: a venv of Debian's Python over the image's packages, with the kit's wheel."""
    staging, wheels, venv = top / "kit-src", top / "kit-wheels", top / "instructor-venv"
    staging.mkdir()
    shutil.copytree(ROOT / "utils", staging / "utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, staging / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--quiet", "--wheel-dir", str(wheels), str(staging)], check=True)
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    # the image's packages, seen from the venv: the kit's own wheel is all it installs
    (purelib(venv / "bin" / "python") / "image_packages.pth").write_text(f"{purelib(IMAGE_ENV / 'bin' / 'python')}\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index",
                    "--disable-pip-version-check", "--find-links", str(wheels), "words-and-numbers"], check=True)
    return venv


class Hub:
    """A running JupyterHub; ``url`` is where the proxy listens."""

    def __init__(self, top: Path, config_dir: Path, password: str):
        self.top, self.password = top, password
        self.port, hub_port, api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        state = top / "hub"
        state.mkdir(mode=0o700)
        (state / "jupyterhub_config.py").write_text(f"""
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{state}/proxy.pid"
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {password!r}
c.Authenticator.allowed_users = {set(STUDENTS)!r}
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = ["{IMAGE_ENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# the image's programs (nbgrader runs alembic), the course-wide nbgrader config, the kit's offline language data
c.Spawner.environment = {{"PATH": "{IMAGE_ENV}/bin:/usr/bin:/bin", "JUPYTER_CONFIG_PATH": "{config_dir}",
                          "WORDSNUMS_OFFLINE_NLP": "1"}}
c.JupyterHub.cleanup_servers = True
""")
        env = {"PATH": f"{IMAGE_ENV}/bin:/usr/bin:/bin", "HOME": str(state), "LANG": "C.UTF-8"}
        self.log = open(state / "hub.log", "w")  # closed in stop()
        self.proc = subprocess.Popen([str(IMAGE_ENV / "bin" / "jupyterhub"), "-f", str(state / "jupyterhub_config.py")],
                                     cwd=state, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_for_port(self.port, 60)
        import requests

        deadline = time.monotonic() + 60
        while requests.get(f"{self.url}/hub/api", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, self.tail()
            time.sleep(0.3)

    def tail(self) -> str:
        return "\n".join((self.top / "hub" / "hub.log").read_text(errors="replace").splitlines()[-40:])

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)  # the hub stops the users' servers as it shuts down
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


class Student:
    """A student at the hub: logs in through the login form, then works through their server's API."""

    def __init__(self, hub: Hub, name: str):
        import requests

        self.hub, self.name, self.session = hub, name, requests.Session()
        self.server = f"{hub.url}/user/{name}"

    def login(self) -> None:
        page = self.session.get(f"{self.hub.url}/hub/login")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
        done = self.session.post(f"{self.hub.url}/hub/login", allow_redirects=False,
                                 data={"username": self.name, "password": self.hub.password, "_xsrf": xsrf})
        assert done.status_code == 302, f"login of {self.name}: {done.status_code} {done.text[:300]}"
        made = self.session.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", json={"note": "the test"},
                                 headers={"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/")})
        assert made.status_code == 201, made.text
        self.session.headers["Authorization"] = f"token {made.json()['token']}"

    def start_server(self) -> None:
        started = self.session.post(f"{self.hub.url}/hub/api/users/{self.name}/server")
        assert started.status_code in (201, 202, 400), started.text  # 400: already running
        deadline = time.monotonic() + 120
        while not self.session.get(f"{self.hub.url}/hub/api/users/{self.name}").json()["servers"].get(
                "", {}).get("ready"):
            assert time.monotonic() < deadline, self.hub.tail()
            time.sleep(0.5)

    def assignments(self, action: str) -> list[dict]:
        """nbgrader's assignment list in the student's server: fetch, submit or fetch_feedback A1."""
        answer = self.session.post(f"{self.server}/assignments/{action}",
                                   data={"course_id": COURSE_ID, "assignment_id": A1})
        assert answer.status_code == 200, answer.text
        listed = answer.json()
        assert isinstance(listed, dict) and listed.get("success"), f"{action} for {self.name}: {listed}"
        return listed["value"]

    def notebook(self) -> nbformat.NotebookNode:
        got = self.session.get(f"{self.server}/api/contents/{A1}/{A1}.ipynb")
        assert got.status_code == 200, got.text
        return nbformat.from_dict(got.json()["content"])

    def save(self, nb) -> None:
        saved = self.session.put(f"{self.server}/api/contents/{A1}/{A1}.ipynb",
                                 json={"type": "notebook", "format": "json", "content": nb})
        assert saved.status_code == 200, saved.text


def browser_student(hub: Hub, name: str) -> list[str]:
    """The student logs in through the hub's page in Chromium, fetches A1 and submits it blank; returns the steps."""
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    steps = []

    def done(step: str) -> None:
        steps.append(step)
        page.screenshot(path=SHOTS / f"{len(steps):02d}-{step}.png")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(90_000)
        try:
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", name)
            page.fill("#password_input", hub.password)
            done("login-form")
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{name}/lab**")
            page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for()
            done("lab-in-own-server")
            menu(page, "Nbgrader", "Assignment List")
            released = page.locator("#released_assignments_list .list_item", has_text=A1)
            released.get_by_role("button", name="Fetch", exact=True).click()
            fetched = page.locator("#fetched_assignments_list .list_item", has_text=A1).first
            fetched.wait_for()
            done("fetched")
            fetched.get_by_role("button", name="Submit", exact=True).click()
            page.locator("#submitted_assignments_list .list_item", has_text=A1).first.wait_for()
            done("submitted")
        except Exception:
            page.screenshot(path=SHOTS / "failed.png")
            raise
        finally:
            browser.close()
    return steps


@pytest.fixture(scope="module")
def term(student_image, tmp_path_factory):
    """Users, the exchange, the course-wide config, the instructor's course and environment; a hub running."""
    top = Path(tempfile.mkdtemp(prefix="wordsnums-hub-"))
    os.chmod(top, 0o755)  # every user reaches the exchange, the image's config and the instructor's environment
    homes = {user: ensure_user(user) for user in [INSTRUCTOR, *STUDENTS]}
    exchange = top / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)  # as nbgrader's docs set up a shared exchange: nbgrader sets each course's folders
    config_dir = top / "jupyter-config"  # a course-wide config, on JUPYTER_CONFIG_PATH instead of /etc/jupyter
    config_dir.mkdir()
    (config_dir / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n")
    course = homes[INSTRUCTOR] / "course"
    for folder in ("source", "data"):
        shutil.copytree(ROOT / folder, course / folder)
    shutil.copy2(ROOT / "nbgrader_config.py", course)
    chown_tree(course, INSTRUCTOR)
    venv = instructor_env(top)
    # the image's programs and Jupyter data (nbconvert's templates) sit in its prefix, not in the venv's
    env = {"HOME": str(homes[INSTRUCTOR]), "PATH": f"{venv}/bin:{IMAGE_ENV}/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "JUPYTER_CONFIG_PATH": str(config_dir), "JUPYTER_PATH": f"{IMAGE_ENV}/share/jupyter",
           "WORDSNUMS_ROOT": str(course), "WORDSNUMS_OFFLINE_NLP": "1"}
    hub = Hub(top, config_dir, secrets.token_hex(12))
    try:
        yield {"top": top, "exchange": exchange, "course": course, "env": env, "hub": hub, "homes": homes}
    finally:
        hub.stop()
        for user in [INSTRUCTOR, *STUDENTS]:  # nothing of theirs outlives the test, nor they
            subprocess.run(["pkill", "--signal", "KILL", "--uid", user], capture_output=True)
            subprocess.run(["userdel", "--force", "--remove", user], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


def instructor(term, *args: str, check: bool = True):
    return as_user(INSTRUCTOR, list(args), term["course"], term["env"], check=check)


def refused(user: str, code: str, term) -> str:
    """What Python says when ``user`` runs ``code``; the test expects a PermissionError."""
    proc = as_user(user, ["/usr/bin/python3", "-c", code], term["top"], {"HOME": str(term["homes"][user])},
                   check=False)
    return proc.stderr.strip().splitlines()[-1] if proc.returncode else f"NOT REFUSED: {proc.stdout.strip()}"


def test_a_term_on_a_real_hub(term):
    start = time.perf_counter()
    times = {}

    def lap(step: str) -> None:
        times[step] = round(time.perf_counter() - start - sum(times.values()), 1)

    course, exchange, hub = term["course"], term["exchange"], term["hub"]
    instructor(term, "wordsnums", "build", A1, "--course", str(course))
    lap("build")
    instructor(term, "nbgrader", "release_assignment", A1)
    assert (exchange / COURSE_ID / "outbound" / A1 / f"{A1}.ipynb").is_file()
    lap("build and release")

    source_nb = nbformat.read(course / "source" / A1 / f"{A1}.ipynb", as_version=4)
    for name, kind in STUDENTS.items():
        if name == BROWSER_STUDENT:
            assert browser_student(hub, name) == ["login-form", "lab-in-own-server", "fetched", "submitted"]
            lap(name)
            continue
        student = Student(hub, name)
        student.login()
        student.start_server()
        listed = student.assignments("fetch")
        assert any(a["assignment_id"] == A1 and a["status"] == "fetched" for a in listed), listed
        student.save(synthetic.submission(kind, source_nb, student.notebook()))
        student.assignments("submit")
        lap(name)
    inbound = exchange / COURSE_ID / "inbound"
    submitted = sorted(p.name.split("+")[0] for p in inbound.iterdir())
    assert submitted == sorted(STUDENTS)

    # a student tries to read another's submission, the other's home, and the instructor's course
    other = next(p for p in inbound.iterdir() if p.name.startswith("wn-ada+"))
    assert "PermissionError" in refused("wn-ben", f"import os; print(os.listdir({str(inbound)!r}))", term)
    assert "PermissionError" in refused("wn-ben", f"print(open({str(term['homes']['wn-ada'] / A1 / f'{A1}.ipynb')!r})"
                                                  ".read()[:80])", term)
    assert "PermissionError" in refused("wn-ben", f"print(open({str(course / 'source' / A1 / f'{A1}.ipynb')!r})"
                                                  ".read()[:80])", term)
    assert "PermissionError" in refused("wn-ben", f"import os; print(os.listdir({str(course)!r}))", term)
    # nbgrader names a submission with a random suffix: unlisted, it cannot be found
    assert len(other.name.split("+")) == 4

    instructor(term, "nbgrader", "collect", A1)
    lap("collect")
    graded = instructor(term, "wordsnums", "grade", A1, "--course", str(course), "--jobs", "2")
    assert "3 graded, 0 skipped (unchanged), 0 failed" in graded.stdout, graded.stdout + graded.stderr
    # graded in the sandbox, as the instructor: no cgroup for an ordinary user, so the log says so once
    log = (course / "grading_log" / f"{A1}.log").read_text()
    assert log.count("grading kernels run without a process limit") >= 1, log[-2000:]
    lap("grade")
    instructor(term, "wordsnums", "feedback", A1, "--course", str(course), "--allow-pending")  # Q12, Q13 to come
    instructor(term, "nbgrader", "release_feedback", A1)
    lap("collect, grade, feedback")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {name: sum(grade.auto_score or 0 for nb in gb.find_submission(A1, name).notebooks
                            for grade in nb.grades) for name in STUDENTS}
    expected = {name: synthetic.expected_score(kind, source_nb) for name, kind in STUDENTS.items()}
    assert expected == {"wn-ada": 17.0, "wn-ben": 10.0, "wn-cy": 0.0}
    assert scores == expected

    for name in STUDENTS:
        student = Student(hub, name)
        student.login()
        student.start_server()
        student.assignments("fetch_feedback")
        pages = sorted((term["homes"][name] / A1 / "feedback").glob(f"*/{A1}.html"))
        assert len(pages) == 1, f"{name} should see one feedback page, their own: {pages}"
        text = pages[0].read_text()
        # the total so far (while Q12 and Q13 wait for a grade), or the whole total
        total = re.search(rf"{A1}: ([0-9.]+) (?:of the [0-9.]+ points graded so far|/ 24.0 points)", text).group(1)
        assert float(total) == scores[name], (name, total)
        assert pages[0].stat().st_uid == pwd.getpwnam(name).pw_uid
    lap("students fetch feedback")
    print(f"hub term: {time.perf_counter() - start:.1f} s ({json.dumps(times)}); scores {json.dumps(scores)}")
