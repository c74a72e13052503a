"""The grading worker and the parallel run: links and pipes left out, odd student ids, timestamp.txt,
one student's crash failing that student only, and grading some students or all."""

import io
import json
import os
import shutil
import socket
import stat
import sys
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from conftest import within
from fixture_class import A1, DUE, NOTEBOOK, cell, grading_course
from nbformat.v4 import new_notebook
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import parse_utc

from utils.grading import gradebook, parallel, worker
from utils.grading.submissions import format_timestamp

NOW = datetime(2026, 2, 1, 12, 0)


def add_special_entries(folder: Path) -> None:
    """Links (to a file, to a folder, deep down), a named pipe and a socket, beside plain files."""
    (folder / "data" / "deep").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "ok.txt").write_text("fine")
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "source").symlink_to("../../../source")
    (folder / "solution.ipynb").symlink_to(f"../../../source/{A1}/{NOTEBOOK}")
    (folder / "data" / "deep" / "link.txt").symlink_to("/etc/hostname")
    os.mkfifo(folder / "pipe")
    cwd = os.getcwd()
    os.chdir(folder)  # a Unix socket's path must be short
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("sock")
    finally:
        os.chdir(cwd)


SPECIAL = ["passwd", "source", "solution.ipynb", "data/deep/link.txt", "pipe", "sock"]


def test_the_copy_leaves_out_links_pipes_and_sockets_at_any_depth(tmp_path):
    source = tmp_path / "submitted"
    source.mkdir()
    nbformat.write(new_notebook(), source / NOTEBOOK)
    add_special_entries(source)
    assert within(10, lambda: worker._copy(source, tmp_path / "copy")) == []
    copied = sorted(p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*"))
    assert copied == [NOTEBOOK, "data", "data/deep", "data/ok.txt"]


def test_the_tree_of_the_grading_copy_follows_no_link(tmp_path):
    add_special_entries(tmp_path)
    tree = within(10, lambda: worker._tree(tmp_path))
    assert tree["passwd"] == "link to /etc/passwd" and tree["source"] == "link to ../../../source"
    assert "pipe" not in tree and "sock" not in tree and "data/ok.txt" in tree


def test_links_its_code_made_are_gone_before_nbgrader_makes_the_graded_files_read_only(tmp_path, caplog):
    victim = tmp_path / "victim.txt"
    victim.write_text("anything the grader may change")
    victim.chmod(0o644)
    graded = tmp_path / "course" / "autograded" / "ada" / A1
    graded.mkdir(parents=True)
    (graded / NOTEBOOK).write_text("{}")
    (graded / "v.txt").symlink_to(victim)
    os.mkfifo(graded / "p")
    converter = worker._Autograde(coursedir=CourseDirectory(root=str(tmp_path / "course")))
    within(10, lambda: converter.set_permissions(A1, "ada"))
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644  # nbgrader's chmod would have followed the link
    assert stat.S_IMODE((graded / NOTEBOOK).stat().st_mode) == 0o444 and os.listdir(graded) == [NOTEBOOK]
    assert f"{worker.KIT_NOTE}its code made v.txt, a symbolic link to {victim}: left out of the graded copy" \
           in caplog.messages


def stamp(folder: Path, text: str | None, mtime: datetime) -> None:
    if text is not None:
        (folder / "timestamp.txt").write_text(text)
    path = folder / "timestamp.txt" if text is not None else folder
    seconds = (mtime - datetime(1970, 1, 1)).total_seconds()
    os.utime(path, (seconds, seconds))


@pytest.fixture
def submitted(tmp_path) -> Path:
    folder = tmp_path / "submitted"
    folder.mkdir()
    return folder


def settle(submitted: Path, before: datetime | None = None) -> tuple[list[str], str | None]:
    """The notes, and the timestamp.txt nbgrader will read in the scratch copy (None: there is none)."""
    copy = submitted.parent / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    worker._copy(submitted, copy)
    notes = worker.settle_timestamp(submitted, copy, NOW, before)
    path = copy / "timestamp.txt"
    return notes, path.read_text() if path.is_file() else None


COLLECTED = datetime(2026, 1, 11, 18, 0)


def test_a_good_timestamp_or_none_is_left_alone(submitted):
    assert settle(submitted) == ([], None)
    stamp(submitted, "2026-01-11 18:00:00.000000 UTC", COLLECTED + timedelta(hours=1))
    assert settle(submitted) == ([], "2026-01-11 18:00:00.000000 UTC")


@pytest.mark.parametrize("text, why", [
    ("", "could not be read (it is empty)"),
    ("soon, I promise", "could not be read ('soon, I promise' is no date and time)"),
    ("2099-01-01 00:00:00 UTC", "is in the future ('2099-01-01 00:00:00 UTC')"),
])
def test_an_unusable_timestamp_gives_way_to_the_time_of_collection(submitted, text, why):
    stamp(submitted, text, COLLECTED)
    notes, written = settle(submitted)
    assert notes == [f"timestamp.txt {why}: the late penalty uses the time of collection instead, "
                     "2026-01-11 18:00:00.000000 UTC"]
    assert parse_utc(written) == COLLECTED
    assert (submitted / "timestamp.txt").read_text() == text  # the submission itself is never changed


def test_a_collection_time_in_the_future_is_now(submitted):
    stamp(submitted, "", NOW + timedelta(days=400))
    assert parse_utc(settle(submitted)[1]) == NOW


@pytest.mark.parametrize("make", [lambda p: p.symlink_to("/etc/passwd"), lambda p: p.mkdir(),
                                  lambda p: os.mkfifo(p), lambda p: p.write_bytes(b"2026-01-11 " * 200)])
def test_a_timestamp_that_is_no_small_plain_file_gives_way_to_the_folders_time(submitted, make):
    make(submitted / "timestamp.txt")
    stamp(submitted, None, COLLECTED)
    notes, written = within(10, lambda: settle(submitted))
    assert notes[0].startswith("timestamp.txt could not be read (it is not a plain text file): the late penalty "
                               "uses the time of collection instead")
    assert parse_utc(written) == COLLECTED


def test_a_submission_older_than_the_one_graded_before_is_noted(submitted):
    stamp(submitted, "2026-01-11 18:00:00 UTC", COLLECTED)
    notes, _ = settle(submitted, before=COLLECTED + timedelta(hours=2))
    assert notes == ["this submission (timestamp 2026-01-11 18:00:00.000000 UTC) is older than the submission "
                     "graded before (2026-01-11 20:00:00.000000 UTC): check that the newest one was collected"]
    assert settle(submitted, before=COLLECTED - timedelta(hours=2))[0] == []


def test_no_gradebook_no_timestamp_graded_before_and_none_made(tmp_path):
    assert worker.graded_before(tmp_path, A1, "ada") is None
    assert not (tmp_path / "gradebook.db").exists()


def submit(course: Path, student: str, write=None) -> Path:
    folder = course / "submitted" / student / A1
    folder.mkdir(parents=True)
    (write or (lambda f: nbformat.write(new_notebook(), f / NOTEBOOK)))(folder)
    return folder


@pytest.mark.parametrize("student, words", [
    ("new\nline", "has a control character (a line break, a tab) in its name; rename the folder"),
    ("[x]", "holds '[', which nbgrader reads as a pattern; rename the folder"),
    ("trailing ", "begins or ends with a space, which nbgrader strips off; rename the folder"),
])
def test_an_id_nbgrader_cannot_take_fails_that_student_with_the_fix(tmp_course, student, words):
    submit(tmp_course, student)
    outcome = worker.grade_one(tmp_course, A1, student, True, 50)
    assert outcome["status"] == "failed"
    assert outcome["message"] == f"the student folder {str(tmp_course / 'submitted' / student)!r} {words} " \
                                 "to the student's id in plain letters, digits, '_', '-' or '.', and grade again."
    assert not (tmp_course / "autograded").exists() and not (tmp_course / "gradebook.db").exists()


@pytest.mark.parametrize("make, words", [
    (lambda f: (f / NOTEBOOK).mkdir(), "not a notebook: it is a folder; move the notebook out of it"),
    (lambda f: os.mkfifo(f / NOTEBOOK), "is a named pipe (FIFO): left out of grading"),
    (lambda f: (f / NOTEBOOK).symlink_to("../../../source/a1_close_reading/a1_close_reading.ipynb"),
     "is a symbolic link: left out of grading (it points to ../../../source/"),
])
def test_a_notebook_that_is_no_plain_file_fails_with_its_path(tmp_course, make, words):
    folder = submit(tmp_course, "odd", make)
    outcome = within(20, lambda: worker.grade_one(tmp_course, A1, "odd", True, 50))
    assert outcome["status"] == "failed" and outcome["message"].startswith(f"{folder / NOTEBOOK}")
    assert words in outcome["message"] and outcome["notes"] == []


def test_a_crash_outside_nbgrader_fails_that_student_and_the_worker_goes_on(tmp_course, monkeypatch, capsys):
    def grade_one(course, assignment, student, warm, max_mb):
        print("noise that is not a report line")
        if student == "bob":
            raise KeyError("a surprise")
        return {"student": student, "status": "graded", "seconds": 1.0, "message": "", "notes": []}

    monkeypatch.setattr(worker, "grade_one", grade_one)
    monkeypatch.setattr(worker, "max_notebook_mb", lambda course: 50)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"warm": True})))
    assert worker.main([str(tmp_course), A1, "ada", "bob", "cy"]) == 0
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]  # every stdout line is a report
    assert [(r["student"], r["status"]) for r in lines] == [("ada", "graded"), ("bob", "failed"), ("cy", "graded")]
    assert lines[1]["message"] == "grading stopped on an unexpected error: KeyError: 'a surprise'"
    assert "noise that is not a report line" in err


def test_jobs_must_be_at_least_one(tmp_course):
    for jobs in (0, -2):
        with pytest.raises(ValueError, match="jobs must be at least 1"):
            parallel.grade(tmp_course, A1, jobs=jobs)


def test_only_names_students_who_submitted(tmp_course):
    for student in ("ada", "bob", "--help"):
        submit(tmp_course, student)
    assert parallel._chosen(tmp_course, A1, None) == ["--help", "ada", "bob"]
    assert parallel._chosen(tmp_course, A1, ["bob", "--help", "bob"]) == ["--help", "bob"]
    assert parallel._chosen(tmp_course, A1, "ada") == ["ada"]
    assert parallel.grade(tmp_course, A1, only=[]) == []
    for missing in ("zed", "../submitted/ada"):
        with pytest.raises(ValueError) as err:
            parallel.grade(tmp_course, A1, only=["ada", missing])
        assert str(err.value) == f"no submission of {A1} by {missing!r} " \
                                 f"(no folder {tmp_course / 'submitted' / missing / A1})"


def test_the_fingerprint_follows_no_link_and_opens_no_pipe(tmp_course):
    folder = submit(tmp_course, "ada")
    before = parallel.submission_hash(tmp_course, A1, "ada")
    add_special_entries(folder)
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("a name that is not UTF-8")
    after = within(10, lambda: parallel.submission_hash(tmp_course, A1, "ada"))
    assert after != before  # the new plain file counts
    (folder / "passwd").unlink()
    (folder / "passwd").symlink_to("/etc/hostname")
    assert parallel.submission_hash(tmp_course, A1, "ada") == after


@pytest.mark.slow
def test_a_class_of_odd_submissions_beside_an_honest_one(tmp_course):
    make = grading_course(tmp_course)

    def full(folder):
        nbformat.write(make("full"), folder / NOTEBOOK)

    def linker(folder):
        nb = make("full")
        # a link followed into the grading folder would cost the point of q1
        cell(nb, "q1_boundary").source += ("\nimport os\nif any(os.path.exists(p) for p in "
                                           f"{SPECIAL!r}):\n    boundary = None")
        nbformat.write(nb, folder / NOTEBOOK)
        add_special_entries(folder)

    victim = tmp_course / "victim.txt"  # a file the grader can reach and the sandboxed code cannot
    victim.write_text("mode 644")
    victim.chmod(0o644)

    def chmodder(folder):
        nb = make("full")
        cell(nb, "q1_boundary").source += f"\nimport os\nos.symlink({str(victim)!r}, 'v.txt')\nos.mkfifo('p')"
        nbformat.write(nb, folder / NOTEBOOK)

    def timestamped(text, mtime):
        return lambda folder: (full(folder), stamp(folder, text, mtime))

    late = DUE + timedelta(hours=30)  # 2 started days: 20% of 17
    cases = {  # student: (write, status, score, late penalty, words in the message or the notes)
        "full": (full, "graded", 17, 0, []),
        "linker": (linker, "graded", 17, 0, [f"{p} is a symbolic link: left out of grading" for p in SPECIAL[:4]]
                   + ["pipe is a named pipe (FIFO): left out", "sock is a socket: left out"]),
        "chmodder": (chmodder, "graded", 17, 0, [f"its code made v.txt, a symbolic link to {victim}: left out of "
                                                  "the graded copy", "its code made p, a named pipe (FIFO)"]),
        "linked_nb": (lambda f: (f / NOTEBOOK).symlink_to(f"../../full/{A1}/{NOTEBOOK}"), "failed", None, None,
                      [f"{NOTEBOOK} is a symbolic link: left out of grading"]),
        "folder_nb": (lambda f: ((f / NOTEBOOK).mkdir(), full(f / NOTEBOOK)), "failed", None, None,
                      [f"{NOTEBOOK}: not a notebook: it is a folder; move the notebook out of it"]),
        "fifo_nb": (lambda f: os.mkfifo(f / NOTEBOOK), "failed", None, None, ["is a named pipe (FIFO)"]),
        "--help": (full, "graded", 17, 0, []),
        "-x": (full, "graded", 17, 0, []),
        "new\nline": (full, "failed", None, None, ["has a control character", "rename the folder"]),
        "[x]": (full, "failed", None, None, ["holds '['", "rename the folder"]),
        os.fsdecode(b"bad\xff"): (full, "failed", None, None, ["is not UTF-8 text", "rename the folder"]),
        "late": (timestamped("2026-01-11 18:00:00.000000 UTC", DUE), "graded", 17, 3.4,
                 ["30.0 hours late: a penalty of 3.40 of 17.00 points"]),
        "empty_ts": (timestamped("", late), "graded", 17, 3.4,
                     ["timestamp.txt could not be read (it is empty): the late penalty uses the time of collection"
                      " instead, 2026-01-11 18:00:00.000000 UTC", "30.0 hours late"]),
        "garbage_ts": (timestamped("yesterday", DUE - timedelta(hours=1)), "graded", 17, 0,
                       ["timestamp.txt could not be read ('yesterday' is no date and time)"]),
        "future_ts": (timestamped("2099-01-01 00:00:00 UTC", DUE - timedelta(hours=1)), "graded", 17, 0,
                      ["timestamp.txt is in the future ('2099-01-01 00:00:00 UTC'): the late penalty uses the time "
                       "of collection instead, 2026-01-10 11:00:00.000000 UTC"]),
    }
    for student, (write, *_) in cases.items():
        folder = tmp_course / "submitted" / student / A1
        folder.mkdir(parents=True)
        write(folder)

    outcomes = {o.student: o for o in parallel.grade(tmp_course, A1, jobs=2)}
    scores = gradebook.scores(tmp_course, A1).set_index("student")["score"].to_dict()
    assert set(outcomes) == set(cases)
    with Gradebook(gradebook.gradebook_url(tmp_course)) as gb:
        penalties = {s: gb.find_submission(A1, s).late_submission_penalty for s in scores}
    for student, (_, status, score, penalty, words) in cases.items():
        outcome = outcomes[student]
        said = "\n".join([outcome.message, *outcome.notes])
        assert (outcome.status, scores.get(student), penalties.get(student)) == (status, score, penalty), said
        assert all(w in said for w in words), (student, said)
    assert outcomes["full"].notes == [] and outcomes["full"].message == ""
    graded = tmp_course / "autograded" / "linker" / A1
    assert (graded / "data" / "ok.txt").is_file()
    assert not any(os.path.lexists(graded / p) for p in SPECIAL)
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert sorted(os.listdir(tmp_course / "autograded" / "chmodder" / A1)) == [NOTEBOOK]

    # a resubmission stamped before the one graded: graded alone, and noted
    folder = tmp_course / "submitted" / "garbage_ts" / A1
    (folder / "timestamp.txt").write_text(format_timestamp(DUE - timedelta(days=2)))
    again = parallel.grade(tmp_course, A1, jobs=1, only=["garbage_ts", "full"])
    assert [(o.student, o.status) for o in again] == [("full", "skipped"), ("garbage_ts", "graded")]
    assert any("is older than the submission graded before (2026-01-10 11:00:00.000000 UTC)" in note
               for note in again[1].notes), again[1].notes
