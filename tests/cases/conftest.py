from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases import db
from tests.cases.dbs import BACKENDS, migrated, wipe

__all__ = ["migrated"]


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]) -> Iterator[Engine]:
    _url, engine = migrated[request.param]
    yield engine
    wipe(engine)


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(engine)
