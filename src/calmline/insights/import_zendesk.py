"""History from Zendesk for insights: tickets and their public comments, written as calmline's
interchange JSONL (one ticket a line) that `calmline insights` reads on the local or the Dask
engine.

Tickets come from the cursor-based incremental ticket export
(`GET /api/v2/incremental/tickets/cursor.json`, from the start date; an admin's token), then each
ticket's comments (`GET /api/v2/tickets/{id}/comments.json`, cursor pages of 100). Public comments
by the requester are the customer's, other public comments the agents'; internal notes are left
out. The requester is the customer, so insights sees who comes back. A ticket created before the
start date is skipped even when it changed after it. The export's cursor is saved after each page:
`--resume` continues there after an interruption, and at the end of the stream it is where the
next run picks up new tickets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from functools import partial
from typing import Any

from calmline.integrations.resume import ResumableExport
from calmline.integrations.retry import RetryPolicy, retrying
from calmline.integrations.zendesk import ZendeskClient

CHANNELS = {"email": "email", "voice": "call", "twitter": "social", "facebook": "social",
            "chat": "chat", "native_messaging": "chat", "web": "chat", "api": "chat"}
Progress = Callable[[int, int | None], None]


def _parse(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _comments(client: ZendeskClient, ticket_id: str) -> list[dict[str, Any]]:
    return list(client.comments(ticket_id))


def to_conversation(ticket: dict[str, Any], comments: Iterable[dict[str, Any]]) -> dict[str, Any]:
    requester = ticket.get("requester_id")
    messages = []
    for comment in comments:
        text = str(comment.get("plain_body") or comment.get("body") or "").strip()
        if not comment.get("public") or not text:
            continue
        customer = requester is not None and comment.get("author_id") == requester
        message: dict[str, Any] = {"role": "customer" if customer else "agent", "text": text,
                                   "time": comment.get("created_at")}
        if not customer and comment.get("author_id") is not None:
            message["author"] = str(comment["author_id"])
        messages.append(message)
    channel = str((ticket.get("via") or {}).get("channel") or "")
    return {"id": f"zendesk-{ticket['id']}",
            "customer": f"zendesk-user-{requester}" if requester is not None else None,
            "channel": CHANNELS.get(channel, "other"), "messages": messages}


def export_zendesk(client: ZendeskClient, export: ResumableExport, *, since: date | None = None,
                   progress: Progress = lambda n, total: None,
                   policy: RetryPolicy | None = None) -> int:
    """Write every ticket created on or after `since`; the number written this run."""
    # the incremental export allows 10 requests a minute: a 429's Retry-After is waited out
    policy = policy or RetryPolicy(tries=5, base=1.0, cap=120.0)
    start = datetime.combine(since, time(), UTC) if since else datetime.fromtimestamp(0, UTC)
    cursor, written = export.position.get("cursor"), 0
    while True:
        page = retrying(partial(client.tickets_page, cursor=cursor, start_time=int(start.timestamp())),
                        policy)
        for ticket in page.get("tickets") or ():
            key = f"zendesk-{ticket.get('id')}"
            created = _parse(ticket.get("created_at"))
            if ticket.get("id") is None or export.has(key) or ticket.get("status") == "deleted" \
                    or (created is not None and created < start):
                continue
            comments = retrying(partial(_comments, client, str(ticket["id"])), policy)
            record = to_conversation(ticket, comments)
            if record["messages"]:
                export.write(record)
                written += 1
            progress(1, None)
        cursor = page.get("after_cursor") or cursor
        if page.get("end_of_stream") or not page.get("after_cursor"):
            export.save({"cursor": cursor}, finished=True)
            return written
        export.save({"cursor": cursor})
