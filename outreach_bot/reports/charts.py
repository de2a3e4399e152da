"""Report charts as SVG, drawn on the server by pygal, readable without colour.

Bands go from light to dark grey-blue in order of severity and every bar and point prints its
number, so a chart reads the same printed in black and white; the page beside it holds the same
numbers as a table. Labels arrive already in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pygal
from pygal.style import Style

from outreach_bot.reports.chronic import ChronicRow
from outreach_bot.reports.definitions import BANDS, percent
from outreach_bot.reports.trend import TrendPoint

# Light to dark, so that the order of the bands survives grey-scale printing.
_BAND_SHADES = ("#dce6f0", "#98b3cf", "#4f7099", "#1b2f4a")
# Dark value text on light bars, white on dark ones.
_BAND_TEXT = ("#1b1f24", "#1b1f24", "#ffffff", "#ffffff")
_FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"


def _style(colors: Sequence[str], value_colors: Sequence[str] = ()) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1b1f24",
        foreground_strong="#1b1f24",
        foreground_subtle="#c9ced6",
        colors=tuple(colors),
        value_colors=tuple(value_colors),
        font_family=_FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        value_font_size=12,
        title_font_size=15,
        opacity="1",  # pygal's default lightens every shade; the bands need all four
        opacity_hover="1",
    )


def _svg(chart: pygal.graph.graph.Graph) -> str:
    """The chart as an SVG document with no script, so nothing is fetched when it is shown."""
    return str(chart.render(is_unicode=True))


def bands_chart(
    rows: Sequence[ChronicRow],
    names: Mapping[str, str],
    band_labels: Mapping[str, str],
    title: str,
) -> str:
    """Each school's students by band, as shares of its students, one stacked bar a school."""
    chart = pygal.HorizontalStackedBar(
        style=_style(_BAND_SHADES, _BAND_TEXT),
        js=[],
        disable_xml_declaration=True,
        print_values=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        range=(0, 100),
        width=820,
        height=160 + 44 * max(len(rows), 1),
        value_formatter=lambda value: f"{value:.0f}%",
        title=title,
    )
    chart.x_labels = [names.get(row.key[0], row.key[0]) for row in rows]
    for band in BANDS:
        shares = [percent(row.bands[band], row.students) for row in rows]
        chart.add(band_labels[band], [_share(share) for share in shares])
    return _svg(chart)


def trend_chart(points: Sequence[TrendPoint], series: str, title: str) -> str:
    """The chronic rate at the end of each month, one labelled point a month."""
    chart = pygal.Line(
        style=_style(("#1b2f4a",)),
        js=[],
        disable_xml_declaration=True,
        print_values=True,
        show_legend=False,
        dots_size=5,
        width=820,
        height=320,
        margin_right=40,  # room for the last point's printed value
        range=(0, max([10.0, *(float(p.row.chronic_rate or 0) * 1.2 for p in points)])),
        value_formatter=lambda value: f"{value:.1f}%",
        title=title,
    )
    chart.x_labels = [point.month for point in points]
    chart.add(series, [_float(point.row.chronic_rate) for point in points])
    return _svg(chart)


def _share(share: object) -> float | dict[str, object]:
    """A band's share of a bar; an empty band prints no "0%" over its neighbour."""
    if share:
        return float(str(share))
    return {"value": None, "formatter": lambda _value: ""}


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))
