"""Answer checks that teach: the visible tests in the assignments call these.

A failed check raises :class:`CheckFailed` with what is wrong and where to look again,
never the answer. :func:`passed` says the visible checks passed; the hidden tests that
decide the grade run only when the instructor grades the notebook.

>>> expect_type(3, int, "n_turns")
>>> passed("Q1")
Q1: visible checks passed; hidden tests run at grading.

A question of several answers is checked in parts (:class:`Parts`), each worth its own points, so
that one wrong answer costs only its part; :func:`standing` shows, at the end of a notebook, which
checks passed in this kernel.
"""

import contextlib
import importlib
import numbers
import re
import sys

import numpy as np
import pandas as pd

from utils import nlp

PASSED = "visible checks passed; hidden tests run at grading."
KINDS = {
    int: "a whole number (int)",
    float: "a number (float)",
    str: "text (str)",
    bool: "True or False (bool)",
    list: "a list",
    tuple: "a tuple",
    set: "a set",
    dict: "a dict",
    pd.DataFrame: "a pandas DataFrame",
    pd.Series: "a pandas Series",
    pd.Timestamp: "a date (pd.Timestamp)",
}
QUOTE = re.compile(r'"([^"]+)"')
# Words as a person counts them: what stands between spaces (or an em dash), if it holds a letter or digit.
WORD_GAP = re.compile(r"(?:\s|\u2014|--)+")
HOW_WORDS_COUNT = "words are counted between spaces, as a person counts them: 4.82 or 110.0 is one word"
OMISSION = re.compile(r"\s*(?:\[\s*\.\.\.\s*\]|\.\.\.)\s*")


class CheckFailed(AssertionError):
    """A visible check failed: the message says what to look at again."""


def _kind(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return KINDS[bool]
    if isinstance(value, numbers.Integral):
        return KINDS[int]
    if isinstance(value, numbers.Real):
        return KINDS[float]
    for kind, words in KINDS.items():
        if type(value) is kind:
            return words
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _show(value) -> str:
    """A short repr; numpy scalars shown as plain Python numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fail(name: str, problem: str, hint: str | None) -> None:
    message = f"`{name}` {problem}"
    if hint:
        message += f"\nHint: {hint}"
    raise CheckFailed(message)


def _is(value, kind) -> bool:
    if isinstance(value, bool) and kind is not bool:
        return False
    if kind is int:
        return isinstance(value, numbers.Integral)
    if kind is float:
        return isinstance(value, numbers.Real)
    if kind is bool:
        return isinstance(value, (bool, np.bool_))
    return isinstance(value, kind)


def expect_type(value, kind, name: str, hint: str | None = None) -> None:
    """Check that ``value`` is of type ``kind`` (an ``int`` also counts as a ``float``).

    >>> expect_type("3", int, "n_turns")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `n_turns` should be a whole number (int), but it is text (str): '3'.
    """
    if value is None or value is Ellipsis:
        _fail(name, f"is {value!r}, not {KINDS.get(kind, kind.__name__)}: store your answer in it "
              "(a function that returns nothing gives None).", hint)
    if not _is(value, kind):
        _fail(name, f"should be {KINDS.get(kind, kind.__name__)}, but it is {_kind(value)}: {_show(value)}.", hint)


def expect_between(value, low, high, name: str, hint: str | None = None) -> None:
    """Check that a number lies between ``low`` and ``high`` (both included).

    The range is a plausibility check, wide enough not to give the answer away.

    >>> expect_between(0.73, 0, 1, "lavrov_share")
    >>> expect_between(73.0, 0, 1, "lavrov_share", hint="a share is a part divided by the whole.")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `lavrov_share` is 73.0, which is not plausible here (expected between 0 and 1).
    Hint: a share is a part divided by the whole.
    """
    expect_type(value, float, name, hint)
    if not low <= value <= high:
        _fail(name, f"is {value}, which is not plausible here (expected between {low} and {high}).", hint)


def expect_length(value, low: int, high: int, name: str, hint: str | None = None) -> None:
    """Check that a list, set, string or table has between ``low`` and ``high`` items.

    >>> expect_length(["We remain open to dialogue."], 2, 2, "metaphor")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `metaphor` has 1 items; expected 2.
    """
    if not hasattr(value, "__len__"):
        _fail(name, f"should hold several items, but it is {_kind(value)}: {_show(value)}.", hint)
    if not low <= len(value) <= high:
        what = "rows" if isinstance(value, pd.DataFrame) else "items"
        expected = f"{low}" if low == high else f"between {low} and {high}"
        _fail(name, f"has {len(value)} {what}; expected {expected}.", hint)


def expect_items(values, kind, name: str, hint: str | None = None) -> None:
    """Check that every item of a list, set or tuple is of type ``kind``.

    >>> expect_items([4, "6"], int, "evasion_turns")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `evasion_turns[1]` should be a whole number (int), but it is text (str): '6'.
    """
    for i, item in enumerate(values):
        expect_type(item, kind, f"{name}[{i}]" if not isinstance(values, set) else f"an item of {name}", hint)


def expect_columns(table, columns, name: str, hint: str | None = None) -> None:
    """Check that ``table`` is a DataFrame with (at least) these columns.

    >>> expect_columns(pd.DataFrame({"we": [6]}), ["we", "they"], "stance")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `stance` has no column 'they'; its columns are ['we'].
    """
    expect_type(table, pd.DataFrame, name, hint)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        _fail(name, f"has no column {', '.join(map(repr, missing))}; its columns are "
              f"{list(table.columns)}.", hint)


def expect_in(value, options, name: str, hint: str | None = None, what: str | None = None) -> None:
    """Check that ``value`` is one of ``options``; ``what`` describes them without listing them.

    Short lists are shown (a spelling check); longer ones never are, as they could hold
    the answer.
    """
    try:
        allowed = value in options
    except (TypeError, ValueError):  # a Series or list where one value belongs
        _fail(name, f"should be a single value, but it is {_kind(value)}.", hint)
    if not allowed:
        if what:
            shown = f", which is not {what}"
        elif len(options) <= 8:
            shown = f", which is not one of {sorted(options, key=str)}"
        else:
            shown = ", which is not allowed here"
        _fail(name, f"is {value!r}{shown}.", hint)


def expect_contains(collection, item, name: str, hint: str | None = None) -> None:
    """Check that ``collection`` (a list, set or index) holds ``item``.

    >>> expect_contains(["Journalist"], "Sergey Lavrov", "speakers")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `speakers` has no 'Sergey Lavrov'.
    """
    if item not in collection:
        _fail(name, f"has no {item!r}.", hint)


def expect_in_text(passage: str, text: str, name: str, hint: str | None = None,
                   source_name: str = "the text") -> None:
    """Check that ``passage`` occurs in ``text`` as whole words (typography, spacing, case ignored).

    >>> expect_in_text("it takes two to tango", "We remain open, but it takes two to tango.", "metaphor")
    """
    expect_type(passage, str, name, hint)
    if not passage.strip():
        _fail(name, "is empty.", hint)
    if not _found(passage, _plain(text)):
        _fail(name, f"does not occur in {source_name}: take it from {source_name} itself, by code or by "
              "copying it exactly.", hint)


def expect_sentence(sentence: str, text: str, name: str, source_name: str = "the text") -> None:
    """Check that ``sentence`` is one whole sentence of ``text``, as :func:`utils.nlp.sentences` splits it.

    >>> expect_sentence("it takes two", "We remain open. But it takes two to tango.", "metaphor")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `metaphor` is not one whole sentence of the text: take the sentence from
    nlp.sentences(), not a part of it or several.
    """
    expect_in_text(sentence, text, name, source_name=source_name)
    if _plain(sentence) not in {_plain(s) for s in nlp.sentences(text)}:
        _fail(name, f"is not one whole sentence of {source_name}: take the sentence from "
              "nlp.sentences(), not a part of it or several.", None)


def expect_among(passage: str, candidates, name: str, what: str, hint: str | None = None) -> None:
    """Check that ``passage`` is one of ``candidates`` (typography, spacing and case ignored).

    ``what`` describes the candidates without listing them, e.g. "a positive sentence of the answers".

    >>> expect_among("Will Moscow respond?", ["Will Moscow respond?"], "question", what="a question")
    """
    expect_type(passage, str, name, hint)
    if _plain(passage) not in {_plain(c) for c in candidates}:
        _fail(name, f"is not {what}.", hint)


# Where a value's class may come from: anything else was made in the notebook (for example an object
# equal to everything, which would pass any comparison in a test).
TRUSTED_MODULES = {"builtins", "collections", "datetime", "decimal", "fractions", "numpy", "pandas", "nltk"}
HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: set for every class made by a class statement


def _trusted(kind: type) -> bool:
    """A class defined where it says it is, in a module the tests may rely on."""
    if kind.__module__ == "builtins" and not kind.__flags__ & HEAP_TYPE:
        return True  # a type built into Python (None's, dict_keys, ...): no notebook can make one
    if kind.__module__.split(".")[0] not in TRUSTED_MODULES:
        return False
    found = importlib.import_module(kind.__module__)
    for part in kind.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is kind


def _made_here(value) -> str | None:
    """The class name of the first part of ``value`` that is not a trusted class, or None."""
    if not _trusted(type(value)):
        return type(value).__name__
    if isinstance(value, pd.DataFrame):
        parts = [value.index, value.columns, *(value[c] for c in value.columns)]
    elif isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        parts = list(value) if value.dtype == object else []
        parts += [value.index] if isinstance(value, pd.Series) else []
    elif isinstance(value, dict):
        parts = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = list(value)
    else:
        parts = []
    return next(filter(None, map(_made_here, parts)), None)


def expect_plain(**answers) -> None:
    """Check that each answer is a plain value: numbers, text, lists, dicts, numpy or pandas objects.

    Hidden tests call this first, so an object made in the notebook to pass every comparison earns nothing.

    >>> expect_plain(n_turns=3, words=pd.Series([1, 2], index=["a", "b"]))
    >>> class Anything:
    ...     def __eq__(self, other):
    ...         return True
    >>> expect_plain(n_turns=Anything())
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `n_turns` holds an object of class Anything made in this notebook, not a plain value:
    store the number, text, list or table itself.
    """
    for name, value in answers.items():
        if made := _made_here(value):
            _fail(name, f"holds an object of class {made} made in this notebook, not a plain value: store the "
                  "number, text, list or table itself.", None)


def passed(question) -> None:
    """Say that the visible checks of ``question`` passed (a label such as "Q1", or a :class:`Parts`).

    For a :class:`Parts`, only if every part ran and passed: a part that failed has said so already.
    """
    if isinstance(question, Parts):
        if question.passed_parts() == list(question.points):
            print(f"{question.question}: {PASSED}")
        return
    track()
    _STANDING[question_of(question)] = (True, _detail(question))
    print(f"{question}: {PASSED}")


def _plain(s: str) -> str:
    return " ".join(nlp.normalise(s).split()).lower()


def quotes(prose: str) -> list[str]:
    """The passages of ``prose`` in double quotation marks (straight or curly).

    >>> quotes('He calls it \u201cbreakdancing alone\u201d and says "it takes two".')
    ['breakdancing alone', 'it takes two']
    """
    return [q.strip() for q in QUOTE.findall(nlp.normalise(prose)) if q.strip()]


def _found(quote: str, source: str) -> bool:
    """True if the quote's parts (split at ``...``) occur in the source as whole words, in order."""
    if not any(ch.isalnum() for ch in quote):
        return False  # punctuation alone is not a quotation
    start = 0
    for part in OMISSION.split(quote):
        part = _plain(part).strip(" .,;:!?'")
        if not part:
            continue
        match = re.compile(r"(?<!\w)" + re.escape(part) + r"(?!\w)").search(source, start)
        if not match:
            return False
        start = match.end()
    return True


def check_quotes(prose: str, source) -> pd.DataFrame:
    """Each quotation in ``prose``, whether it occurs in ``source``, and where.

    ``source`` is a text, or a dict of named texts (a quote may come from any of them;
    ``found_in`` names every text it occurs in).
    Quotes, spacing and capitals are normalised; ``...`` marks an omission, and the
    parts around it must occur in order.

    >>> source = "We remain open to dialogue, but it takes two to tango."
    >>> check_quotes('He says "it takes two to tango" and "we are dancing".', source)
                       quote  found  found_in
    0  it takes two to tango   True  the text
    1         we are dancing  False       NaN
    """
    named = source if isinstance(source, dict) else {"the text": source}
    plain = {name: _plain(text) for name, text in named.items()}
    rows = []
    for q in quotes(prose):
        where = [name for name, text in plain.items() if _found(q, text)]
        rows.append((q, bool(where), ", ".join(where) if where else None))
    return pd.DataFrame(rows, columns=["quote", "found", "found_in"])


def word_count(prose: str) -> int:
    """How many words ``prose`` has, counted as a person counts them.

    A word is what stands between spaces (or an em dash) and holds a letter or a digit: a number
    such as 110.0 or 4.82% is one word, as are don't and Euro-Atlantic; a dash or ``...`` on its
    own is none. (:func:`utils.nlp.words`, made for frequency lists, splits 4.82 into 4 and 82.)

    >>> word_count("It's not just about recognizing the problem.")
    7
    >>> word_count("UNHCR counted 110.0 million - up 4.82% on 2022 — not 120 million...")
    11
    """
    return sum(any(ch.isalnum() for ch in token) for token in WORD_GAP.split(prose))


def expect_quotes(prose: str, source, name: str, min_quotes: int = 1,
                  source_name: str = "the text", min_per_source: int = 0) -> None:
    """Check that ``prose`` quotes ``source`` at least ``min_quotes`` times, every time exactly.

    >>> expect_quotes('He says "it takes two to tango".', "It takes two to tango.", "paragraph")

    With a dict of named texts as ``source``, each quote may come from any of them and
    ``min_per_source`` asks for that many quotes from each.
    """
    expect_type(prose, str, name)
    marks = nlp.normalise(prose).count('"')
    if marks % 2:
        _fail(name, f"has {marks} double quotation marks, an odd number: close every quotation you open.", None)
    table = check_quotes(prose, source)
    if len(table) < min_quotes:
        _fail(name, f"has {len(table)} passage(s) in double quotation marks; quote at least "
              f"{min_quotes} passages of {source_name} exactly, in \"double quotes\".", None)
    wrong = table.loc[~table["found"], "quote"].tolist()
    if wrong:
        listed = "\n".join(f'  - "{q}"' for q in wrong)
        _fail(name, f"quotes words that are not in {source_name} as written:\n{listed}",
              "find each passage with concordance() and copy it exactly; mark left-out "
              "words with ... . Double quotation marks are for quotations only: write a term "
              "you discuss, such as us or them, without quotation marks.")
    if isinstance(source, dict):
        found_in = table["found_in"].fillna("").str.split(", ")
        for text_name in source:
            n = int(sum(text_name in names for names in found_in))
            if n < min_per_source:
                _fail(name, f"does not quote {text_name}; quote each text at least once." if n == 0 and
                      min_per_source == 1 else f"quotes {text_name} {n} times; quote it at least "
                      f"{min_per_source} times.", None)


def expect_word_count(prose: str, low: int, high: int, name: str) -> None:
    """Check that ``prose`` has between ``low`` and ``high`` words, counted as :func:`word_count` does:
    between spaces, as a person counts them, so that a number such as 4.82 is one word.

    >>> expect_word_count("Too short: 4.82 words.", 120, 250, "paragraph")
    Traceback (most recent call last):
    ...
    utils.checks.CheckFailed: `paragraph` has 4 words; write at least 120 (words are counted between spaces, as a
    person counts them: 4.82 or 110.0 is one word).
    """
    expect_type(prose, str, name)
    n = word_count(prose)
    if n < low:
        _fail(name, f"has {n} words; write at least {low} ({HOW_WORDS_COUNT}).", None)
    if n > high:
        _fail(name, f"has {n} words; cut it to at most {high} ({HOW_WORDS_COUNT}).", None)


# ---------------------------------------------------------------------------------------------------------
# Questions in parts: partial credit

# the label of a check cell's question, as passed() and Parts() are called in it: "Q1", "Q12 (quotations ...)"
LABEL = re.compile(r"""\b(?:passed|Parts)\(\s*(["'])(.+?)\1""")
QUESTION_ID = re.compile(r"\s*(Q\d+[a-z]?)\b")
LONGEST_MESSAGE = 2_000  # characters of one failure's message: a huge value in an error must not flood the page


def _points(x: float) -> str:
    """1 point, 2 points, 0.5 points."""
    return f"{x:g} point{'' if x == 1 else 's'}"


def _text(error: BaseException) -> str:
    """An error's message, whatever the error's class does (an object of the notebook's may raise it)."""
    try:
        text = str(error)
    except Exception:
        text = ""
    return text if len(text) <= LONGEST_MESSAGE else text[:LONGEST_MESSAGE] + " ..."


class Parts:
    """The check cell of a question in parts, each part worth its own points: one wrong answer costs only its part.

    ``points`` maps each part's label (as students read it, names in backticks) to its points. The checks of
    a part run in ``with parts.part(label):``. A part that fails (a failed check, a failed hidden test, any
    other error) prints what is wrong, on stdout, and the cell goes on with the next part. The cell ends with
    the bare name ``parts``: the notebook shows which parts passed, and nbgrader reads the points earned from
    its plain text (a number between 0 and the cell's points). The hidden tests begin by handing the object to
    :meth:`hidden`, imported afresh, and then run in the same blocks.

    >>> parts = Parts("Q4", {"`words_per_speaker`": 1, "`lavrov_share`": 1})
    >>> with parts.part("`words_per_speaker`"):
    ...     expect_type(736, int, "words_per_speaker")
    >>> with parts.part("`lavrov_share`"):
    ...     expect_between(73.0, 0, 1, "lavrov_share", hint="a share is a part divided by the whole.")
    Q4, `lavrov_share` (1 of 2 points): a check failed
    `lavrov_share` is 73.0, which is not plausible here (expected between 0 and 1).
    Hint: a share is a part divided by the whole.
    Look again at your answer to Q4, run its cell, then run this check again.
    >>> passed(parts)  # says nothing: a part failed, and said so
    >>> parts.score
    1.0
    """

    def __init__(self, question: str, points: dict):
        if not points or any(not isinstance(p, numbers.Real) or p <= 0 for p in points.values()):
            raise ValueError(f"{question}: give each part its points, a number above 0: {points!r}")
        self.question = question
        self.points = {str(label): float(p) for label, p in points.items()}
        self.total = float(sum(self.points.values()))
        self.ran: set[str] = set()
        self.failed: dict[str, str] = {}  # label -> the first failure's message, as printed
        self.hidden_tests = False  # True once the hidden tests have begun (at grading)
        track()
        _STANDING[question_of(question)] = self

    def part(self, label: str) -> "_Part":
        """``with parts.part(label):`` runs the checks of one part; a failure there ends that block only."""
        if label not in self.points:
            raise ValueError(f"{self.question} has no part {label!r}; its parts are {list(self.points)}")
        return _Part(self, label)

    @classmethod
    def hidden(cls, parts) -> "Parts":
        """``parts`` itself, once it is known to be the kit's own: the first line of the hidden tests.

        Import it afresh there (``from utils.checks import Parts``): notebook code cannot have rebound that
        name, so an object that only looks like a Parts (one that swallows every failure) fails the whole cell.
        """
        if type(parts) is not cls:
            raise CheckFailed("this check cell's `parts` is not the kit's Parts object: the checks were replaced "
                              "in this notebook, so its tests cannot run.")
        parts.hidden_tests = True
        return parts

    @property
    def score(self) -> float:
        """The points of the parts that ran and passed: between 0 and the question's points."""
        earned = sum(p for label, p in self.points.items() if label in self.ran and label not in self.failed)
        return float(min(max(earned, 0.0), self.total))

    def passed_parts(self) -> list[str]:
        """The labels of the parts that ran and passed, in order."""
        return [label for label in self.points if label in self.ran and label not in self.failed]

    def _fail(self, label: str, error: Exception, tb) -> None:
        if label in self.failed:
            return  # a part's first failure says what to look at; later blocks of the same part add nothing
        sys.last_type, sys.last_value, sys.last_traceback = type(error), error, tb  # for %tb
        lines = _failure_lines(f"{self.question}, {label} ({self.points[label]:g} of {_points(self.total)})",
                               self.question, error)
        self.failed[label] = "\n".join(lines)
        print(self.failed[label], flush=True)

    def _summary(self) -> tuple[str, list[str]]:
        done = self.passed_parts()
        if self.hidden_tests:
            title = f"**{self.question}: {self.score:g} of {_points(self.total)}**"
        else:
            title = (f"**{self.question}**: {len(done)} of {len(self.points)} parts pass their visible checks "
                     f"({self.score:g} of {_points(self.total)}; hidden tests decide the points at grading)")
        rows = []
        for label, p in self.points.items():
            if label in done:
                rows.append(f"✓ {label} ({_points(p)}): passed")
            elif label in self.failed:
                rows.append(f"✗ {label} ({_points(p)}): not passed (its message is above)")
            else:
                rows.append(f"✗ {label} ({_points(p)}): not run")
        return title, rows

    def _repr_markdown_(self) -> str:
        title, rows = self._summary()
        return title + "\n\n" + "\n".join(f"- {row}" for row in rows) + "\n"

    def _repr_pretty_(self, printer, cycle) -> None:
        # what nbgrader reads: the plain text of the cell's result, the points earned (get_partial_grade)
        printer.text(repr(self.score))

    def __repr__(self) -> str:
        return f"<Parts of {self.question}: {self.score:g} of {_points(self.total)}>"


FORGED = ("the code of the notebook that these checks ran tried to show a result of its own (sys.displayhook): "
          "nbgrader would read it as the points earned, so the part earns nothing.")


class _Part:
    """One ``with parts.part(label):`` block: a failure inside is printed and kept, and the cell goes on.

    Anything the block writes to stderr (a warning, say) goes to stdout: nbgrader gives 0 to a cell with any
    output on stderr, which would take the points of the other parts too. A result shown from inside the
    block (``sys.displayhook``, called by a method of an answer's object) is not shown but fails the part:
    nbgrader reads the first result of a cell as its points.
    """

    def __init__(self, parts: Parts, label: str):
        self.parts, self.label = parts, label
        self._stderr = self._displayhook = None
        self._forged = False

    def _refuse(self, value) -> None:
        self._forged = self._forged or value is not None

    def __enter__(self):
        self.parts.ran.add(self.label)
        self._stderr = contextlib.redirect_stderr(sys.stdout)
        self._stderr.__enter__()
        self._displayhook, sys.displayhook = sys.displayhook, self._refuse
        return self

    def __exit__(self, kind, error, tb) -> bool:
        sys.displayhook = self._displayhook
        self._stderr.__exit__(None, None, None)
        if kind is not None and not issubclass(kind, Exception):
            return False  # an interrupt (a timeout) stops the cell as usual
        if kind is None and self._forged:
            error = CheckFailed(FORGED)
        if error is not None:
            self.parts._fail(self.label, error, tb)
        return True


_HINTS_SHOWN: set[str] = set()  # a plain-words hint is shown once per kernel, as utils.hints does


def _failure_lines(where: str, question: str, error: Exception) -> list[str]:
    """What a failed part prints: where, what kind of failure, the message, and where to look again."""
    from utils.hints import hint_for  # not at the top: hints imports this module

    message = _text(error)
    if isinstance(error, CheckFailed):
        notes = [note for note in getattr(error, "__notes__", []) if note not in message]
        return [f"{where}: a check failed", *message.splitlines(), *notes,
                f"Look again at your answer to {question_of(question)}, run its cell, then run this check again."]
    if isinstance(error, AssertionError):  # a hidden test
        return [f"{where}: a test failed", *(message.splitlines() or ["(the test gives no message)"])]
    lines = [f"{where}: an error", f"{type(error).__name__}: {message}" if message else type(error).__name__]
    hint = hint_for(error)
    if hint is None:  # an error the kit did not foresee: where it happened helps
        return lines + ["(%tb in a new cell shows where it happened.)"]
    if hint not in _HINTS_SHOWN:
        _HINTS_SHOWN.add(hint)
        lines.append(f"Hint: {hint}")
    return lines


# ---------------------------------------------------------------------------------------------------------
# Where a student stands: the checks that passed in this kernel

_STANDING: dict = {}  # question id -> (passed, detail) or the question's Parts
_TRACKED: set[int] = set()  # the shells whose cells are followed


def question_of(label: str) -> str:
    """The question a check's label names: "Q12 (quotations and length)" -> "Q12"."""
    found = QUESTION_ID.match(label)
    return found.group(1) if found else label.strip()


def _detail(label: str) -> str:
    """What of the question a label names: "Q12 (quotations and length)" -> "quotations and length"."""
    return label[len(question_of(label)):].strip().strip("()").strip() if QUESTION_ID.match(label) else ""


def labels_in(code: str) -> list[str]:
    """The question labels a check cell passes to :func:`passed` or :class:`Parts`.

    >>> labels_in('checks.passed("Q12 (quotations and length)")\\nparts = checks.Parts("Q4", {})')
    ['Q12 (quotations and length)', 'Q4']
    """
    return [m.group(2) for m in LABEL.finditer(code)]


def _before_cell(info=None) -> None:
    """A check cell starts: what it said before no longer holds."""
    for label in labels_in(getattr(info, "raw_cell", "") or ""):
        _STANDING.pop(question_of(label), None)


def _after_cell(result=None) -> None:
    """A check cell raised (a failed check, a failed hidden test, an error): its question did not pass."""
    if result is None or result.success:
        return
    for label in labels_in(getattr(result.info, "raw_cell", "") or ""):
        _STANDING[question_of(label)] = (False, _detail(label))


def track(shell=None) -> bool:
    """Follow the check cells this IPython kernel runs, for :func:`standing`; False outside IPython.

    :func:`utils.hints.enable` calls it; :func:`passed` and :class:`Parts` too, in case it was not.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "events"):
        return False
    if id(shell) not in _TRACKED:
        _TRACKED.add(id(shell))
        shell.events.register("pre_run_cell", _before_cell)
        shell.events.register("post_run_cell", _after_cell)
    return True


def question_order(question: str) -> tuple:
    """Q1, Q1b, Q2, ..., Q10: by number, then letter."""
    found = re.fullmatch(r"Q(\d+)(\w*)", question)
    return (int(found.group(1)), found.group(2)) if found else (10**6, question)


STANDING_NOTE = ("*Passed* means that the visible checks passed: your answer has the right form. **Hidden tests** "
                 "run when your instructor grades the notebook, and they decide the autograded points. Points *by "
                 "your instructor* are for your written answers, graded by your instructor. Run this cell again "
                 "after you run a check.")


class Standing:
    """The table :func:`standing` shows: each question, its points, and how its checks did in this kernel."""

    def __init__(self, autograded: dict, by_instructor: dict):
        self.autograded, self.by_instructor = dict(autograded), dict(by_instructor)

    def rows(self) -> list[tuple[str, str, str]]:
        """(question, points, checks in this kernel) for each question, in order."""
        rows = []
        for question in sorted(set(self.autograded) | set(self.by_instructor), key=question_order):
            auto, manual = self.autograded.get(question, 0), self.by_instructor.get(question, 0)
            points = " + ".join([f"{auto:g}"] * bool(auto) + [f"{manual:g} by your instructor"] * bool(manual))
            rows.append((question, points, self._status(question) if auto else "graded by your instructor"))
        return rows

    @staticmethod
    def _status(question: str) -> str:
        found = _STANDING.get(question)
        if found is None:
            return "not run yet"
        if isinstance(found, Parts):
            done = found.passed_parts()
            if len(done) == len(found.points):
                return f"✓ passed (all {len(done)} parts)"
            if not done:
                return "✗ not passed yet"
            return f"{len(done)} of {len(found.points)} parts passed: {', '.join(done)}"
        ok, detail = found
        return ("✓ passed" if ok else "✗ not passed yet") + (f" ({detail})" if detail else "")

    def _totals(self) -> str:
        auto, manual = sum(self.autograded.values()), sum(self.by_instructor.values())
        return f"{auto:g} autograded + {manual:g} by your instructor = {auto + manual:g} in all"

    def _repr_markdown_(self) -> str:
        lines = ["**Where you stand: the checks in this kernel**", "",
                 "| Question | Points | Checks in this kernel |", "| --- | --- | --- |"]
        lines += [f"| {q} | {p} | {s} |" for q, p, s in self.rows()]
        lines += [f"| **All** | **{self._totals()}** | |", "", STANDING_NOTE]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        rows = [("Question", "Points", "Checks in this kernel"), *self.rows(), ("All", self._totals(), "")]
        widths = [max(len(row[i]) for row in rows[:-1]) for i in range(2)]
        lines = [f"{q:<{widths[0]}}  {p:<{widths[1]}}  {s}".rstrip() for q, p, s in rows]
        return "\n".join(lines) + "\n\n" + STANDING_NOTE.replace("*", "")


def standing(autograded: dict, by_instructor: dict | None = None) -> Standing:
    """A table of the notebook's questions, their points, and whether each one's checks passed in this kernel.

    ``autograded`` maps each question with a check cell to its autograded points, ``by_instructor`` each
    question with a written answer to the points the instructor gives (``wordsnums check`` verifies both
    against the notebook's graded cells). The last cell of each assignment shows it.

    >>> _ = Parts("Q8", {"the `we` counts": 1, "the `they` counts": 1})
    >>> with _.part("the `we` counts"):
    ...     pass
    >>> print(standing({"Q7": 2, "Q8": 2, "Q12": 1}, by_instructor={"Q12": 4}))  # doctest: +ELLIPSIS
    Question  Points                 Checks in this kernel
    Q7        2                      not run yet
    Q8        2                      1 of 2 parts passed: the `we` counts
    Q12       1 + 4 by your instructor  not run yet
    All       5 autograded + 4 by your instructor = 9 in all
    <BLANKLINE>
    Passed means that the visible checks passed: ...
    """
    track()
    return Standing(autograded, by_instructor or {})
