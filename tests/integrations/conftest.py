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
from tests.integrations.fake_helpdesk import (
    ACCOUNT,
    FakeHelpdesk,
    fake_chatwoot,
    fake_zendesk,
)

__all__ = ["migrated"]

CHATWOOT_TOKEN = "cw-token-abc"
ZENDESK_EMAIL = "calmline@example.com"
ZENDESK_TOKEN = "zd-token-xyz"


def zendesk_basic() -> str:
    """The Authorization header Zendesk documents for API tokens: `{email}/token:{token}`."""
    raw = f"{ZENDESK_EMAIL}/token:{ZENDESK_TOKEN}".encode()
    return "Basic " + base64.b64encode(raw).decode()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return build_catalogue(default_playbook())


@pytest.fixture()
def chatwoot() -> Iterator[FakeHelpdesk]:
    with fake_chatwoot().running() as fake:
        yield fake


@pytest.fixture()
def zendesk() -> Iterator[FakeHelpdesk]:
    with fake_zendesk().running() as fake:
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
