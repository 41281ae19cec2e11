"""Test databases: a SQLite file and a private schema on the real PostgreSQL, both migrated.

PostgreSQL is `CALMLINE_TEST_PG_URL` (default: the local `test` database, trust auth). Each test
session works in its own schema, dropped at the end, so parallel runs never clash. When the
server is unreachable the PostgreSQL cases skip, except in CI (`CI=true`), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from calmline.cases import db
from calmline.cases.models import Base

PG_URL = os.environ.get("CALMLINE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


def _pg_unreachable() -> str | None:
    try:
        probe = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as conn:
            conn.execute(text("select 1"))
        probe.dispose()
    except Exception as exc:  # any failure to connect means "no PostgreSQL here"
        return f"PostgreSQL at {PG_URL} unreachable: {type(exc).__name__}: {exc}"
    return None


def pg_url_and_schema() -> tuple[str, str]:
    problem = _pg_unreachable()
    if problem:
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{problem} (CI is set: the PostgreSQL tests must run)")
        pytest.skip(problem)
    return PG_URL, f"calmline_test_{uuid.uuid4().hex[:12]}"


def pg_options(schema: str) -> dict[str, str]:
    return {"options": f"-csearch_path={schema}"}


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, Engine]]]:
    """Lazily built {backend: (url, engine)}: migrations run once per backend per session."""
    built: dict[str, tuple[str, Engine]] = {}
    schemas: list[tuple[Engine, str]] = []

    class Lazy(dict[str, tuple[str, Engine]]):
        def __missing__(self, backend: str) -> tuple[str, Engine]:
            if backend == "sqlite":
                path = Path(tmp_path_factory.mktemp("db")) / "calmline.db"
                url = f"sqlite:///{path}"
                engine = db.make_engine(url)
            else:
                url, schema = pg_url_and_schema()
                admin = create_engine(url)
                with admin.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                schemas.append((admin, schema))
                engine = db.make_engine(url, connect_args=pg_options(schema))
                url = f"{url}?options=-csearch_path%3D{schema}"
            db.upgrade(engine)
            self[backend] = (url, engine)
            return self[backend]

    lazy = Lazy(built)
    yield lazy
    for _url, engine in lazy.values():
        engine.dispose()
    for admin, schema in schemas:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def wipe(engine: Engine) -> None:
    """Empty every table (tests share one migrated database per backend)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
