"""Zendesk's webhook into calmline: `POST /v1/integrations/zendesk/events`.

A Zendesk webhook (connected to "Trigger or automation") that a trigger on ticket create and
update calls with the JSON body in docs/integrations/zendesk.md: the ticket's status, requester,
assignee and update time, and its latest public comment. Zendesk signs each call
(`X-Zendesk-Webhook-Signature-Timestamp`, `X-Zendesk-Webhook-Signature`, see
`integrations.signatures`) with the webhook's signing secret, copied into
`CALMLINE_ZENDESK_WEBHOOK_SECRET`.

The public comment is a message: the requester's is the customer's, anyone else's the agent's.
The same comment sent again by a later update (a status change) is stored once. The assignee
becomes the case's owner when a calmline user has that name or email; solved and closed close
the case as resolved, any other status reopens it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from calmline.integrations.events import from_zendesk
from calmline.service.deps import StateDep
from calmline.service.routers import ERRORS
from calmline.service.routers.helpdesk_events import (
    HelpdeskAnswer,
    handle,
    read_payload,
    refused,
    sink_of,
)

router = APIRouter(prefix="/integrations/zendesk", tags=["integrations"], responses=ERRORS)


@router.post("/events", response_model=HelpdeskAnswer)
async def zendesk_event(request: Request, state: StateDep,
                        x_zendesk_webhook_signature_timestamp: Annotated[str | None, Header(
                            description="ISO 8601 time when Zendesk signed the call")] = None,
                        x_zendesk_webhook_signature: Annotated[str | None, Header(
                            description="base64(HMAC-SHA256(secret, timestamp + body))")] = None
                        ) -> HelpdeskAnswer:
    """One ticket event from a Zendesk trigger, verified by its signature. A comment sent again
    is answered `replayed` and stored once."""
    settings = state.settings
    _raw, payload = await read_payload(
        request, "zendesk", settings.zendesk_webhook_secret.get_secret_value(),
        x_zendesk_webhook_signature_timestamp, x_zendesk_webhook_signature,
        settings.webhook_tolerance_seconds)
    try:
        event = from_zendesk(payload)
    except Exception as exc:
        refused("zendesk", "ticket", exc)
        raise
    return await run_in_threadpool(handle, state, sink_of(request), event)
