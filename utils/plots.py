"""Plots for the rhetoric analysis, each with a text description to use as alt text.

Every plot function draws on a matplotlib Axes (a new one if none is given) and returns
it; its ``describe_*`` partner returns a one-paragraph alt text computed from the same data.
"""

from pathlib import Path

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
    'Bar chart comparing Text A and Text B, per 1,000 words. we: Text A 20.0, Text B 8.0; i: Text A 6.0,
    Text B 0.0. Text B has no i. The largest contrast: we is 2.5 times as frequent in Text A as in Text B.'
    """
    names = names or {}
    if profile.empty or not columns:
        return "Bar chart with no data."
    label = {t: names.get(t, str(t)) for t in profile.index}
    features = {c: c.removesuffix("_per_1000") for c in columns}
    if len(label) == 1:
        only = profile.index[0]
        values = ", ".join(f"{f} {profile.loc[only, c]:.1f}" for c, f in features.items())
    else:
        values = "; ".join(f"{f}: " + ", ".join(f"{label[t]} {profile.loc[t, c]:.1f}" for t in profile.index)
                           for c, f in features.items())
    names_listed = list(label.values())
    subject = f"comparing {_listed(names_listed, 'and')}" if len(label) > 1 else f"for {names_listed[0]}"
    text = f"Bar chart {subject}, per 1,000 words. {values}."
    for t in profile.index:
        absent = [f for c, f in features.items() if profile.loc[t, c] == 0]
        if absent:
            text += f" {label[t]} has no {_listed(absent, 'or')}."
    if len(profile) == 2:
        first, second = profile.index
        pairs = {f: (profile.loc[first, c], profile.loc[second, c]) for c, f in features.items()}
        ratios = {f: max(pair) / min(pair) for f, pair in pairs.items() if min(pair) > 0}
        if ratios:
            f = max(ratios, key=ratios.get)
            c = next(c for c, name in features.items() if name == f)
            high, low = (first, second) if profile.loc[first, c] > profile.loc[second, c] else (second, first)
            text += (f" The largest contrast: {f} is {ratios[f]:.1f} times as frequent in {label[high]} "
                     f"as in {label[low]}.")
    return text


def _listed(items: list[str], word: str) -> str:
    """ "a", "a and b", "a, b and c" """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


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


def _are(n: int) -> str:
    return f"{n} is" if n == 1 else f"{n} are"


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
            f"{label}, in order. {_are(int((scores < -0.05).sum()))} negative, {int((scores > 0.05).sum())} positive. "
            f"Lowest: sentence {low + 1} ({scores[low]:.2f}), \"{quote(low)}\". Highest: sentence {high + 1} "
            f"({scores[high]:.2f}), \"{quote(high)}\". The first half averages {first:.2f}, the second "
            f"{second:.2f}.")


def sentiment_by_speaker(sentences: pd.DataFrame, window: int = 0, ax=None,
                         title: str = "Sentence sentiment through the text"):
    """VADER compound of each sentence (columns ``number``, ``compound``, ``speaker``), one colour per
    speaker, with a moving average over ``window`` sentences when ``window`` > 1 (for long texts).

    >>> table = pd.DataFrame({"number": [1, 2, 3], "compound": [0.5, -0.2, 0.1], "speaker": ["A", "B", "A"]})
    >>> sentiment_by_speaker(table, window=2).get_legend_handles_labels()[1]
    ['A', 'B', 'moving average of 2 sentences']
    """
    ax = _axes(ax, (9, 3.8))
    many = len(sentences) > 400
    for speaker, rows in sentences.groupby("speaker", sort=False):
        ax.plot(rows["number"], rows["compound"], "o", markersize=2 if many else 4, alpha=0.35 if many else 0.8,
                label=str(speaker)[:30])
    if window > 1:
        ax.plot(sentences["number"], sentences["compound"].rolling(window, min_periods=1, center=True).mean(),
                color="black", linewidth=1.5, label=f"moving average of {window} sentences")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_ylim(-1, 1)
    ax.set_title(title)
    ax.set_xlabel("Sentence number")
    ax.set_ylabel("VADER compound score (-1 to 1)")
    ax.legend(fontsize=8, loc="lower left", ncol=2)
    return ax


def describe_sentiment_by_speaker(sentences: pd.DataFrame, label: str, window: int = 0) -> str:
    """Alt text for :func:`sentiment_by_speaker`: per speaker, the mean and the share of negative sentences.

    >>> table = pd.DataFrame({"number": [1, 2], "compound": [0.5, -0.2], "speaker": ["A", "B"]})
    >>> describe_sentiment_by_speaker(table, "a debate")
    'Dot chart of the VADER compound score (-1 to 1) of each of the 2 sentences of a debate, in order, one colour a
    speaker. A: 1 sentence, mean 0.50, 0 negative; B: 1 sentence, mean -0.20, 1 negative.'
    """
    if sentences.empty:
        return f"Dot chart of sentence sentiment for {label}: no sentences."
    parts = [f"{speaker}: {len(rows):,} sentence{'s' if len(rows) != 1 else ''}, mean {rows['compound'].mean():.2f}, "
             f"{int((rows['compound'] < -0.05).sum()):,} negative"
             for speaker, rows in sentences.groupby("speaker", sort=False)]
    smooth = f" A black line is the moving average of {window} sentences." if window > 1 else ""
    return (f"Dot chart of the VADER compound score (-1 to 1) of each of the {len(sentences):,} sentences of {label}, "
            f"in order, one colour a speaker. " + "; ".join(parts[:8])
            + (f"; and {len(parts) - 8} more speakers" if len(parts) > 8 else "") + "." + smooth)


def show(fig, alt: str, path=None):
    """Show a figure in the notebook with ``alt`` as its alt text (and save it as PNG to ``path``,
    with the alt text beside it in a .txt file).

    The image goes out as HTML, ``<img alt="..." src="data:image/png...">``, because JupyterLab and
    nbconvert's HTML keep an ``alt`` written there (nbconvert ignores one in the output's metadata),
    and the figure is closed, so it is not shown a second time without it.
    """
    import base64
    import html
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    if path is not None:
        Path(path).write_bytes(buffer.getvalue())
        Path(path).with_suffix(".txt").write_text(alt + "\n", encoding="utf-8")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({"text/html": f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">', "text/plain": alt},
            raw=True)


def source_note(ax, text: str) -> None:
    """Write the data source under the plot, in small print."""
    ax.annotate(f"Source: {text}", xy=(0, 0), xycoords="axes fraction", xytext=(0, -34),
                textcoords="offset points", fontsize=7.5, color="dimgray", va="top")


def mark_event(ax, event: pd.Timestamp, label: str, side: str = "right"):
    """A dotted vertical line at ``event``, labelled at the foot of the axes.

    The label stands upright just beside the line, from the bottom of the axes up, where
    charts of people displaced (whose y-axis starts at 0) have no data, so it covers no point.
    Returns the label (a matplotlib Annotation).
    """
    ax.axvline(event, color="tab:gray", linestyle=":", linewidth=1)
    offset = 4 if side == "right" else -4
    return ax.annotate(label, xy=(event, 0.02), xycoords=("data", "axes fraction"), xytext=(offset, 0),
                       textcoords="offset points", rotation=90, ha="left" if side == "right" else "right",
                       va="bottom", fontsize=9, color="dimgray")


def end_year_ticks(ax, first: int, last: int) -> None:
    """Year ticks at 31 December, so that an end-year figure sits on its own year's tick.

    (A date axis puts its year ticks at 1 January: end-2022, 31 December 2022, would sit on "2023".)
    """
    ticks = [pd.Timestamp(year=year, month=12, day=31) for year in range(first, last + 1)]
    ax.set_xticks(ticks, [str(year) for year in range(first, last + 1)])


def claim_against_totals(totals: pd.DataFrame, claim: float, event: pd.Timestamp, ax=None,
                         title: str = "Forcibly displaced worldwide, as published by UNHCR"):
    """Published totals over time, with a claimed figure (horizontal) and an event date (vertical).

    Each end-year figure sits on its own year's tick (31 December); mid-year figures fall halfway between.
    """
    ax = _axes(ax, (8, 4.2))
    # a line only between consecutive end-year reports; mid-year figures as separate hollow points
    end = totals[totals["period"] == "end-year"].set_index("date")["total"]
    end = end.reindex(pd.date_range(end.index.min(), end.index.max(), freq="YE"))
    ax.plot(end.index, end.values, marker="o", color="tab:blue", label="end-year total (Global Trends)")
    mid = totals[totals["period"] == "mid-year"]
    ax.plot(mid["date"], mid["total"], "o", markerfacecolor="white", color="tab:blue",
            label="mid-year total (Mid-Year Trends)")
    ax.set_ylim(0, totals["total"].max() * 1.1)
    end_year_ticks(ax, totals["date"].min().year, totals["date"].max().year)
    ax.axhline(claim, color="tab:red", linestyle="--", linewidth=1)
    ax.annotate(f"op-ed: \"some {claim:g} million\"", xy=(totals["date"].min(), claim), xytext=(0, 4),
                textcoords="offset points", color="tab:red", fontsize=9)
    mark_event(ax, event, f"Text A, {event:%d %b %Y}", side="left")
    ax.set_title(title)
    ax.set_xlabel("End of year (ticks at 31 December); mid-year figures halfway between")
    ax.set_ylabel("People forcibly displaced (millions)")
    ax.legend(loc="lower left")
    source_note(ax, "UNHCR Global Trends 2014, 2015, 2018-2024; Mid-Year Trends 2023, 2025 "
                    "(data/displacement/unhcr_totals.csv)")
    return ax


def describe_claim_against_totals(totals: pd.DataFrame, claim: float, event: pd.Timestamp) -> str:
    """Alt text for :func:`claim_against_totals`."""
    first, last = totals.iloc[0], totals.iloc[-1]
    peak = totals.loc[totals["total"].idxmax()]
    years = set(totals.loc[totals["period"] == "end-year", "date"].dt.year)
    missing = [y for y in range(min(years), max(years) + 1) if y not in years]
    gaps = f" There are no figures for {' and '.join(map(str, missing))}, so the line breaks there." if missing else ""
    mids = ", ".join(f"{d:%B %Y} ({v:g})" for d, v in
                     totals.loc[totals["period"] == "mid-year", ["date", "total"]].itertuples(index=False))
    return (f"Line chart, from zero, of UNHCR's published total of forcibly displaced people in millions, at end-year "
            f"from {first['date']:%Y} ({first['total']:g} million) to {max(years)}, peaking at {peak['total']:g} "
            f"million in {peak['date']:%B %Y}; hollow points show the mid-year figures: {mids}.{gaps} The last "
            f"figure is {last['total']:g} million ({last['date']:%B %Y}). A dashed line marks the op-ed's {claim:g} "
            f"million, and a dotted vertical line Text A's date, {event.day} {event:%B %Y}.")


def flows_and_stocks(idmc: pd.DataFrame, ax=None,
                     title: str = "Internal displacement: new displacements and people still displaced"):
    """IDMC flows (bars) and stocks (lines) for conflict and disasters, by year."""
    ax = _axes(ax, (9, 4.5))
    years = idmc["year"].astype(int)
    width = 0.4
    ax.bar(years - width / 2, idmc["new_conflict"], width, label="new displacements: conflict", color="tab:orange")
    ax.bar(years + width / 2, idmc["new_disaster"], width, label="new displacements: disasters", color="tab:blue")
    ax.plot(years, idmc["stock_conflict"], color="tab:orange", marker="o", label="displaced at year end: conflict")
    ax.plot(years, idmc["stock_disaster"], color="black", marker="s", markerfacecolor="white", zorder=3,
            label="displaced at year end: disasters (from 2019)")
    ax.set_title(title)
    ax.set_xlabel("Year")
    ax.set_ylabel("Millions (movements for bars, people for lines)")
    ax.legend(fontsize=8, loc="upper left")
    source_note(ax, "IDMC Global Report on Internal Displacement 2023-2025 (data/displacement/idmc_internal.csv)")
    return ax


def describe_flows_and_stocks(idmc: pd.DataFrame) -> str:
    """Alt text for :func:`flows_and_stocks`."""
    last = idmc.iloc[-1]
    more = int((idmc["new_disaster"] > idmc["new_conflict"]).sum())
    first_stock = int(idmc.loc[idmc["stock_disaster"].notna(), "year"].min())
    return (f"Bars of new internal displacements per year, {int(idmc['year'].min())} to {int(last['year'])}, "
            f"for conflict and for disasters, with lines for the people still displaced at year end (for "
            f"disasters only from {first_stock}, when estimates begin). Disasters caused more new displacements "
            f"than conflict in {more} of {len(idmc)} years. In {int(last['year'])}: "
            f"{last['new_disaster']:g} million new disaster displacements but {last['stock_disaster']:g} million "
            f"still displaced by disasters at year end; {last['new_conflict']:g} million new conflict "
            f"displacements and {last['stock_conflict']:g} million still displaced by conflict.")


UKRAINE_MEASURES = {"refugees_europe": "refugees from Ukraine recorded across Europe",
                    "idps": "internally displaced in Ukraine"}


def _day(date) -> str:
    return f"{date.day} {date:%B}"


def ukraine_timeline(ukraine: pd.DataFrame, event: pd.Timestamp, ax=None,
                     title: str = "Displacement from and within Ukraine, 2022"):
    """Refugees recorded across Europe and IDPs in Ukraine through 2022 (y-axis from 0), with an event date marked."""
    ax = _axes(ax, (8, 4))
    labels = UKRAINE_MEASURES
    import matplotlib.dates as mdates

    by_measure = ukraine.sort_values("date").groupby("measure", observed=True)
    for (measure, rows), color in zip(by_measure, ["tab:blue", "tab:orange"], strict=False):
        ax.plot(rows["date"], rows["value"], color=color, label=labels.get(measure, measure))
        exact = rows["precision"] == "exact"
        ax.plot(rows.loc[exact, "date"], rows.loc[exact, "value"], "o", color=color)
        ax.plot(rows.loc[~exact, "date"], rows.loc[~exact, "value"], "o", color=color, markerfacecolor="white")
    ax.plot([], [], "o", color="gray", markerfacecolor="white", label="approximate figure (hollow)")
    ax.set_xlim(pd.Timestamp("2022-01-01"), pd.Timestamp("2022-12-31"))
    ax.set_ylim(0, ukraine["value"].max() * 1.1)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    mark_event(ax, event, f"Text A, {event:%d %b %Y}", side="right")
    ax.set_title(title)
    ax.set_xlabel("Date (2022)")
    ax.set_ylabel("People (millions)")
    ax.legend(fontsize=8, loc="lower right")
    source_note(ax, "UNHCR Ukraine situation data portal; IOM General Population Survey "
                    "(data/displacement/ukraine_2022.csv)")
    return ax


def describe_ukraine_timeline(ukraine: pd.DataFrame, event: pd.Timestamp) -> str:
    """Alt text for :func:`ukraine_timeline`."""
    parts = []
    for measure, rows in ukraine.sort_values("date").groupby("measure", observed=True):
        before = rows[rows["date"] <= event]
        approx = "about " if not before.empty and before["precision"].iloc[-1] != "exact" else ""
        at = (f"; at Text A's date the latest was {approx}{before['value'].iloc[-1]:g} million "
              f"({_day(before['date'].iloc[-1])})") if not before.empty else ""
        parts.append(f"{UKRAINE_MEASURES.get(measure, measure)}: from {rows['value'].iloc[0]:g} million "
                     f"({_day(rows['date'].iloc[0])}) to {rows['value'].iloc[-1]:g} million "
                     f"({_day(rows['date'].iloc[-1])}), peaking at {rows['value'].max():g}{at}")
    n_approx = int((ukraine["precision"] != "exact").sum())
    return (f"Line chart of displacement in 2022, January to December, in millions on an axis from zero, with a "
            f"dotted line at Text A's date, {event.day} {event:%B %Y}: " + "; ".join(parts)
            + f". {n_approx} of the {len(ukraine)} figures are approximate and drawn as hollow points.")
