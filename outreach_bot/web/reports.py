"""The Reports page: chronic absence by school and month, the students list, outreach results
and the effect, as charts and tables, each table as CSV; and the board summary PDF."""

from __future__ import annotations

import base64
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template, request

from outreach_bot.reports.board import BoardError, district_board
from outreach_bot.reports.board_pdf import board_pdf
from outreach_bot.reports.charts import bands_chart, trend_chart
from outreach_bot.reports.definitions import BANDS
from outreach_bot.reports.formats import render, text_cell
from outreach_bot.reports.population import last_school_day
from outreach_bot.reports.selection import Selection, parse_group
from outreach_bot.reports.tables import TABLES, ReportData, filter_choices, report_data
from outreach_bot.staff import district_settings
from outreach_bot.staff.labels import LABELS
from outreach_bot.web import runtime
from outreach_bot.web.dashboard import record
from outreach_bot.web.language import gettext, per_request, t
from outreach_bot.web.security import require_sign_in, staff

blueprint = Blueprint("reports", __name__)
blueprint.before_request(require_sign_in)
blueprint.add_app_template_filter(per_request(text_cell), "report_cell")


def district_day() -> date:
    """Today in the district's timezone, by the app's clock."""
    rt = runtime()
    return rt.clock().astimezone(ZoneInfo(rt.settings.district_timezone)).date()


def _selection() -> Selection:
    """The filters asked for, within the signed-in user's schools (404 for another school)."""
    scope = staff().scope
    school = request.args.get("school") or None
    if school is not None and not scope.covers(school):
        abort(404)
    reach = None if scope.whole_district else scope.school_ids
    return Selection(
        schools=frozenset({school}) if school else reach,
        grade=request.args.get("grade") or None,
        group=parse_group(request.args.get("group")),
    )


def _data(selection: Selection) -> ReportData | None:
    """The page's rows as of the last school day with attendance (None: nothing imported)."""
    rt = runtime()
    today = district_day()
    with rt.db.transaction() as db:
        weekdays = district_settings.effective(db, rt.settings).unlisted_weekdays
        as_of = last_school_day(db, today, unlisted_weekdays=weekdays)
        if as_of is None:
            return None
        return report_data(
            db,
            as_of,
            selection,
            today=today,
            timezone=rt.settings.district_timezone,
            unlisted_weekdays=weekdays,
        )


def _image(svg: str) -> str:
    """An SVG chart as an image address: the page's Content-Security-Policy forbids inline
    styles, which an inline <svg> would need; an image keeps its own."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


@blueprint.get("/")
def page() -> str:
    """Charts and tables for the schools within reach, with filters."""
    selection = _selection()
    data = _data(selection)
    charts = {}
    if data is not None and data.bands:
        bands = {band: gettext(LABELS[band]) for band in BANDS}
        title = t("Students by band, share of each school")
        charts["bands"] = _image(bands_chart(data.bands, data.names, bands, title))
    if data is not None and data.trend:
        title = t("Chronic absence rate at each month end")
        charts["trend"] = _image(trend_chart(data.trend, t("Chronic rate"), title))
    with runtime().db.transaction() as db:
        choices = filter_choices(
            db, None if staff().scope.whole_district else staff().scope.school_ids
        )
        record(db, "viewed_reports")
    return render_template(
        "staff/reports.html",
        data=data,
        charts=charts,
        tables={name: data.shown(name) for name in TABLES} if data else {},
        band_codes=BANDS,
        choices=choices,
        schools=sorted(
            (school for school in (data.names if data else {}) if staff().scope.covers(school)),
        ),
        args=request.args,
        today=district_day(),
    )


@blueprint.get("/<name>.csv")
def table_csv(name: str) -> Response:
    """One table of the page, with the same filters, as CSV (audited: it may list students)."""
    if name not in TABLES:
        abort(404)
    data = _data(_selection())
    table = data.table(name) if data is not None else None
    if data is None or table is None:
        abort(404)
    with runtime().db.transaction() as db:
        record(db, "exported_report", "report", name)
    return Response(
        render(table.columns, table.rows, "csv"),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}-{data.as_of}.csv"},
    )


@blueprint.get("/board.pdf")
def board() -> Response:
    """The school board's one-page summary for a month (district admins: it covers everyone)."""
    if not staff().scope.whole_district:
        abort(403)
    rt = runtime()
    month = request.args.get("month") or f"{district_day():%Y-%m}"
    with rt.db.transaction() as db:
        try:
            summary = district_board(db, month, rt.settings, district_day())
        except BoardError as error:
            abort(400, description=str(error))
        record(db, "exported_report", "report", "board")
    return Response(
        board_pdf(summary, rt.settings.district_name),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=board-summary-{month}.pdf"},
    )
