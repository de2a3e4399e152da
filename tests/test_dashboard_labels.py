"""The dashboard's words for stored codes: in each reader's language, for every reason."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from flask import Flask

from outreach_bot import create_app
from outreach_bot.attendance.scan import load_triggers
from outreach_bot.checks.flows import escalation_reasons
from outreach_bot.cli import main
from outreach_bot.engine.library import load_library
from outreach_bot.staff.labels import CODE_REASONS, LABELS, unlabelled
from tests.factories import add_attendance, add_school_days
from tests.staff_helpers import add_user, sign_in, two_schools

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"


@pytest.fixture
def cases(runtime, clock) -> dict[str, int]:
    """Lincoln and Oak with a case each, a Spanish-speaking clerk and admin beside the English."""
    days = [date(2026, 10, 1) + timedelta(days=n) for n in range(5)]
    with runtime.db.transaction() as session:
        found = two_schools(session, clock())
        add_user(session, "secretaria@example.org", language="es")
        add_user(session, "directora@example.org", role="district_admin", schools=(), language="es")
        add_school_days(session, days)
        add_attendance(
            session, "S1001", {day: "present" for day in days[:-1]} | {days[-1]: "absent"}
        )
    return found


# (the page, who reads it, words that must be on it, words that must not)
ENGLISH_CASE = ("Present", "Tardy", "Excused absence"), ("Presente", "Retardo")
SPANISH_CASE = ("Presente", "Ausencia justificada"), ("Present ·", "Excused absence")
ENGLISH_SETTINGS = ("Urgent", "High", "Normal", "Low"), ("Urgente", "Alta")
SPANISH_SETTINGS = ("Urgente", "Alta"), ("Urgent", ">High")


def _page(app: Flask, email: str, url: str) -> str:
    client = app.test_client()
    sign_in(client, email)
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "readers",
    [
        (("clerk@example.org", ENGLISH_CASE), ("secretaria@example.org", SPANISH_CASE)),
        (("secretaria@example.org", SPANISH_CASE), ("clerk@example.org", ENGLISH_CASE)),
    ],
    ids=["english-first", "spanish-first"],
)
def test_the_attendance_legend_is_in_each_readers_language(app, cases, readers):
    # Jinja folds a filter with constant arguments ("present"|label) when it compiles a
    # template: the first reader's language stuck for everyone after, on the same process.
    for _ in range(2):
        for email, (wanted, unwanted) in readers:
            page = _page(app, email, f"/staff/cases/{cases['LIN']}")
            legend = page[page.index('class="legend"') :].split("</p>", 1)[0]
            assert all(word in legend for word in wanted), (email, legend)
            assert not any(word in legend for word in unwanted), (email, legend)


@pytest.mark.parametrize(
    "readers",
    [
        (("admin@example.org", ENGLISH_SETTINGS), ("directora@example.org", SPANISH_SETTINGS)),
        (("directora@example.org", SPANISH_SETTINGS), ("admin@example.org", ENGLISH_SETTINGS)),
    ],
    ids=["english-first", "spanish-first"],
)
def test_the_settings_page_is_in_each_readers_language(app, cases, readers):
    for _ in range(2):
        for email, (wanted, unwanted) in readers:
            page = _page(app, email, "/staff/admin/settings")
            fields = page[page.index("<form") :]
            assert all(f">{word}<" in fields for word in wanted), email
            assert not any(f">{word}<" in fields for word in unwanted), email


def test_no_filter_of_ours_is_computed_when_a_template_compiles(app):
    # The class of the bug above: every filter that reads the request (the reader's language,
    # the district's timezone) must take the context, which stops Jinja folding it.
    ours = {
        name: function
        for name, function in app.jinja_env.filters.items()
        if getattr(function, "__module__", "").startswith("outreach_bot")
    }
    assert {"label", "local_time", "language_name"} <= set(ours)
    for name, function in ours.items():
        assert getattr(function, "jinja_pass_arg", None) is not None, name


def _shipped_reasons() -> set[str]:
    library = load_library(FLOWS)
    return escalation_reasons(library, load_triggers(FLOWS / "triggers.yaml")) | set(CODE_REASONS)


def test_every_reason_a_case_can_have_has_a_label():
    reasons = _shipped_reasons()
    # The shipped flows and triggers name these among others: all of them must be found.
    assert {"consecutive_absences", "other_barrier", "help_did_not_work", "no_reply"} <= reasons
    assert unlabelled(reasons) == []


@pytest.mark.parametrize("path", sorted(ROOT.glob("locales/*/LC_MESSAGES/dashboard.po")))
def test_every_reasons_label_is_translated(path):
    with path.open("rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    missing = sorted(reason for reason in _shipped_reasons() if LABELS[reason] not in translated)
    assert missing == [], f"{path}: no translation for the labels of {missing}"


def test_the_queue_names_a_reason_in_spanish(app, runtime, clock, cases):
    from outreach_bot.escalations import open_escalation

    with runtime.db.transaction() as session:
        open_escalation(session, reason="consecutive_absences", now=clock(), student_id="S1001")
    page = _page(app, "secretaria@example.org", "/staff/")
    assert "Ausente varios días seguidos" in page
    assert ">consecutive absences<" not in page and ">consecutive_absences<" not in page


def test_flows_check_warns_of_a_reason_with_no_label(monkeypatch, tmp_path):
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    triggers = flows / "triggers.yaml"
    text = triggers.read_text(encoding="utf-8")
    triggers.write_text(
        text.replace("reason: consecutive_absences", "reason: home_visit_needed"), encoding="utf-8"
    )
    app = create_app({"ENVIRONMENT": "test", "DATABASE_URL": "sqlite://", "FLOWS_DIR": flows})
    monkeypatch.setattr("outreach_bot.create_app", lambda pages=True: app)
    outcome = CliRunner().invoke(main, ["flows", "check"])
    assert "escalation reason 'home_visit_needed' has no label" in outcome.output
    assert "'consecutive_absences'" not in outcome.output
