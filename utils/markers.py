"""Stance markers in context: every hit of the word lists, with its line and a judgement a reader can check.

:func:`utils.stance.entry_counts` counts forms; here each hit is kept with its context, and hits that
are plainly not what the list means are marked and left out of the counts, with the reason:

- ``US`` in capitals is the country, not the pronoun *us*;
- ``May`` next to a number or after *in*, *since*, *of* ... is the month, not the hedge or modal;
- ``about`` and ``around`` not followed by a number mean "concerning" or "near", not "approximately";
- ``could you``, ``would you``, ``may I`` ask politely; they do not hedge a claim;
- a hit inside double quotation marks is someone else's words (quoted speech), not the speaker's.

A word list still cannot read: the lines are there to be read before any count is interpreted.
"""

import re

import numpy as np
import pandas as pd

from utils import nlp, reading, stance

LISTS = (*stance.LEXICONS, *stance.PRONOUN_GROUPS)
HIT_COLUMNS = ["segment", "list", "entry", "counted", "why_not", "quoted", "left", "node", "right", "position",
               "start", "end"]
NUMBER_WORDS = frozenset(
    "a an one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty "
    "sixty seventy eighty ninety hundred hundreds thousand thousands million millions billion billions dozen "
    "dozens half third quarter".split())
MONTH_CUES = frozenset("in of since until till by from early late mid last next this during before after".split())
REQUEST_VERBS = frozenset({"could", "would", "may", "might", "can"})
JUDGED = frozenset({"us", "may", "about", "around", *REQUEST_VERBS})  # the entries judge() can leave out


def entries() -> dict[str, tuple[str, ...]]:
    """Every list's entries: the lexicons (hedges, boosters, modals) and the pronoun groups."""
    groups = stance.pronoun_groups()
    return {name: stance.lexicon(name) if name in stance.LEXICONS else tuple(sorted(groups[name]))
            for name in LISTS}


def _is_number(token: str, following: str = "") -> bool:
    """A number, or "a"/"an"/"one" before a number word: "about 110", "around a third", "about one million"."""
    token, following = token.lower(), following.lower()
    if token in {"a", "an", "one"}:
        return following[:1].isdigit() or following in NUMBER_WORDS - {"a", "an", "one"}
    return token[:1].isdigit() or token in NUMBER_WORDS


def judge(entry: str, cased: str, before: str, after: str, after2: str, name: str) -> str:
    """Why a hit is not counted ("" if it is), from the hit as written and the words around it.

    >>> judge("us", "US", "the", "and", "china", "we")
    'US: the country, not the pronoun'
    >>> judge("may", "May", "6", "2019", "", "hedges")
    'May: the month'
    >>> judge("about", "about", "it's", "active", "engagement", "hedges")
    'about: not before a number, so "concerning", not "approximately"'
    """
    if entry == "us" and cased == "US":
        return "US: the country, not the pronoun"
    if entry == "may" and cased == "May" and (after[:1].isdigit() or before[:1].isdigit()
                                               or before.lower() in MONTH_CUES):
        return "May: the month"
    approximates = _is_number(after, after2)
    if name == "hedges" and entry in {"about", "around"} and not approximates:
        return f'{entry}: not before a number, so "concerning", not "approximately"'
    if name == "hedges" and entry in REQUEST_VERBS and after.lower() in {"you", "i"}:
        return f"{entry} {after.lower()}: a polite request, not a hedge"
    return ""


QUOTED = "inside quotation marks: someone else's words?"


def _segment_hits(name_of_segment, text: str, lists: dict, width: int) -> pd.DataFrame:
    """The hits of one text, built a column at a time: a long text has tens of thousands."""
    plain = nlp.normalise(text)
    cased, starts = nlp.tokens_and_starts(plain)
    # factorize as written, then merge the (few) forms that differ only in case
    cased_codes, forms = pd.factorize(pd.Series(cased, dtype="object"))
    lower_codes, vocab = pd.factorize(pd.Series([f.lower() for f in forms], dtype="object"))
    codes = lower_codes[cased_codes] if len(cased_codes) else cased_codes
    code_of = {word: i for i, word in enumerate(vocab)}
    n = len(codes)
    # quotation marks before each character, and where paragraphs start: a hit is quoted when its
    # paragraph has an odd number of " before it
    quotes = np.cumsum(np.frombuffer(plain.encode("utf-32-le"), dtype=np.uint32) == ord('"'))
    breaks = _paragraph_starts(plain)
    start_of = np.asarray(starts, dtype=np.int64)
    length_of = np.fromiter(map(len, cased), np.int64, n)
    padded = [*cased, "", ""]
    blocks = []
    for name, words in lists.items():
        for entry in words:
            parts = [code_of.get(part, -1) for part in entry.split()]
            k = len(parts)
            if n < k or -1 in parts:
                continue
            hit = codes[: n - k + 1] == parts[0]
            for i, part in enumerate(parts[1:], start=1):
                hit &= codes[i: n - k + 1 + i] == part
            where = np.flatnonzero(hit)
            if not len(where):
                continue
            begin, end = start_of[where], start_of[where + k - 1] + length_of[where + k - 1]
            para, following = _paragraph_bounds(breaks, begin, len(plain))
            quoted = (quotes[begin] - np.where(para > 0, quotes[np.maximum(para - 1, 0)], 0)) % 2 == 1
            why = np.full(len(where), "", dtype=object)
            if entry in JUDGED:  # the words around it, within its paragraph (a turn's last word is followed by nothing)
                for j, (pos, low, high) in enumerate(zip(where.tolist(), para.tolist(), following.tolist(),
                                                         strict=True)):
                    near = [padded[i] if 0 <= i < n and low <= starts[i] < high else ""
                            for i in (pos - 1, pos + k, pos + k + 1)]
                    why[j] = judge(entry, cased[pos], *near, name)
            why[quoted & (why == "")] = QUOTED
            if width:
                lines = [context(plain, start, stop, width, low, high) for start, stop, low, high
                         in zip(begin.tolist(), end.tolist(), para.tolist(), following.tolist(), strict=True)]
                left, node, right = ([line[i] for line in lines] for i in range(3))
            else:
                node = [plain[start:stop] for start, stop in zip(begin.tolist(), end.tolist(), strict=True)]
                left = right = [""] * len(where)
            blocks.append(pd.DataFrame({
                "segment": name_of_segment, "list": name, "entry": entry, "counted": why == "", "why_not": why,
                "quoted": quoted, "left": left, "node": node, "right": right, "position": where, "start": begin,
                "end": end}))
    return pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=HIT_COLUMNS)


def _paragraph_starts(plain: str) -> np.ndarray:
    return np.asarray([0] + [m.end() for m in re.finditer(r"\n\s*\n", plain)], dtype=np.int64)


def _paragraph_bounds(starts: np.ndarray, offsets: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Where the paragraph of each offset starts, and where the next one starts (or past the end)."""
    index = np.searchsorted(starts, offsets, side="right") - 1
    return starts[index], np.append(starts, size + 1)[index + 1]


def context(plain: str, start: int, end: int, width: int, low: int = 0,
            high: int | None = None) -> tuple[str, str, str]:
    """Left context, node and right context of ``plain[start:end]``, at most ``width`` characters
    each side, cut at whole words, on one line, within ``plain[low:high]`` (the hit's paragraph).

    >>> context("We must act now, together.", 3, 7, 8)
    ('We', 'must', 'act now,')
    """
    high = len(plain) if high is None else high
    left, right = reading.whole_words(" ".join(plain[max(low, start - width * 2): start].split()),
                                      " ".join(plain[end: min(high, end + width * 2)].split()), width)
    return left, plain[start:end], right


def hits(source, lists=LISTS, width: int = 40) -> pd.DataFrame:
    """Every hit of the word lists in ``source`` (a text or a dict of named texts), one row each.

    Columns: ``segment`` (the text's name), ``list`` (hedges, boosters, modals, we, they, i,
    you), ``entry``, ``counted``, ``why_not`` (the reason a hit is left out), ``quoted``, ``left``,
    ``node``, ``right`` (the line, cut at whole words; with ``width=0`` only the node, see
    :func:`in_context`), ``position`` (word number), ``start`` and ``end`` (character offsets).

    >>> table = hits("We may go in May 2026. The US will decide about us.")
    >>> table[["entry", "counted", "why_not"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['about', False, 'about: not before a number, so "concerning", not "approximately"'],
     ['may', True, ''], ['may', False, 'May: the month'], ['may', True, ''], ['may', False, 'May: the month'],
     ['will', True, ''], ['us', False, 'US: the country, not the pronoun'], ['us', True, ''], ['we', True, '']]
    """
    table = {n: words for n, words in entries().items() if n in lists}
    named = {"text": source} if isinstance(source, str) else dict(source)
    found = [f for f in (_segment_hits(name, text, table, width) for name, text in named.items()) if len(f)]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=HIT_COLUMNS)


def in_context(hit_table: pd.DataFrame, source, width: int = 40) -> pd.DataFrame:
    """The hits with their lines filled in (for hits found with ``width=0``, which is faster on a long text).

    >>> table = hits("We may go.", width=0)
    >>> in_context(table, "We may go.")[["left", "node", "right"]].values.tolist()[0]
    ['We', 'may', 'go.']
    """
    named = {"text": source} if isinstance(source, str) else dict(source)
    plains = {name: nlp.normalise(named[name]) for name in hit_table["segment"].unique()}
    breaks = {name: _paragraph_starts(plain) for name, plain in plains.items()}
    lines = []
    for row in hit_table.itertuples():
        plain = plains[row.segment]
        low, high = _paragraph_bounds(breaks[row.segment], np.asarray([row.start]), len(plain))
        lines.append(context(plain, row.start, row.end, width, int(low[0]), int(high[0])))
    return hit_table.assign(left=[x[0] for x in lines], node=[x[1] for x in lines], right=[x[2] for x in lines])


def rates(hit_table: pd.DataFrame, words: pd.Series) -> pd.DataFrame:
    """Counted hits per 1,000 words, one row per segment (``words``: the word count of each segment).

    >>> rates(hits({"A": "We must. We may."}), pd.Series({"A": 4})).loc["A", ["we", "boosters"]].tolist()
    [500.0, 250.0]
    """
    counted = hit_table[hit_table["counted"].astype(bool)]
    table = pd.crosstab(pd.Categorical(counted["segment"], categories=list(words.index)),
                        pd.Categorical(counted["list"], categories=list(LISTS)), dropna=False)
    table.index, table.columns = list(words.index), list(LISTS)
    per = table.mul(1000).div(words.where(words > 0), axis=0).fillna(0.0).round(2)
    return per.rename_axis("segment")
