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


# the non-ASCII letters that re.IGNORECASE matches with ASCII ones (the re module's documentation)
_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def _literal_start(term: str) -> str:
    """What every match of :func:`term_pattern` (not a regex) starts with, lowercased: the first word up to a
    ``*``; "" when that is not plain ASCII."""
    first = nlp.normalise(term).split()[0].split("*")[0].lower()
    return first if first.isascii() else ""


def _matches(pattern: re.Pattern, start: str, text: str, lowered: str):
    """``pattern.finditer(text)``, where possible many times faster on a long text: a case-insensitive pattern
    that opens with a lookbehind is scanned for at every character, while ``str.find`` of its literal start in
    the lowercased text is not. Each place found is matched with ``pattern`` itself, so the matches are the
    same; a text with a letter that IGNORECASE folds to ASCII is searched the slow way."""
    if not start or not lowered:
        yield from pattern.finditer(text)
        return
    at = lowered.find(start)
    while at >= 0:
        m = pattern.match(text, at)
        if m:
            yield m
        at = lowered.find(start, max(m.end(), at + 1) if m else at + 1)


def _patterns(terms, regex: bool = False) -> dict[str, tuple[re.Pattern, str]]:
    return {term: (term_pattern(term, regex), "" if regex else _literal_start(term)) for term in terms}


def _kwic_rows(source, patterns: dict, width: int) -> list[tuple]:
    """Matches of each term in a text or a turns table, in one pass over the text; context never crosses a
    turn. ``patterns`` maps each term to its pattern and literal start (:func:`_literal_start`, "" for none).
    Rows: left, match, right, position, turn, term."""
    if isinstance(source, pd.DataFrame):
        per_turn: dict = {}
        for turn, text in sorted(zip(source["turn"].tolist(), source["text"].tolist(), strict=True),
                                 key=lambda pair: pair[0]):  # stable: paragraphs keep their order
            per_turn.setdefault(turn, []).append(text)
        segments = [(turn, "\n\n".join(texts)) for turn, texts in per_turn.items()]
    else:
        segments = [(None, source)]
    plains = [nlp.normalise(text) for _, text in segments]
    joined = "\n\n".join(plains)
    bounds = [0]
    for plain in plains:
        bounds.append(bounds[-1] + len(plain) + 2)
    starts = nlp.word_starts(joined)
    first_word = [bisect.bisect_left(starts, b) for b in bounds[:-1]]
    lowered = "" if any(ch in joined for ch in _FOLDS_TO_ASCII) else joined.lower()
    rows = []
    for term, (pattern, start) in patterns.items():
        for m in _matches(pattern, start, joined, lowered):
            i = bisect.bisect_right(bounds, m.start()) - 1
            low, high = bounds[i], bounds[i] + len(plains[i])
            if m.end() > high:
                continue
            left = _flat(joined[max(low, m.start() - width * 2): m.start()])[-width:]
            right = _flat(joined[m.end(): min(high, m.end() + width * 2)])[:width]
            rows.append((left, m.group(0), right, bisect.bisect_left(starts, m.start()) - first_word[i],
                         segments[i][0], term))
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
    rows = _kwic_rows(source, _patterns([term], regex), width)
    return pd.DataFrame([row[:5] for row in rows], columns=KWIC_COLUMNS)


def whole_words(left: str, right: str, width: int) -> tuple[str, str]:
    """Contexts cut to at most ``width`` characters next to the node, at whole words.

    >>> whole_words("we said that the alliance", "is open to all who wish", 12)
    ('the alliance', 'is open to')
    """
    if len(left) > width:
        tail = left[-width - 1:]
        left = tail.split(" ", 1)[-1] if " " in tail else ""
    if len(right) > width:
        head = right[:width + 1]
        right = head.rsplit(" ", 1)[0] if " " in head else ""
    return left, right


KWIC_SORTS = ("right", "left", "position")


def kwic(source, terms, width: int = 40, sort: str = "right") -> pd.DataFrame:
    """A concordance of several terms, as a linguist reads one: whole words, sortable, with speakers.

    ``source`` is a text or a turns table (:func:`utils.texts.parse_turns`,
    :func:`utils.transcripts.parse`). Columns: ``term``, ``speaker`` (for a transcript), ``left``,
    ``match``, ``right`` (at most ``width`` characters, whole words), ``position`` and, for a
    transcript, ``turn``. ``sort``: "right" (by the first word after the match, as AntConc's 1R),
    "left" (the word before it, 1L) or "position" (text order); then by position.

    >>> kwic("We talk. They talk again. You talk.", ["talk"], width=8, sort="left")["left"].tolist()
    ['They', 'We', 'You']
    """
    if sort not in KWIC_SORTS:
        raise ValueError(f"sort is {sort!r}: use one of {', '.join(KWIC_SORTS)}.")
    rows = _kwic_rows(source, _patterns(terms), width * 2)
    table = pd.DataFrame(rows, columns=[*KWIC_COLUMNS, "term"]).astype({"left": object, "right": object})
    cut = [whole_words(left, right, width) for left, right in zip(table["left"], table["right"], strict=True)]
    table["left"], table["right"] = [c[0] for c in cut], [c[1] for c in cut]
    order = ["term", "turn", "position"]
    if sort != "position" and not table.empty:
        # the first word after the match (1R), or the last before it (1L)
        word = f"({nlp.WORD_PATTERN})" if sort == "right" else f".*?({nlp.WORD_PATTERN})[^\\w]*$"
        table = table.assign(_key=table[sort].str.extract(word, expand=False).fillna("").str.lower())
        order = ["term", "_key", *order[1:]]
    table = table.sort_values(order, kind="stable", ignore_index=True).drop(columns="_key", errors="ignore")
    if isinstance(source, pd.DataFrame) and "speaker" in source:
        speakers = source.drop_duplicates("turn").set_index("turn")["speaker"]
        table = table.assign(speaker=table["turn"].map(speakers))
        return table[["term", "speaker", *KWIC_COLUMNS[:3], "position", "turn"]]
    return table[["term", *KWIC_COLUMNS[:3], "position"]]


def kwic_lines(table: pd.DataFrame) -> list[str]:
    """Lines of a :func:`kwic` table aligned on the match, speaker first (for printing).

    >>> kwic_lines(kwic("We talk. They talk again.", ["talk"], width=10))
    ['talk. They  talk  again.', '        We  talk. They']
    """
    width = int(table["left"].str.len().max()) if len(table) else 0
    who = table["speaker"].astype(str).str.slice(0, 18) if "speaker" in table else None
    pad = int(who.str.len().max()) if who is not None and len(who) else 0
    return [(f"{who.iloc[i]:<{pad}}  " if who is not None else "")
            + f"{row.left:>{width}}  {row.match}{_gap(row.right)}{row.right}"
            for i, row in enumerate(table.itertuples())]


def _gap(right: str) -> str:
    """Two spaces after the match, none before punctuation that closes it ("back." not "back  .")."""
    return "" if right[:1] in ".,;:!?)'\"" else "  "


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
    rows = _kwic_rows(text, _patterns(terms), 0)
    return pd.DataFrame([(row[5], row[3]) for row in rows], columns=["term", "position"])


def dispersion_plot(text: str, terms: list[str], ax=None, title: str = "Where the terms occur",
                    hits: pd.DataFrame | None = None):
    """Plot where each term occurs along the text; returns the matplotlib Axes.

    ``hits``: the text's :func:`dispersion` table for ``terms``, if you have it (a long text is then not
    searched again).

    >>> from utils.texts import load_text
    >>> ax = dispersion_plot(load_text("a"), ["NATO", "dialogue"])
    >>> ax.get_xlabel()
    'Word position in the text'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 + 0.5 * max(len(terms), 1)))
    hits = dispersion(text, terms) if hits is None else hits
    rows = {t: i for i, t in enumerate(terms)}
    ax.plot(hits["position"], hits["term"].map(rows), "|", markersize=14, color="tab:blue")
    ax.set_yticks(range(len(terms)), terms)
    ax.set_ylim(-0.5, len(terms) - 0.5)
    ax.invert_yaxis()
    ax.set_xlim(0, max(len(nlp.word_starts(nlp.normalise(text))), 1))
    ax.set_xlabel("Word position in the text")
    ax.set_title(title)
    return ax


def describe_dispersion(text: str, terms: list[str], label: str = "the text", hits: pd.DataFrame | None = None) -> str:
    """Alt text for :func:`dispersion_plot`: how many words, and how often each term occurs.

    >>> describe_dispersion("NATO and the West; NATO again", ["NATO", "West*"], "a note")
    'Dispersion plot of 6 words of a note: one mark per use of NATO (2), West* (1), along the text from start to end.'
    """
    hits = dispersion(text, terms) if hits is None else hits
    counts = hits["term"].value_counts().reindex(terms, fill_value=0)
    n_words = len(nlp.word_starts(nlp.normalise(text)))
    return (f"Dispersion plot of {n_words:,} words of {label}: one mark per use of "
            + ", ".join(f"{term} ({n:,})" for term, n in counts.items()) + ", along the text from start to end.")
