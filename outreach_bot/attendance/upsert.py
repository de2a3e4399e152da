"""Writing an import's good rows: one query loads the stored rows, then bulk inserts and updates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session

from outreach_bot.attendance.csv_kinds import Kind
from outreach_bot.attendance.import_report import ImportReport

# Rows per executemany, to bound the memory of one statement's parameters.
_BATCH = 10_000


def upsert(
    session: Session,
    spec: Kind,
    good: Mapping[tuple[Any, ...], dict[str, Any]],
    report: ImportReport,
) -> None:
    """Insert the new rows and update the changed ones, counting each in the report."""
    mapper = inspect(spec.model)
    column_of = {attribute.key: attribute.columns[0] for attribute in mapper.column_attrs}
    primary_key = [column.key for column in mapper.primary_key]
    attributes = list(dict.fromkeys([*primary_key, *spec.key, *(c.field for c in spec.columns)]))
    query = select(*(column_of[attribute] for attribute in attributes))
    if spec.narrow_by and good:
        # A daily file would otherwise load every stored day of the year to compare one.
        days = [values[spec.narrow_by] for values in good.values()]
        query = query.where(column_of[spec.narrow_by].between(min(days), max(days)))
    key_places = [attributes.index(attribute) for attribute in spec.key]
    stored = {tuple(row[i] for i in key_places): row for row in session.execute(query)}

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, values in good.items():
        row = stored.get(key)
        if row is None:
            new = {**spec.defaults, **values}
            inserts.append({column_of[name].name: value for name, value in new.items()})
            continue
        old = dict(zip(attributes, row, strict=True))
        changed = {name: value for name, value in values.items() if old[name] != value}
        if not changed:
            report.unchanged += 1
            continue
        # Every given value is set, not only the changed ones, so that batches share a shape.
        given = {column_of[name].name: value for name, value in values.items()}
        updates.append({**given, **{f"old_{name}": old[name] for name in primary_key}})
    report.created, report.updated = len(inserts), len(updates)

    # Core executemany by column name: the ORM's bulk path costs more than the database does.
    table = mapper.local_table
    for batch in _batches(inserts):
        session.execute(insert(table), batch)
    where = [column_of[name] == bindparam(f"old_{name}") for name in primary_key]
    for batch in _batches(updates):
        session.execute(update(table).where(*where), batch)


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows grouped by the columns they set, in batches of at most _BATCH."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    for group in groups.values():
        for start in range(0, len(group), _BATCH):
            yield group[start : start + _BATCH]
