"""utils.background: calls run in order in one other process, their errors and a dead process told through the
futures, and no process left behind."""

import math
import os
import threading
import time
from pathlib import Path

import pytest

from utils import background


@pytest.mark.parametrize("in_process", [False, True])
def test_results_and_errors_come_back_in_order(in_process):
    found, failing, last = background.start((math.factorial, 5), (math.factorial, -1), (max, 3, 7),
                                            in_process=in_process)
    assert found.result(timeout=60) == 120
    with pytest.raises(ValueError, match="factorial"):
        failing.result(timeout=60)
    assert last.result(timeout=60) == 7


def test_a_result_that_cannot_travel_is_an_error_and_the_next_call_still_runs():
    lock, after = background.start((threading.Lock,), (sum, [1, 2]))
    with pytest.raises(RuntimeError, match="TypeError: cannot pickle"):
        lock.result(timeout=60)
    assert after.result(timeout=60) == 3


def _children() -> list[str]:
    """The command lines of this process's children that are background workers."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and "utils.background" in command:
            found.append(command)
    return found


def test_a_process_that_dies_fails_what_it_had_not_done_and_none_is_left_behind():
    done, killed, never = background.start((sum, [1, 2]), (os._exit, 3), (sum, [3, 4]))
    assert done.result(timeout=60) == 3
    for future in (killed, never):
        with pytest.raises(RuntimeError, match=r"the background process ended \(exit code 3\) before its work"):
            future.result(timeout=60)
    deadline = time.monotonic() + 10
    while _children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children() == []
