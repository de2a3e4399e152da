"""`outreach-bot report chronic|trend|students|outreach|effect`: the numbers a district acts on.

`report board`, the one-page PDF, lives in cli/board.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, TypeVar

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import school_year_start
from outreach_bot.attendance.rules import TriggerFileError
from outreach_bot.cli import with_runtime_only
from outreach_bot.models import School, Student
from outreach_bot.reports import chronic, effect, outreach, students, trend
from outreach_bot.reports.census import Census, chronic_census
from outreach_bot.reports.definitions import MIN_INSTRUCTIONAL_DAYS, grade_order
from outreach_bot.reports.effect_estimate import MIN_PER_ARM
from outreach_bot.reports.formats import FORMATS, render, transposed
from outreach_bot.reports.population import Population, last_school_day, population
from outreach_bot.reports.standing import BY_CHOICES
from outreach_bot.runtime import Runtime, district_today
from outreach_bot.staff import district_settings

F = TypeVar("F", bound=Callable[..., Any])
DATE = click.DateTime(formats=["%Y-%m-%d"])
_SHOWN_SCHOOLS = 20
NOTHING_IMPORTED = "No attendance has been imported yet."


def format_option(command: F) -> F:
    """--format table|csv|json."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for reading, csv for a spreadsheet, json for a program.",
    )(command)


def school_option(command: F) -> F:
    """--school ID."""
    return click.option("--school", "school_id", help="Only this school (its school_id).")(command)


def as_of_option(command: F) -> F:
    """--as-of YYYY-MM-DD."""
    return click.option(
        "--as-of",
        type=DATE,
        help="Report as of this date, YYYY-MM-DD (default: the last school day with attendance).",
    )(command)


def by_option(choices: Sequence[str], help: str) -> Callable[[F], F]:
    """--by with its allowed values, "district" (one row for everyone) by default."""
    return click.option(
        "--by", type=click.Choice(choices), default="district", show_default=True, help=help
    )


@click.group("report")
def report_group() -> None:
    """Reports from the database: chronic absence, its trend, the students list, outreach,
    and the effect of the texts measured against a holdout."""


@report_group.command("chronic")
@as_of_option
@by_option(BY_CHOICES, "One row per district, school, grade, student group value, or zip.")
@school_option
@format_option
@with_runtime_only
def chronic_command(
    runtime: Runtime, as_of: datetime | None, by: str, school_id: str | None, fmt: str
) -> None:
    """Students in each Attendance Works band and the chronic absence rate, by group."""
    with runtime.db.transaction() as session:
        day, weekdays = _report_day(session, runtime, as_of, school_id)
        if day is None:
            return _nothing(fmt, chronic.columns(by), NOTHING_IMPORTED)
        found = chronic_census(session, day, by=by, unlisted_weekdays=weekdays, school_id=school_id)
        rows = [(*row.key, *row.values()) for row in found.rows]
    about = {"report": "chronic", "as_of": day, "by": by, "school": school_id}
    _emit(fmt, chronic.columns(by), rows, about, [found])


@report_group.command("trend")
@as_of_option
@by_option(trend.TREND_BY, "One line per district, school, grade, student group value, or zip.")
@school_option
@format_option
@with_runtime_only
def trend_command(
    runtime: Runtime, as_of: datetime | None, by: str, school_id: str | None, fmt: str
) -> None:
    """The chronic absence rate at the end of every month of the school year so far."""
    columns = trend.columns(by)
    with runtime.db.transaction() as session:
        day, weekdays = _report_day(session, runtime, as_of, school_id)
        if day is None:
            return _nothing(fmt, columns, NOTHING_IMPORTED)
        points, months = trend.trend(
            session, day, by=by, unlisted_weekdays=weekdays, school_id=school_id
        )
    if not months:
        return _nothing(
            fmt,
            columns,
            f"No data to report up to {day.isoformat()}: no student had been enrolled"
            f" {MIN_INSTRUCTIONAL_DAYS} school days by the end of any month so far.",
        )
    about = {"report": "trend", "as_of": day, "by": by, "school": school_id}
    _emit(fmt, columns, [point.values() for point in points], about, months)


@report_group.command("students")
@as_of_option
@school_option
@click.option("--grade", help="Only this grade, as students.csv writes it (K, 1 … 12).")
@click.option(
    "--min-rate",
    default="10",
    show_default=True,
    help="List students who have missed at least this percentage of school days.",
)
@format_option
@with_runtime_only
def students_command(
    runtime: Runtime,
    as_of: datetime | None,
    school_id: str | None,
    grade: str | None,
    min_rate: str,
    fmt: str,
) -> None:
    """The students list: who has missed at least --min-rate percent of school days."""
    threshold = _min_rate(min_rate)
    with runtime.db.transaction() as session:
        _check_grade(session, grade)
        day, weekdays = _report_day(session, runtime, as_of, school_id)
        if day is None:
            return _nothing(fmt, students.COLUMNS, NOTHING_IMPORTED)
        found = population(session, day, unlisted_weekdays=weekdays, school_id=school_id)
        rows = students.student_rows(
            session,
            found.counted,
            timezone=runtime.settings.district_timezone,
            min_rate=threshold,
            grade=grade,
        )
    about = {
        "report": "students",
        "as_of": day,
        "school": school_id,
        "grade": grade,
        "min_rate": min_rate,
    }
    _emit(fmt, students.COLUMNS, [row.values() for row in rows], about, [found])


@report_group.command("outreach")
@click.option("--from", "first", type=DATE, help="First day, YYYY-MM-DD (default: July 1).")
@click.option("--to", "last", type=DATE, help="Last day, YYYY-MM-DD (default: today).")
@by_option(outreach.OUTREACH_BY, "One row for the district, or one per school or family language.")
@format_option
@with_runtime_only
def outreach_command(
    runtime: Runtime, first: datetime | None, last: datetime | None, by: str, fmt: str
) -> None:
    """Texts, replies, barriers, resource sheets, cases and opt-outs between two days."""
    end = last.date() if last is not None else district_today(runtime)
    start = first.date() if first is not None else school_year_start(end)
    if start > end:
        raise click.BadParameter(
            f"{start.isoformat()} is after --to {end.isoformat()}; expected a day on or before it.",
            param_hint="'--from'",
        )
    period = outreach.period_of(start, end, runtime.settings.district_timezone)
    with runtime.db.transaction() as session:
        rows: Sequence[Sequence[object]] = [
            (*row.key, *row.values()) for row in outreach.outreach_rows(session, period, by)
        ]
    about = {"report": "outreach", "from": start, "to": end, "by": by}
    columns: Sequence[str] = outreach.columns(by)
    if fmt == "table":  # two dozen measures read better down the page than across it
        columns, rows = transposed(columns, rows, len(outreach.KEY_COLUMNS[by]))
    click.echo(render(columns, rows, fmt, about=about), nl=False)


@report_group.command("effect")
@click.option("--trigger", help="Only this trigger (its name in flows/triggers.yaml).")
@click.option(
    "--days",
    type=click.IntRange(1, 180),
    default=effect.DEFAULT_DAYS,
    show_default=True,
    help="Measure absence over this many school days after the trigger fired (1 to 180).",
)
@click.option(
    "--min-per-arm",
    type=click.IntRange(2, None),
    default=MIN_PER_ARM,
    show_default=True,
    help="Students needed in each arm before the report says what the holdout shows.",
)
@format_option
@with_runtime_only
def effect_command(
    runtime: Runtime, trigger: str | None, days: int, min_per_arm: int, fmt: str
) -> None:
    """Texted against held-out students: absence after each trigger with a holdout."""
    with runtime.db.transaction() as session:
        day, weekdays = _report_day(session, runtime, None, None)
        if day is None:
            return _nothing(fmt, effect.COLUMNS, NOTHING_IMPORTED)
        names = _holdout_triggers(runtime, effect.arm_triggers(session, school_year_start(day)))
        if trigger is not None:
            if trigger not in names:
                raise click.BadParameter(
                    f"{trigger!r} is not a trigger with a holdout; expected "
                    + (", ".join(names) if names else "a trigger with 'holdout: N%' (none yet)"),
                    param_hint="'--trigger'",
                )
            names = [trigger]
        if not names:
            return _nothing(
                fmt,
                effect.COLUMNS,
                "No trigger has a holdout yet: add 'holdout: 10%' to a texting trigger in"
                " flows/triggers.yaml to measure what its texts change.",
            )
        rows = effect.effect_rows(
            session, day, names, days=days, unlisted_weekdays=weekdays, min_per_arm=min_per_arm
        )
    about = {"report": "effect", "as_of": day, "days": days, "trigger": trigger}
    values = [row.values() for row in rows]
    if fmt != "table":
        return click.echo(render(effect.COLUMNS, values, fmt, about=about), nl=False)
    # The sentence reads better under the table than squeezed into a column of it.
    columns, lines = transposed(effect.COLUMNS[:-1], [row[:-1] for row in values], 1)
    click.echo(render(columns, lines, fmt, about=about), nl=False)
    for row in rows:
        click.echo(f"{row.trigger}: {row.estimate.verdict}")


def _holdout_triggers(runtime: Runtime, recorded: list[str]) -> list[str]:
    """Triggers with a holdout in triggers.yaml, and any that put students in arms this year."""
    from outreach_bot.attendance.scan import load_triggers

    try:
        configured = load_triggers(runtime.settings.flows_dir / "triggers.yaml")
    except TriggerFileError as error:
        raise click.ClickException(str(error)) from error
    return sorted({t.name for t in configured if t.holdout} | set(recorded))


def _report_day(
    session: Session, runtime: Runtime, as_of: datetime | None, school_id: str | None
) -> tuple[date | None, bool]:
    """The date asked for, else the last school day the imported attendance reaches (None:
    no attendance at all); and whether the district counts unlisted weekdays as school days.
    An unknown --school is refused first."""
    _check_school(session, school_id)
    weekdays = district_settings.effective(session, runtime.settings).unlisted_weekdays
    if as_of is not None:
        return as_of.date(), weekdays
    return last_school_day(session, district_today(runtime), unlisted_weekdays=weekdays), weekdays


def _check_school(session: Session, school_id: str | None) -> None:
    """A --school that is not on the roster is a usage error naming the known schools."""
    if school_id is None or session.get(School, school_id) is not None:
        return
    known = list(session.scalars(select(School.id).order_by(School.id).limit(_SHOWN_SCHOOLS + 1)))
    listed = ", ".join(known[:_SHOWN_SCHOOLS]) + (", …" if len(known) > _SHOWN_SCHOOLS else "")
    raise click.BadParameter(
        f"no school with id {school_id!r}; expected a school_id from schools.csv"
        + (f" ({listed})." if known else " (no schools imported yet)."),
        param_hint="'--school'",
    )


def _check_grade(session: Session, grade: str | None) -> None:
    """A --grade no student is in is a usage error naming the grades on the roster."""
    if grade is None:
        return
    grades = sorted(set(session.scalars(select(Student.grade).distinct())), key=grade_order)
    if grade not in grades:
        raise click.BadParameter(
            f"no student is in grade {grade!r}; expected a grade as students.csv writes it"
            + (f" ({', '.join(grades)})." if grades else " (no students imported yet)."),
            param_hint="'--grade'",
        )


def _min_rate(text: str) -> Fraction:
    """A percentage from 0 to 100, such as 10 or 7.5."""
    try:
        value = Fraction(Decimal(text.strip().rstrip("%")))
    except (InvalidOperation, ValueError):
        value = Fraction(-1)
    if not 0 <= value <= 100:
        raise click.BadParameter(
            f"{text!r} is not a percentage; expected a number from 0 to 100, such as 10 or 7.5.",
            param_hint="'--min-rate'",
        )
    return value


def _nothing(
    fmt: str, columns: Sequence[str], sentence: str, about: Mapping[str, object] | None = None
) -> None:
    """Say plainly that there is nothing to report (an empty CSV or JSON keeps its shape)."""
    if fmt == "table":
        click.echo(sentence)
        return
    click.echo(render(columns, [], fmt, about={**(about or {}), "no_data": sentence}), nl=False)
    click.echo(sentence, err=True)


def _emit(
    fmt: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    about: Mapping[str, object],
    found: Sequence[Population | Census],
) -> None:
    """Print the rows, and say which schools were left out, or that there is no data."""
    empty = found[-1].no_data() if len(found) == 1 else None
    notes = [
        f"{gap.school_id} ({gap.name}, {gap.students} students) left out of"
        f" {month.as_of.isoformat()}: {gap.missing.explained()}"
        for month in found
        for gap in month.left_out
    ]
    if empty:
        return _nothing(fmt, columns, empty, about)
    details = dict(about)
    if fmt == "json":
        details["left_out"] = notes
    click.echo(render(columns, rows, fmt, about=details), nl=False)
    for note in notes:
        click.echo(f"Note: {note}", err=fmt != "table")


def register(main: click.Group) -> None:
    """Attach these commands."""
    from outreach_bot.cli.board import board_command

    report_group.add_command(board_command)
    main.add_command(report_group)
