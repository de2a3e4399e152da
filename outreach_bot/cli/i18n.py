"""`outreach-bot i18n extract|update|init|compile|status|review`: the translation catalogs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from outreach_bot.engine.definition import FlowError
from outreach_bot.engine.library import load_library
from outreach_bot.i18n.catalog_files import (
    compile_catalogs,
    init_catalog,
    update_catalogs,
    write_template,
)
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE, Catalogs
from outreach_bot.i18n.review import mark_reviewed
from outreach_bot.i18n.status import catalog_status, variety_fallbacks
from outreach_bot.messaging.segments import MAX_SEGMENTS

if TYPE_CHECKING:
    from outreach_bot.config import Settings


def _settings() -> Settings:
    from outreach_bot.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


def _folders() -> tuple[Path, Path]:
    settings = _settings()
    return settings.flows_dir, settings.locales_dir


def _languages(locales_dir: Path, chosen: tuple[str, ...]) -> list[str]:
    available = [lang for lang in Catalogs(locales_dir).languages() if lang != SOURCE_LANGUAGE]
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise click.BadParameter(
            f"no catalog for {', '.join(unknown)}; there are: {', '.join(available)}"
            " (start one with `outreach-bot i18n init LANG`)",
            param_hint="LANG",
        )
    return list(chosen) or available


@click.group("i18n")
def i18n_group() -> None:
    """Translation catalogs: extract flow text, merge it, check and review each language."""


@i18n_group.command("extract")
def extract_command() -> None:
    """Pull every family-facing text in flows/ into locales/messages.pot."""
    flows_dir, locales_dir = _folders()
    template, changed = write_template(flows_dir, locales_dir)
    count = sum(1 for message in template if message.id)
    state = "written" if changed else "unchanged"
    click.echo(f"{locales_dir / 'messages.pot'}: {count} texts ({state})")


@i18n_group.command("update")
@click.argument("languages", nargs=-1)
@click.option("--no-fuzzy", is_flag=True, help="Do not guess translations for changed texts.")
def update_command(languages: tuple[str, ...], no_fuzzy: bool) -> None:
    """Merge locales/messages.pot into every catalog (or those named), then list what is new."""
    _, locales_dir = _folders()
    for result in update_catalogs(
        locales_dir, _languages(locales_dir, languages), fuzzy_matching=not no_fuzzy
    ):
        click.echo(f"{result.language}: {len(result.added)} new, {result.obsolete} obsolete")
        for msgid in result.added:
            click.echo(f"  + {msgid[:70]!r}")


@i18n_group.command("init")
@click.argument("language")
def init_command(language: str) -> None:
    """Start a catalog for a new language (a BCP 47 tag such as so or zh-Hant)."""
    _, locales_dir = _folders()
    try:
        path = init_catalog(locales_dir, language)
    except FileExistsError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {path}")


@i18n_group.command("compile")
@click.argument("languages", nargs=-1)
@click.option(
    "--dir",
    "build_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/locales"),
    show_default=True,
    help="Where to write the .mo files.",
)
def compile_command(languages: tuple[str, ...], build_dir: Path) -> None:
    """Write .mo files for other tools; outreach-bot itself compiles .po files in memory."""
    _, locales_dir = _folders()
    for path in compile_catalogs(locales_dir, _languages(locales_dir, languages), build_dir):
        click.echo(f"wrote {path}")


@i18n_group.command("status")
@click.option("--strict", is_flag=True, help="Exit 1 when a language is incomplete.")
def status_command(strict: bool) -> None:
    """Per language: translated, fuzzy, missing, reviewed, and the costliest text in segments."""
    settings = _settings()
    locales_dir = settings.locales_dir
    try:
        library = load_library(settings.flows_dir)
    except FlowError as error:
        raise click.ClickException(str(error)) from error
    rows = catalog_status(locales_dir, library, settings.district_name)
    click.echo(
        f"{'lang':8} {'language':24} {'done':>5} {'fuzzy':>5} {'missing':>7}  "
        f"{'review':32} {'segments':>8}  encoding"
    )
    for row in rows:
        if row.review is not None:
            review = f"{row.review_state} ({row.review.reviewer}, {row.review.reviewed_on})"
        else:
            review = "source" if row.language == SOURCE_LANGUAGE else "NOT REVIEWED"
        warn = " !" if row.max_segments > MAX_SEGMENTS else ""
        click.echo(
            f"{row.language:8} {row.name[:24]:24} {row.translated:>5} {row.fuzzy:>5} "
            f"{row.missing:>7}  {review[:32]:32} {row.max_segments:>8}{warn:2} {row.encoding}"
        )
    unreviewed = [r.language for r in rows if r.review_state == "unreviewed"]
    stale = [r.language for r in rows if r.review_state == "stale"]
    if unreviewed:
        click.echo(f"never reviewed by a qualified person: {', '.join(unreviewed)}")
    if stale:
        click.echo(f"changed since their review (stale): {', '.join(stale)}")
    click.echo("varieties (outreach_bot/i18n/varieties.py):")
    for found in variety_fallbacks(locales_dir):
        where = "en, with an invitation to name their language" if found.invited else found.catalog
        click.echo(f"  {', '.join(found.variety.tags)} ({found.variety.name}) -> {where}")
        click.echo(f"    {found.variety.why}")
    if strict and any(not row.complete for row in rows):
        raise SystemExit(1)


@i18n_group.command("review")
@click.argument("language")
@click.option("--by", "reviewer", required=True, help="The reviewer's name.")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="When they reviewed it (default: today).",
)
def review_command(language: str, reviewer: str, on: datetime | None) -> None:
    """Record that a fluent speaker read the whole catalog for LANGUAGE as it is now."""
    _, locales_dir = _folders()
    day = on.date() if on is not None else date.today()
    try:
        review = mark_reviewed(locales_dir, language, reviewer, day)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{language}: reviewed by {review.reviewer} on {review.reviewed_on}")


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(i18n_group)
