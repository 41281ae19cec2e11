"""Chatwoot's Application API, the calls calmline makes (developers.chatwoot.com/api-reference).

Every call sends the agent's access token in the `api_access_token` header. Paths are under
`/api/v1/accounts/{account_id}/`, and a conversation is named by its display id (the number in
the Chatwoot URL). Used for the actions out (private note, labels, priority), the history export
(filtered conversation list, messages) and the set-up check (profile).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from calmline.integrations.http import JsonApi

# Chatwoot's priorities, lowest first; `none` clears it
PRIORITIES = ("none", "low", "medium", "high", "urgent")


class ChatwootClient:
    """One Chatwoot account, as one agent (whose token this is)."""

    name = "chatwoot"

    def __init__(self, base_url: str, account_id: int, token: str, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.account_id = account_id
        self.api = JsonApi(base_url, headers={"api_access_token": token}, timeout=timeout,
                           transport=transport)

    def _conversation(self, conversation_id: str) -> str:
        return f"/api/v1/accounts/{self.account_id}/conversations/{conversation_id}"

    # -- actions out -------------------------------------------------------------------------
    def add_note(self, conversation_id: str, text: str) -> None:
        """A private note: only agents see it, the contact is never sent it."""
        self.api.request("POST", f"{self._conversation(conversation_id)}/messages",
                         json={"content": text, "message_type": "outgoing", "private": True})

    def add_labels(self, conversation_id: str, labels: Iterable[str]) -> None:
        """Add `labels`, keeping the ones already there: Chatwoot's call replaces the whole list,
        so the current labels are read first."""
        path = f"{self._conversation(conversation_id)}/labels"
        current = self.api.request("GET", path) or {}
        have = [str(x) for x in current.get("payload") or ()]
        wanted = list(dict.fromkeys([*have, *labels]))
        if wanted != have:
            self.api.request("POST", path, json={"labels": wanted})

    def raise_priority(self, conversation_id: str, priority: str) -> None:
        """Set the priority to at least `priority`; a higher one already set is left alone."""
        conversation = self.api.request("GET", self._conversation(conversation_id)) or {}
        current = str(conversation.get("priority") or "none")
        if PRIORITIES.index(priority) > (PRIORITIES.index(current) if current in PRIORITIES else 0):
            self.api.request("POST", f"{self._conversation(conversation_id)}/toggle_priority",
                             json={"priority": priority})

    # -- history -----------------------------------------------------------------------------
    def conversations_page(self, page: int, since: str | None) -> list[dict[str, Any]]:
        """One page (25) of the account's conversations, oldest first, created after `since`
        (YYYY-MM-DD) when given; an empty list past the last page."""
        rules = [{"attribute_key": "created_at", "filter_operator": "is_greater_than",
                  "values": [since or "1970-01-01"], "query_operator": None}]
        answer = self.api.request("POST", f"/api/v1/accounts/{self.account_id}/conversations/filter",
                                  params={"page": page, "sort_by": "created_at_asc"},
                                  json={"payload": rules}) or {}
        body = answer.get("data", answer) if isinstance(answer, dict) else {}
        return [c for c in body.get("payload") or () if isinstance(c, dict)]

    def messages_after(self, conversation_id: str, after: int) -> list[dict[str, Any]]:
        """The conversation's messages with an id above `after`, oldest first (100 at a time)."""
        answer = self.api.request("GET", f"{self._conversation(conversation_id)}/messages",
                                  params={"after": after}) or {}
        return [m for m in answer.get("payload") or () if isinstance(m, dict)]

    # -- set-up check ------------------------------------------------------------------------
    def profile(self) -> dict[str, Any]:
        """The token's user, with the accounts it belongs to."""
        return dict(self.api.request("GET", "/api/v1/profile") or {})

    def close(self) -> None:
        self.api.close()
