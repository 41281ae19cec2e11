"""The copilot beside the helpdesk's composer (issue 13.3): the panel page, its framing rules, and
the lookup of calmline's case by the helpdesk's id.

The browser half loads the panel inside host pages served from another origin that play
Chatwoot's part (a dashboard app's `appContext` by postMessage) and Zendesk's (the Apps framework
client: get / on / invoke / request through a proxy that fills in the secure setting).
Screenshots: test-artifacts/panel-chatwoot.png and test-artifacts/panel-zendesk.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from calmline.service.headers import ZAF_SDK
from tests.security.test_headers import PAGES, _csp, _Inline
from tests.service.conftest import Api, api, make_api, migrated, sqlite_api

__all__ = ["api", "migrated", "sqlite_api"]
HELPDESKS = "https://acme.zendesk.com https://chat.example.org"


@pytest.fixture
def framed(migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated["sqlite"]
    yield from make_api(url, engine, frame_ancestors=HELPDESKS)


def test_only_the_panel_may_be_framed_and_only_by_the_helpdesks(framed: Api) -> None:
    panel = framed.client.get("/console/panel?host=chatwoot")
    assert panel.status_code == 200
    assert _csp(panel)["frame-ancestors"] == HELPDESKS
    assert "x-frame-options" not in panel.headers  # it cannot name two origins
    others = {path: framed.client.get(path) for path in [*PAGES, "/console/static/panel.js"]}
    others["/v1/me"] = framed.client.get("/v1/me", headers=framed.h("agent"))
    for path, response in others.items():
        assert _csp(response)["frame-ancestors"] == "'none'", path
        assert response.headers["x-frame-options"] == "DENY", path


def test_the_panel_runs_zendesks_sdk_only_in_zendesk_and_nothing_inline(sqlite_api: Api) -> None:
    zendesk = sqlite_api.client.get("/console/panel?host=zendesk")
    chatwoot = sqlite_api.client.get("/console/panel?host=chatwoot")
    assert f'<script src="{ZAF_SDK}">' in zendesk.text
    assert "zdassets" not in chatwoot.text
    assert _csp(zendesk)["script-src"] == "'self' https://static.zdassets.com"
    for response in (zendesk, chatwoot):
        parser = _Inline()
        parser.feed(response.text)
        assert parser.found == []
        assert _csp(response)["style-src"] == "'self'"


def test_an_unknown_host_is_a_clear_error(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/console/panel?host=intercom")
    assert response.status_code == 422
    assert set(response.json()["error"]) >= {"code", "message", "detail"}


def test_a_case_is_found_by_its_helpdesk_id_under_v1s_rules(api: Api) -> None:
    made = api.client.post("/v1/conversations", headers=api.h("supervisor"),
                           json={"external_id": "zendesk:4242", "agent_id": api.ids["agent"]})
    assert made.status_code == 201, made.text
    api.client.post("/v1/conversations", headers=api.h("supervisor"),
                    json={"external_id": "zendesk:42", "agent_id": api.ids["agent"]})

    def found(who: str, external_id: str) -> list[int]:
        response = api.client.get("/v1/conversations", params={"external_id": external_id},
                                  headers=api.h(who))
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()]

    case = made.json()["id"]
    assert found("agent", "zendesk:4242") == [case]
    assert found("supervisor", "zendesk:4242") == [case]
    assert found("other", "zendesk:4242") == []  # another agent's case stays out of sight
    assert found("agent", "zendesk:424") == []  # the whole id, never a prefix
    assert found("agent", "chatwoot:1:4242") == []


@pytest.mark.parametrize("bad", ["", "zendesk:1\x00", "x" * 201])
def test_a_bad_helpdesk_id_is_a_clear_error(sqlite_api: Api, bad: str) -> None:
    response = sqlite_api.client.get("/v1/conversations", params={"external_id": bad},
                                     headers=sqlite_api.h("agent"))
    assert response.status_code == 422
    assert response.json()["error"]["code"]
