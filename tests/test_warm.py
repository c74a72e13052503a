"""Warm grading kernels: forks of one template, each in a sandbox of its own, none touched by another."""

import asyncio
import json
import os
import subprocess

import pytest

from utils.grading import kernel_template, warm
from utils.grading.sandbox import sandbox_problem

pytestmark = pytest.mark.skipif(bool(sandbox_problem()), reason=f"no sandbox here: {sandbox_problem()}")

# what one kernel leaves behind for the next: files in its /tmp and home, an IPython startup file, a process
PLANT = """
import pathlib, subprocess
pathlib.Path("/tmp/planted").write_text("x")
startup = pathlib.Path.home() / ".ipython/profile_default/startup"
startup.mkdir(parents=True, exist_ok=True)
(startup / "00-evil.py").write_text("import builtins; builtins.EVIL = True")
subprocess.Popen(["sleep", "{seconds}"], start_new_session=True)
"""

LOOK = """
import builtins, json, os, sys
print(json.dumps({"planted": os.path.exists("/tmp/planted"), "evil": hasattr(builtins, "EVIL"),
                  "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), "cwd": os.getcwd(),
                  "imported": "pandas" in sys.modules and "utils.checks" in sys.modules,
                  "caps": [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapBnd")][0]}))
"""


async def _run(work, code: str) -> str:
    """Run ``code`` in a new warm kernel working in ``work``; returns what it printed."""
    km = warm.WarmKernelManager(kernel_name="python3", memory_limit_mb=2048, max_processes=64)
    await km.start_kernel(cwd=str(work))
    kc = km.client()
    kc.start_channels()
    printed = []
    try:
        await kc.wait_for_ready(timeout=60)
        await kc.execute_interactive(code, timeout=60, output_hook=lambda m: printed.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
    return "".join(printed)


def sleepers(seconds: str) -> bytes:
    return subprocess.run(["pgrep", "-f", f"sleep {seconds}"], capture_output=True).stdout


def test_each_warm_kernel_is_a_fresh_fork_that_no_earlier_kernel_touched(tmp_path):
    seconds = f"600.{os.getpid()}"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    asyncio.run(_run(first, PLANT.format(seconds=seconds)))
    template = warm.template()
    assert sleepers(seconds) == b""  # gone with the first kernel's sandbox
    found = json.loads(asyncio.run(_run(second, LOOK)))
    assert found == {"planted": False, "evil": False, "pids": found["pids"], "cwd": str(second), "imported": True,
                     "caps": "0000000000000000"}
    assert len(found["pids"]) == 2 and found["pids"][0] == 1  # the placeholder and the kernel: no template
    assert warm.template() is template and template.alive()


def test_a_warm_kernel_that_ends_itself_is_seen_dead_and_its_sandbox_ends(tmp_path):
    async def died():
        km = warm.WarmKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        sandbox = km.provisioner.process.sandbox
        kc.execute("import os; os._exit(3)")
        for _ in range(100):
            if not await km.is_alive():
                break
            await asyncio.sleep(0.05)
        alive = await km.is_alive()
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return alive, sandbox.poll()

    alive, sandbox_exit = asyncio.run(died())
    assert not alive and sandbox_exit is not None


def test_the_template_joins_only_a_sandbox(tmp_path):
    with pytest.raises(OSError, match="is in no sandbox of its own"):
        kernel_template.spawn({"sandbox_pid": os.getpid(), "args": [], "cwd": str(tmp_path), "env": {}})


def test_where_no_template_can_fork_kernels_start_cold_and_grading_says_so(tmp_path, monkeypatch, caplog):
    def no_template():
        raise warm.TemplateError("the kernel template did not start: a test says so")

    monkeypatch.setattr(warm, "template", no_template)
    printed = asyncio.run(_run(tmp_path, "import sys; print('pandas' in sys.modules, sys.prefix)"))
    assert printed.split()[0] == "False"  # a new Python, which has imported nothing yet
    assert "a test says so; kernels start cold (a new Python each) instead" in caplog.text



def memory_holds(pid: int, wanted: bytes) -> bool:
    """Whether any readable memory of process ``pid`` holds ``wanted`` (root reads any process's memory)."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            start, end = (int(x, 16) for x in span.split("-"))
            if perms.startswith("r") and "[vvar" not in line and "[vsyscall]" not in line:
                try:
                    mem.seek(start)
                    if wanted in mem.read(end - start):
                        return True
                except OSError:
                    pass
    return False


@pytest.mark.skipif(os.geteuid() != 0, reason="reads the template's memory, as only root may")
def test_the_template_never_holds_a_kernels_request_so_no_later_kernel_inherits_one(tmp_path):
    earlier = tmp_path / "earlier-kernel-folder-58213"
    earlier.mkdir()
    asyncio.run(_run(earlier, "print('graded')"))
    template = warm.template().process.pid
    assert memory_holds(template, b"kernel_template")  # the search works
    assert not memory_holds(template, earlier.name.encode())
