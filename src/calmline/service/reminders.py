"""Follow-up reminders sent out before the due time, for integrations to forward.

With `followup_reminder_url` set, the server POSTs one JSON event per open follow-up once it
falls due within `followup_reminder_minutes` (and is not yet overdue):

    {"event": "followup.due_soon", "event_id": "followup-<id>-<due>", "sent_at": "...",
     "followup": {...the follow-up as GET /v1/followups shows it, customer and subject included}}

signed like calmline's inbound webhook when `followup_reminder_secret` is set (HMAC-SHA256 of
`<timestamp>.<body>` in `X-Calmline-Signature: sha256=<hex>`, the timestamp in
`X-Calmline-Timestamp`). A reminder is recorded in the audit log only once the receiver answered
2xx, so a failed one is tried again on the next round, and a delivered one never is (unless the
follow-up is given a new due time: the `event_id` names the due time, for the receiver to
de-duplicate). The events are best effort; `GET /v1/followups/reminders` is the same list to poll.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from calmline.cases import audit, db, followups
from calmline.cases.models import AuditEntry, FollowUp, utcnow
from calmline.service.deps import AppState

log = logging.getLogger("calmline.reminders")
EVENT = "followup.due_soon"


def _already_sent(session: Session, found: Sequence[FollowUp]) -> set[tuple[int, str]]:
    """(follow-up id, due time) of the reminders already delivered."""
    if not found:
        return set()
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "followup", AuditEntry.action == "reminded",
        AuditEntry.entity_id.in_([f.id for f in found])))
    return {(e.entity_id, str((e.detail or {}).get("due"))) for e in entries}


def event_for(followup: dict[str, Any]) -> dict[str, Any]:
    return {"event": EVENT, "event_id": f"followup-{followup['id']}-{followup['due']}",
            "sent_at": utcnow().isoformat(), "followup": followup}


def headers_for(body: bytes, secret: str) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "X-Calmline-Event": EVENT}
    if secret:
        stamp = str(int(time.time()))
        digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        headers.update({"X-Calmline-Timestamp": stamp, "X-Calmline-Signature": f"sha256={digest}"})
    return headers


def send_due(state: AppState, client: httpx.Client) -> int:
    """One round: POST a reminder for each follow-up falling due soon that has none yet; returns
    how many were delivered."""
    from calmline.service.routers.followups import public_all  # the API's shape of an item

    settings = state.settings
    within = timedelta(minutes=settings.followup_reminder_minutes)
    with state.sessions() as session:
        found = followups.list_followups(session, status="soon", within=within, limit=1000)
        sent = _already_sent(session, found)
        due = [item.model_dump(mode="json") for item in public_all(session, found)]
    delivered = 0
    for item in due:
        if (item["id"], item["due"]) in sent:
            continue
        body = json.dumps(event_for(item)).encode()
        try:
            response = client.post(settings.followup_reminder_url, content=body,
                                   headers=headers_for(body, settings.followup_reminder_secret))
        except httpx.HTTPError as error:
            log.warning("reminder not delivered", extra={"error": type(error).__name__})
            continue
        if not response.is_success:
            log.warning("reminder refused", extra={"status": response.status_code})
            continue
        with db.transaction(state.sessions) as session:
            audit.record(session, actor_id=None, entity="followup", entity_id=item["id"],
                         action="reminded", detail={"due": item["due"]})
        delivered += 1
    return delivered


class ReminderSender:
    """A daemon thread running `send_due` every `followup_reminder_interval_seconds`."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="calmline-reminders", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        # the first round comes one interval after start: the service is up and serving first,
        # and a round never races the requests that set up the follow-ups it would send
        interval = self.state.settings.followup_reminder_interval_seconds
        with httpx.Client(timeout=10) as client:
            while not self.stopping.wait(interval):
                try:
                    send_due(self.state, client)
                except Exception as error:  # noqa: BLE001 (a round that failed waits for the next)
                    log.warning("reminder round failed", extra={"error": type(error).__name__})


def build_sender(state: AppState) -> ReminderSender | None:
    """The sender when `followup_reminder_url` is set, else None (reminders off)."""
    return ReminderSender(state) if state.settings.followup_reminder_url else None
