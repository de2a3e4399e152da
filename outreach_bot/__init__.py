"""outreach-bot: bring chronically absent students back, one family conversation at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None, *, pages: bool = True) -> Flask:
    """Build the Flask app; `config` overrides settings (tests, the demo) and may pass a CLOCK.
    Without `pages` it has no routes: the runtime for a command that serves nothing."""
    from outreach_bot.config import load_settings
    from outreach_bot.logs import configure_logging
    from outreach_bot.runtime import build_runtime

    overrides = dict(config or {})
    clock = overrides.pop("CLOCK", None)
    settings = load_settings({k.lower(): v for k, v in overrides.items()})
    if not settings.is_development:  # a developer's terminal and tests keep Python's default
        configure_logging(settings.log_level, json_lines=settings.log_format == "json")
    app = Flask(__name__, instance_relative_config=True)
    app.config["SECRET_KEY"] = settings.secret_key or "development-only-not-secret"
    app.extensions["outreach"] = build_runtime(settings, app.instance_path, clock)
    if settings.trusted_proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's real address (sign-in lockouts) and scheme (HSTS, cookies), exactly
        # as many hops deep as there are proxies: a client cannot forge its way past them.
        hops = settings.trusted_proxy_count
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    if pages:
        from outreach_bot.web import register_blueprints

        register_blueprints(app)
    return app
