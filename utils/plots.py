"""Plots for the rhetoric analysis, each with a text description to use as alt text.

Every plot function draws on a matplotlib Axes (a new one if none is given) and returns
it; its ``describe_*`` partner returns a one-paragraph alt text computed from the same data.
"""

import pandas as pd


def _axes(ax, size):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=size)
    return ax


def rate_bars(profile: pd.DataFrame, columns: list[str], ax=None, title: str = "Rates per 1,000 words"):
    """Grouped bars: one group per column of ``profile``, one bar per text (its index).

    >>> from utils import stance, texts
    >>> prof = stance.profile({"A": texts.load_text("a"), "B": texts.load_text("b")})
    >>> rate_bars(prof, ["we_per_1000", "they_per_1000"]).get_ylabel()
    'Occurrences per 1,000 words'
    """
    ax = _axes(ax, (8, 4))
    data = profile[columns].T
    data.index = [c.removesuffix("_per_1000") for c in columns]
    data.plot.bar(ax=ax, rot=0)
    ax.set_title(title)
    ax.set_xlabel("Feature")
    ax.set_ylabel("Occurrences per 1,000 words")
    ax.legend(title="Text")
    return ax


def describe_rate_bars(profile: pd.DataFrame, columns: list[str]) -> str:
    """Alt text for :func:`rate_bars`."""
    texts = list(profile.index)
    parts = [f"{c.removesuffix('_per_1000')}: " + ", ".join(f"{t} {profile.loc[t, c]:.1f}" for t in texts)
             for c in columns]
    return f"Bar chart of rates per 1,000 words for {', '.join(map(str, texts))}. " + "; ".join(parts) + "."


def sentiment_arc(sentences: pd.DataFrame, ax=None, label: str = "text",
                  title: str = "Sentence sentiment through the text"):
    """VADER compound score of each sentence in order (a table from stance.sentence_sentiment)."""
    ax = _axes(ax, (8, 3.5))
    ax.plot(range(1, len(sentences) + 1), sentences["compound"], marker="o", label=label)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_ylim(-1, 1)
    ax.set_title(title)
    ax.set_xlabel("Sentence number")
    ax.set_ylabel("VADER compound score (-1 to 1)")
    ax.legend()
    return ax


def describe_sentiment_arc(sentences: pd.DataFrame, label: str = "text") -> str:
    """Alt text for :func:`sentiment_arc`."""
    if sentences.empty:
        return f"Line chart of sentence sentiment for {label}: no sentences."
    low, high = sentences["compound"].idxmin(), sentences["compound"].idxmax()
    negative = int((sentences["compound"] < -0.05).sum())
    return (f"Line chart of the VADER compound score of each of the {len(sentences)} sentences of {label}. "
            f"{negative} are negative (below -0.05). The lowest, {sentences.loc[low, 'compound']:.2f}, is sentence "
            f"{list(sentences.index).index(low) + 1}; the highest, {sentences.loc[high, 'compound']:.2f}, "
            f"is sentence {list(sentences.index).index(high) + 1}.")
