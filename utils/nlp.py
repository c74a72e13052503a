"""Offline language tools: words, sentences, stopwords and VADER sentiment.

Nothing here downloads. Where real ``nltk_data`` is installed (punkt_tab, stopwords,
vader_lexicon) it is used; otherwise the kit falls back to nltk's data-free parts and
lexicons shipped by PyPI packages (the VADER lexicon from vaderSentiment, the stopword
list in ``utils/data``). Set ``WORDSNUMS_OFFLINE_NLP=1`` to force the fallbacks, so a
class gets the same results on every machine. :func:`status` tells which is in use.
"""

import functools
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

# Letters or digits, with inner hyphens and apostrophes: "don't", "Euro-Atlantic", "110".
WORD_PATTERN = r"[^\W_]+(?:['-][^\W_]+)*"
# Abbreviations the untrained sentence splitter must not end a sentence on.
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "u.s", "u.k",
                 "u.n", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                 "oct", "nov", "dec", "gen", "gov", "sen", "rep", "pres"}
TYPOGRAPHY = {"\u00a0": " ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
              "\u2013": "-", "\u2014": "-", "\u2026": "..."}
WORD_RE = re.compile(WORD_PATTERN)
_WORD_SPLIT = re.compile(f"({WORD_PATTERN})")


def offline_forced() -> bool:
    """True when ``WORDSNUMS_OFFLINE_NLP`` asks for the kit's own fallbacks."""
    return os.environ.get("WORDSNUMS_OFFLINE_NLP", "").lower() in {"1", "true", "yes"}


def use_kit_data() -> None:
    """Use the kit's own language data for the rest of the session, even where nltk_data is installed.

    The assignments call this first, so that every machine of a class, and the grader, get the
    same sentences, stopwords and sentiment scores.

    >>> use_kit_data(); offline_forced()
    True
    """
    os.environ["WORDSNUMS_OFFLINE_NLP"] = "1"


def _has_nltk_data(resource: str) -> bool:
    if offline_forced():
        return False
    try:
        import nltk  # here, not at the top: importing nltk takes 2 s, and words() needs none of it

        nltk.data.find(resource)
    except LookupError:
        return False
    return True


LONG = 100_000  # characters: results for texts this long are kept, as a report asks for them again


def normalise(text: str) -> str:
    """Plain typography: straight quotes, plain spaces, ``...`` for the ellipsis.

    >>> normalise("it\u2019s \u201cquoted\u201d\u2026")
    'it\\'s "quoted"...'
    """
    return _normalise_long(text) if len(text) > LONG else _normalise(text)


def _normalise(text: str) -> str:
    # chained replace is many times faster than str.translate on long texts
    for char, plain in TYPOGRAPHY.items():
        if char in text:
            text = text.replace(char, plain)
    return text


_normalise_long = functools.lru_cache(maxsize=4)(_normalise)


def words(text: str, lower: bool = True) -> list[str]:
    """The words of a text: runs of letters or digits, keeping ``don't`` and ``Euro-Atlantic``.

    Made for frequency lists, so a number's parts are tokens of their own (4.82 gives 4 and 82). To
    count the words of your own writing as a person does, use :func:`utils.checks.word_count`.

    >>> words("We remain open to dialogue, but it takes two to tango.")
    ['we', 'remain', 'open', 'to', 'dialogue', 'but', 'it', 'takes', 'two', 'to', 'tango']
    >>> words("110.0 million")
    ['110', '0', 'million']
    """
    if not lower:
        return list(tokens_and_starts(normalise(text))[0])
    return list(_lowered_long(text) if len(text) > LONG else _lowered(text))


def _lowered(text: str) -> tuple[str, ...]:
    return tuple(map(str.lower, tokens_and_starts(normalise(text))[0]))


_lowered_long = functools.lru_cache(maxsize=4)(_lowered)


def tokens_and_starts(plain: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The words of an already normalised text as written, and the character offset of each.

    >>> tokens_and_starts("We, the US.")
    (('We', 'the', 'US'), (0, 4, 8))
    """
    return _tokens_long(plain) if len(plain) > LONG else _tokens(plain)


def _tokens(plain: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    parts = _WORD_SPLIT.split(plain)  # separator, word, separator, word, ..., separator
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    return tuple(parts[1::2]), tuple((np.cumsum(lengths) - lengths)[1::2].tolist())


_tokens_long = functools.lru_cache(maxsize=4)(_tokens)


def word_starts(plain: str) -> tuple[int, ...]:
    """Character offset of every word of an already normalised text, in order."""
    return tokens_and_starts(plain)[1]


@functools.cache
def _sentence_splitter(offline: bool):
    if not offline and _has_nltk_data("tokenizers/punkt_tab/english/"):
        from nltk.tokenize.punkt import PunktTokenizer
        return PunktTokenizer("english")
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def sentences(text: str) -> list[str]:
    """The sentences of a text; a sentence never runs across a paragraph break.

    A stretch without any letter or digit ("...", "!!!") is not a sentence.

    >>> sentences("Do they compare me with anyone? Ribbentrop?\\n\\nI find it difficult.")
    ['Do they compare me with anyone?', 'Ribbentrop?', 'I find it difficult.']
    """
    splitter = _sentence_splitter(offline_forced())
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    found = (s.strip() for b in blocks for s in splitter.tokenize(" ".join(b.split())))
    return [s for s in found if any(ch.isalnum() for ch in s)]


@functools.cache
def _stopwords(offline: bool) -> frozenset[str]:
    if not offline and _has_nltk_data("corpora/stopwords"):
        from nltk.corpus import stopwords as corpus
        return frozenset(corpus.words("english"))
    lines = resources.files("utils").joinpath("data/stopwords_en.txt").read_text("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def stopwords() -> frozenset[str]:
    """English function words ("the", "of", "we", ...) to leave out of frequency lists.

    >>> "the" in stopwords()
    True
    """
    return _stopwords(offline_forced())


def vader_lexicon_dir() -> Path:
    """The folder of the VADER lexicon shipped by the vaderSentiment package."""
    import vaderSentiment
    return Path(vaderSentiment.__file__).parent


@functools.cache
def _vader(offline: bool):
    import nltk
    from nltk.sentiment.vader import SentimentIntensityAnalyzer
    if not offline and _has_nltk_data("sentiment/vader_lexicon.zip"):
        return SentimentIntensityAnalyzer()
    # nltk only opens files under nltk.data.path, so the package's folder goes there.
    folder = str(vader_lexicon_dir())
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    return SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt")


def vader():
    """nltk's VADER ``SentimentIntensityAnalyzer``, loaded without any download."""
    return _vader(offline_forced())


def sentiment(sentence_list: list[str]) -> pd.DataFrame:
    """VADER scores for each sentence: neg, neu, pos and compound (-1 to 1).

    >>> sentiment(["This is a great success."]).loc[0, "compound"]
    np.float64(0.8316)
    """
    analyzer = vader()
    scores = [analyzer.polarity_scores(normalise(s)) for s in sentence_list]
    table = pd.DataFrame(scores, columns=["neg", "neu", "pos", "compound"])
    return table.assign(sentence=list(sentence_list))[["sentence", "neg", "neu", "pos", "compound"]]


def status() -> pd.DataFrame:
    """Which source each language resource comes from on this machine."""
    rows = [
        ("sentences", "nltk_data punkt_tab" if _has_nltk_data("tokenizers/punkt_tab/english/")
         else "nltk Punkt, untrained (no download)"),
        ("stopwords", "nltk_data stopwords" if _has_nltk_data("corpora/stopwords")
         else "kit list (utils/data/stopwords_en.txt)"),
        ("sentiment", "nltk_data vader_lexicon" if _has_nltk_data("sentiment/vader_lexicon.zip")
         else "VADER lexicon from the vaderSentiment package"),
        ("words", "the kit's regular expression utils.nlp.WORD_PATTERN (needs no data)"),
    ]
    return pd.DataFrame(rows, columns=["resource", "source"]).set_index("resource")
