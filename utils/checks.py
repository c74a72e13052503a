"""Answer checks that teach: the visible tests in the assignments call these.

A failed check raises :class:`CheckFailed` with what is wrong and where to look again,
never the answer. :func:`passed` says the visible checks passed; the hidden tests that
decide the grade run only when the instructor grades the notebook.

>>> expect_type(3, int, "n_turns")
>>> passed("Q1")
Q1: visible checks passed; hidden tests run at grading.
"""

import importlib
import numbers
import re

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


def passed(question: str) -> None:
    """Say that the visible checks of ``question`` passed."""
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
