"""Fake Chatwoot and Zendesk servers answering their documented endpoints, and settings for them."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from calmline.catalogue import Catalogue, build_catalogue
from calmline.playbook import default_playbook
from calmline.settings import Settings
from tests.cases.dbs import migrated  # the migrated SQLite and PostgreSQL databases (intake tests)
from tests.integrations.fake_helpdesk import FakeHelpdesk, fixture

__all__ = ["migrated"]

CHATWOOT_TOKEN = "cw-token-abc"
ZENDESK_EMAIL = "calmline@example.com"
ZENDESK_TOKEN = "zd-token-xyz"
ACCOUNT = 3
CONVERSATION = r"/api/v1/accounts/3/conversations/(?P<id>\d+)"
TICKET = r"/api/v2/tickets/(?P<id>\d+)"


def zendesk_basic() -> str:
    """The Authorization header Zendesk documents for API tokens: `{email}/token:{token}`."""
    raw = f"{ZENDESK_EMAIL}/token:{ZENDESK_TOKEN}".encode()
    return "Basic " + base64.b64encode(raw).decode()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return build_catalogue(default_playbook())


@pytest.fixture()
def chatwoot() -> Iterator[FakeHelpdesk]:
    fake = FakeHelpdesk()
    fake.route("GET", "/api/v1/profile", (200, fixture("chatwoot/fetch_user_profile.json")))
    fake.route("GET", CONVERSATION, (200, fixture("chatwoot/get_conversation_details.json")))
    fake.route("GET", CONVERSATION + "/labels", (200, fixture("chatwoot/conversation_list_labels.json")))
    fake.route("POST", CONVERSATION + "/labels",
               lambda r, m: (200, {"payload": r.body["labels"]}))
    fake.route("POST", CONVERSATION + "/messages", (200, fixture("chatwoot/create_new_message.json")))
    fake.route("POST", CONVERSATION + "/toggle_priority", (200, None))
    with fake.running():
        yield fake


@pytest.fixture()
def zendesk() -> Iterator[FakeHelpdesk]:
    fake = FakeHelpdesk()
    fake.route("GET", "/api/v2/users/me.json", (200, fixture("zendesk/show_current_user.json")))
    fake.route("GET", TICKET + r"\.json", (200, fixture("zendesk/show_ticket.json")))
    fake.route("PUT", TICKET + r"\.json", (200, fixture("zendesk/update_ticket.json")))
    fake.route("PUT", TICKET + r"/tags\.json", (200, fixture("zendesk/add_tags.json")))
    with fake.running():
        yield fake


def settings_for(chatwoot: FakeHelpdesk | None = None, zendesk: FakeHelpdesk | None = None,
                 **overrides: Any) -> Settings:
    """Settings connecting calmline to the fake servers given (nothing read from .env)."""
    values: dict[str, Any] = {}
    if chatwoot is not None:
        values.update(chatwoot_url=chatwoot.url, chatwoot_account_id=ACCOUNT,
                      chatwoot_api_token=CHATWOOT_TOKEN, chatwoot_webhook_secret="cw-hook-secret")
    if zendesk is not None:
        values.update(zendesk_url=zendesk.url, zendesk_email=ZENDESK_EMAIL,
                      zendesk_api_token=ZENDESK_TOKEN, zendesk_webhook_secret="zd-hook-secret")
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
