"""The board summary as a one-page PDF: HTML laid out by WeasyPrint (on Pango), charts by pygal.

English, like the other report files; the numbers are those of `board.board_summary`.
"""

from __future__ import annotations

from decimal import Decimal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from weasyprint import HTML

from outreach_bot.reports.board import BoardSummary
from outreach_bot.reports.charts import trend_chart
from outreach_bot.reports.formats import text_cell

_TEMPLATES = Environment(
    loader=PackageLoader("outreach_bot.reports", "templates"),
    autoescape=select_autoescape(["html"]),
)
_TEMPLATES.filters["cell"] = lambda value: text_cell(value) or "–"
_TEMPLATES.filters["rate"] = lambda value: "–" if value is None else f"{Decimal(value)}%"


def board_html(summary: BoardSummary, district_name: str) -> str:
    """The page as HTML, for WeasyPrint (and for reading in a browser)."""
    chart = trend_chart(summary.trend, "District", "Chronic absence rate at the end of each month")
    return _TEMPLATES.get_template("board.html").render(
        summary=summary, district_name=district_name, trend_svg=Markup(chart)
    )


def board_pdf(summary: BoardSummary, district_name: str) -> bytes:
    """The one-page PDF."""
    document = HTML(string=board_html(summary, district_name)).render()
    return bytes(document.write_pdf())
