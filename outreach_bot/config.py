"""Settings: the one place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything the service is configured with; see docs/configuration.md."""

    database_url: str | None = None
    redis_url: str | None = None
    sms_backend: str = "console"
    # Outside development the console backend (which sends nothing) is refused unless this
    # says so: a trial, or a staging copy that must never text a family.
    allow_console_sms: bool = False
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str | None = None
    twilio_timeout_seconds: float = 10.0
    public_base_url: str | None = None
    secret_key: str | None = None
    environment: str = "development"
    district_name: str = "Your school district"
    # The district office's postal address, on the letterhead of printed letters; its lines
    # separated by ";" ("1200 Main Street; Springfield, CA 95000").
    district_address: str | None = None
    district_timezone: str = "America/Los_Angeles"
    # The language a guardian is texted in when the roster does not say (a BCP 47 tag).
    district_language: str = "en"
    # The users.csv column of a OneRoster export that holds a guardian's language.
    oneroster_language_column: str = "metadata.language"
    quiet_hours: str = "20:00-08:00"
    flows_dir: Path = field(default=PROJECT_ROOT / "flows")
    locales_dir: Path = field(default=PROJECT_ROOT / "locales")
    send_max_attempts: int = 5
    # Segments a second the sender may hand to the provider, shared by every worker; None:
    # Twilio's default for the kind of sender (messaging/rate_limit.py), none for the console.
    send_segments_per_second: int | None = None
    session_idle_minutes: int = 30
    session_cookie_secure: bool | None = None  # None: on outside development
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    escalation_climb_hours: int = 24
    follow_up_hours: int = 24
    staff_notify_minutes: int = 15
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    import_dir: Path | None = None  # the drop folder the nightly sync imports from
    # Legally required truancy notices by a state's rules (flows/notices/<STATE>.yaml): "CA".
    # None (empty): off, until the district turns them on.
    notices_state: str | None = None
    # Without a drop folder, whether the worker scans every night at the district's nightly
    # hour (None: on outside development). With one, the sync scans after its files anyway.
    nightly_scan: bool | None = None
    # How many proxies (load balancer, ingress) sit in front of the web process: their
    # X-Forwarded-For/-Proto/-Host are trusted that many hops deep, and no further.
    trusted_proxy_count: int = 0
    log_level: str = "INFO"
    log_format: str = "json"  # "json" (one object a line) or "text"

    @property
    def is_development(self) -> bool:
        """True when running on a developer's machine or in tests."""
        return self.environment in ("development", "test")

    @property
    def district_address_lines(self) -> tuple[str, ...]:
        """DISTRICT_ADDRESS's lines (separated by ";"), without blanks: the letterhead's."""
        return tuple(
            line.strip() for line in (self.district_address or "").split(";") if line.strip()
        )

    @property
    def scans_nightly(self) -> bool:
        """Whether the worker runs the nightly job (the drop folder's sync, then the scan)."""
        if self.import_dir is not None:
            return True
        return not self.is_development if self.nightly_scan is None else self.nightly_scan

    @property
    def secure_cookies(self) -> bool:
        """Staff session cookies go over HTTPS only: always, unless development or told off."""
        if self.session_cookie_secure is None:
            return not self.is_development
        return self.session_cookie_secure


_ENVIRONMENT_NAMES = {
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
    "sms_backend": "SMS_BACKEND",
    "allow_console_sms": "ALLOW_CONSOLE_SMS",
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_messaging_service_sid": "TWILIO_MESSAGING_SERVICE_SID",
    "twilio_from_number": "TWILIO_FROM_NUMBER",
    "twilio_api_base_url": "TWILIO_API_BASE_URL",
    "twilio_timeout_seconds": "TWILIO_TIMEOUT_SECONDS",
    "public_base_url": "PUBLIC_BASE_URL",
    "secret_key": "SECRET_KEY",
    "environment": "OUTREACH_ENV",
    "district_name": "DISTRICT_NAME",
    "district_address": "DISTRICT_ADDRESS",
    "district_timezone": "DISTRICT_TIMEZONE",
    "district_language": "DISTRICT_LANGUAGE",
    "oneroster_language_column": "ONEROSTER_LANGUAGE_COLUMN",
    "quiet_hours": "QUIET_HOURS",
    "flows_dir": "FLOWS_DIR",
    "locales_dir": "LOCALES_DIR",
    "send_max_attempts": "SEND_MAX_ATTEMPTS",
    "send_segments_per_second": "SEND_SEGMENTS_PER_SECOND",
    "session_idle_minutes": "SESSION_IDLE_MINUTES",
    "session_cookie_secure": "SESSION_COOKIE_SECURE",
    "login_max_failures": "LOGIN_MAX_FAILURES",
    "login_lockout_minutes": "LOGIN_LOCKOUT_MINUTES",
    "escalation_climb_hours": "ESCALATION_CLIMB_HOURS",
    "follow_up_hours": "FOLLOW_UP_HOURS",
    "staff_notify_minutes": "STAFF_NOTIFY_MINUTES",
    "smtp_host": "SMTP_HOST",
    "smtp_port": "SMTP_PORT",
    "smtp_username": "SMTP_USERNAME",
    "smtp_password": "SMTP_PASSWORD",
    "smtp_from": "SMTP_FROM",
    "smtp_starttls": "SMTP_STARTTLS",
    "import_dir": "IMPORT_DIR",
    "notices_state": "NOTICES_STATE",
    "nightly_scan": "NIGHTLY_SCAN",
    "trusted_proxy_count": "TRUSTED_PROXY_COUNT",
    "log_level": "LOG_LEVEL",
    "log_format": "LOG_FORMAT",
}


class ConfigError(ValueError):
    """A setting is missing or malformed."""


def _coerce(name: str, raw: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if raw is None or raw == "":
        return None if "None" in str(kind) else raw
    if "Path" in str(kind):
        return Path(raw)
    try:
        if kind in ("int", "int | None"):
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        variable = _ENVIRONMENT_NAMES[name]
        raise ConfigError(f"{variable} must be a number, not {raw!r}") from None
    if "bool" in str(kind):
        return str(raw).strip().lower() in ("1", "true", "yes", "on")
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from the environment, then apply explicit overrides (tests, the demo)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, variable in _ENVIRONMENT_NAMES.items():
        if variable in env and env[variable] != "":
            values[name] = _coerce(name, env[variable])
    for name, value in (overrides or {}).items():
        if name not in _ENVIRONMENT_NAMES:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _coerce(name, value) if isinstance(value, str) else value
    if values.get("notices_state"):
        values["notices_state"] = values["notices_state"].strip().upper() or None
    if values.get("database_url"):
        values["database_url"] = database_url(values["database_url"])
    settings = replace(Settings(), **values)
    _check(settings)
    return settings


def database_url(url: str) -> str:
    """The URL with PostgreSQL's driver named: hosting platforms hand out `postgres://...`."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _check_url(variable: str, url: str | None) -> None:
    """An http(s) URL with a host, or a one-line ConfigError naming the setting."""
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{variable} must be an http:// or https:// URL with a host, such as "
            f"'https://sms-gateway.example.org', not {url!r}"
        )


def _check(settings: Settings) -> None:
    from outreach_bot.messaging.quiet_hours import QuietHours, QuietHoursError

    try:
        QuietHours.parse(settings.quiet_hours, settings.district_timezone)
    except QuietHoursError as error:
        raise ConfigError(str(error)) from None
    _check_url("TWILIO_API_BASE_URL", settings.twilio_api_base_url)
    _check_url("PUBLIC_BASE_URL", settings.public_base_url)
    if not 0 <= settings.trusted_proxy_count <= 5:
        raise ConfigError(
            "TRUSTED_PROXY_COUNT must be how many proxies sit in front of the app (0 to 5), "
            f"not {settings.trusted_proxy_count}"
        )
    if settings.send_segments_per_second is not None and settings.send_segments_per_second < 1:
        raise ConfigError(
            "SEND_SEGMENTS_PER_SECOND must be the segments a second the carrier takes from the "
            f"sender (1 or more), not {settings.send_segments_per_second}"
        )
    if settings.log_format not in ("json", "text"):
        raise ConfigError(f"LOG_FORMAT must be 'json' or 'text', not {settings.log_format!r}")
    if settings.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(
            f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {settings.log_level!r}"
        )
    if settings.notices_state is not None:
        from outreach_bot.notices.rules import rules_path

        if not rules_path(settings.flows_dir, settings.notices_state).is_file():
            raise ConfigError(
                f"NOTICES_STATE is {settings.notices_state!r}, but the flows folder has no"
                f" notices/{settings.notices_state}.yaml; set it to CA, or empty for no notices"
            )
    if settings.sms_backend not in ("console", "twilio"):
        raise ConfigError(
            f"SMS_BACKEND must be 'console' or 'twilio', not {settings.sms_backend!r}"
        )
    if not settings.is_development and not settings.secret_key:
        raise ConfigError(
            "SECRET_KEY is required outside development; set it to a long random value"
        )
    if settings.sms_backend == "console" and not (
        settings.is_development or settings.allow_console_sms
    ):
        raise ConfigError(
            "SMS_BACKEND=console sends no text (it only prints them) and is refused outside"
            " development; set SMS_BACKEND=twilio, or ALLOW_CONSOLE_SMS=on for a trial"
        )
    if settings.sms_backend == "twilio":
        missing = [
            variable
            for name, variable in (
                ("twilio_account_sid", "TWILIO_ACCOUNT_SID"),
                ("twilio_auth_token", "TWILIO_AUTH_TOKEN"),
            )
            if not getattr(settings, name)
        ]
        if not (settings.twilio_messaging_service_sid or settings.twilio_from_number):
            missing.append("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        if not (settings.is_development or settings.public_base_url):
            # Without it no delivery report comes back, so an unreachable phone goes unseen.
            missing.append("PUBLIC_BASE_URL (where Twilio sends its delivery reports)")
        if missing:
            raise ConfigError("SMS_BACKEND=twilio needs " + ", ".join(missing))
