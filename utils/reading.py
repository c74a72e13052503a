"""Close-reading tools: a keyword-in-context concordance, frequency tables, dispersion plots."""

import bisect
import re

import pandas as pd

from utils import nlp

KWIC_COLUMNS = ["left", "match", "right", "position", "turn"]


def term_pattern(term: str, regex: bool = False) -> re.Pattern:
    """A case-insensitive pattern for a search term.

    ``*`` matches any letters (``secur*`` finds security, secure, securing) and a space
    matches any run of white space, so phrases work. With ``regex=True`` the term is a
    Python regular expression used as it is.

    >>> bool(term_pattern("secur*").fullmatch("Security"))
    True
    """
    if not term.strip():
        raise ValueError("The search term is empty: give a word, a phrase or a pattern such as 'secur*'.")
    if regex:
        return re.compile(term, re.IGNORECASE)
    parts = [re.escape(word).replace(r"\*", r"[\w'-]*") for word in nlp.normalise(term).split()]
    return re.compile(r"(?<![\w-])" + r"\s+".join(parts) + r"(?![\w-])", re.IGNORECASE)


def _flat(s: str) -> str:
    return " ".join(s.split())


def _kwic_rows(text: str, pattern: re.Pattern, width: int, turn) -> list[tuple]:
    plain = nlp.normalise(text)
    starts = nlp.word_starts(plain)
    rows = []
    for m in pattern.finditer(plain):
        left = _flat(plain[max(0, m.start() - width * 2): m.start()])[-width:]
        right = _flat(plain[m.end(): m.end() + width * 2])[:width]
        rows.append((left, m.group(0), right, bisect.bisect_left(starts, m.start()), turn))
    return rows


def concordance(source, term: str, width: int = 40, regex: bool = False) -> pd.DataFrame:
    """Every occurrence of ``term`` with its left and right context (keyword in context).

    ``source`` is a text or a turns table from :func:`utils.texts.parse_turns`. The
    result has one row per match: ``left``, ``match``, ``right`` (``width`` characters
    each side), ``position`` (the match's word number in its text or turn) and ``turn``
    (None for a plain text). Sort it like any DataFrame, for example by ``right``.

    >>> from utils.texts import load_text, parse_turns
    >>> hits = concordance(parse_turns(load_text("a")), "secur*")
    >>> hits.sort_values("right").columns.tolist()
    ['left', 'match', 'right', 'position', 'turn']
    """
    pattern = term_pattern(term, regex)
    if isinstance(source, pd.DataFrame):
        rows = []
        for turn, block in source.groupby("turn", sort=True):
            rows += _kwic_rows("\n\n".join(block["text"]), pattern, width, turn)
    else:
        rows = _kwic_rows(source, pattern, width, None)
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def frequencies(text: str, drop_stopwords: bool = True, top: int | None = None) -> pd.DataFrame:
    """How often each word occurs: ``word``, ``count`` and ``per_1000`` words of the text.

    Stopwords ("the", "of", "we", ...) are left out unless ``drop_stopwords=False``;
    ``per_1000`` is always relative to all words of the text.

    >>> frequencies("Security, security and dialogue.").head(1).to_dict("records")
    [{'word': 'security', 'count': 2, 'per_1000': 500.0}]
    """
    tokens = pd.Series(nlp.words(text), dtype="object")
    kept = tokens[~tokens.isin(nlp.stopwords())] if drop_stopwords else tokens
    counts = kept.value_counts().rename_axis("word").reset_index(name="count")
    counts = counts.sort_values(["count", "word"], ascending=[False, True], ignore_index=True)
    counts["per_1000"] = (counts["count"] * 1000 / max(len(tokens), 1)).round(2)
    return counts.head(top) if top else counts


def dispersion(text: str, terms: list[str]) -> pd.DataFrame:
    """Where each term occurs in a text: one row per hit with ``term`` and word ``position``.

    >>> dispersion("NATO and the West; NATO again", ["NATO"])["position"].tolist()
    [0, 4]
    """
    frames = [concordance(text, t).assign(term=t)[["term", "position"]] for t in terms]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["term", "position"])


def dispersion_plot(text: str, terms: list[str], ax=None, title: str = "Where the terms occur"):
    """Plot where each term occurs along the text; returns the matplotlib Axes.

    >>> from utils.texts import load_text
    >>> ax = dispersion_plot(load_text("a"), ["NATO", "dialogue"])
    >>> ax.get_xlabel()
    'Word position in the text'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 + 0.5 * max(len(terms), 1)))
    hits = dispersion(text, terms)
    rows = {t: i for i, t in enumerate(terms)}
    ax.plot(hits["position"], hits["term"].map(rows), "|", markersize=14, color="tab:blue")
    ax.set_yticks(range(len(terms)), terms)
    ax.set_ylim(-0.5, len(terms) - 0.5)
    ax.invert_yaxis()
    ax.set_xlim(0, max(len(nlp.words(text)), 1))
    ax.set_xlabel("Word position in the text")
    ax.set_title(title)
    return ax
