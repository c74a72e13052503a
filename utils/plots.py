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


def describe_rate_bars(profile: pd.DataFrame, columns: list[str], names: dict | None = None) -> str:
    """Alt text for :func:`rate_bars`: the values, what is absent, and the largest contrast.

    >>> prof = pd.DataFrame({"we_per_1000": [20.0, 8.0], "i_per_1000": [6.0, 0.0]}, index=["A", "B"])
    >>> describe_rate_bars(prof, ["we_per_1000", "i_per_1000"], {"A": "Text A", "B": "Text B"})
    'Bar chart comparing Text A and Text B, per 1,000 words. we: Text A 20.0, Text B 8.0; i: Text A 6.0, Text B 0.0. Text B has no i. The largest contrast: we is 2.5 times as frequent in Text A as in Text B.'
    """
    names = names or {}
    label = {t: names.get(t, str(t)) for t in profile.index}
    features = {c: c.removesuffix("_per_1000") for c in columns}
    values = "; ".join(f"{f}: " + ", ".join(f"{label[t]} {profile.loc[t, c]:.1f}" for t in profile.index)
                       for c, f in features.items())
    text = f"Bar chart comparing {' and '.join(label.values())}, per 1,000 words. {values}."
    for t in profile.index:
        absent = [f for c, f in features.items() if profile.loc[t, c] == 0]
        if absent:
            text += f" {label[t]} has no {', '.join(absent)}."
    if len(profile) == 2:
        first, second = profile.index
        ratios = {f: max(profile.loc[first, c], profile.loc[second, c]) / min(profile.loc[first, c], profile.loc[second, c])
                  for c, f in features.items() if min(profile.loc[first, c], profile.loc[second, c]) > 0}
        if ratios:
            f = max(ratios, key=ratios.get)
            c = next(c for c, name in features.items() if name == f)
            high, low = (first, second) if profile.loc[first, c] > profile.loc[second, c] else (second, first)
            text += (f" The largest contrast: {f} is {ratios[f]:.1f} times as frequent in {label[high]} "
                     f"as in {label[low]}.")
    return text


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
    """Alt text for :func:`sentiment_arc`: how many sentences are negative, the extremes, the shape."""
    if sentences.empty:
        return f"Line chart of sentence sentiment for {label}: no sentences."
    scores = sentences["compound"].reset_index(drop=True)
    low, high = int(scores.idxmin()), int(scores.idxmax())
    half = len(scores) // 2 or 1
    first, second = scores[:half].mean(), scores[half:].mean() if len(scores) > 1 else scores.mean()

    def quote(i):
        sentence = sentences["sentence"].iloc[i]
        return sentence if len(sentence) <= 70 else sentence[:67] + "..."

    return (f"Line chart of the VADER compound score (from -1 to 1) of each of the {len(scores)} sentences of "
            f"{label}, in order. {int((scores < -0.05).sum())} are negative, {int((scores > 0.05).sum())} positive. "
            f"Lowest: sentence {low + 1} ({scores[low]:.2f}), \"{quote(low)}\". Highest: sentence {high + 1} "
            f"({scores[high]:.2f}), \"{quote(high)}\". The first half averages {first:.2f}, the second "
            f"{second:.2f}.")
