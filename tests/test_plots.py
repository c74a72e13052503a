"""The displacement charts, read back from their axes (matplotlib's Agg backend, no screen)."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from utils import datasets, plots  # noqa: E402

TEXT_A_DATE = pd.Timestamp("2022-06-10")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def drawn(ax):
    """Lay the figure out as the notebooks do and draw it; return the renderer."""
    ax.figure.tight_layout()
    ax.figure.canvas.draw()
    return ax.figure.canvas.get_renderer()


def event_label(ax):
    labels = [t for t in ax.texts if t.get_text().startswith("Text A")]
    assert len(labels) == 1, [t.get_text() for t in ax.texts]
    return labels[0]


def clear_zone(label, renderer, points: float = 3):
    """The label's box on the display, grown by ``points`` on every side: a label must keep that clear of a point."""
    pad = points * label.figure.dpi / 72
    box = label.get_window_extent(renderer)
    return Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


def marker_boxes(ax):
    """(x, y, display box) of every marker drawn on ax, the box as large as the marker itself."""
    boxes = []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " "):
            continue
        radius = (line.get_markersize() + line.get_markeredgewidth()) / 2 * ax.figure.dpi / 72
        for x, y in line.get_xydata():
            if math.isnan(x) or math.isnan(y):
                continue
            px, py = ax.transData.transform((x, y))
            boxes.append((x, y, Bbox.from_extents(px - radius, py - radius, px + radius, py + radius)))
    return boxes


def test_end_year_totals_sit_on_their_own_year_tick():
    totals = datasets.load("unhcr_totals")
    ax = plots.claim_against_totals(totals, 110, TEXT_A_DATE)
    drawn(ax)
    ticks = dict(zip([t.get_text() for t in ax.get_xticklabels()], ax.get_xticks(), strict=True))
    assert list(ticks) == [str(y) for y in range(2014, 2026)]
    points = {round(x, 6) for x, _, _ in marker_boxes(ax)}
    for date in totals.loc[totals["period"] == "end-year", "date"]:
        x = mdates.date2num(date)
        assert ticks[str(date.year)] == pytest.approx(x), f"end-{date.year} is not on the tick {date.year}"
        assert round(x, 6) in points
    # the case of the bug report: end-2022 sits on "2022", a year before "2023"
    end_2022 = mdates.date2num(pd.Timestamp("2022-12-31"))
    assert ticks["2022"] == pytest.approx(end_2022) and ticks["2023"] - end_2022 == pytest.approx(365)
    # mid-year figures fall between the ticks of the year before and their own year
    for date in totals.loc[totals["period"] == "mid-year", "date"]:
        assert ticks[str(date.year - 1)] < mdates.date2num(date) < ticks[str(date.year)]
    assert "31 December" in ax.get_xlabel()
    assert ax.get_ylim()[0] == 0


def test_ukraine_axis_starts_at_zero():
    ukraine = datasets.load("ukraine_2022")
    ax = plots.ukraine_timeline(ukraine, TEXT_A_DATE)
    drawn(ax)
    bottom, top = ax.get_ylim()
    assert bottom == 0
    assert top >= ukraine["value"].max()
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["Jan", "Feb", "Mar"]


@pytest.mark.parametrize("chart", ["ukraine", "totals"])
def test_text_a_label_covers_no_point_and_no_legend(chart):
    if chart == "ukraine":
        data = datasets.load("ukraine_2022")
        ax = plots.ukraine_timeline(data, TEXT_A_DATE)
    else:
        data = datasets.load("unhcr_totals")
        ax = plots.claim_against_totals(data, 110, TEXT_A_DATE)
    renderer = drawn(ax)
    label = clear_zone(event_label(ax), renderer)
    boxes = marker_boxes(ax)
    assert len(boxes) >= len(data)  # every figure has a marker
    for x, y, box in boxes:
        assert not label.overlaps(box), f"the Text A label covers the point ({mdates.num2date(x):%d %b %Y}, {y})"
    assert not label.overlaps(ax.get_legend().get_window_extent(renderer))
    # the label stays inside the axes
    inside = event_label(ax).get_window_extent(renderer)
    assert ax.get_window_extent(renderer).contains(inside.x0, inside.y0)
    assert ax.get_window_extent(renderer).contains(inside.x1, inside.y1)


def test_the_9_june_point_is_clear_of_the_label():
    """The point of the bug report: refugees recorded across Europe on 9 June 2022, beside Text A's date."""
    ax = plots.ukraine_timeline(datasets.load("ukraine_2022"), TEXT_A_DATE)
    renderer = drawn(ax)
    label = clear_zone(event_label(ax), renderer)
    nine_june = mdates.date2num(pd.Timestamp("2022-06-09"))
    hits = [box for x, y, box in marker_boxes(ax) if x == pytest.approx(nine_june) and y == 4.82]
    assert hits, "no marker drawn for 9 June 2022"
    assert not any(label.overlaps(box) for box in hits)


@pytest.mark.parametrize("side", ["left", "right"])
def test_mark_event_puts_its_label_beside_the_line(side):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(pd.to_datetime(["2022-01-01", "2022-12-31"]), [5, 8], "o-")
    ax.set_ylim(0, 10)
    note = plots.mark_event(ax, TEXT_A_DATE, "Text A, 10 Jun 2022", side=side)
    renderer = drawn(ax)
    box = note.get_window_extent(renderer)
    line_x = ax.transData.transform((mdates.date2num(TEXT_A_DATE), 0))[0]
    assert (box.x0 > line_x) if side == "right" else (box.x1 < line_x)
    assert box.height > box.width  # upright
    assert box.y0 < ax.transData.transform((0, 5))[1]  # from the foot of the axes


def test_alt_texts_follow_the_data():
    ukraine = datasets.load("ukraine_2022")
    text = plots.describe_ukraine_timeline(ukraine, TEXT_A_DATE)
    assert "axis from zero" in text
    assert "at Text A's date the latest was 7.13 million (23 May)" in text
    assert "at Text A's date the latest was 4.82 million (9 June)" in text
    assert "2 of the 14 figures are approximate" in text
    flows = plots.describe_flows_and_stocks(datasets.load("idmc_internal"))
    assert "20.1 million new conflict displacements" in flows


def test_sentiment_by_speaker_and_its_alt_text():
    table = pd.DataFrame({"number": range(1, 101), "compound": [0.5, -0.3] * 50, "speaker": ["Q", "A"] * 50})
    ax = plots.sentiment_by_speaker(table, window=10)
    assert ax.get_legend_handles_labels()[1] == ["Q", "A", "moving average of 10 sentences"]
    alt = plots.describe_sentiment_by_speaker(table, "a debate", 10)
    assert "Q: 50 sentences, mean 0.50, 0 negative; A: 50 sentences, mean -0.30, 50 negative." in alt
    assert "moving average of 10 sentences" in alt


def test_alt_text_grammar_for_one_negative_sentence_and_one_text():
    sentences = pd.DataFrame({"sentence": ["Bad.", "Good."], "compound": [-0.5, 0.5]})
    assert "1 is negative, 1 positive" in plots.describe_sentiment_arc(sentences)
    one = plots.describe_rate_bars(pd.DataFrame({"we_per_1000": [20.0]}, index=["Speech"]), ["we_per_1000"])
    assert one == "Bar chart for Speech, per 1,000 words. we 20.0."
