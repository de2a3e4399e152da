"""A large file's good rows on PostgreSQL: streamed by COPY into a staging table, then merged.

The rows never gather in Python: the staging table holds them, with their lines, for the
whole import. Keys given twice are found there, and the merge is at most three statements:
one pass that counts the rows whose key is stored and those it would change, an UPDATE of
the changed rows when there are any, and an INSERT of the new ones in key order when there
are any, counted as `upsert` counts them. Nothing in between is materialized. A night's
file over a long history is first simply inserted (a savepoint undoes it if a key was
stored), so a new day costs one statement and no lookup of its keys before it. All of it runs
in the caller's transaction, so a rejected file writes nothing; the staging table goes with
the transaction. copied_file's rows, already in the database, are merged by the same
statements through a `View` of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, String, Table, bindparam, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach_bot.attendance.built_after import indexes_built_after
from outreach_bot.attendance.csv_kinds import Kind
from outreach_bot.attendance.import_report import ImportReport
from outreach_bot.db import rows_changed

# The kinds whose files can be large enough to need this path.
STAGED_KINDS = frozenset({"attendance", "students", "guardians"})
_WORK_MEM = "256MB"


def can_stage(session: Session, spec: Kind) -> bool:
    """Whether this kind's import takes the staging path on this database."""
    if session.get_bind().dialect.name != "postgresql" or spec.name not in STAGED_KINDS:
        return False
    # An INSERT … SELECT applies no Python-side default: `merge` inserts the kind's defaults
    # (guardians' sms_consent), so only a table with another one stays on `upsert`.
    stored = {inspect(spec.model).get_property(field).columns[0].name for field in spec.defaults}
    return all(column.default is None or column.name in stored for column in _table(spec).columns)


@dataclass(frozen=True)
class View:
    """Rows already in the database, as a staging table holds them: an SQL expression for
    each field given (the others are NULL) and for whether a row sets it, over `source`."""

    values: Mapping[str, str]
    given: Mapping[str, str]  # field -> whether a row sets it (an SQL condition)
    source: str  # FROM … [WHERE …]
    table: str  # the table of the rows, which the source reads
    rows: int  # how many rows the source has

    def select(self, staging: Staging) -> str:
        """The SELECT of (line, given_0 …, *fields); line is 0, since no error comes from here.

        Each other field's `given` is a boolean column of its own, not a bit of one number: a
        merge reads the view flattened into its own statement, where each use of a column is
        its expression again, so one number of bits would be computed once a field a row
        (nine times for a guardian), and a column that is plainly `true` folds away."""
        bits = [
            f"({self.given.get(field, 'false')}) AS given_{place}"
            for place, field in enumerate(staging.others)
        ]
        # A field the file does not give is a NULL of its column's type (a bare NULL in a
        # view is text, which a date column cannot be compared with).
        chosen = [
            f"{self.values.get(field, f'CAST(NULL AS {staging.types[field]})')}"
            f" AS {staging.quoted[field]}"
            for field in staging.fields
        ]
        return f"SELECT {', '.join(['0 AS line', *bits, *chosen])} FROM {self.source}"


class Staging:
    """A staging table for one import's good rows, in the caller's transaction."""

    def __init__(self, session: Session, spec: Kind, view: View | None = None) -> None:
        """A staging table the rows are `copy`-ed into, or with `view` a view of rows already
        in the database (copied_file's)."""
        self.session, self.spec, self.table = session, spec, _table(spec)
        mapper = inspect(spec.model)
        self.name_of = {
            attribute.key: attribute.columns[0].name for attribute in mapper.column_attrs
        }
        fields = dict.fromkeys([*spec.key, *(column.field for column in spec.columns)])
        self.others = [field for field in fields if field not in spec.key]
        self.fields = [*spec.key, *self.others]
        quote = session.get_bind().dialect.identifier_preparer.quote
        self.quoted = {field: quote(self.name_of[field]) for field in self.fields}
        dialect = session.get_bind().dialect
        self.types = {
            field: self.table.c[self.name_of[field]].type.compile(dialect) for field in self.fields
        }
        columns = ", ".join(f"{self.quoted[field]} {self.types[field]}" for field in self.fields)
        # A name of its own in the transaction, which may import several files.
        number = session.info["import_stagings"] = session.info.get("import_stagings", 0) + 1
        self.name = f"pg_temp.import_staging_{number}"
        # line: the row's line in the file; given: a bit per other field the row sets.
        created = (
            f"VIEW import_staging_{number} AS {view.select(self)}"
            if view is not None
            else f"TABLE import_staging_{number} (line integer NOT NULL,"
            f" given integer NOT NULL, {columns}) ON COMMIT DROP"
        )
        session.execute(text(f"CREATE TEMPORARY {created}"))
        self.staged = view.rows if view is not None else 0
        # Whether a staged row `s` sets each other field (SQL).
        self.given = {
            field: f"s.given_{place}" if view is not None else f"s.given & {1 << place} <> 0"
            for place, field in enumerate(self.others)
        }
        # The table whose size says how many rows are staged.
        self.sized_by = view.table if view is not None else self.name

    def copy(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        """COPY each (line, values) into the staging table, as the rows come."""
        bits = [(field, 1 << place) for place, field in enumerate(self.others)]
        fields = self.fields
        raw: Any = self.session.connection().connection.driver_connection
        names = ", ".join(["line", "given", *(self.quoted[field] for field in self.fields)])
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {self.name} ({names}) FROM STDIN") as copy,
        ):
            for line, values in rows:
                given = 0
                for field, bit in bits:
                    if field in values:
                        given |= bit
                copy.write_row([line, given, *[values.get(field) for field in fields]])
                self.staged += 1

    def repeated(self) -> list[tuple[int, int]]:
        """(line, first line) of each row whose key an earlier staged row already has."""
        key = ", ".join(self.quoted[field] for field in self.spec.key)
        rows = self.session.execute(
            text(
                f"SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY {key})"
                f" AS first FROM {self.name}) AS lines WHERE line <> first ORDER BY line"
            )
        )
        return [(line, first) for line, first in rows]

    def merge(
        self, repeated: list[int], report: ImportReport, *, refuse_repeats: bool = False
    ) -> bool:
        """Update the changed stored rows and insert the new ones, leaving out the `repeated`
        lines (a key's later rows), and count them as `upsert` does.

        With `refuse_repeats` (rows not yet checked for repeated keys, as copied_file's are),
        a stored key given twice writes nothing and returns False. (A new key given twice
        fails the insert's primary key.)
        """
        quoted, target, given = self.quoted, self.table.name, self.given
        joined = " AND ".join(f"t.{quoted[f]} = s.{quoted[f]}" for f in self.spec.key)
        kept = "s.line <> ALL(:repeated)"
        changed = (
            " OR ".join(
                f"({given[f]} AND t.{quoted[f]} IS DISTINCT FROM s.{quoted[f]})"
                for f in self.others
            )
            or "false"
        )
        # A night's file against a year of records: each key is looked up in the primary key,
        # so the night costs its own rows. A file near the size of what is stored: one hash
        # join, cheaper than as many lookups (and none at all when nothing is stored).
        small = self.session.scalar(
            text("SELECT pg_relation_size(:target) > 20 * pg_relation_size(:staged)"),
            {"target": target, "staged": self.sized_by},
        )
        stored = (
            f"JOIN LATERAL (SELECT *, ctid FROM {target} AS t WHERE {joined} LIMIT 1) AS t ON true"
            if small
            else f"JOIN {target} AS t ON {joined}"
        )
        repeated_param: BindParameter[list[int]] = bindparam("repeated", repeated)
        rows = self.staged - len(repeated)
        # A night's file is nearly always a new day: its rows go straight in, and the primary
        # key, which the insert looks each one up in anyway, says whether one was stored. Only
        # when one was (a day sent again, a week of corrections: the first key in key order
        # usually is) is the insert undone and each row looked up beforehand, as below.
        if small and rows:
            try:
                with self.session.begin_nested():
                    created = self._insert(repeated_param, given, joined, kept, new=False)
            except IntegrityError:
                pass
            else:
                report.created, report.updated, report.unchanged = created, 0, rows - created
                return True
        # The staged rows whose key is stored, counted in one pass with those they change, and
        # (when a stored key given twice must be found) the stored rows they fall on: fewer
        # than the staged rows when two fall on one. Nothing is materialized, and a first
        # import, with nothing stored, reads none of its rows here.
        fallen_on = "count(DISTINCT t.ctid)" if refuse_repeats else "count(*)"
        matched, changes, distinct = self.session.execute(
            text(
                f"SELECT count(*), count(*) FILTER (WHERE {changed}), {fallen_on}"
                f" FROM {self.name} AS s {stored} WHERE {kept}"
            ).bindparams(repeated_param)
        ).one()
        refused = distinct < matched
        if refused:
            return False
        if changes:
            setting = ", ".join(
                f"{quoted[f]} = CASE WHEN {given[f]} THEN s.{quoted[f]} ELSE t.{quoted[f]} END"
                for f in self.others
            )
            self.session.execute(
                text(
                    f"UPDATE {target} AS t SET {setting} FROM {self.name} AS s"
                    f" WHERE {joined} AND {kept} AND ({changed})"
                ).bindparams(repeated_param)
            )
        report.updated = int(changes)
        if matched < rows:
            # With nothing stored, no row need be looked for.
            report.created = self._insert(
                repeated_param, given, joined, kept, new=bool(matched), first=not matched
            )
        report.unchanged = rows - report.created - report.updated
        self._analyze_if_grown(report.created + report.updated)
        return True

    def _insert(
        self,
        repeated: BindParameter[Any],
        given: Mapping[str, str],
        joined: str,
        kept: str,
        *,
        new: bool,
        first: bool = False,
    ) -> int:
        """Insert the staged rows (with `new`, only those whose key is not stored), in key
        order; how many went in.

        Into an empty table (`first`: a district's first import, nothing stored to match),
        the table's indexes other than its primary key are dropped before it and built once
        after it (`built_after`), not kept up a row at a time. Their DROPs lock the table
        against every reader until the import commits, so a table that holds rows, which
        families' replies and the dashboard read, is never rebuilt, however large the file
        (see docs/architecture.md). The night's savepoint insert is never `first`: its
        unique indexes are what tell it that a key was stored.

        Key order fills the primary key's index page by page: a third faster than the file's
        order (a million rows, often sorted by date). Text sorts by its bytes (COLLATE "C"):
        the index's own order wherever ids are plain ASCII, and near it elsewhere, at a
        fraction of the cost of comparing by the database's collation."""
        quoted, target = self.quoted, self.table.name
        chosen = [f"s.{quoted[f]}" for f in self.spec.key] + [
            f"CASE WHEN {given[f]} THEN s.{quoted[f]} ELSE :default_{f} END" for f in self.others
        ]
        order = ", ".join(
            f"s.{quoted[f]}"
            + (' COLLATE "C"' if isinstance(self.table.c[self.name_of[f]].type, String) else "")
            for f in self.spec.key
        )
        absent = f" AND NOT EXISTS (SELECT FROM {target} AS t WHERE {joined})" if new else ""
        inserting = text(
            f"INSERT INTO {target} ({', '.join(quoted[f] for f in self.fields)})"
            f" SELECT {', '.join(chosen)} FROM {self.name} AS s WHERE {kept}{absent}"
            f" ORDER BY {order}"
        ).bindparams(
            repeated,
            *(bindparam(f"default_{f}", self.spec.defaults.get(f)) for f in self.others),
        )
        if not first or not self._empty():
            return rows_changed(self.session, inserting)
        with indexes_built_after(self.session, target):
            return rows_changed(self.session, inserting)

    def _empty(self) -> bool:
        """Whether the table holds no row (of any import, this one's earlier files included)."""
        return not self.session.scalar(text(f"SELECT EXISTS (SELECT FROM {self.table.name})"))

    def _analyze_if_grown(self, written: int) -> None:
        """ANALYZE the table when this merge wrote as much of it as autovacuum waits for
        (50 rows and a tenth of the table), as it would soon after: until then the next
        statements on it (a re-import's pass, the nightly scan) plan for the table as it
        was, an empty one looped over row by row."""
        target = self.table.name
        counted = self.session.scalar(
            text("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = to_regclass(:target)"),
            {"target": target},
        )
        if written > 50 + 0.1 * float(counted or 0):
            self.session.execute(text(f"ANALYZE {target}"))


@contextmanager
def room_to_work(session: Session) -> Iterator[None]:
    """Room for a large file's statements to join, group and sort in memory rather than in
    batches on disk (work_mem raised), and no JIT compiling (seconds spent compiling the
    few expressions a merge evaluates a million times), until the block ends. (When a
    statement fails, the rollback that follows restores both.)"""
    saved = session.execute(
        text(
            "SELECT current_setting('work_mem'), current_setting('jit'),"
            f" set_config('work_mem', '{_WORK_MEM}', true), set_config('jit', 'off', true)"
        )
    ).one()
    yield
    session.execute(
        text("SELECT set_config('work_mem', :work_mem, true), set_config('jit', :jit, true)"),
        {"work_mem": saved[0], "jit": saved[1]},
    )


def _table(spec: Kind) -> Table:
    table: Table = inspect(spec.model).local_table
    return table
