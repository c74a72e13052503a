"""Stance and metadiscourse: pronoun groups, hedges, boosters, modals, questions, sentiment.

Word lists live in data/lexicons/ with their sources. Every function takes a *source*: a
text (str), a list or Series of texts, a dict of named texts, or a turns table from
:func:`utils.texts.parse_turns` (counted per turn), and returns one row per segment.
"""

import functools

import numpy as np
import pandas as pd

from utils import nlp, paths

LEXICONS = ("hedges", "boosters", "modals")
PRONOUN_GROUPS = ("we", "they", "i", "you")


def _lines(name: str) -> list[str]:
    path = paths.data_dir() / "lexicons" / f"{name}.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@functools.cache
def lexicon(name: str) -> tuple[str, ...]:
    """A word list from data/lexicons/: ``"hedges"``, ``"boosters"`` or ``"modals"``.

    >>> "perhaps" in lexicon("hedges"), "clearly" in lexicon("boosters")
    (True, True)
    """
    if name not in LEXICONS:
        raise KeyError(f"No lexicon {name!r}: use one of {', '.join(LEXICONS)}.")
    return tuple(_lines(name))


@functools.cache
def pronoun_groups() -> dict[str, frozenset[str]]:
    """The pronoun groups: ``we`` (we, our, us, ...), ``they``, ``i`` and ``you``.

    >>> sorted(pronoun_groups()["we"])
    ['our', 'ours', 'ourselves', 'us', 'we']
    """
    pairs = [line.split("\t") for line in _lines("pronouns")]
    return {g: frozenset(w for group, w in pairs if group == g) for g in PRONOUN_GROUPS}


def segments(source) -> pd.Series:
    """The texts to count in, as a Series indexed by segment (turn number, name, or position)."""
    if isinstance(source, pd.DataFrame):
        if not {"turn", "text"} <= set(source.columns):
            raise ValueError("A table of turns needs the columns 'turn' and 'text' (see texts.parse_turns).")
        return source.groupby("turn")["text"].apply("\n\n".join).rename("text")
    if isinstance(source, str):
        return pd.Series([source], index=pd.Index(["text"], name="segment"), name="text")
    if isinstance(source, dict):
        return pd.Series(source, name="text").rename_axis("segment")
    return pd.Series(list(source), name="text").rename_axis("segment")


def entry_counts(tokens: list[str], entries) -> pd.Series:
    """How often each entry (a word or a phrase of words) occurs in a list of lower-case words.

    >>> entry_counts(["in", "fact", "we", "may", "in", "fact"], ["in fact", "may", "might"]).to_dict()
    {'in fact': 2, 'may': 1, 'might': 0}
    """
    arr = np.asarray(tokens, dtype=object)
    counts = pd.Series(tokens, dtype="object").value_counts()
    result = {}
    for entry in entries:
        parts = entry.split()
        if len(parts) == 1:
            result[entry] = int(counts.get(entry, 0))
            continue
        k = len(parts)
        if len(arr) < k:
            result[entry] = 0
            continue
        hit = np.ones(len(arr) - k + 1, dtype=bool)
        for i, part in enumerate(parts):
            hit &= arr[i: len(arr) - k + 1 + i] == part
        result[entry] = int(hit.sum())
    return pd.Series(result, dtype="int64")


def questions(text: str) -> list[str]:
    """The sentences of ``text`` that end with a question mark.

    >>> questions("Will Moscow respond? We will see.")
    ['Will Moscow respond?']
    """
    return [s for s in nlp.sentences(text) if is_question(s)]


def is_question(sentence: str) -> bool:
    """True if a sentence ends with a question mark (before any closing quotes or brackets).

    >>> is_question('He asked: "Why?"')
    True
    """
    return sentence.rstrip("\"')\u201d\u2019 ").endswith("?")


def questions_in_answers(turns: pd.DataFrame) -> pd.DataFrame:
    """Question sentences asked by the speaker who is answering (or stating): often rhetorical.

    >>> from utils.texts import load_text, parse_turns
    >>> questions_in_answers(parse_turns(load_text("a")))["sentence"].tolist()
    ['Do they compare me with anyone?', 'Ribbentrop?']
    """
    rows = [(turn, block["speaker"].iloc[0], block["role"].iloc[0], q)
            for turn, block in turns[turns["role"] != "question"].groupby("turn")
            for q in questions("\n\n".join(block["text"]))]
    return pd.DataFrame(rows, columns=["turn", "speaker", "role", "sentence"])


def stance(source) -> pd.DataFrame:
    """Counts per segment: words, sentences, the pronoun groups, hedges, boosters, modals, questions.

    >>> from utils.texts import load_text, parse_turns
    >>> table = stance(parse_turns(load_text("a")))
    >>> table.loc[8, ["we", "they", "questions"]].tolist()
    [4, 4, 2]
    """
    rows = {}
    groups = pronoun_groups()
    for key, text in segments(source).items():
        tokens = nlp.words(text)
        counts = pd.Series(tokens, dtype="object").value_counts()
        row = {"words": len(tokens), "sentences": len(nlp.sentences(text))}
        row.update({g: int(counts.reindex(list(words)).fillna(0).sum()) for g, words in groups.items()})
        row.update({name: int(entry_counts(tokens, lexicon(name)).sum()) for name in LEXICONS})
        row["questions"] = len(questions(text))
        rows[key] = row
    columns = ["words", "sentences", *PRONOUN_GROUPS, *LEXICONS, "questions"]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    return table.rename_axis(segments(source).index.name or "segment").astype("int64")


def per_1000(table: pd.DataFrame) -> pd.DataFrame:
    """Turn counts into rates per 1,000 words (``words`` and ``sentences`` are kept as counts).

    >>> per_1000(stance("We must act. We must.")).loc["text", ["words", "we", "modals"]].tolist()
    [5.0, 400.0, 400.0]
    """
    counts = table.drop(columns=["words", "sentences"])
    rates = counts.mul(1000).div(table["words"].where(table["words"] > 0), axis=0).fillna(0.0)
    return pd.concat([table[["words", "sentences"]], rates.round(2)], axis=1)


def sentence_sentiment(source) -> pd.DataFrame:
    """VADER scores for every sentence, with the segment (turn) it belongs to.

    >>> sentence_sentiment("We are glad. This is a disaster.")["compound"].tolist()
    [0.4588, -0.6249]
    """
    frames = []
    for key, text in segments(source).items():
        table = nlp.sentiment(nlp.sentences(text))
        table.insert(0, "segment", key)
        frames.append(table)
    columns = ["segment", "sentence", "neg", "neu", "pos", "compound"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def segment_sentiment(source) -> pd.DataFrame:
    """VADER per segment: the compound of the whole segment and the mean of its sentences.

    >>> segment_sentiment({"calm": "We are glad."}).loc["calm", "compound"]
    np.float64(0.4588)
    """
    by_sentence = sentence_sentiment(source).groupby("segment")["compound"].mean()
    whole = segments(source).map(lambda t: nlp.vader().polarity_scores(nlp.normalise(t))["compound"])
    return pd.DataFrame({"compound": whole, "mean_sentence_compound": by_sentence.reindex(whole.index)})


def profile(source) -> pd.DataFrame:
    """A rhetoric profile: one row per segment with counts, rates per 1,000 words and sentiment.

    >>> from utils.texts import load_text
    >>> profile({"A": load_text("a"), "B": load_text("b")}).loc["B", "words"]
    np.int64(351)
    """
    counts = stance(source)
    rates = per_1000(counts).drop(columns=["words", "sentences"]).add_suffix("_per_1000")
    return pd.concat([counts, rates, segment_sentiment(source)], axis=1)
