"""Grading on a real Dask cluster: a LocalCluster, and a `dask scheduler` with two `dask worker` processes that
cannot see the course; the same grades as local grading, a worker killed mid-run, a submission that kills
every worker it is tried on, and a scheduler lost mid-run."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from distributed import Client, LocalCluster
from fixture_class import A1, DUE, NOTEBOOK, cell, grading_course
from nbgrader.api import Gradebook
from test_worker import stamp

from utils.course import synthetic
from utils.grading import cluster, parallel
from utils.grading.gradebook import gradebook_url

pytestmark = pytest.mark.slow
CLASS = {"full": "full", "part": "partial", "blank": "blank", "wrong": "wrong", "tampered": "tampered"}
DASK = Path(sys.executable).parent / "dask"


def class_course(folder: Path, students: dict[str, str] = CLASS) -> Path:
    """A course with A1 submitted by a synthetic class, one student late and one with an empty timestamp.txt."""
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "source", folder / "source")
    shutil.copy2(ROOT / "nbgrader_config.py", folder)
    grading_course(folder)
    synthetic.write_class(folder, A1, students)
    if "full" in students:
        stamp(folder / "submitted" / "full" / A1, "2026-01-11 18:00:00.000000 UTC", DUE)  # 30 hours late
    if "part" in students:
        stamp(folder / "submitted" / "part" / A1, "", DUE + timedelta(hours=30))
    return folder


def gradebook_rows(course: Path) -> dict:
    """Everything grading wrote into the gradebook, by student: timestamp, late penalty, each cell's grade."""
    with Gradebook(gradebook_url(course)) as gb:
        return {sub.student_id: (sub.timestamp, [
            (nb.name, nb.late_submission_penalty,
             sorted((g.name, g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades),
             sorted((c.name, c.auto_comment, c.manual_comment) for c in nb.comments)) for nb in sub.notebooks])
            for sub in gb.find_assignment(A1).submissions}


def outcomes(course: Path, found: list[parallel.Outcome]) -> list[tuple]:
    return [(o.student, o.status, o.message, [note.replace(str(course), "COURSE") for note in o.notes])
            for o in found]


def ledger_lines(course: Path) -> list[str]:
    return (course / parallel.LEDGER).read_text().splitlines()


def test_a_local_cluster_grades_as_local_workers_do_and_keeps_manual_grades(tmp_path):
    local, remote = class_course(tmp_path / "local"), class_course(tmp_path / "remote")
    here = parallel.grade(local, A1, jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as dask_cluster:
        address = dask_cluster.scheduler_address
        there = parallel.grade(remote, A1, scheduler=address)
        assert outcomes(remote, there) == outcomes(local, here)
        assert {o.status for o in there} == {"graded"} and len(there) == len(CLASS)
        assert gradebook_rows(remote) == gradebook_rows(local)
        for course in (local, remote):
            penalty = gradebook_rows(course)["full"][1][0][1]
            assert penalty == pytest.approx(3.4)  # 2 started days late: 20% of 17
            graded = course / "autograded" / "full" / A1 / NOTEBOOK
            assert oct(graded.stat().st_mode & 0o777) == "0o444"
        notes = {o.student: " ".join(o.notes) for o in there}
        assert "timestamp.txt could not be read (it is empty)" in notes["part"]
        log = (remote / "grading_log" / f"{A1}.log").read_text()
        assert "==> tampered: graded in" in log and "[_AutogradeApp | INFO]" in log

        # unchanged: skipped, as on local workers
        again = parallel.grade(remote, A1, scheduler=address)
        assert {o.status for o in again} == {"skipped"}
        # a manual score a grader gave stays through a regrade, and the cell is marked for review, as nbgrader does
        for course in (local, remote):
            with Gradebook(gradebook_url(course)) as gb:
                gb.find_grade("q1_test", NOTEBOOK.removesuffix(".ipynb"), A1, "part").manual_score = 0.5
                gb.db.commit()
        here = parallel.grade(local, A1, jobs=1, force=True, only=["part"])
        there = parallel.grade(remote, A1, scheduler=address, force=True, only=["part"])
        assert gradebook_rows(remote) == gradebook_rows(local)
        late = "30.0 hours late: a penalty of 1.90 of 9.50 points"  # 20% of the score with the manual 0.5
        assert late in there[0].notes and outcomes(remote, there) == outcomes(local, here)
        assert f"[written into the gradebook] {late}" in (remote / "grading_log" / f"{A1}.log").read_text()
        q1 = [g for g in gradebook_rows(remote)["part"][1][0][2] if g[0] == "q1_test"]
        assert q1 == [("q1_test", 1.0, 0.5, True)]
    assert len(ledger_lines(remote)) == len(CLASS) + 1  # one line per grade written, the regrade's included


class DaskProcesses:
    """A `dask scheduler` and `dask worker` processes on 127.0.0.1, each in its own folder; stopped by stop()."""

    def __init__(self, folder: Path, hidden: Path | None = None, scheduler_env: dict | None = None):
        self.folder, self.hidden, self.processes = folder, hidden, []
        self.file = folder / "scheduler.json"
        self.scheduler = self._start("scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                                   "--no-dashboard", "--scheduler-file", self.file],
                                     env=os.environ | (scheduler_env or {}))
        deadline = time.monotonic() + 60
        while not self.file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        with Client(scheduler_file=str(self.file), timeout=30) as client:
            self.address = client.scheduler.address

    def _start(self, name: str, argv: list, env=None, hide=False) -> subprocess.Popen:
        home = self.folder / name
        home.mkdir(parents=True, exist_ok=True)
        argv = [str(arg) for arg in argv]
        if hide:  # a mount namespace in which the course folder is an empty file system: the worker cannot see it
            argv = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    'mount -t tmpfs -o size=1m hidden "$0" && exec "$@"', str(self.hidden), *argv]
        process = subprocess.Popen(argv, cwd=home, env=env, stdout=subprocess.DEVNULL,
                                   stderr=open(home / "stderr.log", "w"), start_new_session=True)
        self.processes.append(process)
        return process

    def worker(self, name: str, *options) -> subprocess.Popen:
        return self._start(name, [DASK, "worker", "--scheduler-file", self.file, "--nthreads", "1", "--host",
                                  "127.0.0.1", "--no-dashboard", "--local-directory", self.folder / name, *options],
                           hide=self.hidden is not None)

    def client(self, workers: int) -> Client:
        client = Client(self.address, timeout=30)
        client.wait_for_workers(workers, timeout=120)
        return client

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def dask_processes(tmp_path):
    made = []

    def start(**kwargs) -> DaskProcesses:
        made.append(DaskProcesses(tmp_path / "dask", **kwargs))
        return made[-1]

    yield start
    for processes in made:
        processes.stop()


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="hiding the course from the workers needs a mount "
                                "namespace, made as root")


@needs_root
def test_two_dask_workers_that_cannot_see_the_course_grade_it_from_the_command_line(tmp_path, dask_processes):
    course = class_course(tmp_path / "course")
    expected = {student: synthetic.expected_score(kind, nbformat.read(course / "source" / A1 / NOTEBOOK, 4))
                for student, kind in CLASS.items()}
    dask = dask_processes(hidden=course)
    workers = [dask.worker(f"worker{i}") for i in (1, 2)]
    with dask.client(2) as client:
        pids = client.run(os.getpid)
    for pid in pids.values():  # what each worker sees at the course's path: an empty folder
        assert os.listdir(f"/proc/{pid}/root{course}") == []
    assert all(worker.poll() is None for worker in workers)
    run = subprocess.run([Path(sys.executable).parent / "wordsnums", "grade", A1, "--course", course,
                          "--scheduler", dask.address], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(CLASS)} graded, 0 skipped (unchanged), 0 failed" in run.stdout
    assert f"on the Dask cluster at {dask.address}" in run.stdout
    with Gradebook(gradebook_url(course)) as gb:
        got = {student: gb.find_submission(A1, student).score for student in CLASS}
    assert got == expected
    assert sorted(os.listdir(course / "autograded")) == sorted(CLASS)


def test_an_unreachable_scheduler_set_in_the_config_is_named_with_the_fix(tmp_path):
    course = class_course(tmp_path / "course", {"full": "full"})
    with open(course / "nbgrader_config.py", "a") as config:
        config.write('\nc.DaskGrading.scheduler = "tcp://127.0.0.1:9"\n')
    assert cluster.configured_scheduler(course) == "tcp://127.0.0.1:9"
    run = subprocess.run([Path(sys.executable).parent / "wordsnums", "grade", A1, "--course", course],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "wordsnums grade: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in run.stderr
    assert "start it (`dask scheduler`), or correct --scheduler (c.DaskGrading.scheduler); nothing graded" in run.stderr
    assert not (course / "autograded").exists()


def _kill_a_busy_worker(client: Client, student: str, killed: list) -> None:
    """Kill (SIGKILL) the first worker seen grading ``student``'s submission; its nanny starts a new one."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        busy = [address for address, keys in client.processing().items()
                if any(f"-{A1}-{student}-" in key for key in keys)]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])
            return
        time.sleep(0.2)


# at most 25 MB a second, a pace the worker reads at even on a busy machine: faster, the kernel's own queue of
# unsent output could fill first, and the kernel, not the worker, would run out of memory
FLOOD = "import time\nwhile True:\n    print('x' * 1_000_000, flush=True)\n    time.sleep(0.04)\n"


def test_a_killed_worker_loses_no_grade_and_a_submission_that_kills_every_worker_fails_alone(tmp_path,
                                                                                              dask_processes):
    course = class_course(tmp_path / "course")
    flooder = course / "submitted" / "flooder" / A1
    flooder.mkdir(parents=True)
    nb = nbformat.read(course / "submitted" / "full" / A1 / NOTEBOOK, 4)
    # its output, kept in the grading worker until the cell ends, fills the worker's memory
    cell(nb, "q1_boundary").source += "\n" + FLOOD
    nbformat.write(nb, flooder / NOTEBOOK)
    with open(course / "nbgrader_config.py", "a") as config:  # time enough to fill the worker on a busy machine
        config.write("\nc.Execute.timeout = 120\n")
    # after one retry, a task whose workers all died fails (Dask's allowed-failures)
    # (and a worker holds only the task it runs, so that a death counts against that one only)
    dask = dask_processes(scheduler_env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
                                         "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"})
    for i in (1, 2):
        dask.worker(f"worker{i}", "--memory-limit", "800MB")
    killed = []
    with dask.client(2) as client:
        killer = threading.Thread(target=_kill_a_busy_worker, args=(client, "full", killed))
        killer.start()
        found = parallel.grade(course, A1, scheduler=dask.address)
        killer.join()
    assert len(killed) == 1
    statuses = {o.student: o.status for o in found}
    assert statuses == dict.fromkeys(CLASS, "graded") | {"flooder": "failed"}, outcomes(course, found)
    assert len(found) == len(CLASS) + 1  # every submission reported once
    message = next(o.message for o in found if o.student == "flooder")
    assert message.startswith("its grading ended the Dask worker each of the 2 times it was tried")
    assert f"`wordsnums grade {A1} --student flooder`" in message
    assert sorted(line.split('"')[3].split("/")[1] for line in ledger_lines(course)) == sorted(CLASS)  # once each
    assert sorted(gradebook_rows(course)) == sorted(CLASS)


def test_a_lost_scheduler_ends_the_run_keeping_what_was_graded(tmp_path, dask_processes):
    course = class_course(tmp_path / "course")
    dask = dask_processes()
    dask.worker("worker1")
    seen = []

    def progress(outcome):
        seen.append(outcome)
        if len(seen) == 1:  # the first grade is written: the scheduler goes
            os.killpg(dask.scheduler.pid, signal.SIGKILL)

    with dask.client(1):
        found = parallel.grade(course, A1, scheduler=dask.address, progress=progress)
    graded = [o.student for o in found if o.status == "graded"]
    lost = [o for o in found if o.status == "failed"]
    assert len(graded) == 1 and len(found) == len(CLASS)
    assert lost and all(o.message.startswith(f"not graded: the connection to the Dask scheduler at {dask.address} "
                                             "was lost") for o in lost)
    assert lost[0].message.endswith("what was graded before is kept: run the same command again to grade the rest")
    assert sorted(gradebook_rows(course)) == graded  # kept
    assert len(ledger_lines(course)) == 1
