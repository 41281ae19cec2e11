"""A helpdesk's webhook payload, read into what calmline does with it: one `HelpdeskEvent`.

Chatwoot posts its documented webhook events (developers.chatwoot.com, "webhook events"):
`message_created` (the message with its `conversation`, `sender` and `account`),
`conversation_status_changed` and `conversation_updated` (the conversation itself, with
`changed_attributes`). Zendesk posts the JSON body that calmline's trigger template renders
(docs/integrations/zendesk.md): the ticket and its latest public comment.

Reading never fails on what a helpdesk is allowed to send: an event calmline does not follow, a
private note, a bot's or template message, a message with no text comes back `skipped` with the
reason. A payload without the fields every event of its kind carries is an InputError (422).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from calmline.errors import InputError

# Chatwoot content types that are forms, cards or articles a bot or campaign sends, not words
_CHATWOOT_TEXT = {"text", "incoming_email", None}
_ZENDESK_OUTCOMES = {"solved": "resolved", "closed": "resolved"}


@dataclass(frozen=True, slots=True)
class Contact:
    """The customer as the helpdesk knows them: becomes calmline's customer (returning ones too)."""

    external_id: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class MessageIn:
    """One message: `key` is the helpdesk's id for it (unique within that helpdesk)."""

    key: str
    role: str
    text: str
    time: datetime | None
    author: str | None


@dataclass(frozen=True, slots=True)
class HelpdeskEvent:
    """What one webhook call asks of calmline. `ref` is the helpdesk's id of the conversation
    (what its API takes), `external_id` calmline's (`chatwoot:<account>:<id>`, `zendesk:<id>`)."""

    helpdesk: str
    kind: str
    ref: str
    external_id: str
    message: MessageIn | None = None
    status: str | None = None  # "open" or "closed"
    outcome: str | None = None
    assignee: tuple[str, ...] = ()  # names and emails to look for among calmline's users
    customer: Contact | None = None
    skipped: str | None = None
    channel: str = "chat"
    time: datetime | None = None  # when the helpdesk changed the conversation (status events)


def _need(mapping: Any, key: str, what: str) -> Any:
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    if value is None or value == "":
        raise InputError(f"{what}: `{key}` is missing")
    return value


def _obj(value: Any) -> Mapping[str, Any]:
    """`value` when it is a JSON object, else an empty one (a helpdesk may send null)."""
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def parse_time(value: Any) -> datetime | None:
    """Unix seconds (Chatwoot's conversation data) or ISO 8601 (its message data, Zendesk's
    `_with_timestamp` placeholders), as aware UTC; None when absent or unreadable."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), UTC)
        text = str(value).strip().replace(" UTC", "+00:00")
        when = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


# -- Chatwoot -----------------------------------------------------------------------------------
def _chatwoot_contact(account: str, data: Any) -> Contact | None:
    if not isinstance(data, Mapping) or data.get("type", "contact") != "contact" or not data.get("id"):
        return None
    return Contact(f"chatwoot:{account}:contact:{data['id']}", _text(data.get("name")))


def _chatwoot_people(user: Any) -> tuple[str, ...]:
    if not isinstance(user, Mapping):
        return ()
    names = (_text(user.get(k)) for k in ("name", "available_name", "email"))
    return tuple(dict.fromkeys(n for n in names if n))


def _chatwoot_base(account: str, conversation: Any, kind: str) -> HelpdeskEvent:
    ref = str(_need(conversation, "id", f"chatwoot {kind}: the conversation"))
    meta = conversation.get("meta") or {}
    email = str(conversation.get("channel") or "") == "Channel::Email"
    return HelpdeskEvent("chatwoot", kind, ref, f"chatwoot:{account}:{ref}",
                         customer=_chatwoot_contact(account, meta.get("sender")),
                         assignee=_chatwoot_people(meta.get("assignee")),
                         channel="email" if email else "chat",
                         time=parse_time(conversation.get("updated_at")))


def _chatwoot_skip(payload: Mapping[str, Any]) -> str | None:
    """Why a `message_created` is not a customer's or an agent's words, or None when it is."""
    kind = payload.get("message_type")
    sender = _obj(payload.get("sender"))
    if payload.get("private"):
        return "private note"
    if kind not in ("incoming", "outgoing", 0, 1):
        return f"{kind or 'untyped'} message"
    if payload.get("content_type") not in _CHATWOOT_TEXT:
        return f"{payload.get('content_type')} message (a bot's or campaign's form)"
    if kind in ("outgoing", 1) and sender.get("type") not in ("user", None):
        return f"sent by {sender.get('type')} (a bot)"
    if kind in ("outgoing", 1) and not sender:
        return "sent by an automation (no agent)"
    if not _text(payload.get("content")):
        return "no text (attachments only)"
    return None


def from_chatwoot(payload: Any, account_id: int | None) -> HelpdeskEvent:
    """One Chatwoot webhook event. `account_id` is the configured account (the payload's when
    none is configured)."""
    if not isinstance(payload, Mapping):
        raise InputError("a Chatwoot event is a JSON object")
    kind = str(_need(payload, "event", "chatwoot event"))
    payload_account = (payload.get("account") or {}).get("id") if isinstance(
        payload.get("account"), Mapping) else payload.get("account_id")
    account = str(account_id or payload_account or 0)
    if kind == "message_created":
        event = _chatwoot_base(account, _need(payload, "conversation", "chatwoot message_created"),
                               kind)
        key = f"message:{_need(payload, 'id', 'chatwoot message_created')}"
        skipped = _chatwoot_skip(payload)
        if skipped:
            return replace(event, skipped=skipped, message=MessageIn(key, "", "", None, None))
        sender = _obj(payload.get("sender"))
        incoming = payload.get("message_type") in ("incoming", 0)
        message = MessageIn(key, "customer" if incoming else "agent", str(payload["content"]),
                            parse_time(payload.get("created_at")), _text(sender.get("name")))
        return replace(event, message=message)
    if kind not in ("conversation_status_changed", "conversation_updated"):
        return HelpdeskEvent("chatwoot", kind, "", "", skipped=f"{kind} is not an event calmline follows")
    event = _chatwoot_base(account, payload, kind)
    if kind == "conversation_status_changed":
        status = payload.get("status")
        if status == "resolved":
            return replace(event, status="closed", outcome="resolved")
        if status == "open":
            return replace(event, status="open")
        return replace(event, skipped=f"status {status} keeps the case as it is")
    changed = payload.get("changed_attributes") or []
    names = {k for item in changed if isinstance(item, Mapping) for k in item}
    if "assignee_id" not in names:
        return replace(event, skipped="no change calmline follows (only the assignee is)")
    return replace(event, skipped=None if event.assignee else "unassigned: the owner stays")


# -- Zendesk ------------------------------------------------------------------------------------
def _zendesk_comment_key(ticket: str, comment: Mapping[str, Any]) -> str:
    """The comment's id; failing that, a digest of what identifies it (never its text alone:
    two "ok"s from one author are told apart by their time)."""
    if str(comment.get("id") or "").isdigit():
        return f"comment:{comment['id']}"
    parts = [ticket, str(comment.get("author_id")), str(comment.get("created_at")),
             str(comment.get("body"))]
    return "comment:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def from_zendesk(payload: Any) -> HelpdeskEvent:
    """The trigger's body: the ticket (status, requester, assignee, updated time) and its latest
    public comment, when there is one."""
    ticket = _need(payload, "ticket", "zendesk event") if isinstance(payload, Mapping) else None
    if not isinstance(ticket, Mapping):
        raise InputError("a Zendesk event is a JSON object with a `ticket` object")
    ref = str(_need(ticket, "id", "zendesk ticket")).strip()
    if not ref.isdigit():
        raise InputError("zendesk ticket: `id` must be the ticket's number")
    requester = _obj(ticket.get("requester"))
    assignee = _obj(ticket.get("assignee"))
    people = tuple(dict.fromkeys(v for v in (_text(assignee.get("name")), _text(assignee.get("email")))
                                 if v))
    requester_id = _text(requester.get("id"))
    status = str(ticket.get("status") or "").strip().lower()
    event = HelpdeskEvent(
        "zendesk", "ticket", ref, f"zendesk:{ref}", assignee=people,
        customer=Contact(f"zendesk:user:{requester_id}" if requester_id else None,
                         _text(requester.get("name"))),
        status="closed" if status in _ZENDESK_OUTCOMES else "open" if status else None,
        outcome=_ZENDESK_OUTCOMES.get(status), channel="email",
        time=parse_time(ticket.get("updated_at")))
    comments = payload.get("comments") or []
    comment = comments[0] if isinstance(comments, list) and comments else payload.get("comment")
    if not isinstance(comment, Mapping) or not _text(comment.get("body")):
        return event
    author = _text(comment.get("author_id"))
    role = "customer" if author is not None and author == requester_id else "agent"
    when = parse_time(comment.get("created_at")) or parse_time(ticket.get("updated_at"))
    message = MessageIn(_zendesk_comment_key(ref, comment), role, str(comment["body"]).strip(),
                        when, _text(comment.get("author_name")))
    return replace(event, message=message)
