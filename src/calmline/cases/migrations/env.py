"""Alembic environment: runs against the engine calmline passes in (config.attributes["engine"])
or, for the plain `alembic` command, the `sqlalchemy.url` option / CALMLINE_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from calmline.cases.db import make_engine
from calmline.cases.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from calmline.settings import get_settings

        url = get_settings().database_url
    return make_engine(url)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
