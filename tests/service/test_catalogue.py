"""`GET /v1/catalogue`: the playbook's names for any signed-in role, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from tests.insights.test_team_names import GOING_PUBLIC, press_office_playbook
from tests.service.conftest import Api, make_api


def test_every_role_reads_the_catalogue(api: Api) -> None:
    for who in ("agent", "supervisor", "admin"):
        response = api.client.get("/v1/catalogue", headers=api.h(who))
        assert response.status_code == 200, response.text
    body = response.json()
    assert [lv["name"] for lv in body["levels"]] == ["calm", "annoyed", "frustrated", "angry", "hostile"]
    flags = {f["name"]: f for f in body["flags"]}
    assert flags["public"] == {"name": "public", "reason": "threatens to go public",
                               "route": "social_media", "danger": False, "threat": True}
    assert flags["violence"]["danger"] and flags["violence"]["route"] == "security"
    wants = {w["name"]: w for w in body["wants"]}
    assert wants["refund"]["ask"] == "a refund" and not wants["apology"]["action"]
    assert {"unmet_expectations"} <= {c["name"] for c in body["causes"]}
    assert {"delivery"} <= {a["name"] for a in body["areas"]}
    assert "social_media" in {r["name"] for r in body["routes"]}
    assert body["stages"][0] == {"id": "venting", "title": "Venting"}
    moments = {m["name"]: m for m in body["moments"]}
    assert "wellbeing" in moments["wellbeing"]["routes"] and moments["hear"]["expect"]
    assert api.client.get("/v1/catalogue").status_code == 401


def test_the_catalogue_is_in_the_openapi_document(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    ok = schema["paths"]["/v1/catalogue"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/Catalogue")
    assert {"route", "danger", "reason"} <= set(schema["components"]["schemas"]["FlagEntry"]["properties"])


@pytest.fixture
def press_office_api(migrated: dict[str, tuple[str, Engine]], tmp_path: Path) -> Iterator[Api]:
    data = press_office_playbook()
    data["semantic"]["enabled"] = False  # the fast path is enough to read these threats
    team = tmp_path / "team.yaml"
    team.write_text(yaml.safe_dump(data), encoding="utf-8")
    url, engine = migrated["sqlite"]
    yield from make_api(url, engine, playbook=str(team))


def test_a_renamed_route_is_in_the_catalogue_and_routes_going_public(press_office_api: Api) -> None:
    api = press_office_api
    body = api.client.get("/v1/catalogue", headers=api.h("agent")).json()
    assert {f["name"]: f["route"] for f in body["flags"]}["public"] == "press_office"
    routes = {r["name"] for r in body["routes"]}
    assert "press_office" in routes and "social_media" not in routes
    posted = api.say(api.conversation(), GOING_PUBLIC)
    analysis = posted["analysis"]
    assert isinstance(analysis, dict)
    assert [f["route"] for f in analysis["flags"] if f["label"] == "public"] == ["press_office"]
