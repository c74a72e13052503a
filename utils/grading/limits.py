"""How much of the machine one grading kernel may take: memory (an rlimit) and processes (a pids cgroup).

The process limit counts every process and thread the kernel and its code start, so a fork bomb stops at
it instead of filling the machine's process table. Linux exempts root from ``RLIMIT_NPROC`` (and a sandbox
made by root still counts as root outside it), so the limit is a cgroup of the pids controller, made for
one kernel and removed after it. Where none can be made (cgroups read-only, as for most users without
systemd's delegation), grading goes on without a process limit and says so: the cell's timeout and the
sandbox's PID namespace still end every process the code started.
"""

import contextlib
import os
import time
import uuid
from pathlib import Path

try:  # POSIX only: elsewhere grading runs without a memory limit, and says so
    import resource
except ImportError:
    resource = None

PIDS_FILES = ("pids.max", "cgroup.procs")


def pids_hierarchy(mounts: str, cgroups: str) -> Path | None:
    """The folder of this process's own pids cgroup, from the text of /proc/self/mounts and /proc/self/cgroup.

    >>> mounts = "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0\\n"
    >>> pids_hierarchy(mounts, "8:pids:/grading\\n0::/\\n")
    PosixPath('/sys/fs/cgroup/pids/grading')
    >>> pids_hierarchy("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\\n", "0::/user.slice\\n")
    PosixPath('/sys/fs/cgroup/user.slice')
    """
    own = {}  # controller (or "" for cgroup v2) -> this process's path in it
    for line in cgroups.splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") or [""]:
            own[controller] = path.lstrip("/")
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        where, kind, options = fields[1], fields[2], fields[3].split(",")
        if kind == "cgroup" and "pids" in options and "pids" in own:
            return Path(where) / own["pids"]
        if kind == "cgroup2" and "" in own:
            return Path(where) / own[""]
    return None


class ProcessLimit:
    """A pids cgroup for one kernel: made by :meth:`make`, joined in the kernel's ``preexec_fn``, removed after."""

    def __init__(self, max_processes: int):
        self.max_processes = max_processes
        self.folder: Path | None = None

    def make(self) -> str | None:
        """Make the cgroup; returns why none could be made (then the kernel runs without it), or None."""
        try:
            parent = pids_hierarchy(Path("/proc/self/mounts").read_text(), Path("/proc/self/cgroup").read_text())
        except OSError as err:
            return f"cannot read this process's cgroups ({err.strerror})"
        if parent is None:
            return "no pids cgroup controller is mounted"
        folder = parent / f"wordsnums-kernel-{uuid.uuid4().hex[:12]}"
        try:
            folder.mkdir()
        except OSError as err:
            return f"cannot make a cgroup in {parent} ({err.strerror})"
        if not all((folder / name).exists() for name in PIDS_FILES):  # cgroup v2 without the pids controller on
            folder.rmdir()
            return f"the pids controller is not enabled in {parent}"
        (folder / "pids.max").write_text(str(self.max_processes))
        self.folder = folder
        return None

    def join(self) -> None:
        """Runs in the kernel process before it starts: it and everything it starts count against the limit."""
        if self.folder is not None:
            (self.folder / "cgroup.procs").write_text(str(os.getpid()))

    def remove(self) -> None:
        """Kill whatever is left in the cgroup and remove it (a cgroup with processes cannot be removed)."""
        if self.folder is None:
            return
        for _ in range(50):
            with contextlib.suppress(OSError):
                for pid in (self.folder / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        os.kill(int(pid), 9)
            try:
                self.folder.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)  # the killed processes are still being reaped
        self.folder = None


def limit_memory(limit_bytes: int) -> None:
    """Runs in the kernel process before it starts (``preexec_fn``): its address space, and its children's."""
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
