"""Grading on a Dask cluster (``wordsnums grade --scheduler ADDRESS``, or ``c.DaskGrading.scheduler``).

Workers need the kit installed and bubblewrap, nothing else: no shared file system, no database. Each task
carries one submission as data and returns its autograded files and grades as data
(:mod:`utils.grading.remote`); this process, the only writer, writes them into the course and its gradebook
as they come. A worker that dies mid-grade has its task retried on another by Dask; a submission whose
grading ends every worker it is tried on fails after the scheduler's ``allowed-failures`` retries and sinks no
one else; a lost scheduler ends the run, what was written kept, the rest reported as not graded.
"""

import uuid
from collections.abc import Iterator
from concurrent.futures import CancelledError
from datetime import UTC, datetime
from pathlib import Path

from traitlets import Unicode
from traitlets.config import Configurable

from utils.course.model import course_config
from utils.grading import remote, worker
from utils.grading.notes import is_late_note

CONNECT_SECONDS = 10  # a scheduler answers in milliseconds; an address that does not is wrong
WORKERS_SECONDS = 60  # how long a run waits for a first worker to join the scheduler
IN_FLIGHT_PER_THREAD = 2  # submissions sent ahead per worker thread: enough to keep it busy, few in memory


class DaskGrading(Configurable):
    """Where ``wordsnums grade`` grades: here, or on a Dask cluster."""

    scheduler = Unicode("", help="The Dask scheduler's address (tcp://HOST:8786) to grade on; '' grades on this "
                        "machine. `wordsnums grade --scheduler` overrides it").tag(config=True)


class ClusterUnavailable(RuntimeError):
    """Grading cannot start on the cluster; the message says why and what to do."""


def configured_scheduler(course: Path) -> str:
    """``c.DaskGrading.scheduler`` from the course's nbgrader_config.py ("" for none)."""
    config = course_config(course)
    return DaskGrading(config=config).scheduler


def _allowed_failures() -> int:  # run on the scheduler: its own setting is the one that counts
    import dask

    return dask.config.get("distributed.scheduler.allowed-failures")


def _given(data):
    """The data it is given: a task whose result the scheduler can compute again on another worker."""
    return data


def _connect(scheduler: str):
    from distributed import Client  # here: 0.7 s that only grading on a cluster pays, and psutil that it needs

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {scheduler} ({err}): start it (`dask "
                                 "scheduler`), or correct --scheduler (c.DaskGrading.scheduler)") from None
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except TimeoutError:
        client.close()
        raise ClusterUnavailable(f"no Dask worker joined the scheduler at {scheduler} within {WORKERS_SECONDS} s: "
                                 f"start some (`dask worker {scheduler} --nthreads 1`)") from None
    return client


def _outcome(student: str, status: str, message: str = "", seconds: float = 0.0, notes=()) -> dict:
    return {"student": student, "status": status, "seconds": seconds, "message": message, "notes": list(notes)}


def _prepared(course: Path, assignment: str, student: str, max_mb: int,
              before: datetime | None) -> remote.SubmissionData | dict:
    """The submission to send, or the outcome of one that cannot be graded (as a local worker would refuse it).
    ``before``: the timestamp of the submission graded before, if any."""
    refused, notes = worker.precheck(course, assignment, student, max_mb)
    if refused:
        return _outcome(student, "failed", refused[0], notes=notes)
    data = remote.submission_data(course, assignment, student, datetime.now(UTC).replace(tzinfo=None), before)
    if isinstance(data, str):
        return _outcome(student, "failed", data, notes=notes)
    return remote.SubmissionData(student, data.files, notes + data.notes)


def _killed(assignment: str, student: str, tries: int) -> dict:
    return _outcome(student, "failed", f"its grading ended the Dask worker each of the {tries} times it was tried "
                    "(killed, or out of memory), so it was given up: look for a notebook that fills memory or "
                    f"floods its output, and grade it alone on this machine with `wordsnums grade {assignment} "
                    f"--student {student}`")


def _written(writer: remote.Writer, result: remote.Result, logs: list[str]) -> dict:
    """The outcome of a result from a worker, written into the course if graded."""
    outcome = _outcome(result.student, result.status, result.message, result.seconds, result.notes)
    written = []
    if result.status == "graded":
        try:
            written = writer.write(result)
            # the worker's late penalty lacked the manual scores: the one written replaces it in the notes
            late = list(written)
            outcome["notes"] = [late.pop(0) if is_late_note(note) and late else note for note in result.notes] + late
        except Exception as err:  # the gradebook refused (a server down): this student only, said plainly
            outcome |= {"status": "failed", "message": f"graded on {result.where}, but writing its grades into the "
                        f"course failed ({type(err).__name__}: {err}): grade it again"}
    logs.append(f"==> {result.student}: {outcome['status']} in {result.seconds:.1f} s on {result.where} <==\n"
                f"{result.log}" + "".join(f"\n[written into the gradebook] {note}" for note in written))
    return outcome


def grade(course: Path, assignment: str, students: list[str], scheduler: str, warm: bool, logs: list[str],
          graded_before: dict[str, datetime | None]) -> Iterator[dict]:
    """Grade ``students``' submissions on the cluster whose scheduler is at ``scheduler``; yields each outcome (as
    :class:`utils.grading.parallel.Outcome`'s fields) once it is written. ``graded_before``: the timestamp of each
    submission in the gradebook. Raises :class:`ClusterUnavailable` if grading cannot start there."""
    from distributed import KilledWorker, as_completed

    client = _connect(scheduler)
    try:
        tries = client.run_on_scheduler(_allowed_failures) + 1
        # a task that returns the assignment's data, not scattered data: when every worker that held it has
        # died (a submission that ends each worker it is tried on can take both), the scheduler computes it
        # again from the task; scattered data would be lost, and the tasks needing it cancelled
        shared = client.submit(_given, remote.assignment_data(course, assignment, warm), pure=False,
                               key=f"wordsnums-assignment-{assignment}-{uuid.uuid4().hex}")
        max_mb = worker.max_notebook_mb(course)
        waiting, running, sent = list(reversed(students)), as_completed(loop=client.loop), {}
        lost = None
        with remote.Writer(course, assignment) as writer:
            limit = 1
            while waiting or running.count():
                try:  # workers may join or leave during the run
                    limit = max(1, IN_FLIGHT_PER_THREAD * sum(client.nthreads().values()))
                except (OSError, TimeoutError):
                    pass  # the scheduler is gone: the next result says so
                while waiting and running.count() < limit:
                    student = waiting.pop()
                    prepared = _prepared(course, assignment, student, max_mb, graded_before.get(student))
                    if isinstance(prepared, dict):
                        yield prepared
                        continue
                    future = client.submit(remote.grade, shared, prepared, pure=False,
                                           key=f"wordsnums-grade-{assignment}-{student}-{uuid.uuid4().hex}")
                    sent[future.key] = student
                    running.add(future)
                if not running.count():
                    break
                future = next(running)
                student = sent.pop(future.key)
                try:
                    result = future.result()
                except KilledWorker:
                    yield _killed(assignment, student, tries)
                    continue
                except (OSError, TimeoutError, CancelledError) as err:  # CommClosedError is an OSError
                    lost = (f"not graded: the connection to the Dask scheduler at {scheduler} was lost "
                            f"({type(err).__name__}: {err}); what was graded before is kept: run the same command "
                            "again to grade the rest")
                    yield _outcome(student, "failed", lost)
                    break
                finally:
                    future.release()
                yield _written(writer, result, logs)
        for student in [*sent.values(), *reversed(waiting)] if lost else []:
            yield _outcome(student, "failed", lost)
    finally:
        client.close(timeout=10)  # a lost scheduler is not waited for long
