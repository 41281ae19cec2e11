"""The names beside the ids (`GET /v1/people`) and the console's helper API obey /v1's rules: an
agent sees the names on their own conversations only, never the team's size; what /v1 answers,
the console asks /v1 for; every console route documents its error answers."""

from __future__ import annotations

import pytest

from tests.service.conftest import Api, api, migrated

__all__ = ["api", "migrated"]


def _case(api: Api, who: str, customer: str) -> tuple[int, int]:
    made = api.client.post("/v1/conversations", json={"customer": {"name": customer}},
                           headers=api.h(who))
    assert made.status_code == 201, made.text
    case = api.client.get(f"/v1/conversations/{made.json()['id']}", headers=api.h(who)).json()
    return int(case["id"]), int(case["customer_id"])


def _people(api: Api, who: str, customers: list[int]) -> dict[str, dict[str, object]]:
    response = api.client.get("/v1/people",
                              params={"customers": ",".join(map(str, customers))}, headers=api.h(who))
    assert response.status_code == 200, response.text
    found: dict[str, dict[str, object]] = response.json()
    return found


def test_an_agent_gets_only_the_names_on_their_own_conversations(api: Api) -> None:
    _mine, mina = _case(api, "agent", "Mina Park")
    _theirs, olu = _case(api, "other", "Olu Ade")
    seen = _people(api, "agent", [mina, olu, 999_999])
    assert seen["customers"] == {str(mina): "Mina Park"}  # another agent's customer: left out
    assert seen["agents"] == {str(api.ids["agent"]): {"name": "agent"}}  # no team roster, no roles


def test_an_agent_sees_who_owns_a_follow_up_on_their_conversation(api: Api) -> None:
    conv, _customer = _case(api, "agent", "Mina Park")
    made = api.client.post(f"/v1/conversations/{conv}/followups",
                           json={"what": "Approve the refund", "owner_id": api.ids["supervisor"]},
                           headers=api.h("supervisor"))
    assert made.status_code == 201, made.text
    agents = _people(api, "agent", [])["agents"]
    assert set(agents) == {str(api.ids["agent"]), str(api.ids["supervisor"])}
    assert str(api.ids["admin"]) not in _people(api, "other", [])["agents"]


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisors_see_every_name_as_they_see_every_case(api: Api, who: str) -> None:
    _mine, mina = _case(api, "agent", "Mina Park")
    _theirs, olu = _case(api, "other", "Olu Ade")
    seen = _people(api, who, [mina, olu])
    assert seen["customers"] == {str(mina): "Mina Park", str(olu): "Olu Ade"}
    assert {int(i) for i in seen["agents"]} == set(api.ids.values())
    assert all(set(person) == {"name"} for person in seen["agents"].values())


def test_the_store_state_tells_no_one_how_many_cases_there_are(api: Api) -> None:
    for who in ("agent", "supervisor", "admin"):
        state = api.client.get("/console/api/state", headers=api.h(who)).json()
        assert state == {"empty": True, "can_seed": who == "admin"}
    _case(api, "other", "Olu Ade")
    state = api.client.get("/console/api/state", headers=api.h("agent")).json()
    assert state == {"empty": False, "can_seed": False}


def test_who_a_key_is_comes_from_v1_only(api: Api) -> None:
    assert api.client.get("/console/api/me", headers=api.h("agent")).status_code == 404
    me = api.client.get("/v1/me", headers=api.h("agent")).json()
    assert me == {"id": api.ids["agent"], "name": "agent", "role": "agent"}


def test_assist_and_confirm_refuse_other_agents_cases(api: Api) -> None:
    theirs, _customer = _case(api, "other", "Olu Ade")
    assist = api.client.get(f"/v1/conversations/{theirs}/assist", headers=api.h("agent"))
    assert assist.status_code == 403 and assist.json()["error"]["code"] == "forbidden"
    posted = api.say(theirs, "I will call you back tomorrow at 10am.", role="agent", who="other")
    followup = posted["followups"][0]["id"]  # type: ignore[index]
    confirm = api.client.post(f"/v1/followups/{followup}/confirm",
                              json={"what": "Call back"}, headers=api.h("agent"))
    assert confirm.status_code == 403
    assert api.client.get("/v1/people", headers=api.h("agent"),
                          params={"customers": "1,x"}).status_code == 422


def test_the_openapi_document_lists_the_console_routes_error_answers(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    console = {path: ops for path, ops in paths.items() if path.startswith("/console/api/")}
    assert len(console) >= 4 and "/console/api/me" not in console
    assert not {"/console/api/people", "/console/api/conversations/{conversation_id}/assist",
                "/console/api/followups/{followup_id}/confirm"} & set(console)  # /v1's now
    for path, operations in console.items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "403", "404", "409", "422"} <= documented, (method, path, documented)
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}
