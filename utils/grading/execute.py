"""nbgrader's Execute, hardened for whatever students submit (configured in nbgrader_config.py).

* A cell that runs past the timeout, or that kills its kernel (``os._exit``, a crash in a library,
  a memory limit hit in C code), gets an error output that says so; the kernel is restarted, the
  cells before it that ran cleanly are run again, and grading goes on with the next cell. The
  student keeps the points the rest of the notebook earns.
* Each grading kernel gets a memory limit, so a memory hog meets a ``MemoryError`` in its own cell
  instead of taking the grading machine down, and a process limit, so a fork bomb stops at it
  (:mod:`utils.grading.limits`).
* Each grading kernel runs in a sandbox (:mod:`utils.grading.sandbox`); where none can start, grading
  refuses unless ``sandbox = "none"`` is configured, and then warns at every kernel start. With
  ``warm_kernels``, each is forked into its sandbox from a template that has imported the libraries
  (:mod:`utils.grading.warm`).
"""

import copy

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Enum, Integer

from utils.grading.sandbox import SandboxedKernelManager
from utils.grading.warm import WarmKernelManager

NO_EXIT = "get_ipython().ask_exit = lambda: print('exit() and quit() do nothing while a notebook is graded.')"
TIMEOUT_HINT = ("This cell ran longer than {seconds} s, so grading stopped it. The rest of the notebook was still "
                "graded. Look for a loop that never ends.")
DIED_HINT = ("This cell stopped the Python kernel (os._exit(), a crash in a library, or more memory than "
             "the {limit} MiB allowed). The kernel was restarted and the rest of the notebook graded.")


class KitExecute(Execute):
    """Execute that survives timeouts and dead kernels cell by cell, with memory and process limits per kernel."""

    memory_limit_mb = Integer(2048, help="Address space allowed to each grading kernel, in MiB (0: no limit)"
                              ).tag(config=True)
    max_processes = Integer(512, help="Processes and threads each grading kernel may run at once, itself "
                            "included (0: no limit; needs a writable pids cgroup, as root has)").tag(config=True)

    sandbox = Enum(["bubblewrap", "none"], "bubblewrap", help="Where students' code runs: 'bubblewrap' (a sandbox "
                   "with only its own folder, the kit and no network), or 'none': as you, with your files and the "
                   "network (only where no sandbox can start; every run warns)").tag(config=True)

    warm_kernels = Bool(False, help="Fork each sandboxed kernel from a template process that has imported the "
                        "notebooks' libraries (utils.grading.warm): about 3 s less per notebook. `wordsnums grade` "
                        "switches it on").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)

    def create_kernel_manager(self):
        if self.warm_kernels and self.sandbox == "bubblewrap" and self.kernel_manager_class is SandboxedKernelManager:
            self.kernel_manager_class = WarmKernelManager
        km = super().create_kernel_manager()
        km.sandbox, km.memory_limit_mb, km.max_processes = self.sandbox, self.memory_limit_mb, self.max_processes
        km.log = self.log  # made without a parent, its own log would go nowhere: its warnings belong in nbgrader's
        if self.sandbox == "none":
            self.log.warning("Grading without a sandbox (KitExecute.sandbox = 'none'): the students' code runs as "
                             "you, with your files and the network")
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._lost = set()  # cells that timed out or killed the kernel: never replayed
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        # exit() or quit() in a cell would end the kernel a moment after it, in whatever cell ran then, and
        # again after every restart: here they only say that they do nothing
        await kc.execute_interactive(NO_EXIT, silent=True, store_history=False, timeout=self.startup_timeout)
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_check_alive(self):
        # nbclient logs a dead kernel as an error; here it is a student's cell, handled in preprocess_cell
        if not await ensure_async(self.kc.is_alive()):
            raise DeadKernelError("Kernel died")

    async def _async_handle_timeout(self, timeout, cell=None):
        # nbclient logs this as an error and leaves a possibly stuck kernel; a restart is surer
        raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", timeout, cell)

    def preprocess_cell(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
        except (CellTimeoutError, DeadKernelError) as err:
            timed_out = isinstance(err, CellTimeoutError)
            name = "CellTimeoutError" if timed_out else "KernelDied"
            hint = (TIMEOUT_HINT.format(seconds=self.timeout) if timed_out
                    else DIED_HINT.format(limit=self.memory_limit_mb))
            cell.outputs = [new_output("error", ename=name, evalue=hint, traceback=[f"{name}: {hint}"])]
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"number {index + 1}")
            self.log.warning("Cell %s %s; restarted the kernel and graded the rest", grade_id,
                             "timed out" if timed_out else "killed the kernel")
            self._lost.add(index)
            self._restart_and_replay(index)
            return cell, self.resources

    async def _async_restart(self) -> None:
        await ensure_async(self.kc.stop_channels())
        await ensure_async(self.km.restart_kernel(now=True))
        await self.async_start_new_kernel_client()

    _restart = run_sync(_async_restart)

    def _restart_and_replay(self, index: int) -> None:
        """A fresh kernel with the state of the cells before ``index`` that ran cleanly."""
        self._restart()
        for before, earlier in enumerate(self.nb.cells[:index]):
            if earlier.cell_type != "code" or before in self._lost:
                continue
            try:
                self.execute_cell(copy.deepcopy(earlier), before, store_history=False)
            except (CellTimeoutError, DeadKernelError):
                self._lost.add(before)
                self._restart()
