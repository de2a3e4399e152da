"""Writing catalog files: extract the template from flows/, merge it into every language, compile.

These wrap Babel's own catalog API (the same code `pybabel extract|update|compile` runs), with
three differences that matter here: a language CLDR lacks (Hmong) keeps its own plural rule;
a text that comes back (say, a line removed from a flow and put back) gets its old translation
back instead of staying obsolete; and the template is rewritten only when its texts changed,
so re-running `extract` does not churn the file's date.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from outreach_bot.i18n.catalogs import catalog_folder, catalog_path, empty_catalog, read_catalog
from outreach_bot.i18n.extract import extract_flows
from outreach_bot.i18n.status import TEMPLATE_NAME

PROJECT = "outreach-bot"
COPYRIGHT = "outreach-bot contributors"
WIDTH = 76  # pybabel's default, so either tool writes the same lines


@dataclass(frozen=True)
class UpdateResult:
    """What merging the template did to one language's catalog."""

    language: str
    added: tuple[str, ...]
    obsolete: int


def _msgid(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def build_template(flows_dir: Path) -> Catalog:
    """Every family-facing text in flows/*.yaml, with its translator notes."""
    template = Catalog(project=PROJECT, copyright_holder=COPYRIGHT, fuzzy=False)
    # Babel takes the extractor itself as well as its entry-point name; passing the function
    # means extraction works from a plain checkout too, before `pip install -e .`.
    method_map = [("**.yaml", extract_flows)]
    found = extract_from_dir(flows_dir, method_map=method_map)  # type: ignore[arg-type]
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _entries(catalog: Catalog) -> list[tuple[object, ...]]:
    # A .po file wraps long notes over lines, and merges repeated ones: compare their words.
    return [
        (m.id, m.context, sorted(set(" ".join(m.auto_comments).split()))) for m in catalog if m.id
    ]


def write_template(flows_dir: Path, locales_dir: Path) -> tuple[Catalog, bool]:
    """Extract flows/ into locales/messages.pot; True when its texts or notes changed."""
    template = build_template(flows_dir)
    path = locales_dir / TEMPLATE_NAME
    if path.exists():
        with path.open("rb") as handle:
            old = read_po(handle)
        if _entries(old) == _entries(template):
            return old, False
    _write(path, template)
    return template, True


def _write(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, no_location=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def _revive(catalog: Catalog, template: Catalog) -> None:
    """Bring back obsolete translations of texts the template has again (as msgmerge does)."""
    for source in template:
        key = _msgid(source.id) if source.id else None
        if key and key not in catalog and key in catalog.obsolete:
            catalog[source.id] = catalog.obsolete.pop(key)


def new_catalog(language: str, template: Catalog) -> Catalog:
    """A catalog for a language with every template text, none translated yet."""
    catalog = empty_catalog(language, project=PROJECT, copyright_holder=COPYRIGHT)
    catalog.fuzzy = False
    catalog.update(template)
    return catalog


def init_catalog(locales_dir: Path, language: str) -> Path:
    """Start a catalog for a new language from the template; refuses to overwrite one."""
    path = catalog_path(locales_dir, language)
    if path.exists():
        raise FileExistsError(f"{path} already exists; use `outreach-bot i18n update`")
    with (locales_dir / TEMPLATE_NAME).open("rb") as handle:
        template = read_po(handle)
    _write(path, new_catalog(language, template))
    return path


def update_catalogs(
    locales_dir: Path, languages: Iterable[str], *, fuzzy_matching: bool = True
) -> list[UpdateResult]:
    """Merge the template into each language's catalog, keeping every translation it can."""
    with (locales_dir / TEMPLATE_NAME).open("rb") as handle:
        template = read_po(handle)
    results = []
    for language in languages:
        path = catalog_path(locales_dir, language)
        catalog = read_catalog(path, language)
        before = {_msgid(m.id) for m in catalog if m.id}
        _revive(catalog, template)
        catalog.update(template, no_fuzzy_matching=not fuzzy_matching)
        catalog.revision_date = datetime.now(UTC)
        _write(path, catalog)
        added = tuple(_msgid(m.id) for m in catalog if m.id and _msgid(m.id) not in before)
        results.append(UpdateResult(language, added, len(catalog.obsolete)))
    return results


def compile_catalogs(locales_dir: Path, languages: Iterable[str], build_dir: Path) -> list[Path]:
    """Write .mo files under build_dir for tools that want them; the app never reads them."""
    written = []
    for language in languages:
        catalog = read_catalog(catalog_path(locales_dir, language), language)
        target = build_dir / catalog_folder(language) / "LC_MESSAGES" / "messages.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_mo(handle, catalog)  # fuzzy entries are left out
        written.append(target)
    return written
