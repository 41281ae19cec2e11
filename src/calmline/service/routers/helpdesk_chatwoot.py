"""Chatwoot's webhook into calmline: `POST /v1/integrations/chatwoot/events`.

Set up in Chatwoot as an account webhook (Settings → Integrations → Webhooks) subscribed to
`message_created`, `conversation_status_changed` and `conversation_updated`, with the secret
Chatwoot shows copied into `CALMLINE_CHATWOOT_WEBHOOK_SECRET` (docs/integrations/chatwoot.md).
Chatwoot signs each call (`X-Chatwoot-Timestamp`, `X-Chatwoot-Signature`, see
`integrations.signatures`): the secret is never in the URL, which proxies and access logs keep.

Incoming messages are the customer's, outgoing ones the agent's; private notes, activity lines,
bot, template and attachment-only messages are skipped with a logged reason. Resolved closes the
case (outcome resolved), open reopens it; a change of assignee gives the case to the calmline
user of that name, when there is one. The conversation's contact becomes the case's customer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from calmline.integrations.events import from_chatwoot
from calmline.service.deps import StateDep
from calmline.service.routers import ERRORS
from calmline.service.routers.helpdesk_events import (
    HelpdeskAnswer,
    handle,
    read_payload,
    refused,
    sink_of,
)

router = APIRouter(prefix="/integrations/chatwoot", tags=["integrations"], responses=ERRORS)


@router.post("/events", response_model=HelpdeskAnswer)
async def chatwoot_event(request: Request, state: StateDep,
                         x_chatwoot_timestamp: Annotated[str | None, Header(
                             description="unix seconds when Chatwoot signed the call")] = None,
                         x_chatwoot_signature: Annotated[str | None, Header(
                             description="sha256=<hex HMAC-SHA256(secret, '<timestamp>.<body>')>")
                         ] = None) -> HelpdeskAnswer:
    """One Chatwoot webhook event, verified by its signature. A redelivered message is
    answered `replayed` and stored once."""
    settings = state.settings
    _raw, payload = await read_payload(
        request, "chatwoot", settings.chatwoot_webhook_secret.get_secret_value(),
        x_chatwoot_timestamp, x_chatwoot_signature, settings.webhook_tolerance_seconds)
    try:
        event = from_chatwoot(payload, settings.chatwoot_account_id)
    except Exception as exc:
        refused("chatwoot", str(payload.get("event", "?")) if isinstance(payload, dict) else "?", exc)
        raise
    return await run_in_threadpool(handle, state, sink_of(request), event)
