"""Signed Chatwoot and Zendesk webhook calls built from the documented payloads (fixtures/)."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from calmline.integrations.signatures import chatwoot_signature, zendesk_signature
from tests.integrations.conftest import ACCOUNT, CHATWOOT_TOKEN, ZENDESK_EMAIL, ZENDESK_TOKEN
from tests.integrations.fake_helpdesk import FakeHelpdesk, fixture
from tests.service.conftest import Api, make_api

CW_SECRET = "cw-hook-secret"
ZD_SECRET = "zd-hook-secret"
CW_PATH = "/v1/integrations/chatwoot/events"
ZD_PATH = "/v1/integrations/zendesk/events"
T0 = 1_795_770_000.0  # 2026-11-27 09:00 UTC: the fixtures' time
AGENT = {"id": 5, "name": "Sam Lee", "available_name": "Sam", "email": "sam@example.com",
         "type": "user"}


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def helpdesk_api(url: str, engine: Engine, *, chatwoot: FakeHelpdesk | None = None,
                 zendesk: FakeHelpdesk | None = None, **overrides: Any) -> Iterator[Api]:
    """The real app on this database, its webhooks on, connected to the fake helpdesks given."""
    values: dict[str, Any] = {"chatwoot_webhook_secret": CW_SECRET, "chatwoot_account_id": ACCOUNT,
                              "zendesk_webhook_secret": ZD_SECRET}
    if chatwoot is not None:
        values.update(chatwoot_url=chatwoot.url, chatwoot_api_token=CHATWOOT_TOKEN)
    if zendesk is not None:
        values.update(zendesk_url=zendesk.url, zendesk_email=ZENDESK_EMAIL,
                      zendesk_api_token=ZENDESK_TOKEN)
    values.update(overrides)
    yield from make_api(url, engine, **values)


# -- Chatwoot -----------------------------------------------------------------------------------
def cw_message(conversation: int, message: int, text: str, *, at: float = T0,
               kind: str = "incoming", contact: int = 77, **changes: Any) -> dict[str, Any]:
    """A `message_created` event (the documented payload) for this conversation and message."""
    data: dict[str, Any] = copy.deepcopy(fixture("chatwoot/message_created.json"))
    data.update(id=message, content=text, message_type=kind, created_at=iso(at))
    data["conversation"]["id"] = conversation
    data["conversation"]["meta"]["sender"]["id"] = contact
    data["sender"] = dict(data["sender"], id=contact) if kind == "incoming" else dict(AGENT)
    data.update(changes)
    return data


def cw_conversation(name: str, conversation: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(fixture(f"chatwoot/{name}.json"))
    data["id"] = conversation
    data.update(changes)
    return data


def cw_post(client: TestClient, payload: Any, *, secret: str = CW_SECRET,
            timestamp: float | None = None, body: bytes | None = None) -> Response:
    raw = body if body is not None else json.dumps(payload).encode()
    stamp = str(int(time.time() if timestamp is None else timestamp))
    return client.post(CW_PATH, content=raw, headers={
        "Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp,
        "X-Chatwoot-Signature": chatwoot_signature(secret, raw, stamp)})


# -- Zendesk ------------------------------------------------------------------------------------
def zd_ticket(ticket: int, comment: int | None, text: str = "", *, author: str = "20978392",
              at: float = T0, status: str = "Open", assignee: str = "") -> dict[str, Any]:
    """The body calmline's trigger template renders (docs/integrations/zendesk.md)."""
    data: dict[str, Any] = copy.deepcopy(fixture("zendesk/trigger_ticket_webhook.json"))
    data["ticket"].update(id=str(ticket), status=status, updated_at=iso(at))
    data["ticket"]["assignee"]["name"] = assignee
    if comment is None:
        data["comments"] = []
    else:
        data["comments"][0].update(id=str(comment), author_id=author, body=text,
                                   created_at=iso(at),
                                   author_name="Dana Reyes" if author == "20978392" else "Sam Lee")
    return data


def zd_post(client: TestClient, payload: Any, *, secret: str = ZD_SECRET,
            timestamp: float | None = None) -> Response:
    raw = json.dumps(payload).encode()
    when = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return client.post(ZD_PATH, content=raw, headers={
        "Content-Type": "application/json", "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "X-Zendesk-Webhook-Signature": zendesk_signature(secret, raw, stamp)})


def case_of(api: Api, external_id: str) -> dict[str, Any]:
    """The case with this helpdesk id, with its messages (read as a supervisor)."""
    found = [c for c in api.client.get("/v1/conversations", params={"limit": 200},
                                       headers=api.h("supervisor")).json()
             if c["external_id"] == external_id]
    assert len(found) == 1, found
    detail: dict[str, Any] = api.client.get(f"/v1/conversations/{found[0]['id']}",
                                            headers=api.h("supervisor")).json()
    return detail


def cases_with(api: Api, external_id: str) -> int:
    listed = api.client.get("/v1/conversations", params={"limit": 200},
                            headers=api.h("supervisor")).json()
    return sum(1 for c in listed if c["external_id"] == external_id)
