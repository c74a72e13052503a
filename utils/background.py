"""Work for the second core: slow steps of a notebook run in another process while the notebook goes on.

A report on a long text spends most of its time splitting sentences, and the machine has another core.
The other process is a plain ``python -m utils.background`` that reads the calls and writes back their
results (pickled, through its pipes): no multiprocessing pool, whose helper processes a Jupyter kernel
would wait seconds for at shutdown.
"""

import pickle
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future

LONG_TEXT = 500_000  # characters: below this, starting a process costs more than it saves


def start(*calls: tuple, in_process: bool = False) -> list[Future]:
    """Run each call, a tuple ``(function, argument, ...)``, in order in one other process, while you go on;
    ``.result()`` of its future waits for it and gives its value (or raises its error). The functions must be
    importable (from a module, not defined in the notebook). ``in_process=True`` runs them here and now, as
    for a short text.

    >>> import math
    >>> [job.result() for job in start((math.factorial, 5), (max, 3, 7))]
    [120, 7]
    """
    futures = [Future() for _ in calls]
    if in_process:
        for future, (function, *args) in zip(futures, calls, strict=True):
            _settle(future, *_outcome(function, args))
        return futures
    errors = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stop the process
    child = subprocess.Popen([sys.executable, "-m", "utils.background"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=errors)
    threading.Thread(target=_collect, args=(child, errors, calls, futures), daemon=True).start()
    return futures


def _outcome(function, args) -> tuple[bool, object]:
    try:
        return True, function(*args)
    except Exception as err:  # noqa: BLE001 -- handed to the caller's .result(), raised there
        return False, err


def _settle(future: Future, ok: bool, value) -> None:
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _collect(child: subprocess.Popen, errors, calls: tuple, futures: list[Future]) -> None:
    with child, errors:
        try:
            pickle.dump(calls, child.stdin)
            child.stdin.close()
            for future in futures:
                _settle(future, *pickle.load(child.stdout))
        except (OSError, EOFError, pickle.UnpicklingError):
            child.wait()
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            problem = RuntimeError(f"the background process ended (exit code {child.returncode}) before its "
                                   "work was done" + (": " + " / ".join(said) if said else ""))
            for future in futures:
                if not future.done():
                    future.set_exception(problem)


def _serve() -> None:
    """In the other process: run the calls read from stdin, writing each outcome to stdout as it comes."""
    calls = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    for function, *args in calls:
        ok, value = _outcome(function, args)
        try:
            data = pickle.dumps((ok, value))
        except Exception as err:  # noqa: BLE001 -- a result or error that cannot travel is told in words
            data = pickle.dumps((False, RuntimeError(f"{type(err).__name__}: {err}")))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    _serve()
