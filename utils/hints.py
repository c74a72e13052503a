"""Plain-words hints under the errors students meet most, opt-in from a notebook's first cell.

>>> from utils import hints
>>> hints.enable()  # in a notebook: from the next error on
False

Outside IPython (a plain script) ``enable`` does nothing and returns False. In a notebook, the usual
traceback stays as it is and one line is added under it, the first time each hint applies: a name
that has no value yet, an answer cell still holding its placeholder, a value of the wrong type. A failed
check shows the student's cell and the check's message, not the kit's code behind the check.
"""

import re
from pathlib import Path

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


def _without_kit_frames(tb):
    """Cut a traceback before its first frame in the kit's own code (how a check works inside)."""
    first = tb
    while tb.tb_next is not None:
        if tb.tb_next.tb_frame.f_code.co_filename.startswith(KIT):
            tb.tb_next = None
            break
        tb = tb.tb_next
    return first


class _Hinter:
    """IPython's custom exception handler: the usual traceback, with a hint added the first time."""

    def __init__(self):
        self.shown: set[str] = set()

    def __call__(self, shell, etype, value, tb, tb_offset=None):
        hint = hint_for(value)
        if hint and hint not in self.shown and "Hint: " + hint not in getattr(value, "__notes__", []):
            self.shown.add(hint)
            value.add_note("Hint: " + hint)
        if isinstance(value, CheckFailed):
            tb = _without_kit_frames(tb)
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def enable(shell=None) -> bool:
    """Add hints under NameError, TypeError and unanswered cells from now on; False outside IPython."""
    if shell is None:
        try:
            shell = get_ipython()  # noqa: F821 (IPython's builtin, absent in plain Python)
        except NameError:
            return False
    if shell is None:
        return False
    shell.set_custom_exc((NameError, TypeError, NotImplementedError, CheckFailed), _Hinter())
    return True
