"""Plain-words hints under the errors students meet most, opt-in from a notebook's first cell.

>>> from utils import hints
>>> hints.enable()  # in a notebook: from the next error on
False

Outside IPython (a plain script) ``enable`` does nothing and returns False. In a notebook, the usual
traceback stays as it is and one line is added under it, the first time each hint applies: a name
that has no value yet, an answer cell still holding its placeholder, a value of the wrong type.

A failed check (:class:`utils.checks.CheckFailed`) shows no traceback at all, only a short box: the
question (from the cell's ``checks.passed("Q1")``), what is wrong, and where to look again. It is still
an error, so the cell stops there, *Run All* stops there, and nbgrader scores the cell 0; ``%tb`` in a
new cell shows the full traceback. (A question in parts, :class:`utils.checks.Parts`, prints each failed
part's box itself and goes on with the next part, so that one part's failure costs only its points.)

>>> for line in check_box(CheckFailed("`n_turns` should be a whole number (int)."), "Q1"):
...     print(line)
Q1: a check failed
`n_turns` should be a whole number (int).
Look again at your answer to Q1, run its cell, then run this check again.
(%tb in a new cell shows the full traceback.)
"""

import linecache
import re
from pathlib import Path

from utils import checks
from utils.checks import CheckFailed

KIT = str(Path(__file__).parent)

HINTS = [
    (NameError, r"name '(\w+)' is not defined",
     "`{0}` has no value yet. If it is set in a cell above, run that cell first (Run > Run All Above; after a "
     "kernel restart everything above must run again). If it is your answer, write it in its answer cell."),
    (NotImplementedError, r"Not answered yet",
     "this answer cell still holds its placeholder: replace its two lines with your code and run it."),
    (TypeError, r"'NoneType' object",
     "a value here is None. A function that only prints, or a method such as list.sort() that changes its "
     "object in place, returns None: store the result itself."),
    (TypeError, r"can only concatenate str|must be str, not",
     "text joins only to text: turn the number into text with str(n), or write an f-string: f\"{{n}} words\"."),
    (TypeError, r"unsupported operand type\(s\) for .+: '(\w+)' and '(\w+)'",
     "values of type {0} and {1} do not combine this way. Check each value with type(value); text holding a number "
     "needs int() or float() first."),
    (TypeError, r"'(\w+)' object is not callable",
     "a value of type {0} is used as a function. Did a variable take a function's name (list = ..., sum = ...)? "
     "Rename it, then Kernel > Restart Kernel and Run All Cells."),
    (TypeError, r"'(\w+)' object is not (subscriptable|iterable)",
     "a value of type {0} has no items to take or loop over. Check with type(value) that it holds what you expect."),
]


def hint_for(error: BaseException) -> str | None:
    """The plain-words hint for an error, or None when there is none.

    >>> hint_for(NameError("name 'boundary' is not defined"))[:30]
    '`boundary` has no value yet. I'
    >>> hint_for(TypeError("unsupported operand type(s) for +: 'int' and 'str'"))[:41]
    'values of type int and str do not combine'
    """
    for kind, pattern, hint in HINTS:
        match = re.search(pattern, str(error)) if isinstance(error, kind) else None
        if match:
            return hint.format(*match.groups())
    return None


# the label a check cell passes to checks.passed() or checks.Parts(): "Q1", "Q12 (quotations and length)"
QUESTION = checks.LABEL
BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def check_box(error: CheckFailed, question: str | None = None) -> list[str]:
    """The lines of the short box a failed check shows: the question, what is wrong, where to look again.

    >>> check_box(CheckFailed("`x` is None."))[:2]
    ['A check failed', '`x` is None.']
    """
    notes = [note for note in getattr(error, "__notes__", []) if note not in str(error)]
    answer = f"your answer to {question}" if question else "your answer"
    return [f"{question}: a check failed" if question else "A check failed", *str(error).splitlines(), *notes,
            f"Look again at {answer}, run its cell, then run this check again.",
            "(%tb in a new cell shows the full traceback.)"]


def _question(tb) -> str | None:
    """The question of the cell that raised: the label of its ``checks.passed(...)`` or ``checks.Parts(...)``."""
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "<module>" and not code.co_filename.startswith(KIT):  # the cell itself
            found = QUESTION.search("".join(linecache.getlines(code.co_filename, tb.tb_frame.f_globals)))
            return found.group(2) if found else None
        tb = tb.tb_next
    return None


def _show_check_box(shell, etype, value, tb) -> None:
    """A failed check as one short error output. It is still an error (ename CheckFailed): the cell
    stops, Run All stops, and nbgrader scores the cell 0. %tb shows the full traceback."""
    try:
        shell._get_exc_info((etype, value, tb))  # keeps sys.last_traceback for %tb
        lines = check_box(value, _question(tb))
        shell._showtraceback(etype, value, [BOLD + lines[0] + PLAIN, *lines[1:]])
    except Exception:  # an IPython without these methods: the usual traceback, and the hints stay on
        shell.showtraceback((etype, value, tb))


class _Hinter:
    """IPython's custom exception handler: the usual traceback, with a hint added the first time; a failed
    check as its short box."""

    def __init__(self):
        self.shown: set[str] = set()

    def __call__(self, shell, etype, value, tb, tb_offset=None):
        if isinstance(value, CheckFailed):
            return _show_check_box(shell, etype, value, tb)
        hint = hint_for(value)
        if hint and hint not in self.shown and "Hint: " + hint not in getattr(value, "__notes__", []):
            self.shown.add(hint)
            value.add_note("Hint: " + hint)
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def enable(shell=None) -> bool:
    """Add hints under NameError, TypeError and unanswered cells, and show failed checks as short boxes,
    from now on, and follow the check cells for :func:`utils.checks.standing`; False outside IPython."""
    if shell is None:
        try:
            shell = get_ipython()  # noqa: F821 (IPython's builtin, absent in plain Python)
        except NameError:
            return False
    if shell is None:
        return False
    shell.set_custom_exc((NameError, TypeError, NotImplementedError, CheckFailed), _Hinter())
    checks.track(shell)
    return True
