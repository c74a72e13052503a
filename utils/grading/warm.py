"""Warm grading kernels: each a fresh fork of a template that has imported the notebooks' libraries already.

A cold kernel spends about 3 s importing pandas, matplotlib, nltk, IPython and the kit before a student's
first cell runs; a kernel forked from :mod:`utils.grading.kernel_template` spends none of it. Each kernel
still gets a bubblewrap sandbox of its own, made exactly as for a cold kernel, with ``sleep`` in it to hold
its namespaces; the fork joins them (see the template's docstring) and runs there. When the kernel ends,
the sandbox is killed, and with its PID namespace every process the kernel's code started.

One template per grading process, started at its first warm kernel and stopped with the process.
"""

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from utils.grading.sandbox import SandboxedKernelManager, sandbox_environment, warn_once

# what the course's notebooks import in their first cell, and IPython's kernel
IMPORTS = ("re", "pandas", "matplotlib.pyplot", "utils.checks", "utils.datasets", "utils.hints", "utils.keyness",
           "utils.nlp", "utils.plots", "utils.reading", "utils.stance", "utils.texts", "ipykernel.kernelapp")
# one thread for numeric libraries: a fork keeps only the thread that forked
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# holds the sandbox's namespaces until the kernel ends (processes orphaned there stay unreaped till then)
PLACEHOLDER = ("sleep", "infinity")
SANDBOX_READY_SECONDS = 10


class TemplateError(RuntimeError):
    """The kernel template could not start or could not fork a kernel; the message says why."""


class Template:
    """The template process, and the requests it answers one at a time."""

    def __init__(self, imports=IMPORTS):
        # a private home: the sandbox's /tmp is the machine's /tmp out here, where any user could plant a
        # matplotlibrc or an nltk_data folder for every kernel to inherit
        self.home = Path(tempfile.mkdtemp(prefix="wordsnums-template-"))
        env = sandbox_environment(os.environ) | SINGLE_THREADED | {
            "HOME": str(self.home), "TMPDIR": str(self.home), "MPLCONFIGDIR": str(self.home / "matplotlib"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # the backend ipykernel gives matplotlib
        # from /, so sys.path has no course in it
        self.process = subprocess.Popen([sys.executable, "-m", "utils.grading.kernel_template", *imports],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        cwd="/", env=env, text=True, start_new_session=True)
        self.lock = threading.Lock()
        ready = self._answer()
        if "ready" not in ready:
            raise TemplateError(f"the kernel template did not start: {ready.get('error', ready)}")

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise TemplateError(f"the kernel template ended (exit {self.process.wait()})")
        return json.loads(line)

    def spawn(self, sandbox_pid: int, args: list[str], cwd: str, env: dict, cgroup: str | None,
              memory: int) -> int:
        """A new kernel inside the sandbox that process ``sandbox_pid`` is in; returns its pid."""
        request = {"sandbox_pid": sandbox_pid, "args": args, "cwd": cwd, "env": env, "cgroup": cgroup,
                   "memory": memory}
        with self.lock:
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
            except OSError as err:
                raise TemplateError(f"the kernel template ended ({err})") from err
            answer = self._answer()
        if "error" in answer:
            raise TemplateError(f"the kernel template could not start a kernel in its sandbox: {answer['error']}")
        return answer["pid"]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


_template: Template | None = None


def template() -> Template:
    """This process's template, started at first use (again if it ended)."""
    global _template
    if _template is None or not _template.alive():
        _template = Template()
        atexit.register(_template.stop)
    return _template


def _descendants(pid: int) -> list[int]:
    """Every process started by ``pid`` and by them, nearest first."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop(0)
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(p) for p in children.read_text().split()]
            except OSError:
                continue
            found += kids
            queue += kids
    return found


def _placeholder(sandbox: subprocess.Popen) -> int:
    """The pid of the placeholder once bubblewrap has made its sandbox and started it."""
    deadline = time.monotonic() + SANDBOX_READY_SECONDS
    while time.monotonic() < deadline:
        if sandbox.poll() is not None:
            raise TemplateError(f"bubblewrap ended (exit {sandbox.returncode}) before its sandbox was ready")
        for pid in reversed(_descendants(sandbox.pid)):
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == PLACEHOLDER[0]:
                    return pid
            except OSError:
                pass
        time.sleep(0.005)
    raise TemplateError(f"bubblewrap's sandbox was not ready after {SANDBOX_READY_SECONDS} s")


class WarmKernel:
    """A kernel forked into a sandbox, handled as a Popen of it; ending it ends the sandbox."""

    def __init__(self, sandbox: subprocess.Popen, pid: int):
        self.sandbox, self.pid = sandbox, pid
        self.stdin = self.stdout = self.stderr = None
        self.returncode = None
        try:
            self.pidfd = os.pidfd_open(pid)  # signals reach this kernel, never a process that reused its pid
        except OSError:
            self.pidfd = None  # it has ended already

    def _ended(self, timeout: float = 0) -> bool:
        return self.pidfd is None or bool(select.select([self.pidfd], [], [], timeout)[0])

    def _close(self) -> int:
        if self.returncode is None:
            self.sandbox.kill()  # the PID namespace ends with it: every process the kernel started
            self.sandbox.wait()
            if self.pidfd is not None:
                os.close(self.pidfd)
                self.pidfd = None
            self.returncode = -signal.SIGKILL
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is None and (self._ended() or self.sandbox.poll() is not None):
            self._close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            self._ended(0.1)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it ended just now (as Popen.send_signal)
                signal.pidfd_send_signal(self.pidfd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self._close()


class WarmProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, whose kernel is forked from the template into a fresh sandbox.

    The kernel command it is given is bubblewrap's (``bwrap ... -- python -m ipykernel_launcher -f FILE``):
    bubblewrap makes the sandbox around a placeholder, and the template's fork runs the kernel's arguments.
    """

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        split = cmd.index("--")
        # the placeholder is the sandbox's PID 1, which nothing inside can signal: a kernel that signals
        # every process it sees, or its parent, reaches only itself (as in a cold kernel's sandbox)
        bwrap, kernel = [*cmd[:split], "--as-pid-1", "--"], cmd[split + 1:]
        args = kernel[kernel.index("ipykernel_launcher") + 1:]
        sandbox = subprocess.Popen(bwrap + list(PLACEHOLDER), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd=kwargs.get("cwd"),
                                   preexec_fn=kwargs.get("preexec_fn"), start_new_session=True)
        try:
            km = self.parent
            limit = km.process_limit_folder()
            pid = template().spawn(_placeholder(sandbox), args, str(kwargs.get("cwd") or os.getcwd()),
                                   sandbox_environment(os.environ), limit and str(limit), km.memory_limit_bytes())
        except TemplateError as err:  # the grader's machine, never a student, can make this fail: start cold
            sandbox.kill()
            sandbox.wait()
            warn_once(km.log, f"{err}; kernels start cold (a new Python each) instead")
            return await super().launch_kernel(cmd, **kwargs)
        except BaseException:
            sandbox.kill()
            sandbox.wait()
            raise
        self.process = WarmKernel(sandbox, pid)
        self.pid, self.pgid = pid, None  # signals go to the kernel itself, through its pidfd
        self.cwd = kwargs.get("cwd")
        return self.connection_info


class WarmKernelManager(SandboxedKernelManager):
    """The sandboxed kernel manager, whose kernels are forked from the template (see :class:`WarmProvisioner`)."""

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:  # the same provisioner starts the kernel again on a restart
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = WarmProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)
