"""Engines, sessions and migrations for the case store (SQLite or PostgreSQL).

SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` transactions, so concurrent writers queue
for the lock instead of failing halfway through a transaction. Migrations are Alembic scripts
shipped inside the package (`calmline/cases/migrations`), so they run from an installed wheel.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event, insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases.errors import DatabaseUnavailableError
from calmline.errors import InputError

T = TypeVar("T")
MIGRATIONS = Path(__file__).with_name("migrations")
READ_ONLY = "calmline_read_only"


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10,
                connect_args: dict[str, Any] | None = None) -> Engine:
    """An engine for `url`; raises InputError for a URL SQLAlchemy cannot parse.

    Its errors and echoed statements never show the parameters: they are customers' text, names
    and emails, and an error's message ends up in tracebacks and logs."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(f"not a database URL: {url!r}") from exc
    args = dict(connect_args or {})
    if parsed.get_backend_name() == "sqlite":
        args.setdefault("check_same_thread", False)
        args.setdefault("timeout", 30)
        engine = create_engine(parsed, echo=echo, connect_args=args, hide_parameters=True)
        _sqlite_tuning(engine, in_memory=parsed.database in (None, "", ":memory:"))
        return engine
    # No pre-ping (a round trip per checkout, on every request): a connection the server dropped
    # fails once, SQLAlchemy then discards the pool, and writes retry (`write_with_retry`).
    return create_engine(parsed, echo=echo, pool_size=pool_size, max_overflow=pool_size,
                         connect_args=args, hide_parameters=True)


def _sqlite_tuning(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # writers take the write lock up front: a deferred transaction that later upgrades to a
        # writer fails with "database is locked" instead of waiting its turn. Readers (WAL) read a
        # snapshot without the lock, so they never queue behind writers.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def connect(factory: sessionmaker[Session]) -> Connection:
    """A plain Core connection on the engine (and execution options) of `factory`'s sessions,
    for a hot read that needs no ORM session: opening a session, and its transaction, costs more
    than the read (`with db.connect(readers) as connection: ...`)."""
    bind = factory.kw["bind"]
    return cast(Connection, bind.connect())


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only. On SQLite they begin deferred (no write lock). On PostgreSQL
    they run in autocommit: under READ COMMITTED each statement reads its own snapshot anyway, and
    it spares the BEGIN and ROLLBACK round trips of every read."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return sessionmaker(bind=engine.execution_options(**options), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits together at the end of the block, or not at all."""
    with factory() as session, session.begin():
        yield session


def alembic_config(engine: Engine | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database up to `revision` (idempotent). The first thing
    every command does with a database, so an unreachable one is reported here, in one line."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except (OperationalError, InterfaceError) as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailableError(f"cannot open the database {where}: {exc.orig}") from exc


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def write_with_retry(factory: sessionmaker[Session], work: Callable[[Session], T], *,
                     attempts: int = 5) -> T:
    """Run `work` in one transaction, retrying it whole when a unique constraint lost a race
    (two writers took the same message seq), SQLite/PostgreSQL reported a transient conflict, or
    the connection turned out to be dead (the server restarted)."""
    for attempt in range(1, attempts + 1):
        try:
            with factory() as session, session.begin():
                return work(session)
        except (IntegrityError, OperationalError) as exc:
            if attempt == attempts or not (exc.connection_invalidated or _transient(exc)):
                raise
            time.sleep(0.005 * attempt)
    raise AssertionError("unreachable")


def _transient(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(word in text for word in ("uq_message_seq", "unique", "locked", "deadlock",
                                         "could not serialize"))


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class (for the hot paths written without the ORM)."""
    return cast(Table, model.__table__)


@cache
def _insert(table: Table) -> Insert:
    return insert(table)


def insert_row(session: Session, table: Table, values: dict[str, Any]) -> int:
    """INSERT one row now, in the session's transaction; returns its new primary key."""
    # one prebuilt statement per table with the values as parameters, straight on the connection:
    # building `insert(table).values(...)` anew (and its cache key) costs twice the insert itself
    result = session.connection().execute(_insert(table), values)
    key = result.inserted_primary_key
    if key is None:
        raise AssertionError(f"no primary key came back from the insert into {table.name}")
    return int(key[0])
