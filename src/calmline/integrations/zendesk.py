"""Zendesk's Ticketing API, the calls calmline makes (developer.zendesk.com/api-reference).

Auth is an API token: HTTP basic with `{email}/token` as the user and the token as the password.
Used for the actions out (internal note, tags, priority), the history export (cursor-based
incremental ticket export, then each ticket's comments) and the set-up check (users/me).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from calmline.integrations.http import JsonApi

# Zendesk's priorities, lowest first (a ticket may have none)
PRIORITIES = ("", "low", "normal", "high", "urgent")
# calmline asks for `high` or `urgent`; Chatwoot and Zendesk spell those the same


class ZendeskClient:
    """One Zendesk account, as one agent (the token's email)."""

    name = "zendesk"

    def __init__(self, base_url: str, email: str, token: str, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.api = JsonApi(base_url, auth=(f"{email}/token", token), timeout=timeout,
                           transport=transport)

    # -- actions out -------------------------------------------------------------------------
    def add_note(self, ticket_id: str, text: str) -> None:
        """An internal note: a private comment only agents see."""
        self.api.request("PUT", f"/api/v2/tickets/{ticket_id}.json",
                         json={"ticket": {"comment": {"body": text, "public": False}}})

    def add_labels(self, ticket_id: str, labels: Iterable[str]) -> None:
        """Add tags, keeping the ticket's others (the Tags API's PUT adds; POST would replace)."""
        self.api.request("PUT", f"/api/v2/tickets/{ticket_id}/tags.json", json={"tags": list(labels)})

    def raise_priority(self, ticket_id: str, priority: str) -> None:
        """Set the priority to at least `priority`; a higher one already set is left alone."""
        answer = self.api.request("GET", f"/api/v2/tickets/{ticket_id}.json") or {}
        current = str((answer.get("ticket") or {}).get("priority") or "")
        if PRIORITIES.index(priority) > (PRIORITIES.index(current) if current in PRIORITIES else 0):
            self.api.request("PUT", f"/api/v2/tickets/{ticket_id}.json",
                             json={"ticket": {"priority": priority}})

    # -- history -----------------------------------------------------------------------------
    def tickets_page(self, *, cursor: str | None, start_time: int) -> dict[str, Any]:
        """One page of the incremental ticket export: `tickets`, `after_cursor`, `end_of_stream`.
        The first page starts at `start_time` (Unix seconds); later ones at the previous
        page's `after_cursor`."""
        params: dict[str, Any] = {"cursor": cursor} if cursor else {"start_time": start_time}
        params["exclude_deleted"] = "true"
        return dict(self.api.request("GET", "/api/v2/incremental/tickets/cursor.json",
                                     params=params) or {})

    def comments(self, ticket_id: str) -> Iterator[dict[str, Any]]:
        """Every comment of the ticket, oldest first (cursor pagination, 100 a page)."""
        params: dict[str, Any] = {"page[size]": 100}
        while True:
            answer = self.api.request("GET", f"/api/v2/tickets/{ticket_id}/comments.json",
                                      params=params) or {}
            yield from (c for c in answer.get("comments") or () if isinstance(c, dict))
            meta = answer.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return
            params = {"page[size]": 100, "page[after]": meta["after_cursor"]}

    # -- set-up check ------------------------------------------------------------------------
    def me(self) -> dict[str, Any]:
        """The token's user (`id` None and role end-user when Zendesk did not recognise it)."""
        return dict((self.api.request("GET", "/api/v2/users/me.json") or {}).get("user") or {})

    def close(self) -> None:
        self.api.close()
