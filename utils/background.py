"""A slow step run in a second process while a notebook goes on, so that a long text uses both cores.

On Linux the process is forked (it starts at once, with everything imported); elsewhere, and if a
process cannot be started, the step runs where it is called. Either way the result is the same.
"""

import concurrent.futures
import multiprocessing
import sys


def start(function, *args) -> concurrent.futures.Future:
    """Begin ``function(*args)``; ``.result()`` on the returned future waits for its value.

    >>> start(sum, [1, 2, 3]).result()
    6
    """
    if sys.platform == "linux":
        try:
            pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            future = pool.submit(function, *args)
            pool.shutdown(wait=False)  # the worker exits when the step is done
            return future
        except OSError:
            pass
    done = concurrent.futures.Future()
    done.set_result(function(*args))
    return done
