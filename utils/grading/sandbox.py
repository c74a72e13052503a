"""The grading kernel's sandbox: bubblewrap around every kernel, which talks to the grader over Unix sockets.

Inside, a student's code sees the Python installation, the kit's library and data (read-only), its own
folder (the one nbgrader grades it in) and a private /tmp; no course, no other submission, no gradebook,
no network (not even the grader's loopback), no process outside its own PID namespace, no capability, no
descriptor of the grader and none of its environment but a few harmless variables. When the kernel ends or
is killed, the namespace ends with it, and so does every process the code started, however it detached.
"""

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

import utils
from utils import paths
from utils.grading import limits

INSTALL = ("Install bubblewrap (Debian and Ubuntu: `apt-get install bubblewrap`; `make test` does it as root), "
           "or, to grade without a sandbox (the students' code then runs as you, with your files and the "
           "network), set c.KitExecute.sandbox = \"none\" in nbgrader_config.py.")
# what a kernel keeps of the grader's environment: locale, time zone, the kit's switches, numeric-library fixes
KEPT_VARIABLES = ("PATH", "LANG", "LANGUAGE", "TZ")
KEPT_PREFIXES = ("LC_", "WORDSNUMS_", "OPENBLAS_", "OMP_", "MKL_")


class SandboxUnavailable(RuntimeError):
    """No sandbox can start on this machine; the message says why and how to fix it."""


@functools.cache
def sandbox_problem() -> str | None:
    """Why no grading sandbox can start here, or None if one can."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return f"bubblewrap (bwrap) is not installed. {INSTALL}"
    # the sandbox a kernel gets, /proc and /dev included (a container may allow namespaces but not a new /proc)
    with tempfile.TemporaryDirectory(prefix="wordsnums-trial-") as folder:
        argv = bwrap_argv(Path(folder), Path(folder), {})
        trial = subprocess.run([bwrap, *argv[1:], "true"], capture_output=True, text=True)
    if trial.returncode != 0:
        return (f"bubblewrap cannot make a sandbox here ({trial.stderr.strip() or f'exit {trial.returncode}'}); "
                f"user namespaces may be switched off (sysctl kernel.unprivileged_userns_clone=1). {INSTALL}")
    return None


def _namespaces() -> list[str]:
    # a user namespace even as root: the code runs as nobody there, with no capability (as root, bwrap
    # would otherwise leave it every capability inside, enough to mount a disk)
    return ["--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session"]


def _package_folders(course: Path) -> list[Path]:
    """The installed-package folders Python imports from (an environment layered on another adds the other's
    through a .pth file), none in or around the kit's course. Only package folders: sys.path also holds the
    working folder, which may be a course with its solutions."""
    found = [Path(entry).resolve() for entry in sys.path
             if entry and Path(entry).name in {"site-packages", "dist-packages"} and Path(entry).is_dir()]
    return [p for p in found if not (course.is_relative_to(p) or p.is_relative_to(course))]


def read_only_paths() -> list[Path]:
    """What a kernel may read: the system, the Python installation and environment, the kit and its data."""
    found = [Path("/usr"), Path("/etc"), Path(sys.base_prefix), Path(sys.prefix),
             *_package_folders(paths.course_root().resolve()), Path(utils.__file__).resolve().parent,
             paths.data_dir().resolve()]
    found = list(dict.fromkeys(p for p in found if p.exists()))
    return [p for p in found if not any(p != outer and p.is_relative_to(outer) for outer in found)]  # bound already


def bwrap_argv(work: Path, sockets: Path, environ: dict[str, str]) -> list[str]:
    """bubblewrap's arguments for a kernel that works in ``work`` and talks through ``sockets`` (both writable)."""
    argv = ["bwrap", *_namespaces(), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):  # Debian's merged /usr: links, bound with /usr
        if Path(f"/{name}").is_symlink():
            argv += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
    for path in read_only_paths():
        argv += ["--ro-bind", str(path), str(path)]
    argv += ["--bind", str(sockets), str(sockets), "--bind", str(work), str(work), "--chdir", str(work),
             "--clearenv"]
    for name, value in sorted(sandbox_environment(environ).items()):
        argv += ["--setenv", name, value]
    return [*argv, "--"]


def sandbox_environment(environ) -> dict[str, str]:
    """The environment a kernel gets: a home and temporary folder in its private /tmp, and of ``environ`` only
    the locale, time zone, PATH, the kit's switches and numeric-library settings.

    >>> env = sandbox_environment({"LANG": "C.UTF-8", "SSH_AUTH_SOCK": "/run/agent"})
    >>> env["LANG"], env["HOME"], "SSH_AUTH_SOCK" in env
    ('C.UTF-8', '/tmp', False)
    """
    kept = {name: value for name, value in environ.items()
            if name in KEPT_VARIABLES or name.startswith(KEPT_PREFIXES)}
    return kept | {"HOME": "/tmp", "TMPDIR": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib"}


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts each kernel inside bubblewrap, connected over Unix sockets, within limits.

    Its connection file and sockets live in a private folder made for the kernel and removed after it; so
    does its process limit (:mod:`utils.grading.limits`).
    """

    sandbox = Unicode("bubblewrap", help="'bubblewrap', or 'none' to start kernels as usual").tag(config=True)
    memory_limit_mb = Integer(0, help="Address space allowed to the kernel, in MiB (0: no limit)").tag(config=True)
    max_processes = Integer(0, help="Processes and threads allowed to the kernel (0: no limit)").tag(config=True)

    async def _async_pre_start_kernel(self, **kw):
        if self.sandbox == "bubblewrap" and not getattr(self, "_sockets", None):
            if problem := sandbox_problem():
                raise SandboxUnavailable(f"Grading refuses to run students' code without a sandbox: {problem}")
            self._sockets = Path(tempfile.mkdtemp(prefix="wordsnums-kernel-"))
            self.transport, self.ip = "ipc", str(self._sockets / "kernel")
            self.connection_file = str(self._sockets / "kernel.json")
        # the kernel gets none of the grader's standard streams (a student could write into the grader's pipe)
        kw = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL} | kw
        kw["preexec_fn"] = self._limits()  # anew at each start: a restart gets a fresh process limit
        return await super()._async_pre_start_kernel(**kw)

    def _limits(self):
        """What the kernel process runs before it starts: the memory and process limits (made fresh each start)."""
        self._remove_process_limit()
        memory = self.memory_limit_bytes()
        if self.memory_limit_mb and limits.resource is None:
            warn_once(self.log, "this system cannot limit a kernel's memory (no POSIX resource module): grading "
                       "kernels run without a memory limit")
        self._process_limit = limits.ProcessLimit(self.max_processes) if self.max_processes else None
        if self._process_limit and (problem := self._process_limit.make()):
            warn_once(self.log, f"grading kernels run without a process limit: {problem}. Each cell's timeout "
                       "and the sandbox still end every process a student's code starts")
            self._process_limit = None
        process_limit = self._process_limit

        def start_within_limits():
            if memory:
                limits.limit_memory(memory)
            if process_limit:
                process_limit.join()

        return start_within_limits

    def process_limit_folder(self) -> Path | None:
        """The pids cgroup of the kernel being started, if it has one."""
        return self._process_limit.folder if getattr(self, "_process_limit", None) else None

    def memory_limit_bytes(self) -> int:
        """The kernel's address-space limit in bytes (0: none, also where it cannot be set)."""
        return self.memory_limit_mb * 2**20 if limits.resource is not None else 0

    def _remove_process_limit(self) -> None:
        if getattr(self, "_process_limit", None):
            self._process_limit.remove()
            self._process_limit = None

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.sandbox != "bubblewrap":
            return cmd
        work = Path(self._launch_args.get("cwd") or os.getcwd()).resolve()
        return bwrap_argv(work, self._sockets, os.environ) + cmd

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart:
            self._remove_process_limit()
            if getattr(self, "_sockets", None):
                shutil.rmtree(self._sockets, ignore_errors=True)
                self._sockets = None


@functools.cache
def warn_once(log, message: str) -> None:
    log.warning(message)
