"""Public pages, no sign-in: the chronic absence rate by school and grade, when the district
publishes it. Only counts of 10 or more students are shown."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from outreach_bot.reports.suppression import MIN_CELL
from outreach_bot.reports.tables import public_aggregates
from outreach_bot.staff import district_settings
from outreach_bot.web import runtime
from outreach_bot.web.reports import district_day

blueprint = Blueprint("public", __name__)


@blueprint.get("/chronic-absence")
def chronic_absence() -> str:
    """The published table (404 until a district admin turns it on)."""
    rt = runtime()
    today = district_day()
    with rt.db.transaction() as db:
        chosen = district_settings.effective(db, rt.settings)
        if not chosen.publish_public_aggregates:
            abort(404)
        found = public_aggregates(db, today, unlisted_weekdays=chosen.unlisted_weekdays)
    return render_template(
        "public/chronic_absence.html",
        as_of=found[0] if found else None,
        rows=found[1] if found else [],
        minimum=MIN_CELL,
        district_name=rt.settings.district_name,
    )
