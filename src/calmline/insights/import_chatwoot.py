"""History from Chatwoot for insights: the account's conversations and their messages, written as
calmline's interchange JSONL (one conversation a line) that `calmline insights` reads on the
local or the Dask engine.

Conversations come from the documented filter call (`POST .../conversations/filter`, created
after the start date, oldest first, 25 a page); messages from `GET .../messages?after=ID`
(100 at a time, oldest first). Incoming messages are the customer's, outgoing ones the agent's;
private notes, activity lines, templates (CSAT) and bot messages are left out. The contact is the
customer, so insights sees who comes back. The page number is saved after each page:
`--resume` continues there after an interruption.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from calmline.integrations.chatwoot import ChatwootClient
from calmline.integrations.resume import ResumableExport
from calmline.integrations.retry import RetryPolicy, retrying

INCOMING, OUTGOING = 0, 1  # Chatwoot's message_type: 2 activity, 3 template
CHANNELS = {"Channel::Email": "email", "Channel::Voice": "call", "Channel::TwitterProfile": "social",
            "Channel::FacebookPage": "social", "Channel::Instagram": "social"}
Progress = Callable[[int, int | None], None]  # (conversations just written, total when known)


def _time(value: Any) -> str | None:
    try:
        return datetime.fromtimestamp(int(value), UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _is_bot(message: dict[str, Any]) -> bool:
    sender = message.get("sender") or {}
    return message.get("sender_type") == "AgentBot" or sender.get("type") == "agent_bot"


def to_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """One Chatwoot message as an interchange message; None for what insights must not read."""
    kind, text = message.get("message_type"), str(message.get("content") or "").strip()
    if message.get("private") or kind not in (INCOMING, OUTGOING) or not text or _is_bot(message):
        return None
    sender = message.get("sender") or {}
    out: dict[str, Any] = {"role": "customer" if kind == INCOMING else "agent", "text": text,
                           "time": _time(message.get("created_at"))}
    if kind == OUTGOING and sender.get("id") is not None:
        out["author"] = str(sender["id"])
    return out


def to_conversation(conversation: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    meta = conversation.get("meta") or {}
    contact = (meta.get("sender") or {}).get("id")
    converted = [m for m in map(to_message, messages) if m is not None]
    return {"id": f"chatwoot-{conversation['id']}",
            "customer": f"chatwoot-contact-{contact}" if contact is not None else None,
            "channel": CHANNELS.get(str(meta.get("channel")), "chat"), "messages": converted}


def all_messages(client: ChatwootClient, conversation_id: str, policy: RetryPolicy) -> list[dict[str, Any]]:
    """Every message, oldest first; stops when a page brings nothing new (an older Chatwoot that
    ignores `after` answers the same page again)."""
    messages: list[dict[str, Any]] = []
    after = 0
    while True:
        page = retrying(partial(client.messages_after, conversation_id, after), policy)
        fresh = [m for m in page if int(m.get("id") or 0) > after]
        if not fresh:
            return messages
        messages.extend(fresh)
        after = max(int(m["id"]) for m in fresh)


def export_chatwoot(client: ChatwootClient, export: ResumableExport, *, since: date | None = None,
                    progress: Progress = lambda n, total: None,
                    policy: RetryPolicy | None = None) -> int:
    """Write every conversation created after `since`; the number written this run."""
    policy = policy or RetryPolicy(tries=5, base=1.0, cap=120.0)
    page, written = int(export.position.get("page", 1)), 0
    since_text = since.isoformat() if since else None
    while True:
        conversations = retrying(partial(client.conversations_page, page, since_text), policy)
        if not conversations:
            export.save({"page": page}, finished=True)
            return written
        for conversation in conversations:
            key = f"chatwoot-{conversation.get('id')}"
            if conversation.get("id") is None or export.has(key):
                continue
            record = to_conversation(conversation, all_messages(client, str(conversation["id"]), policy))
            if record["messages"]:
                export.write(record)
                written += 1
            progress(1, None)
        page += 1
        export.save({"page": page})
