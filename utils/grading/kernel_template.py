"""The kernel template: a process that has imported what the course's notebooks import, and forks kernels.

Run as ``python -m utils.grading.kernel_template IMPORTS...`` by :mod:`utils.grading.warm`, with the
sandbox's environment and / as its folder. It reads no course file: it holds the libraries and nothing else.
It answers each request (one JSON line on stdin: the host pid of a process inside a bubblewrap sandbox made
for one kernel, and the kernel's connection file, folder, environment, cgroup and memory limit) with one JSON
line on stdout: the pid of a new kernel inside that sandbox. Each request is read and answered by a fork of
the template, so the template itself never holds one.

The kernel is a fork of this process (so pandas, matplotlib, nltk and the kit are imported already) that
joins every namespace of the sandbox before it runs anything of a student's: its user namespace, where it
then drops every capability, its mount namespace (its own folder, a private /tmp, no course), its network
(none), IPC, UTS, cgroup and PID namespaces. It is then where a kernel bubblewrap started would be, and the
PID namespace, with everything the kernel starts, ends with the sandbox. A kernel never runs in this
process, which no student's code can reach: each is a fresh fork of it.
"""

import ctypes
import importlib
import json
import os
import signal
import sys
from pathlib import Path

from utils.grading.limits import resource  # None where the system has none: warm kernels need Linux

LIBC = ctypes.CDLL(None, use_errno=True)
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
PR_SET_PDEATHSIG = 1
# the user namespace last: bubblewrap run by root makes some of the others outside it, and joining it takes away
# the rights to join those
NAMESPACES = ("mnt", "ipc", "uts", "net", "cgroup", "pid", "user")
LAST_CAPABILITY = 63


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """No capability left, none to regain: bounding and ambient sets emptied, no new privileges on exec."""
    for cap in range(LAST_CAPABILITY + 1):
        if LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:  # EINVAL: no such cap
            _check(-1, f"dropping capability {cap}")
    _check(LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clearing ambient capabilities")
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()  # _LINUX_CAPABILITY_VERSION_3, all zero
    _check(LIBC.capset(ctypes.byref(header), data), "capset")
    _check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def join_sandbox(pid: int) -> None:
    """Join every namespace of process ``pid`` that this process is not in already, then drop all capabilities."""
    if os.geteuid() != 0:
        raise PermissionError("warm kernels need grading to run as root (to join a sandbox's namespaces)")
    os.setgroups([])  # the groups of the grader mean nothing inside, and setgroups is denied there
    wanted = {}
    for name in NAMESPACES:
        theirs, ours = f"/proc/{pid}/ns/{name}", f"/proc/self/ns/{name}"
        if os.path.exists(theirs) and os.stat(theirs).st_ino != os.stat(ours).st_ino:
            wanted[name] = os.open(theirs, os.O_RDONLY)  # all opened first: /proc changes with the mount namespace
    if "user" not in wanted or "mnt" not in wanted or "pid" not in wanted:
        raise OSError(f"process {pid} is in no sandbox of its own ({', '.join(wanted) or 'no namespace'} differ)")
    for name, fd in wanted.items():
        _check(LIBC.setns(fd, 0), f"joining the sandbox's {name} namespace")
        os.close(fd)
    drop_capabilities()


def _as_kernel(request: dict) -> None:
    """In the forked kernel, inside the sandbox: a clean process state, then ipykernel's kernel."""
    os.setsid()  # no terminal to push input into (as bubblewrap's --new-session)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    for sig in signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}:
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if memory := request.get("memory"):
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = request["cwd"]  # where `python -m ipykernel_launcher` run there would look first
    sys.argv = ["ipykernel_launcher", *request["args"]]
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=request["args"])


def spawn(request: dict) -> int:
    """Fork a kernel into the sandbox the request names; returns its pid as this process sees it."""
    read, write = os.pipe()
    joiner = os.fork()
    if joiner == 0:  # joins the sandbox (the PID namespace applies to its children), forks into it, reports
        try:
            os.close(read)
            if request.get("cgroup"):
                Path(request["cgroup"], "cgroup.procs").write_text(str(os.getpid()))
            join_sandbox(request["sandbox_pid"])
            first = os.fork()
            if first == 0:
                # a second fork, so the kernel's parent is the sandbox's PID 1 (as bubblewrap's kernels'),
                # not this process outside it, which would leave its parent unseen (getppid() 0)
                os.close(write)
                if os.fork() == 0:
                    try:
                        _as_kernel(request)
                    finally:
                        os._exit(0)  # never back into the template's code
                os._exit(0)
            os.waitpid(first, 0)
            os.write(write, b"{}")
        except BaseException as err:  # noqa: BLE001 - told to the grader, whatever it was
            os.write(write, json.dumps({"error": f"{type(err).__name__}: {err}"}).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        reply = answer.read()
    os.waitpid(joiner, 0)
    result = json.loads(reply or b'{"error": "the process joining the sandbox ended without a word"}')
    if "error" in result:
        raise OSError(result["error"])
    holder = request["sandbox_pid"]
    kernels = Path(f"/proc/{holder}/task/{holder}/children").read_text().split()
    if len(kernels) != 1:
        raise OSError(f"the sandbox holds {len(kernels)} processes besides its first, not one kernel")
    return int(kernels[0])


def _read_line(fd: int) -> bytes:
    """One line from ``fd``, read a byte at a time: what follows it stays for the next reader."""
    line = bytearray()
    while not line.endswith(b"\n") and (byte := os.read(fd, 1)):
        line += byte
    return bytes(line)


def serve_one() -> int:
    """Read one request, fork its kernel and answer; 3 when the grader has no more."""
    line = _read_line(0)
    if not line:
        return 3
    try:
        answer = {"pid": spawn(json.loads(line))}
    except Exception as err:  # one failed kernel is the grader's to report; the template goes on
        answer = {"error": f"{type(err).__name__}: {err}"}
    os.write(1, (json.dumps(answer) + "\n").encode())
    return 0


def main(imports: list[str]) -> int:
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # never outlives the grader that started it
    for name in imports:
        importlib.import_module(name)
    sys.stdout = sys.stderr  # stdout (fd 1) carries the answers only
    os.write(1, (json.dumps({"ready": sorted(imports)}) + "\n").encode())
    while True:
        # each request is read and served in a fork, so the template never holds one: no kernel finds an
        # earlier kernel's folder or arguments in the memory it was forked from
        server = os.fork()
        if server == 0:
            code = 1
            try:
                code = serve_one()
            finally:
                os._exit(code)
        _, status = os.waitpid(server, 0)
        if (code := os.waitstatus_to_exitcode(status)) == 3:
            return 0
        if code != 0:  # it ended before answering: the grader waits for an answer all the same
            os.write(1, (json.dumps({"error": f"the template's fork ended with exit {code}"}) + "\n").encode())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
