"""`outreach-bot flows check` and `outreach-bot flows simulate FLOW --lang LANG`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

import click

from outreach_bot.attendance.rules import TriggerFileError, referenced_flows
from outreach_bot.attendance.scan import load_triggers
from outreach_bot.checks.flows import escalation_reasons, review_library
from outreach_bot.checks.notices import review_notice_rules
from outreach_bot.cli import with_runtime
from outreach_bot.engine.definition import FlowError
from outreach_bot.engine.library import load_library
from outreach_bot.engine.simulator import Simulation
from outreach_bot.messaging.segments import MAX_SEGMENTS
from outreach_bot.runtime import Runtime
from outreach_bot.staff.labels import unlabelled


@click.group("flows")
def flows_group() -> None:
    """Check and try out the flows in flows/."""


@flows_group.command("check")
@with_runtime
def check_command(runtime: Runtime) -> None:
    """Reject broken flows, untranslated text and texts over 3 segments in any language, and
    notice rules that are broken or need letter wording a language lacks."""
    folder = runtime.settings.flows_dir
    try:
        library = load_library(folder)
        triggers = load_triggers(folder / "triggers.yaml")
        missing = referenced_flows(triggers) - set(library.flows)
    except (FlowError, TriggerFileError) as error:
        raise click.ClickException(str(error)) from error
    if missing:
        raise click.ClickException(
            f"triggers.yaml: starts flow {sorted(missing)[0]!r}, which does not exist"
        )
    review = review_library(library, runtime.catalogs, runtime.settings.district_name)
    languages = runtime.catalogs.languages()
    notice_rules, problems, warnings = review_notice_rules(
        folder, runtime.settings.locales_dir, languages
    )
    review.problems.extend(problems)
    review.warnings.extend(warnings)
    click.echo("segments per text at its longest (" + " ".join(languages) + "):")
    for row in review.segments:
        counts = " ".join(f"{row.counts[lang]:>2}" for lang in languages)
        flag = (
            f"  ← over {MAX_SEGMENTS} segments" if max(row.counts.values()) > MAX_SEGMENTS else ""
        )
        click.echo(f"  {row.where:<48} {counts}{flag}")
    for reason in unlabelled(escalation_reasons(library, triggers)):
        review.warnings.append(
            f"escalation reason {reason!r} has no label in outreach_bot/staff/labels.py: "
            "the dashboard shows it as it is, in English"
        )
    for warning in review.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in review.problems:
        click.echo(f"error: {problem}", err=True)
    flows = len(library.flows)
    if review.problems:
        raise click.ClickException(f"{len(review.problems)} problems in {flows} flows")
    notices = f", {len(notice_rules)} notice rules" if notice_rules else ""
    click.echo(f"{flows} flows{notices}, {len(languages)} languages: all good")


@flows_group.command("simulate")
@click.argument("flow")
@click.option("--lang", "language", default="en", show_default=True, help="The family's language.")
@click.option(
    "--script", type=click.File("r"), help="Replies, one a line (`/wait 2d` passes time)."
)
@click.option("--student", help="Fill in the texts from this student's record in the database.")
@with_runtime
def simulate_command(
    runtime: Runtime, flow: str, language: str, script: TextIO | None, student: str | None
) -> None:
    """Talk to a flow as a family would, in the terminal; nothing is stored or sent."""
    library = runtime.library
    if flow not in library.flows:
        raise click.ClickException(
            f"no flow named {flow!r}; flows: {', '.join(sorted(library.flows))}"
        )
    language = runtime.catalogs.choose(language)
    simulation = Simulation(
        library, flow, runtime.catalogs.get(language), datetime.now(UTC).replace(microsecond=0)
    )
    if student:
        simulation.context = _student_context(runtime, student, language)
    for line in simulation.start():
        click.echo(line)
    lines = script if script is not None else _prompt()
    for reply in lines:
        reply = reply.rstrip("\n")
        if not reply or reply == "/quit":
            if reply == "/quit":
                break
            continue
        typed = script is None and sys.stdin.isatty()  # the terminal already shows the reply
        for line in simulation.say(reply)[1 if typed else 0 :]:
            click.echo(line)
        if simulation.over:
            break


def _prompt() -> Iterator[str]:
    while True:
        try:
            yield input("family ▸ ")
        except EOFError:
            return


def _student_context(runtime: Runtime, student_id: str, language: str) -> dict[str, object]:
    from outreach_bot.conversations.family import family_context
    from outreach_bot.models import Student

    with runtime.db.transaction() as session:
        student = session.get(Student, student_id)
        if student is None:
            raise click.ClickException(f"no student {student_id!r} in the database")
        return family_context(session, [student], runtime.settings.district_name, language)


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(flows_group)
