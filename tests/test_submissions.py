"""What a submission folder holds: links, pipes, sockets and devices, odd student ids, timestamp.txt."""

import os
import socket
import stat
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from conftest import within
from nbformat.v4 import new_notebook
from nbgrader.utils import parse_utc

from utils.grading import submissions
from utils.grading.submissions import (
    folder_notes,
    folder_problems,
    format_timestamp,
    left_out,
    notebook_problem,
    read_timestamp,
    special_kind,
    student_problem,
)

NB = "a1.ipynb"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A submission folder holding a notebook, a plain file in a subfolder, and every kind of special entry."""
    folder = tmp_path / "sub"
    (folder / "data" / "deep").mkdir(parents=True)
    nbformat.write(new_notebook(), folder / NB)
    (folder / "data" / "ok.txt").write_text("fine")
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "source").symlink_to("../../source")  # a folder link: never walked into
    (folder / "data" / "deep" / "link.txt").symlink_to("/etc/hostname")
    os.mkfifo(folder / "pipe")
    monkeypatch.chdir(folder)  # a Unix socket's path must be short
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("sock")
    return folder


def test_special_kind_names_every_kind_without_following_or_opening(folder):
    assert within(5, lambda: special_kind(folder / "pipe")) == "a named pipe (FIFO)"
    assert special_kind(folder / "passwd") == "a symbolic link"
    assert special_kind(folder / "source") == "a symbolic link"
    assert special_kind(folder / "sock") == "a socket"
    assert special_kind(folder / NB) is None and special_kind(folder / "data") is None


def test_a_device_file_is_special(tmp_path):
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except OSError:
        pytest.skip("this machine does not let the tests make a device file")
    assert special_kind(tmp_path / "null") == "a device file"


def test_left_out_finds_special_entries_at_any_depth(folder):
    found = within(5, lambda: left_out(folder))
    assert [p.relative_to(folder).as_posix() for p in found] == ["data/deep/link.txt", "passwd", "pipe", "sock",
                                                                 "source"]
    assert left_out(folder / "no such folder") == [] and left_out(folder / NB) == []


def test_folder_notes_say_what_grading_leaves_out(folder):
    notes = within(5, lambda: folder_notes(folder, ["a1"]))
    assert f"{folder / 'passwd'} is a symbolic link: left out of grading (it points to /etc/passwd)" in notes
    assert f"{folder / 'source'} is a symbolic link: left out of grading (it points to ../../source)" in notes
    assert f"{folder / 'pipe'} is a named pipe (FIFO): left out of grading" in notes
    assert f"{folder / 'sock'} is a socket: left out of grading" in notes
    assert any("data/deep/link.txt is a symbolic link" in note for note in notes)
    assert within(5, lambda: folder_problems(folder, ["a1"], 50)) == notes  # the notebook itself is fine


@pytest.mark.parametrize("make, words", [
    (lambda p: p.mkdir(), "not a notebook: it is a folder; move the notebook out of it"),
    (lambda p: os.mkfifo(p), "is a named pipe (FIFO): left out of grading; not a notebook"),
    (lambda p: p.symlink_to("/etc/passwd"), "is a symbolic link: left out of grading (it points to /etc/passwd)"),
    (lambda p: p.symlink_to("nowhere"), "is a symbolic link: left out of grading (it points to nowhere)"),
    (lambda p: None, "no notebook to grade (No such file or directory)"),
    (lambda p: p.write_text(""), "not a notebook: the file is empty"),
    (lambda p: p.write_text("[" * 100_000), "not a notebook"),
])
def test_notebook_problem_never_crashes_nor_blocks(tmp_path, make, words):
    path = tmp_path / NB
    make(path)
    problem = within(5, lambda: notebook_problem(path, 50))
    assert problem.startswith(str(path)) and words in problem


def test_a_notebook_that_is_a_folder_or_a_pipe_is_a_problem_of_the_folder(tmp_path):
    (tmp_path / "a1.ipynb").mkdir()
    os.mkfifo(tmp_path / "a2.ipynb")
    problems = within(5, lambda: folder_problems(tmp_path, ["a1", "a2"], 50))
    assert len(problems) == 2  # one each, not a second note for the pipe
    assert "a1.ipynb: not a notebook: it is a folder" in problems[0] and "a2.ipynb is a named pipe" in problems[1]


def test_the_notebooks_problems_come_before_the_notes(tmp_path):
    (tmp_path / "utils.py").write_text("")
    (tmp_path / "link").symlink_to("/etc/passwd")
    problems = folder_problems(tmp_path, ["a1"], 50)
    assert problems[0] == f"{tmp_path}: no a1.ipynb to grade."
    assert "its own utils.py were left out" in problems[1] and "link is a symbolic link" in problems[2]


@pytest.mark.parametrize("student", ["ada", "--help", "-x", "--", "a*b", "a?b", "x]", "é🙂", "{0}", "a%sb", ".dot"])
def test_ids_nbgrader_takes(student):
    assert student_problem(Path("submitted") / student) is None


@pytest.mark.parametrize("student, why", [
    ("new\nline", "has a control character"),
    ("tab\tbed", "has a control character"),
    ("\x1b[31mred", "has a control character"),  # a terminal escape
    (" ada", "begins or ends with a space"),
    ("ada ", "begins or ends with a space"),
    ("[x]", "holds '['"),
    (os.fsdecode(b"bad\xff"), "is not UTF-8 text"),
])
def test_ids_nbgrader_cannot_take_are_refused_with_the_fix(student, why):
    problem = student_problem(Path("/course/submitted") / student)
    assert problem.startswith(f"the student folder {'/course/submitted/' + student!r} {why}")
    assert "rename the folder" in problem and "\n" not in problem


NOW = datetime(2026, 2, 1, 12, 0)


@pytest.mark.parametrize("raw, problem", [
    (b"", "could not be read (it is empty)"),
    (b"  \n", "could not be read (it is empty)"),
    (None, "could not be read (it is not a plain text file)"),
    (b"\xff\xfe", "could not be read (it is not UTF-8 text)"),
    (b"next tuesday", "could not be read ('next tuesday' is no date and time)"),
    (b"99999999999999999999999", "could not be read ('99999999999999999999999' is no date and time)"),
    (b"2026-01-11 18:00:00 Mars/Olympus_Mons", None),  # an unknown zone: read as UTC, as nbgrader does
    (b"2026-02-01 12:00:01.000000 UTC", "is in the future ('2026-02-01 12:00:01.000000 UTC')"),
    (b"2026-02-01T13:00:00+01:00", None),  # noon UTC: now, not after it
])
def test_read_timestamp_says_why_the_late_penalty_cannot_use_it(raw, problem):
    when, why = read_timestamp(raw, NOW)
    assert why == problem
    assert (when is None) == (problem is not None)


def test_read_timestamp_reads_what_nbgrader_writes():
    written = format_timestamp(datetime(2026, 1, 11, 18, 0, 0, 123456))
    assert parse_utc(written) == datetime(2026, 1, 11, 18, 0, 0, 123456)
    assert read_timestamp(written.encode(), NOW) == (datetime(2026, 1, 11, 18, 0, 0, 123456), None)
    assert submissions.TIMESTAMP_MAX_BYTES > len(written)
