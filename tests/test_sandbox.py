"""The grading kernel's sandbox: what a kernel inside can and cannot reach, and grading where none can start."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from fixture_class import A1, NOTEBOOK, make_a1

from utils import paths
from utils.course import model
from utils.grading import parallel
from utils.grading.limits import ProcessLimit
from utils.grading.sandbox import bwrap_argv, read_only_paths, sandbox_problem

ROOT = paths.course_root()
VENV_BIN = str(Path(sys.executable).parent)  # a PATH without bwrap on it

PROBE = """
import json, os, socket, pathlib
found = {{"uid": os.getuid(), "cwd": os.getcwd(), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
         "source": os.path.exists({source!r}), "course": sorted(os.listdir({root!r})),
         "secret": os.environ.get("SECRET_TOKEN"),
         "caps": [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]}}
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"x")
    found["network"] = True
except OSError:
    found["network"] = False
open("written.txt", "w").write("mine")
from utils import texts
found["kit"] = len(texts.load_text("a")) > 1000
print(json.dumps(found))
"""


def run_kernel(code: str, cwd: Path, sandbox: str = "bubblewrap", env: dict | None = None, warm: bool = False):
    """Run one cell in a grading kernel (KitExecute, as nbgrader_config.py sets it) in a fresh process."""
    script = "\n".join([
        "import logging, sys, nbformat",
        "from utils.grading.execute import KitExecute",
        "logging.basicConfig(level=logging.WARNING, format='%(message)s')",
        f"nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell({code!r})])",
        f"execute = KitExecute(timeout=60, sandbox={sandbox!r}, warm_kernels={warm!r})",
        f"nb, _ = execute.preprocess(nb, {{'metadata': {{'path': {str(cwd)!r}}}}})",
        "print(''.join(o.get('text', '') for o in nb.cells[0].outputs), end='')",
    ])
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)


def test_the_sandbox_binds_the_kit_and_its_data_read_only_and_nothing_else_of_the_course(tmp_path):
    argv = bwrap_argv(tmp_path / "work", tmp_path / "sockets", {"LANG": "C.UTF-8", "SECRET_TOKEN": "x"})
    ro = {argv[i + 1] for i, a in enumerate(argv) if a == "--ro-bind"}
    rw = {argv[i + 1] for i, a in enumerate(argv) if a == "--bind"}
    assert {str(ROOT / "utils"), str(ROOT / "data")} <= ro
    assert not {str(ROOT), str(ROOT / "source"), str(ROOT / "release")} & (ro | rw)
    assert rw == {str(tmp_path / "work"), str(tmp_path / "sockets")}
    assert "--unshare-all" in argv and "--clearenv" in argv and "--die-with-parent" in argv
    assert "SECRET_TOKEN" not in argv and "LANG" in argv
    assert all(Path(p).exists() for p in read_only_paths())


def test_package_folders_on_the_import_path_are_bound_and_the_working_course_is_not(tmp_path, monkeypatch):
    # a grader started in a course has it on sys.path; an environment layered on another adds its packages
    course, layer = tmp_path / "course", tmp_path / "layer" / "lib" / "python3.11" / "site-packages"
    (course / "source").mkdir(parents=True)
    layer.mkdir(parents=True)
    monkeypatch.syspath_prepend(str(course))
    monkeypatch.syspath_prepend(str(layer))
    found = read_only_paths()
    assert layer in found
    assert not [p for p in found if course.is_relative_to(p) or p.is_relative_to(course)], found


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_kernel_in_the_sandbox_reaches_only_its_folder_and_the_kit(tmp_path, warm):
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(3)
    work = tmp_path / "work"
    work.mkdir()
    code = PROBE.format(source=str(ROOT / "source"), root=str(ROOT), port=server.getsockname()[1])
    run = run_kernel(code, work, env={**os.environ, "SECRET_TOKEN": "hunter2"}, warm=warm)
    with pytest.raises(TimeoutError):
        server.accept()
    server.close()
    found = json.loads(run.stdout)
    assert found == {"uid": 65534, "cwd": str(work), "pids": found["pids"], "source": False,
                     "course": sorted(["data", "utils"] + [".venv"] * (".venv" in found["course"])),
                     "secret": None, "caps": "0000000000000000", "network": False, "kit": True}
    assert len(found["pids"]) <= 3  # the sandbox's init, the kernel and the listing itself (warm: init, sleep, kernel)
    assert (work / "written.txt").read_text() == "mine"


FORK_BOMB = """
import os
started, error = 0, None
try:
    for _ in range(3000):
        if os.fork() == 0:
            os.execv("/usr/bin/sleep", ["sleep", "{seconds}"])
        started += 1
except OSError as err:
    error = err.strerror
print(started, error)
"""


def kernel_cgroups() -> set[Path]:
    """The process-limit cgroups of grading kernels that exist now, anywhere on this machine."""
    probe = ProcessLimit(8)
    probe.make()
    found = set(probe.folder.parent.glob("wordsnums-kernel-*")) - {probe.folder}
    probe.remove()
    return found


def _cgroups_made() -> str | None:
    limit = ProcessLimit(8)
    problem = limit.make()
    limit.remove()
    return problem


@pytest.mark.slow
@pytest.mark.skipif(bool(_cgroups_made()), reason=f"no pids cgroup can be made here: {_cgroups_made()}")
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_fork_bomb_stops_at_the_process_limit_and_every_process_ends_with_the_kernel(tmp_path, warm):
    seconds = f"600.{os.getpid()}{warm:d}"  # a sleep no other process runs
    before = kernel_cgroups()
    run = run_kernel(FORK_BOMB.format(seconds=seconds), tmp_path, warm=warm)
    started, error = run.stdout.split(maxsplit=1)
    assert 400 < int(started) < 512 and error.strip() == "Resource temporarily unavailable", run.stdout + run.stderr
    assert subprocess.run(["pgrep", "-f", f"sleep {seconds}"], capture_output=True).stdout == b""
    # the kernel's cgroup is gone (another test's kernel may have one meanwhile: it holds a live process)
    assert [group for group in kernel_cgroups() - before if not (group / "cgroup.procs").read_text().strip()] == []


@pytest.mark.slow
def test_without_bubblewrap_grading_refuses_and_says_how_to_install_it(tmp_path):
    run = run_kernel("print('ran')", tmp_path, env={"PATH": VENV_BIN, "HOME": str(tmp_path)})
    assert run.returncode != 0
    assert "Grading refuses to run students' code without a sandbox" in run.stderr
    assert "apt-get install bubblewrap" in run.stderr and 'c.KitExecute.sandbox = "none"' in run.stderr
    assert "ran" not in run.stdout


@pytest.mark.slow
def test_without_a_sandbox_grading_runs_only_when_configured_and_warns(tmp_path):
    run = run_kernel("print('ran')", tmp_path, sandbox="none", env={"PATH": VENV_BIN, "HOME": str(tmp_path)})
    assert run.stdout == "ran\n", run.stderr
    assert "Grading without a sandbox (KitExecute.sandbox = 'none')" in run.stderr


@pytest.mark.slow
def test_wordsnums_grade_without_bubblewrap_fails_each_submission_with_the_fix(tmp_course, monkeypatch):
    model.generate_release(tmp_course, A1)
    folder = tmp_course / "submitted" / "ada" / A1
    folder.mkdir(parents=True)
    nbformat.write(make_a1(tmp_course)("full"), folder / NOTEBOOK)
    monkeypatch.setenv("PATH", VENV_BIN)
    [outcome] = parallel.grade(tmp_course, A1, jobs=1)
    assert outcome.status == "failed"
    assert "apt-get install bubblewrap" in outcome.message, outcome


def test_the_sandbox_check_tries_what_a_kernel_gets(tmp_path, monkeypatch):
    # a container may allow user namespaces but no new /proc: then every kernel would fail, so must the check
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nfor a in "$@"; do\n  [ "$a" = --proc ] && { echo "Can\'t mount proc" >&2; exit 1; }\n'
                    'done\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    sandbox_problem.cache_clear()
    try:
        assert "Can't mount proc" in (sandbox_problem() or "")
    finally:
        sandbox_problem.cache_clear()
