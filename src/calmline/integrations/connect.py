"""The helpdesk clients a deployment's settings connect: one place that reads the settings.

A helpdesk counts as connected once its URL is set; a missing account, email or token is then a
set-up mistake that `calmline integrations check` names, not a reason to stay silent.
"""

from __future__ import annotations

import httpx

from calmline.integrations.chatwoot import ChatwootClient
from calmline.integrations.zendesk import ZendeskClient
from calmline.settings import Settings

HELPDESKS = ("chatwoot", "zendesk")


def chatwoot_client(settings: Settings, *, transport: httpx.BaseTransport | None = None
                    ) -> ChatwootClient | None:
    if not settings.chatwoot_url:
        return None
    return ChatwootClient(settings.chatwoot_url, settings.chatwoot_account_id or 0,
                          settings.chatwoot_api_token.get_secret_value(),
                          timeout=settings.helpdesk_timeout_seconds, transport=transport)


def zendesk_client(settings: Settings, *, transport: httpx.BaseTransport | None = None
                   ) -> ZendeskClient | None:
    if not settings.zendesk_url:
        return None
    return ZendeskClient(settings.zendesk_url, settings.zendesk_email,
                         settings.zendesk_api_token.get_secret_value(),
                         timeout=settings.helpdesk_timeout_seconds, transport=transport)


def connected_clients(settings: Settings, *, transport: httpx.BaseTransport | None = None
                      ) -> dict[str, ChatwootClient | ZendeskClient]:
    """Name → client for every helpdesk whose URL is set."""
    clients: dict[str, ChatwootClient | ZendeskClient] = {}
    chatwoot = chatwoot_client(settings, transport=transport)
    if chatwoot is not None:
        clients["chatwoot"] = chatwoot
    zendesk = zendesk_client(settings, transport=transport)
    if zendesk is not None:
        clients["zendesk"] = zendesk
    return clients


def missing_settings(settings: Settings, helpdesk: str) -> list[str]:
    """The variables a connected `helpdesk` still needs before any call can succeed."""
    needed: list[tuple[str, object]]
    if helpdesk == "chatwoot":
        needed = [("CALMLINE_CHATWOOT_URL", settings.chatwoot_url),
                  ("CALMLINE_CHATWOOT_ACCOUNT_ID", settings.chatwoot_account_id),
                  ("CALMLINE_CHATWOOT_API_TOKEN", settings.chatwoot_api_token.get_secret_value())]
    else:
        needed = [("CALMLINE_ZENDESK_URL", settings.zendesk_url),
                  ("CALMLINE_ZENDESK_EMAIL", settings.zendesk_email),
                  ("CALMLINE_ZENDESK_API_TOKEN", settings.zendesk_api_token.get_secret_value())]
    return [env for env, value in needed if not value]
