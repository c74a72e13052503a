"""Corpus statistics: keyness (log-likelihood and log ratio) and collocates (MI and log-likelihood).

Both work on whole vocabularies at once with numpy arrays, so they stay fast on corpora of
millions of words.

Keyness follows Rayson and Garside (2000), the UCREL log-likelihood calculator: for a word
with frequency ``a`` in a target of ``c`` words and ``b`` in a reference of ``d`` words,

    E1 = c (a + b) / (c + d),   E2 = d (a + b) / (c + d)
    G2 = 2 (a ln(a / E1) + b ln(b / E2)),   with 0 ln 0 = 0

and the effect size is Hardie's (2014) log ratio, log2((a / c) / (b / d)), with a zero
frequency counted as 0.5. G2 above 3.84, 6.63, 10.83 and 15.13 is significant at
p < 0.05, 0.01, 0.001 and 0.0001 (one degree of freedom).

This G2 is the two-term form. AntConc 4 uses the four-term form by default, the G2 of the
whole 2x2 table, which adds the words that are *not* the word in each text:

    G2 = 2 (a ln(a / E1) + b ln(b / E2) + (c - a) ln((c - a) / (c - E1)) + (d - b) ln((d - b) / (d - E2)))

so a student who cross-checks in AntConc sees slightly different values (29.46 instead of
29.04 for a = 30 in 1,000 words against b = 10 in 2,000). ``terms=4`` gives the four-term form
(:func:`log_likelihood`, :func:`keyness`, :func:`keyness_from_counts`). The G2 of
:func:`collocates` is the four-term form of its own 2x2 table (Evert 2008).
"""

from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd

THRESHOLDS = [(15.13, "p < 0.0001"), (10.83, "p < 0.001"), (6.63, "p < 0.01"), (3.84, "p < 0.05")]
KEYNESS_COLUMNS = ["word", "target", "reference", "target_per_1000", "reference_per_1000",
                   "expected_target", "expected_reference", "g2", "log_ratio", "direction", "significance"]
COLLOCATE_COLUMNS = ["collocate", "observed", "expected", "collocate_freq", "mi", "g2"]


def _xlogx_over(o: np.ndarray, e: np.ndarray) -> np.ndarray:
    """o * ln(o / e), taken as 0 where o is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(o > 0, o * np.log(np.where(o > 0, o, 1) / np.where(e > 0, e, 1)), 0.0)


def log_likelihood(a, b, c: float, d: float, terms: int = 2) -> np.ndarray:
    """Dunning's G2 for frequencies ``a`` (target, size ``c``) and ``b`` (reference, size ``d``).

    ``terms=2`` (the default) is the UCREL calculator's form (Rayson and Garside 2000); ``terms=4``
    is AntConc 4's default, the G2 of the whole 2x2 table.

    >>> round(float(log_likelihood(10, 0, 1000, 1000)), 4)
    13.8629
    >>> round(float(log_likelihood(30, 10, 1000, 2000)), 2), round(float(log_likelihood(30, 10, 1000, 2000, 4)), 2)
    (29.04, 29.46)
    """
    if terms not in (2, 4):
        raise ValueError(f"terms is {terms!r}: use 2 (the UCREL calculator's G2) or 4 (AntConc's).")
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    g2 = _xlogx_over(a, e1) + _xlogx_over(b, e2)
    if terms == 4:
        g2 = g2 + _xlogx_over(c - a, c - e1) + _xlogx_over(d - b, d - e2)
    return 2 * g2


def log_ratio(a, b, c: float, d: float) -> np.ndarray:
    """Hardie's log ratio: log2 of the ratio of relative frequencies (zeros counted as 0.5).

    >>> float(log_ratio(20, 10, 1000, 1000))
    1.0
    """
    a = np.where(np.asarray(a, dtype=float) == 0, 0.5, a)
    b = np.where(np.asarray(b, dtype=float) == 0, 0.5, b)
    return np.log2((a / c) / (b / d))


BANDS = ["n.s."] + [label for _, label in reversed(THRESHOLDS)]
CUTS = np.array([t for t, _ in reversed(THRESHOLDS)])


def significance(g2) -> pd.Categorical:
    """The p-value band of each G2 value ("p < 0.05", ..., or "n.s."), ordered from weakest.

    Being ordered, the bands compare: ``table["significance"] >= "p < 0.01"`` keeps
    p < 0.01, p < 0.001 and p < 0.0001.

    >>> bands = significance([1.0, 7.0, 20.0])
    >>> list(bands), (bands >= "p < 0.01").tolist()
    (['n.s.', 'p < 0.01', 'p < 0.0001'], [False, True, True])
    """
    codes = np.searchsorted(CUTS, np.asarray(g2, dtype=float), side="right")
    return pd.Categorical.from_codes(codes, categories=BANDS, ordered=True)


def _aligned(target: Mapping[str, int], reference: Mapping[str, int]):
    """One vocabulary for two frequency lists: words (target's first, in order), counts a and b."""
    t_words = np.asarray(list(target), dtype=object)
    r_words = np.asarray(list(reference), dtype=object)
    a = np.fromiter(target.values(), dtype=float, count=len(target))
    r_counts = np.fromiter(reference.values(), dtype=float, count=len(reference))
    where = pd.Index(t_words, dtype=object).get_indexer(r_words)  # -1: not in the target
    new = where < 0
    words = np.concatenate([t_words, r_words[new]])
    a = np.concatenate([a, np.zeros(new.sum())])
    b = np.zeros(len(words))
    b[where[~new]] = r_counts[~new]
    b[len(t_words):] = r_counts[new]
    return words, a, b


def keyness(target, reference, min_freq: int = 1, terms: int = 2) -> pd.DataFrame:
    """Which words are key in ``target`` against ``reference`` (two lists of words).

    One row per word that occurs at least ``min_freq`` times in both texts together:
    frequencies, frequencies per 1,000 words, expected frequencies, ``g2``
    (log-likelihood), ``log_ratio`` (effect size: +1 means twice as frequent in the
    target), ``direction`` ("target" if relatively more frequent in the target,
    "reference" if less) and the ``significance`` band. Sorted by G2, largest first.
    G2 is the UCREL calculator's two-term form; ``terms=4`` gives AntConc's four-term form.

    >>> from utils.nlp import words
    >>> table = keyness(words("we we we talk"), words("they talk and talk"))
    >>> table.loc[0, ["word", "direction"]].tolist()
    ['we', 'target']
    """
    return keyness_from_counts(Counter(target), Counter(reference), len(target), len(reference), min_freq, terms)


def keyness_from_counts(target: Mapping[str, int], reference: Mapping[str, int],
                        target_size: int | None = None, reference_size: int | None = None,
                        min_freq: int = 1, terms: int = 2) -> pd.DataFrame:
    """Keyness from two frequency lists (word to count), as :func:`keyness` gives it.

    Use it with a published frequency list of a reference corpus. The corpus sizes
    default to the sums of the counts. Words with equal G2 keep the order of the lists
    (the target's words first).

    >>> keyness_from_counts({"we": 30, "talk": 970}, {"we": 10, "talk": 1990}).loc[0, "g2"].round(4)
    np.float64(29.0392)
    """
    c = sum(target.values()) if target_size is None else target_size
    d = sum(reference.values()) if reference_size is None else reference_size
    words, a, b = _aligned(target, reference)
    keep = a + b >= min_freq
    if not keep.any() or c == 0 or d == 0:
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    words, a, b = words[keep], a[keep], b[keep]
    g2 = log_likelihood(a, b, c, d, terms)
    order = np.argsort(-g2, kind="stable")
    columns = {
        "word": words,
        "target": a.astype("int64"),
        "reference": b.astype("int64"),
        "target_per_1000": a * 1000 / c,
        "reference_per_1000": b * 1000 / d,
        "expected_target": c * (a + b) / (c + d),
        "expected_reference": d * (a + b) / (c + d),
        "g2": g2,
        "log_ratio": log_ratio(a, b, c, d),
        "direction": pd.Categorical.from_codes((a / c < b / d).astype(int), categories=["target", "reference"]),
        "significance": significance(g2),
    }
    return pd.DataFrame({name: values[order] for name, values in columns.items()})


def collocates(tokens, node, left: int = 4, right: int = 4, min_freq: int = 2) -> pd.DataFrame:
    """Words that occur near ``node`` within ``left`` words before and ``right`` words after.

    Window positions are counted once each, however many windows overlap them, and the
    node is not its own collocate, so the corpus is the N words that are not the node and
    S of them lie in a window. For each collocate: ``observed`` co-occurrences in the
    windows, ``expected`` = f(collocate) x S / N, ``mi`` = log2(observed / expected), and ``g2``,
    the log-likelihood of the 2x2 table of window slots against the rest of the corpus
    (Evert 2008). Only collocates seen at least ``min_freq`` times; sorted by G2. With a list
    of nodes, the tables of all of them, with a ``node`` column first (the words are read once).

    >>> from utils.nlp import words
    >>> text = "we urge action we urge change they wait"
    >>> collocates(words(text), "urge", 1, 1, min_freq=2)["collocate"].tolist()
    ['we']
    >>> collocates(words(text), ["urge", "we"], 1, 1, min_freq=2)[["node", "collocate"]].values.tolist()
    [['urge', 'we'], ['we', 'urge']]
    """
    codes, vocab = pd.factorize(pd.Series(tokens, dtype="object"))
    if isinstance(node, str):
        return _collocates(codes, vocab, node, left, right, min_freq)
    tables = [_collocates(codes, vocab, n, left, right, min_freq).assign(node=n) for n in node]
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=[*COLLOCATE_COLUMNS, "node"])
    return table[["node", *COLLOCATE_COLUMNS]]


def _collocates(codes: np.ndarray, vocab, node: str, left: int, right: int, min_freq: int) -> pd.DataFrame:
    n = len(codes)
    matches = np.flatnonzero(vocab == node)
    if n == 0 or len(matches) == 0:
        return pd.DataFrame(columns=COLLOCATE_COLUMNS)
    nodes = np.flatnonzero(codes == matches[0])
    offsets = np.array([o for o in range(-left, right + 1) if o != 0])
    # each position counts once, however many windows overlap it; the node is not its own collocate
    slots = np.unique((nodes[:, None] + offsets[None, :]).ravel())
    slots = np.setdiff1d(slots[(slots >= 0) & (slots < n)], nodes, assume_unique=True)
    universe = n - len(nodes)
    observed = np.bincount(codes[slots], minlength=len(vocab)).astype(float)
    freq = np.bincount(codes, minlength=len(vocab)).astype(float)
    window = len(slots)
    keep = observed >= min_freq
    o11, f_coll = observed[keep], freq[keep]
    expected = f_coll * window / universe
    o12, o21 = window - o11, f_coll - o11
    o22 = universe - window - f_coll + o11
    r2, c2 = universe - window, universe - f_coll
    g2 = 2 * (_xlogx_over(o11, expected) + _xlogx_over(o12, window * c2 / universe)
              + _xlogx_over(o21, r2 * f_coll / universe) + _xlogx_over(o22, r2 * c2 / universe))
    table = pd.DataFrame({
        "collocate": vocab[keep].astype(str),
        "observed": o11.astype("int64"),
        "expected": expected,
        "collocate_freq": f_coll.astype("int64"),
        "mi": np.log2(o11 / expected),
        "g2": g2,
    })
    return table.sort_values(["g2", "collocate"], ascending=[False, True], ignore_index=True)


SMALL_TEXT = 1_000  # words: below this, few words occur often enough for keyness to mean much


def term_counts(tokens, max_n: int = 3, drop=frozenset()) -> pd.Series:
    """How often each term occurs: single words not in ``drop`` and runs of 2 to ``max_n`` words
    that neither start nor end with a word of ``drop`` (so "world war ii", not "of the").

    >>> term_counts("world war ii and world war ii".split(), drop={"and"}).head(3).to_dict()
    {'world': 2, 'war': 2, 'ii': 2}
    """
    codes, vocab = pd.factorize(pd.Series(list(tokens), dtype="object"))
    vocab = pd.Series(vocab, dtype="object")
    kept = ~vocab.isin(drop).to_numpy()[codes] if len(codes) else np.zeros(0, dtype=bool)
    counts = [pd.Series(codes[kept]).map(vocab).value_counts()]
    for n in range(2, max_n + 1):
        size = len(codes) - n + 1
        if size <= 0:
            break
        # count runs as numbers (one base-V digit a word), then spell out only the distinct ones
        ids = np.zeros(size, dtype=np.int64)
        for i in range(n):
            ids = ids * len(vocab) + codes[i: i + size]
        distinct, found = np.unique(ids[kept[:size] & kept[n - 1:]], return_counts=True)
        term = pd.Series("", index=range(len(distinct)), dtype="object")
        for i in reversed(range(n)):
            word = vocab.to_numpy()[(distinct // len(vocab) ** (n - 1 - i)) % len(vocab)]
            term = (word + " " + term) if i < n - 1 else pd.Series(word, dtype="object")
        counts.append(pd.Series(found, index=term.to_numpy()))
    return pd.concat(counts).rename("count")


def key_terms(target, reference, min_freq: int = 3, max_n: int = 3, drop=frozenset(), terms: int = 2) -> pd.DataFrame:
    """Keyness of words and multi-word terms (:func:`term_counts`) in ``target`` against ``reference``.

    Both directions: over-used terms (``direction`` "target") that occur at least ``min_freq``
    times in the target, and under-used ones ("reference") at least ``min_freq`` times in the
    reference; a term met once or twice is not evidence of anything. ``n`` is the number of words.

    >>> table = key_terms(("we must act " * 4).split(), ("they talk " * 6).split())
    >>> table.loc[table["significance"] != "n.s.", ["word", "direction"]].values.tolist()[:3]
    [['they', 'reference'], ['talk', 'reference'], ['they talk', 'reference']]
    """
    target, reference = list(target), list(reference)
    table = keyness_from_counts(term_counts(target, max_n, drop).to_dict(),
                                term_counts(reference, max_n, drop).to_dict(), len(target), len(reference), terms=terms)
    enough = np.where(table["direction"] == "target", table["target"], table["reference"]) >= min_freq
    table = table[enough].reset_index(drop=True)
    return table.assign(n=table["word"].str.count(" ") + 1)


def size_warning(target_words: int, reference_words: int) -> str:
    """A sentence for a reader when a text is too small for keyness to say much ("" when both are big enough).

    >>> size_warning(4, 5000)[:45]
    'The text has only 4 words: keyness needs a fe'
    """
    small = [f"the {name} has only {n:,} words" for name, n in (("text", target_words), ("reference", reference_words))
             if n < SMALL_TEXT]
    if not small:
        return ""
    return (" and ".join(small).capitalize() + ": keyness needs a few thousand words, so that a term can occur often "
            "enough to be tested. Read the frequency list instead; terms met fewer than 3 times are left out.")
