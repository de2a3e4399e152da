"""The database: engine and session factory, built from settings, never at import time."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    insert,
    inspect,
    text,
)
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# A pooled PostgreSQL connection back in the pool for longer than this is pinged before it is
# handed out again; one returned more recently is known to be alive, and spared the round trip.
PING_IDLE_SECONDS = 1.0


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def default_sqlite_url(instance_path: str | Path) -> str:
    """The embedded default: a SQLite file under the app's instance folder."""
    path = Path(instance_path)
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'outreach.db'}"


def make_engine(url: str, *, ping_idle_seconds: float | None = None, **options: Any) -> Engine:
    """An engine for the URL; SQLite gets foreign keys and a busy timeout, PostgreSQL a pool
    that pings connections that sat idle (see `ping_idle_connections`)."""
    # A failed statement's error would otherwise carry its parameters (phones, texts) into logs.
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINTs, so we emit BEGIN ourselves:
            # IMMEDIATE takes the write lock up front, so concurrent writers wait their turn
            # (busy timeout) instead of failing when a read lock cannot be upgraded.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # A batch's rows are inserted in pages of 50: a page of one size is parsed, and prepared
    # by the server, once, where one INSERT of all of a batch's rows is new every time.
    options.setdefault("insertmanyvalues_page_size", 50)
    engine = create_engine(url, **options)
    ping_idle_connections(
        engine, PING_IDLE_SECONDS if ping_idle_seconds is None else ping_idle_seconds
    )
    return engine


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before handing it out only when it sat idle `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip before each webhook's
    one statement. Here a connection returned moments ago skips it. Should the server have
    gone in that moment, the statement fails, SQLAlchemy discards the whole pool, and callers
    that must not fail try once more (`Database.retrying`).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get("checked_in")
        if checked_in is None or time.monotonic() - checked_in < idle_seconds:
            return  # just connected, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool replaces this connection with a fresh one and checks out again.
            raise DisconnectionError("a pooled connection had closed while idle") from error


# Ids for new rows of several tables, from each one's sequence, in one statement.
_NEXT_IDS = text(
    "SELECT wanted.name, nextval(pg_get_serial_sequence(wanted.name, wanted.id_column))"
    " FROM unnest(CAST(:tables AS text[]), CAST(:id_columns AS text[]), CAST(:counts AS int[]))"
    " AS wanted(name, id_column, count), generate_series(1, wanted.count)"
)


def reserve_ids(session: Session, model: type[Base], count: int) -> list[int] | None:
    """On PostgreSQL, `count` ids for new rows of a model from its table's sequence, in one
    statement and in increasing order, for a batch whose rows must know their ids before
    they are inserted (an id left unused is a gap, as a rolled-back insert leaves). None on
    SQLite, where a row's id comes from its insert."""
    column = cast(Table, inspect(model).local_table).autoincrement_column
    if session.get_bind().dialect.name != "postgresql" or column is None or count < 1:
        return None
    values = {"tables": [column.table.name], "id_columns": [column.name], "counts": [count]}
    return sorted(id_ for _, id_ in session.execute(_NEXT_IDS, values))


def number_new_rows(sessions: sessionmaker[Session]) -> None:
    """On PostgreSQL: before a flush, give the new rows of each table their ids from its
    sequence, in one statement for every table.

    With its ids known, the ORM inserts a batch's rows with one executemany, which psycopg
    parses once and pipelines. Without them it needs their ids back: one INSERT of many rows
    ... RETURNING, which psycopg parses anew each time (it keeps parsed statements only up
    to 50 parameters), a tenth of an inbox batch's CPU. A lone new row keeps RETURNING.
    """

    @event.listens_for(sessions, "before_flush")
    def _number(session: Session, _context: Any, _instances: Any) -> None:
        waiting: dict[str, tuple[Column[Any], list[Any]]] = {}
        for instance in session.new:
            column = inspect(instance).mapper.local_table.autoincrement_column
            if column is not None and getattr(instance, column.key) is None:
                waiting.setdefault(column.table.name, (column, []))[1].append(instance)
        waiting = {table: found for table, found in waiting.items() if len(found[1]) > 1}
        if not waiting:
            return
        rows = session.execute(
            _NEXT_IDS,
            {
                "tables": list(waiting),
                "id_columns": [column.name for column, _ in waiting.values()],
                "counts": [len(instances) for _, instances in waiting.values()],
            },
        ).all()
        for table, (column, instances) in waiting.items():
            ids = sorted(id_ for name, id_ in rows if name == table)
            # In the order they were added, as the ORM would have inserted them.
            instances.sort(key=lambda instance: inspect(instance).insert_order)
            for instance, id_ in zip(instances, ids, strict=True):
                setattr(instance, column.key, id_)


def among(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:values)`, one array parameter.

    A batch's IN list of hundreds of values is a parameter each: SQLAlchemy renders and
    psycopg parses the statement anew every time (it keeps parsed statements only up to 50
    parameters), which cost the scan's families part a tenth of its time. One array is one
    parameter, whatever the batch.
    """
    wanted = sorted(set(values))
    if session.get_bind().dialect.name != "postgresql":
        return cast(ColumnElement[bool], column.in_(wanted))
    array = bindparam(None, wanted, type_=ARRAY(column.type))
    return cast(ColumnElement[bool], column == any_(array))


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE, DELETE or INSERT … SELECT; how many rows it changed."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert plain rows (each with the same keys, column names) in the session's
    transaction: on PostgreSQL in one `COPY`, elsewhere in one executemany.

    For a batch's many new rows that need no ORM object: building and flushing an object
    a row cost the scan's families part most of its time. `COPY` takes the values as they
    are: timestamps aware, JSON columns given as their Python values (written as
    `json.dumps` writes them, as the ORM would).
    """
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    as_json = {name for name in columns if isinstance(table.c[name].type, JSON)}
    names = ", ".join(f'"{name}"' for name in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[name]) if name in as_json else row[name] for name in columns]
            )


T = TypeVar("T")


def per_transaction(session: Session, key: str, make: Callable[[], T]) -> T:
    """A value kept on the session for its current transaction only (made anew in the next).

    For what one transaction may read once and reuse: a phone's row, the resource sheets,
    the outbox rows it wrote.
    """
    transaction = session.get_transaction()
    kept = session.info.get(key)
    if kept is None or kept[0] is not transaction:
        kept = session.info[key] = (transaction, make())
    value: T = kept[1]
    return value


def driver_scalar(connection: Connection, sql: str, values: dict[str, Any]) -> Any:
    """The first value of the first row `sql` returns, run by the driver itself.

    For the hot path's one statement: SQLAlchemy's execution layer (its compiled cache,
    parameter processing and result) took twice the CPU psycopg needs to send the same
    prepared statement. `sql` is compiled for the connection's dialect once, and `values`
    come as the driver takes them. A failure is raised as SQLAlchemy raises it, a dead
    connection invalidated first, so that `Database.retrying` and the error pages work alike.
    """
    driver = connection.connection.driver_connection
    assert driver is not None  # a checked-out connection has its driver's
    dialect = connection.dialect
    try:
        row = driver.execute(sql, values).fetchone()
    except dialect.loaded_dbapi.Error as error:
        dead = dialect.is_disconnect(error, driver, None)
        if dead:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql,
            None,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=dead,
            dialect=dialect,
        ) from error
    return None if row is None else row[0]


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, **options: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **options)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # On PostgreSQL the hot path's statements run in autocommit, on a pool of their own
        # whose connections stay so: none is switched to autocommit as it is handed out, nor
        # switched back and rolled back as it returns, which cost a webhook a fifth of its
        # CPU in the database layer.
        self.hot_engine: Engine | None = None
        if self.engine.dialect.name == "postgresql":
            number_new_rows(self.sessions)
            self.hot_engine = make_engine(
                url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, **options
            )

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every engine this database uses (for event listeners)."""
        return (self.engine,) if self.hot_engine is None else (self.engine, self.hot_engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection, without an ORM session, for one prebuilt statement on the hot path
        (storing a webhook, claiming a send, recording it), which commits as it runs.

        On PostgreSQL the connection is in autocommit: no BEGIN and COMMIT round trips, and
        the statement is as durable as any commit. Elsewhere the block is one transaction.
        """
        if self.hot_engine is not None:
            with self.hot_engine.connect() as connection:
                yield connection
        else:
            with self.engine.begin() as connection:
                yield connection

    def retrying(self, work: Callable[[Connection], T]) -> T:
        """Run `work` on a `connection()`, and once more on a fresh one should the first have
        died unseen (the server restarted since it was last used). Only for work that is safe
        to run twice, such as storing a webhook, which Twilio does not send again."""
        try:
            with self.connection() as connection:
                return work(connection)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with self.connection() as connection:
            return work(connection)

    def dispose(self) -> None:
        """Close every pooled connection."""
        for engine in self.engines:
            engine.dispose()
