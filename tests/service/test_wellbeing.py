"""Take a breather (PLAYBOOK §6): thresholds come from the playbook, routing and the queue respect them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from calmline.errors import InputError
from calmline.playbook import load_playbook
from calmline.service.app import policy_from
from calmline.settings import Settings
from tests.cases.dbs import BACKENDS
from tests.service.conftest import Api, make_api

HOSTILE = "You are a pathetic useless idiot, this is the WORST service ever!!!"


def test_thresholds_come_from_the_playbook_and_settings_override_them(tmp_path: Path) -> None:
    bundled = load_playbook()
    policy = policy_from(Settings(), bundled)
    assert (policy.breather, policy.overload) == (bundled.wellbeing.breather, bundled.wellbeing.overload)
    data = yaml.safe_load((Path(__file__).parents[2] / "src/calmline/playbook/default.yaml").read_text())
    data["wellbeing"] = {"breather": 0.5, "overload": 0.8, "half_life_minutes": 5}
    team = tmp_path / "team.yaml"
    team.write_text(yaml.safe_dump(data))
    policy = policy_from(Settings(), load_playbook(team))
    assert (policy.breather, policy.overload, policy.half_life.total_seconds()) == (0.5, 0.8, 300)
    assert policy_from(Settings(breather_threshold=0.7), load_playbook(team)).breather == 0.7
    with pytest.raises(InputError):
        policy_from(Settings(breather_threshold=9.0), load_playbook(team))  # above the overload


@pytest.fixture(params=BACKENDS)
def touchy(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated[request.param]
    yield from make_api(url, engine, breather_threshold=1.0, overload_threshold=1.5)


def test_breather_is_shown_and_routing_skips_the_agent(touchy: Api) -> None:
    api = touchy
    conv = api.conversation("agent")
    for _ in range(3):
        api.say(conv, HOSTILE, suggestions="false")
    load = api.client.get(f"/v1/agents/{api.ids['agent']}/load", headers=api.h("agent")).json()
    assert load["breather"] and load["overloaded"] and load["abuse_total"] >= 1
    assert load["thresholds"]["breather"] == 1.0 and "breather" in load["advice"].lower()
    queue = api.client.get("/v1/supervisor/queue", headers=api.h("supervisor")).json()
    assert [a["agent_id"] for a in queue["overloaded"]] == [api.ids["agent"]]
    for _ in range(3):  # the supervisor opens cases without naming an owner: routing picks
        made = api.client.post("/v1/conversations", json={}, headers=api.h("supervisor")).json()
        case = api.client.get(f"/v1/conversations/{made['id']}", headers=api.h("supervisor")).json()
        assert case["agent_id"] == api.ids["other"]
    calm = api.client.get(f"/v1/agents/{api.ids['other']}/load", headers=api.h("supervisor")).json()
    assert calm["load"] == 0 and not calm["breather"]
