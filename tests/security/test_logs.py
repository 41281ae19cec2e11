"""No personal data, message text or key in the logs (issue 12.3).

Card numbers and emails are planted in messages, names and external ids; then things break:
over-long values, NUL characters, and a forced database error (a trigger that refuses every new
message, so the failing INSERT carries the planted text as its parameters). The logs are then
searched for every planted value: through the app on both backends, and from a real
`calmline serve`.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from calmline.service.logs import JsonFormatter
from tests.cases.dbs import BACKENDS
from tests.service.conftest import Api, make_api
from tests.service.test_serve import admin_key_file, running

CARD, CARD_DIGITS, EMAIL = "4111 1111 1111 1111", "5500005555555559", "dana.smith@example.com"
SECRET_TEXT = "the blender caught fire in my kitchen"
PLANTED = (CARD, CARD_DIGITS, EMAIL, SECRET_TEXT)
MESSAGE = f"{SECRET_TEXT}; card {CARD}, other card {CARD_DIGITS}, write to {EMAIL}"
TRIGGER = "calmline_forced_failure"


@contextmanager
def messages_refused(engine: Engine) -> Iterator[None]:
    """Every INSERT into messages fails inside the database, for the length of the block."""
    if engine.dialect.name == "postgresql":
        create = [f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN RAISE EXCEPTION 'forced failure'; END $$",
                  f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON messages FOR EACH ROW "
                  f"EXECUTE FUNCTION {TRIGGER}()"]
        drop = [f"DROP TRIGGER {TRIGGER} ON messages", f"DROP FUNCTION {TRIGGER}()"]
    else:
        create = [f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON messages "
                  "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"]
        drop = [f"DROP TRIGGER {TRIGGER}"]
    with engine.begin() as conn:
        for statement in create:
            conn.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for statement in drop:
                conn.execute(text(statement))


@contextmanager
def captured_logs() -> Iterator[tuple[io.StringIO, list[logging.LogRecord]]]:
    """Everything logged (SQLAlchemy's statements included), as `calmline serve` writes it, and
    the records themselves (whatever formatter a deployer uses, they must be clean too)."""
    lines, records = io.StringIO(), []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    def server_side(record: logging.LogRecord) -> bool:
        return not record.name.startswith("httpx")  # the test client's own log of its requests

    json_handler = logging.StreamHandler(lines)
    json_handler.setFormatter(JsonFormatter())
    for handler in (json_handler, keep := Keep()):
        handler.addFilter(server_side)
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    before = root.level, sql.level
    root.addHandler(json_handler)
    root.addHandler(keep)
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.INFO)
    try:
        yield lines, records
    finally:
        root.removeHandler(json_handler)
        root.removeHandler(keep)
        root.setLevel(before[0])
        sql.setLevel(before[1])


def _record_text(record: logging.LogRecord) -> str:
    said = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        said += f" {record.exc_info[1]}"
    return said


def assert_clean(log_text: str, keys: list[str]) -> None:
    for secret in (*PLANTED, *keys):
        assert secret not in log_text, f"{secret!r} is in the logs:\n{log_text[-3000:]}"


def plant_and_break(api: Api, engine: Engine) -> list[int]:
    """Personal data in every free-text place, then each kind of failure; the statuses."""
    h = api.h("supervisor")  # customer lines on a real case come from the helpdesk or a supervisor
    made = api.client.post("/v1/conversations", headers=h, json={
        "subject": f"refund {CARD}", "external_id": f"ticket-{EMAIL}",
        "customer": {"name": f"Dana {CARD_DIGITS}", "external_id": EMAIL}})
    assert made.status_code == 201, made.text
    url = f"/v1/conversations/{made.json()['id']}/messages"
    ok = api.client.post(url, headers=h, json={"role": "customer", "text": MESSAGE, "author": EMAIL})
    statuses = [ok.status_code]
    for bad in ({"role": "customer", "text": MESSAGE, "author": EMAIL * 10},
                {"role": "customer", "text": MESSAGE + "\x00"}):
        statuses.append(api.client.post(url, headers=h, json=bad).status_code)
    statuses.append(api.client.get(f"/v1/escalations?route={EMAIL}%00",
                                   headers=api.h("supervisor")).status_code)
    with messages_refused(engine):
        failed = api.client.post(url, headers=h, json={"role": "customer", "text": MESSAGE})
    assert set(failed.json()) == {"error"}, failed.text
    statuses.append(failed.status_code)
    return statuses


@pytest.fixture(params=BACKENDS)
def api_and_engine(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]
                   ) -> Iterator[tuple[Api, Engine]]:
    url, engine = migrated[request.param]
    for api in make_api(url, engine):
        yield api, engine


def test_logs_hold_no_personal_data_on_either_backend(api_and_engine: tuple[Api, Engine]) -> None:
    api, engine = api_and_engine
    with captured_logs() as (lines, records):
        statuses = plant_and_break(api, engine)
    assert statuses[:4] == [201, 422, 422, 422] and statuses[4] >= 409, statuses
    written = lines.getvalue()
    assert_clean(written + "\n".join(_record_text(r) for r in records), list(api.keys.values()))
    entries = [json.loads(line) for line in written.splitlines()]
    failure = [e for e in entries if e.get("error") and e["logger"].startswith("calmline")]
    assert failure and failure[-1]["error"]["type"], written[-3000:]  # the failure is logged...
    assert failure[-1]["path"].startswith("/v1/conversations/")  # ...with its request, no values
    requests = [e for e in entries if e["logger"] == "calmline.requests"]
    assert len(requests) >= 6 and all(e["request_id"] for e in requests)
    assert any("SQL parameters hidden" in e["event"] for e in entries)  # statements are logged


def test_a_real_server_logs_json_lines_without_personal_data(tmp_path: Path) -> None:
    printed: list[str] = []
    with running(tmp_path, printed, "--log-level", "info") as base:
        key = (tmp_path / "calmline-admin-key.txt").read_text("utf-8").strip()
        auth = {"Authorization": f"Bearer {key}"}
        made = httpx.post(f"{base}/v1/conversations", headers=auth, json={
            "subject": f"refund {CARD}", "customer": {"name": f"Dana {CARD_DIGITS}",
                                                      "external_id": EMAIL}})
        assert made.status_code == 201, made.text
        url = f"{base}/v1/conversations/{made.json()['id']}/messages"
        bad = httpx.post(url, headers=auth, json={"role": "customer", "text": MESSAGE,
                                                  "author": EMAIL * 10})
        assert bad.status_code == 422
        assert httpx.get(f"{base}/v1/audit?after={2**40}&entity={EMAIL}", headers=auth).status_code == 422
        with sqlite3.connect(tmp_path / "calmline.db") as db:
            db.execute(f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON messages "
                       "BEGIN SELECT RAISE(ABORT, 'forced failure'); END")
        failed = httpx.post(url, headers=auth, json={"role": "customer", "text": MESSAGE})
        assert failed.status_code >= 409 and "error" in failed.json(), failed.text
    output = printed[0]
    assert admin_key_file(output).exists()
    assert_clean(output, [key])
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert {"time", "level", "logger", "event"} <= set(entries[0])
    assert any(e.get("status") == 422 and e.get("path") == "/v1/audit" for e in entries), output
    assert any(e.get("error", {}).get("type") for e in entries), output
