"""Grading a class with nbgrader in parallel, skipping what is graded and unchanged, with a log per run.

Submissions are shared out among ``jobs`` worker processes (:mod:`utils.grading.worker`), each
running nbgrader's own autograder on one submission after another with a fresh kernel for each,
all on the course's one gradebook (sqlite, or the server CourseDirectory.db_url names). A
submission already graded and unchanged since is skipped; a failing one is reported and never stops
the others. What the workers logged (nbgrader's log of each submission) is kept in
grading_log/ASSIGNMENT.log.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from filelock import FileLock

from utils.course.model import course_files, nbgrader_env
from utils.grading import cluster, extensions
from utils.grading.gradebook import submitted_timestamps
from utils.grading.submissions import special_kind, student_problem

# beside gradebook.db: what each grade was computed from, one JSON line per grade written (the last one counts),
# so that recording a grade costs the same in a class of ten and of thousands
LEDGER = ".wordsnums-graded.jsonl"


@dataclass
class Outcome:
    student: str
    status: str  # graded, skipped or failed
    seconds: float
    message: str = ""
    notes: list[str] = field(default_factory=list)  # what grading found and repaired, for the instructor


def students(course: Path, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` in course/submitted/."""
    root = course / "submitted"
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir()) if root.is_dir() else []


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:  # grading says what it cannot read; a fingerprint must not stop the run
        return f"unreadable: {err.strerror}".encode()


def _hash_folder(digest, folder: Path) -> None:
    for path in course_files(folder):
        if special_kind(path) is None:  # a link is never followed (grading leaves it out too)
            digest.update(os.fsencode(path.relative_to(folder)) + b"\0" + _read(path) + b"\0")


def _course_digest(course: Path, assignment: str) -> bytes:
    digest = hashlib.sha256()
    _hash_folder(digest, course / "source" / assignment)
    digest.update((course / "nbgrader_config.py").read_bytes())
    return digest.digest()


def submission_hash(course: Path, assignment: str, student: str, course_digest: bytes | None = None,
                    extension_hours: float | None = None) -> str:
    """A fingerprint of what a grade is computed from: the submission, the source (tests), the config and the
    student's extension.

    A fixed hidden test, a new late policy or an extension changes it, so nobody keeps a stale grade.
    ``course_digest``: the source's and config's part, computed once for a whole class.
    """
    digest = hashlib.sha256()
    _hash_folder(digest, course / "submitted" / student / assignment)
    digest.update(course_digest or _course_digest(course, assignment))
    if extension_hours:
        digest.update(f"extension {extension_hours:g} h".encode())
    return digest.hexdigest()


def _ledger(course: Path) -> dict:
    """What each grade in the course was computed from, by ASSIGNMENT/STUDENT (a line cut short is skipped)."""
    path = course / LEDGER
    ledger = {}
    for line in path.read_text(errors="replace").splitlines() if path.is_file() else []:
        try:
            entry = json.loads(line)
            ledger[entry["key"]] = entry["fingerprint"]
        except (ValueError, KeyError, TypeError):
            continue
    return ledger


def _record(course: Path, key: str, value: str) -> None:
    """Add one entry to the ledger; a lock keeps concurrent `wordsnums grade` runs from interleaving lines."""
    with FileLock(course / (LEDGER + ".lock")), open(course / LEDGER, "a") as ledger:
        ledger.write(json.dumps({"key": key, "fingerprint": value}) + "\n")


def _outcome(line: str, expected: set[str]) -> Outcome | None:
    """One worker's report line as an outcome; None for anything that is not one (never fatal)."""
    try:
        outcome = Outcome(**json.loads(line))
    except (ValueError, TypeError):
        return None
    return outcome if outcome.student in expected else None


def _worker(course: Path, assignment: str, students: list[str], warm: bool, logs: list[str]):
    """Start a grading worker for some students; yields each student's outcome as it finishes.

    Appends what the worker logged to ``logs``, headed by the students it graded.
    """
    # the worker's stderr: nbgrader's log, and why it stopped if it did
    with tempfile.TemporaryFile("w+", errors="replace") as log:
        proc = subprocess.Popen([sys.executable, "-m", "utils.grading.worker", str(course), assignment, *students],
                                cwd=course, env=nbgrader_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=log, text=True, errors="replace")
        proc.stdin.write(json.dumps({"warm": warm}))
        proc.stdin.close()
        done = set()
        for line in proc.stdout:
            if (outcome := _outcome(line, set(students) - done)) is not None:
                done.add(outcome.student)
                yield outcome
        proc.wait()
        log.seek(0)
        text = log.read()
        logs.append(f"==> worker for {', '.join(students)} (exit {proc.returncode}) <==\n{text}")
        last = next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "")
    for student in students:  # a worker that died takes no one's grade with it silently
        if student not in done:
            yield Outcome(student, "failed", 0.0, f"the grading worker stopped (exit {proc.returncode})"
                          + (f": {last[:300]}" if last else ""))


def _chosen(course: Path, assignment: str, only: list[str] | None) -> list[str]:
    """The students to grade: all with a submission, or those in ``only``, each of whom must have one."""
    everyone = students(course, assignment)
    if only is None:
        return everyone
    only = [only] if isinstance(only, str) else list(only)  # one id is not a list of its letters
    if missing := [student for student in only if student not in everyone]:
        looked = [f"{student!r} (no folder {course / 'submitted' / student / assignment})" for student in missing]
        raise ValueError(f"no submission of {assignment} by {', '.join(looked)}")
    return sorted(set(only))


def grade(course: Path, assignment: str, jobs: int | None = None, force: bool = False,
          progress=None, only: list[str] | None = None, warm: bool = True,
          scheduler: str | None = None) -> list[Outcome]:
    """Autograde every submission of ``assignment`` in parallel; returns one outcome per student.

    ``progress``, if given, is called with each outcome as it completes (for a progress bar). ``only``,
    if given, names the students to grade; the others are left alone and not listed. ``warm``: fork each
    sandboxed kernel from a template that has imported the notebooks' libraries (:mod:`.warm`).
    ``scheduler``: grade on the Dask cluster whose scheduler has this address (:mod:`.cluster`) instead of
    ``jobs`` local workers; raises :class:`.cluster.ClusterUnavailable` if grading cannot start there.
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1 (the number of grading workers), not {jobs}")
    jobs = jobs or os.cpu_count() or 1
    ledger, common = _ledger(course), _course_digest(course, assignment)
    graded = submitted_timestamps(course, assignment)  # read once: a class of thousands is one query
    granted = extensions.hours_of(course, assignment)
    todo, outcomes = [], []
    for student in _chosen(course, assignment, only):
        key = f"{assignment}/{student}"
        fingerprint = submission_hash(course, assignment, student, common, granted.get(student))
        # an id nbgrader cannot take is never looked up (its worker fails it with the reason)
        done = (not student_problem(course / "submitted" / student)
                and (course / "autograded" / student / assignment).is_dir() and student in graded)
        if not force and done and ledger.get(key) == fingerprint:
            outcomes.append(Outcome(student, "skipped", 0.0, "already graded, unchanged"))
            if progress:
                progress(outcomes[-1])
        else:
            todo.append((student, key, fingerprint))
    fingerprints = {student: (key, fp) for student, key, fp in todo}
    extended = extensions.prepare(course, assignment, list(fingerprints)) if todo else {}  # in nbgrader's gradebook
    logs, lock = [], threading.Lock()

    def finish(outcome: Outcome) -> None:
        with lock:
            if outcome.status == "graded":
                _record(course, *fingerprints[outcome.student])
                if outcome.student in extended:
                    outcome.notes.insert(0, extended[outcome.student])
            outcomes.append(outcome)
            if progress:
                progress(outcome)

    if scheduler and todo:
        for fields in cluster.grade(course, assignment, list(fingerprints), scheduler, warm, logs, graded):
            finish(Outcome(**fields))
    else:
        def run(chunk):
            for outcome in _worker(course, assignment, [student for student, _, _ in chunk], warm, logs):
                finish(outcome)

        chunks = [todo[i::jobs] for i in range(min(jobs, len(todo)))]  # round robin: similar loads
        with ThreadPoolExecutor(max_workers=len(chunks) or 1) as pool:  # threads only read the workers' output
            list(pool.map(run, chunks))
    if logs:
        (course / "grading_log").mkdir(exist_ok=True)
        (course / "grading_log" / f"{assignment}.log").write_text("\n".join(logs), errors="replace")
    return sorted(outcomes, key=lambda o: o.student)


def write_log(course: Path, assignment: str, outcomes: list[Outcome]) -> Path:
    """What happened to each submission in the last run, as grading_log/ASSIGNMENT.csv in the course."""
    path = course / "grading_log" / f"{assignment}.csv"
    path.parent.mkdir(exist_ok=True)
    table = pd.DataFrame([(o.student, o.status, round(o.seconds, 1), o.message, " | ".join(o.notes))
                          for o in outcomes], columns=["student", "status", "seconds", "message", "notes"])
    table.to_csv(path, index=False)
    return path
