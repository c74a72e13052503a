"""What a submission folder holds, checked before grading, in words an instructor can act on.

Used by ``wordsnums grade`` before it runs nbgrader, and by nbgrader itself through
:class:`utils.grading.plugins.KitNotebookExporter`, so plain ``nbgrader autograde`` gives the same messages.
Nothing here follows a symbolic link or opens anything but a plain file: a named pipe would block the
grader, and a link could hand it (and the student's kernel) any file of the machine.
"""

import json
import os
import stat
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.utils import parse_utc

RESUBMIT = "ask the student to open it in JupyterLab, save it, and submit again"
RENAME = "rename the folder to the student's id in plain letters, digits, '_', '-' or '.', and grade again"
TIMESTAMP_MAX_BYTES = 1024  # nbgrader writes about 30; anything longer was not written by it
# what a submission may hold besides plain files and folders, by the type bits of its mode
SPECIAL = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket",
           stat.S_IFCHR: "a device file", stat.S_IFBLK: "a device file"}


def special_kind(path: Path) -> str | None:
    """What makes ``path`` neither a plain file nor a folder ("a symbolic link", ...), or None; never follows it.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); (folder / "link").symlink_to("/etc/passwd")
    >>> special_kind(folder / "link"), special_kind(folder)
    ('a symbolic link', None)
    """
    return SPECIAL.get(stat.S_IFMT(os.lstat(path).st_mode))


def plain_only(folder, names) -> set[str]:
    """The ``names`` in ``folder`` to leave out of a copy: all but plain files and folders.

    Shaped as ``shutil.copytree``'s ``ignore``, so a copy never follows a link nor opens a pipe.
    """
    return {name for name in names if special_kind(Path(folder) / name)}


def left_out(folder: Path) -> list[Path]:
    """Everything under ``folder``, at any depth, that is neither a plain file nor a folder (links not followed)."""
    found = []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:  # not a folder, or one we may not read: nothing in it is copied either
        return []
    for entry in entries:
        path = Path(entry.path)
        if special_kind(path):
            found.append(path)
        elif entry.is_dir(follow_symlinks=False):
            found += left_out(path)
    return found


def left_out_note(path: Path) -> str:
    """Why ``path`` was not graded, with the target of a link (an instructor may want to see what it aimed at)."""
    kind = special_kind(path)
    target = f" (it points to {os.readlink(path)})" if kind == "a symbolic link" else ""
    return f"{path} is {kind}: left out of grading{target}"


def remove_made_links(folder: Path) -> list[str]:
    """Remove from a graded ``folder`` what a student's code made that is not a plain file or folder.

    nbgrader's last step makes every graded file read-only, following links: a link to a file of the
    course would make that file read-only. Returns a note for each removed.
    """
    notes = []
    for path in left_out(folder):
        target = f" to {os.readlink(path)}" if path.is_symlink() else ""
        notes.append(f"its code made {path.relative_to(folder)}, {special_kind(path)}{target}: left out of the "
                     "graded copy")
        path.unlink()
    return notes


def notebook_problem(path: Path, max_mb: int) -> str | None:
    """Why the file at ``path`` cannot be graded as a notebook (of at most ``max_mb`` MiB), or None if it can.

    Never follows a link nor opens anything but a plain file.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a1.ipynb").write_text('{"cells": [')
    >>> print(notebook_problem(folder / "a1.ipynb", max_mb=50).split(":")[1].strip())
    not a notebook
    """
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except OSError as err:
        return f"{path}: no notebook to grade ({err.strerror}); {RESUBMIT}."
    if stat.S_ISDIR(mode):
        return f"{path}: not a notebook: it is a folder; move the notebook out of it (or ask the student to " \
               f"submit the notebook itself under this name), remove the folder, and grade again."
    if not stat.S_ISREG(mode):
        return f"{left_out_note(path)}; not a notebook: {RESUBMIT}."
    size = os.lstat(path).st_size
    if size == 0:
        return f"{path}: not a notebook: the file is empty; {RESUBMIT}."
    if size > max_mb * 2**20:
        return f"{path}: not a notebook: {size / 2**20:.0f} MiB is over the {max_mb} MiB limit; " \
               f"clear the outputs (Edit > Clear Outputs of All Cells) and submit again."
    try:
        raw = path.read_bytes()
    except OSError as err:
        return f"{path}: could not be read ({err.strerror}); check the file's permissions and grade again."
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return f"{path}: not a notebook: the file is not text (binary or not UTF-8); {RESUBMIT}."
    except json.JSONDecodeError as err:
        return f"{path}: not a notebook: broken JSON at line {err.lineno}, column {err.colno} ({err.msg}), " \
               f"often a file cut short or edited outside Jupyter; {RESUBMIT}."
    except RecursionError:  # thousands of nested brackets
        return f"{path}: not a notebook: JSON nested too deeply; {RESUBMIT}."
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return f"{path}: not a notebook: valid JSON but without notebook cells; {RESUBMIT}."
    try:
        nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as err:  # nbformat raises several kinds for malformed notebooks
        return f"{path}: not a notebook: {type(err).__name__}: {str(err).splitlines()[0]}; {RESUBMIT}."
    return None


def notebook_problems(folder: Path, expected: list[str], max_mb: int) -> list[str]:
    """Why each notebook named in ``expected`` (without .ipynb) cannot be graded: missing, renamed or unreadable."""
    found = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    names = {p.stem for p in found}
    strays = [p.name for p in found if p.stem not in expected]
    problems = []
    for name in expected:
        if name not in names:
            instead = f"; it holds {', '.join(strays)}: if that is the work, rename it to {name}.ipynb " \
                      "and grade again" if strays else ""
            problems.append(f"{folder}: no {name}.ipynb to grade{instead}.")
        elif problem := notebook_problem(Path(folder) / f"{name}.ipynb", max_mb):
            problems.append(problem)
    return problems


def folder_notes(folder: Path, expected: list[str]) -> list[str]:
    """What grading leaves out of a submission folder: the student's own utils, links, pipes and devices.

    The notebooks named in ``expected`` are left to :func:`notebook_problems`.
    """
    shadows = [name for name in ("utils", "utils.py") if os.path.lexists(Path(folder) / name)]
    notes = [f"{folder}: its own {' and '.join(shadows)} were left out of grading: they would hide the "
             "kit's checks"] if shadows else []
    notebooks = {Path(folder) / f"{name}.ipynb" for name in expected}
    return notes + [left_out_note(path) for path in left_out(Path(folder)) if path not in notebooks]


def folder_problems(folder: Path, expected: list[str], max_mb: int) -> list[str]:
    """Problems of a submission folder against the notebook names ``expected`` (without .ipynb).

    A missing notebook, a renamed one (nbgrader would skip it and give 0), files that are not notebooks,
    and what grading leaves out; the notebooks' problems first.
    """
    return notebook_problems(folder, expected, max_mb) + folder_notes(folder, expected)


def student_problem(folder: Path) -> str | None:
    """Why nbgrader cannot grade the submissions in a student's ``folder`` (submitted/ID), or None if it can.

    nbgrader strips spaces around an id (and then finds no folder), reads its folder's name as a glob
    pattern (where '[' starts a set of characters), fails on a line break, and its gradebook stores UTF-8
    text. Other control characters it would take, but they garble logs and terminals, and no real id has them.

    >>> student_problem(Path("submitted/--help")) is None
    True
    >>> student_problem(Path("submitted/ada\\nlovelace")).split(";")[0]
    "the student folder 'submitted/ada\\\\nlovelace' has a control character (a line break, a tab) in its name"
    """
    student = Path(folder).name
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in student):
        why = "has a control character (a line break, a tab) in its name"
    elif student != student.strip():
        why = "begins or ends with a space, which nbgrader strips off"
    elif "[" in student:
        why = "holds '[', which nbgrader reads as a pattern"
    elif any(0xDC80 <= ord(char) <= 0xDCFF for char in student):  # how Python keeps bytes that are not UTF-8
        why = "is not UTF-8 text"
    else:
        return None
    return f"the student folder {str(folder)!r} {why}; {RENAME}."


def read_timestamp(raw: bytes | None, now: datetime) -> tuple[datetime | None, str | None]:
    """The time in a timestamp.txt's bytes (naive UTC, as nbgrader keeps it), or why the late penalty cannot use it.

    ``raw`` is None for a timestamp.txt that is no plain file of at most ``TIMESTAMP_MAX_BYTES``; ``now`` is
    naive UTC. The reason reads after "timestamp.txt": "could not be read (...)" or "is in the future (...)".

    >>> now = datetime(2026, 2, 1)
    >>> read_timestamp(b"2026-01-11 18:00:00.000000 UTC", now)
    (datetime.datetime(2026, 1, 11, 18, 0), None)
    >>> read_timestamp(b" ", now)
    (None, 'could not be read (it is empty)')
    >>> read_timestamp(b"2099-01-01 00:00:00 UTC", now)
    (None, "is in the future ('2099-01-01 00:00:00 UTC')")
    """
    if raw is None:
        return None, "could not be read (it is not a plain text file)"
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, "could not be read (it is not UTF-8 text)"
    if not text:
        return None, "could not be read (it is empty)"
    try:
        when = parse_utc(text)
    except Exception:  # dateutil raises several kinds (ValueError, OverflowError, ...) on a student's text
        return None, f"could not be read ({text[:60]!r} is no date and time)"
    if when > now:
        return None, f"is in the future ({text[:60]!r})"
    return when, None


def format_timestamp(when: datetime) -> str:
    """A naive UTC time as nbgrader's exchange writes it into timestamp.txt.

    >>> format_timestamp(datetime(2026, 1, 11, 18, 0))
    '2026-01-11 18:00:00.000000 UTC'
    """
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
