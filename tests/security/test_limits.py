"""Input the API accepts always fits the database, on SQLite and PostgreSQL alike (issue 12.2).

The schemas' length limits and the columns' lengths come from one definition
(`calmline.cases.limits`); the first tests walk every String column of the tables so a new column
cannot drift, the rest send the values that used to reach PostgreSQL and fail there with a 500.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError
from sqlalchemy import String

from calmline import load_playbook
from calmline.cases import limits
from calmline.cases.models import Base
from calmline.service import schemas
from calmline.service.correction_schemas import CorrectionCreate
from calmline.service.routers import escalations
from tests.service.conftest import Api
from tests.service.test_serve import running

# every String column written from API input, with the input fields that fill it
FROM_INPUT: dict[str, list[tuple[type[BaseModel], str]]] = {
    "agents.name": [(schemas.UserCreate, "name")],
    "agents.role": [(schemas.UserCreate, "role")],
    "customers.external_id": [(schemas.CustomerIn, "external_id")],
    "customers.name": [(schemas.CustomerIn, "name")],
    "conversations.external_id": [(schemas.ConversationCreate, "external_id"),
                                  (schemas.WebhookEvent, "conversation")],
    "conversations.subject": [(schemas.ConversationCreate, "subject")],
    "conversations.channel": [(schemas.ConversationCreate, "channel"),
                              (schemas.ConversationIn, "channel"), (schemas.WebhookEvent, "channel")],
    "conversations.outcome": [(schemas.CloseRequest, "outcome")],
    "messages.role": [(schemas.MessageCreate, "role"), (schemas.TurnIn, "role"),
                      (schemas.WebhookEvent, "role")],
    "messages.channel": [(schemas.MessageCreate, "channel")],
    "messages.author": [(schemas.MessageCreate, "author"), (schemas.TurnIn, "author"),
                        (schemas.WebhookEvent, "author")],
    "escalations.route": [(schemas.EscalationCreate, "route")],
    "corrections.kind": [(CorrectionCreate, "kind")],
    "corrections.label": [(CorrectionCreate, "label")],
}
# String columns calmline fills itself (names from the code or the playbook, digests, headers
# bounded where they are read): no API schema writes them directly
NOT_FROM_INPUT = {
    "agents.key_hash", "conversations.status", "conversations.stage", "conversations.anger_level",
    "messages.stage", "escalations.trigger", "escalations.status", "followups.due_text",
    "followups.source", "followups.status", "audit_log.entity", "audit_log.action",
    "idempotency_keys.key", "idempotency_keys.fingerprint",
}


def _string_columns() -> dict[str, int]:
    return {f"{table.name}.{column.name}": int(column.type.length)
            for table in Base.metadata.tables.values() for column in table.columns
            if isinstance(column.type, String) and column.type.length is not None}


def _longest(model: type[BaseModel], field: str) -> int:
    """The longest value the schema lets through for `field` (its maxLength, or its longest enum
    value); fails when the field has no bound at all."""
    prop: dict[str, Any] = model.model_json_schema()["properties"][field]
    bounds = []
    for branch in prop.get("anyOf", [prop]):
        if "enum" in branch or "const" in branch:
            bounds.append(max(len(v) for v in branch.get("enum", [branch.get("const")])))
        elif branch.get("type") == "string":
            assert "maxLength" in branch, f"{model.__name__}.{field} has no maxLength"
            bounds.append(int(branch["maxLength"]))
    assert bounds, f"{model.__name__}.{field} is not a string field: {prop}"
    return max(bounds)


def test_every_string_column_is_classified() -> None:
    unknown = set(_string_columns()) - set(FROM_INPUT) - NOT_FROM_INPUT
    assert not unknown, (f"new String columns {sorted(unknown)}: list the API fields that fill them "
                         "in FROM_INPUT (their limits are then checked) or say why none do")


@pytest.mark.parametrize("column", sorted(FROM_INPUT))
def test_api_limits_fit_their_columns(column: str) -> None:
    length = _string_columns()[column]
    for model, field in FROM_INPUT[column]:
        assert _longest(model, field) <= length, f"{model.__name__}.{field} allows more than {column}"


def test_the_people_and_ids_limits_equal_their_columns() -> None:
    """Free text is capped at its column exactly: the API says the true limit, not a smaller one."""
    columns = _string_columns()
    assert _longest(schemas.CustomerIn, "name") == columns["customers.name"] == limits.NAME
    assert _longest(schemas.WebhookEvent, "conversation") == columns["conversations.external_id"]
    assert _longest(schemas.ConversationCreate, "subject") == columns["conversations.subject"]


def test_route_query_limit_is_the_column_limit() -> None:
    app = FastAPI()
    app.include_router(escalations.router)
    params = app.openapi()["paths"]["/escalations"]["get"]["parameters"]
    route = next(p for p in params if p["name"] == "route")
    bound = max(b.get("maxLength", 0) for b in route["schema"].get("anyOf", [route["schema"]]))
    assert bound == _string_columns()["escalations.route"]


def test_default_playbook_names_fit_their_columns() -> None:
    playbook = load_playbook()
    assert max(len(r) for r in playbook.routes) <= limits.ROUTE
    assert max(len(f) for f in playbook.flags) <= limits.ROUTE  # an escalation's trigger


def _invalid_fields(model: type[BaseModel], body: dict[str, Any]) -> set[str]:
    try:
        model.model_validate(body)
    except ValidationError as exc:
        return {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
    return set()


def test_webhook_conversation_over_the_column_is_refused() -> None:
    over = {"conversation": "z" * (limits.EXTERNAL_ID + 1), "role": "customer", "text": "hi"}
    assert "conversation" in _invalid_fields(schemas.WebhookEvent, over)
    at = {**over, "conversation": "z" * limits.EXTERNAL_ID}
    assert "conversation" not in _invalid_fields(schemas.WebhookEvent, at)


def _status(response: Any, expected: int) -> dict[str, Any]:
    assert response.status_code == expected, response.text
    body: dict[str, Any] = response.json()
    return body


def test_over_long_people_and_ids_are_422_at_exactly_the_column(api: Api) -> None:
    h = api.h("agent")
    at, over = "a" * limits.NAME, "b" * (limits.NAME + 1)
    made = _status(api.client.post("/v1/conversations", headers=h, json={
        "external_id": "c" * limits.EXTERNAL_ID,
        "customer": {"external_id": "d" * limits.EXTERNAL_ID, "name": at}}), 201)
    conv = made["id"]
    for body in ({"external_id": "e" * (limits.EXTERNAL_ID + 1)},
                 {"customer": {"name": over}},
                 {"customer": {"external_id": "f" * (limits.EXTERNAL_ID + 1)}}):
        error = _status(api.client.post("/v1/conversations", headers=h, json=body), 422)["error"]
        assert error["code"] == "validation_error"
    url = f"/v1/conversations/{conv}/messages"
    stored = _status(api.client.post(url, headers=h, json={"role": "agent", "text": "hello",
                                                            "author": at}), 201)
    assert stored["author"] == at
    _status(api.client.post(url, headers=h, json={"role": "agent", "text": "hi", "author": over}), 422)
    review = {"draft": "I can help.", "conversation": {"messages": [
        {"role": "customer", "text": "where is it", "author": over}]}}
    _status(api.client.post("/v1/reviews", headers=h, json=review), 422)


@pytest.mark.parametrize("query", ["route=a%00b", "route=%00", "status=open&route=x%00",
                                   "conversation_id=1&nothing=%00"])
def test_nul_in_a_query_string_is_422(api: Api, query: str) -> None:
    response = api.client.get(f"/v1/escalations?{query}", headers=api.h("supervisor"))
    error = _status(response, 422)["error"]
    assert error["code"] == "validation_error" and "NUL" in error["message"]


def test_nul_is_refused_on_every_router(api: Api) -> None:
    for path in ("/v1/audit?entity=%00", "/v1/conversations?status=open%00",
                 "/v1/followups?status=%00", "/v1/people?customers=1%00"):
        _status(api.client.get(path, headers=api.h("supervisor")), 422)


@pytest.mark.parametrize("after", [2**31, 2**31 + 1, 2**62, 2**63])
def test_audit_after_beyond_the_id_column_is_422(api: Api, after: int) -> None:
    _status(api.client.get(f"/v1/audit?after={after}", headers=api.h("supervisor")), 422)


def test_audit_after_up_to_the_largest_id_is_fine(api: Api) -> None:
    assert _status(api.client.get(f"/v1/audit?after={schemas.MAX_ID}",
                                  headers=api.h("supervisor")), 200) == []


def test_bodies_the_app_cannot_read_get_the_json_error_shape(sqlite_api: Api) -> None:
    url = f"/v1/conversations/{sqlite_api.conversation()}/messages"
    for content_type, body, status in (("application/json", b'{"role": "cust', 400),
                                       ("text/plain", b'{"role": "customer", "text": "hi"}', 422),
                                       ("application/xml", b"<message/>", 422)):
        response = sqlite_api.client.post(url, content=body, headers={
            **sqlite_api.h("agent"), "content-type": content_type})
        assert set(_status(response, status)["error"]) == {"code", "message", "detail"}


def _raw(base: str, request: bytes, wait: float = 10.0) -> bytes:
    """Send `request` as it is on a fresh connection; what came back before the server closed it
    (or `wait` passed, which fails the test)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        try:
            sock.sendall(request)
        except OSError:  # the server may close while a long head is still being sent
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:  # closed with our unread bytes still in its buffer
            pass
        return answer


def _json_error(answer: bytes, status: int) -> dict[str, Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    assert b"content-type: application/json" in head.lower()
    error: dict[str, Any] = json.loads(body)["error"]
    return error


def test_the_server_bounds_heads_and_answers_in_json(tmp_path: Path) -> None:
    printed: list[str] = []
    with running(tmp_path, printed, "--keep-alive", "1") as base:
        big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
        assert _json_error(_raw(base, big), 431)["code"] == "header_too_large"
        huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5_000_000 + b"\r\n\r\n"
        answer = _raw(base, huge)
        assert answer == b"" or _json_error(answer, 431)  # refused, at most 64 KiB read
        assert _json_error(_raw(base, b"NOT HTTP AT ALL\r\n\r\n"), 400)["code"] == "bad_request"
        # an unfinished head, and a connection that says nothing, are closed (keep-alive 1 s)
        assert _raw(base, b"GET /healthz HTTP/1.1\r\nHost: x\r\n") == b""
        assert _raw(base, b"") == b""
        assert httpx.get(f"{base}/healthz").status_code == 200  # still up
