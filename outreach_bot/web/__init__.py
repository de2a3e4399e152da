"""Flask blueprints: thin layers that parse, call the domain, and render."""

from __future__ import annotations

from flask import Flask, current_app

from outreach_bot.runtime import Runtime


def runtime() -> Runtime:
    """The running app's runtime (settings, database, queue, channel, clock)."""
    found: Runtime = current_app.extensions["outreach"]
    return found


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint; imported here so nothing happens at import time."""
    from outreach_bot.web import (
        admin,
        api,
        auth,
        bad_input,
        cases,
        dashboard,
        directory,
        labels,
        language,
        notices,
        public,
        reports,
        request_log,
        security,
        sheets,
    )
    from outreach_bot.web.health import blueprint as health
    from outreach_bot.web.health import init_app as explain_database_errors
    from outreach_bot.web.twilio import blueprint as twilio

    request_log.init_app(app)  # first: every answer, even a refusal, carries a request id
    bad_input.init_app(app)  # next: no other check reads a malformed request
    app.register_blueprint(health)
    explain_database_errors(app)
    app.register_blueprint(twilio, url_prefix="/twilio")
    security.init_app(app)
    language.init_app(app)
    labels.init_app(app)
    app.register_blueprint(dashboard.assets, url_prefix="/staff")
    app.register_blueprint(auth.blueprint, url_prefix="/staff")
    app.register_blueprint(dashboard.blueprint, url_prefix="/staff")
    app.register_blueprint(cases.blueprint, url_prefix="/staff/cases")
    app.register_blueprint(admin.blueprint, url_prefix="/staff/admin")
    app.register_blueprint(reports.blueprint, url_prefix="/staff/reports")
    app.register_blueprint(notices.blueprint, url_prefix="/staff/notices")
    app.register_blueprint(public.blueprint, url_prefix="/public")
    app.register_blueprint(directory.blueprint, url_prefix="/staff/admin/resources")
    app.register_blueprint(sheets.blueprint, url_prefix="/r")
    api.init_app(app)
