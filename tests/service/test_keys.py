"""Key lifecycle over the API, on SQLite and PostgreSQL: list, rotate, deactivate, /me."""

from __future__ import annotations

from tests.service.conftest import Api


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _audit(api: Api, user_id: int) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = api.client.get(
        "/v1/audit", params={"entity": "agent", "entity_id": user_id}, headers=api.h("admin")).json()
    return entries


def test_me_answers_every_role(api: Api) -> None:
    for who in ("agent", "supervisor", "admin"):
        me = api.client.get("/v1/me", headers=api.h(who))
        assert me.status_code == 200
        assert me.json() == {"id": api.ids[who], "name": who, "role": who}
    assert api.client.get("/v1/me").status_code == 401


def test_rotated_key_works_and_the_old_one_is_refused_at_once(api: Api) -> None:
    old = api.keys["agent"]
    assert api.client.get("/v1/me", headers=_bearer(old)).status_code == 200  # now cached
    rotated = api.client.post(f"/v1/users/{api.ids['agent']}/rotate-key", headers=api.h("admin"))
    assert rotated.status_code == 200
    body = rotated.json()
    assert set(body) == {"id", "key"} and body["id"] == api.ids["agent"] and body["key"] != old
    refused = api.client.get("/v1/me", headers=_bearer(old))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert api.client.get("/v1/me", headers=_bearer(body["key"])).json()["name"] == "agent"
    entries = _audit(api, api.ids["agent"])
    assert entries[-1]["action"] == "key_rotated" and entries[-1]["actor_id"] == api.ids["admin"]
    assert old not in str(entries) and body["key"] not in str(entries)


def test_deactivated_user_is_refused_at_once(api: Api) -> None:
    conv = api.conversation("other")
    assert api.client.get(f"/v1/conversations/{conv}", headers=api.h("other")).status_code == 200
    done = api.client.post(f"/v1/users/{api.ids['other']}/deactivate", headers=api.h("admin"))
    assert done.status_code == 200
    assert done.json()["active"] is False and "key" not in done.json()
    assert api.client.get(f"/v1/conversations/{conv}", headers=api.h("other")).status_code == 401
    again = api.client.post(f"/v1/users/{api.ids['other']}/deactivate", headers=api.h("admin"))
    assert again.status_code == 200  # idempotent, and no second audit entry
    assert [e["action"] for e in _audit(api, api.ids["other"])] == ["created", "deactivated"]
    no_key = api.client.post(f"/v1/users/{api.ids['other']}/rotate-key", headers=api.h("admin"))
    assert no_key.status_code == 409
    # routing skips a deactivated agent
    for _ in range(3):
        made = api.client.post("/v1/conversations", json={}, headers=api.h("supervisor")).json()["id"]
        owner = api.client.get(f"/v1/conversations/{made}", headers=api.h("supervisor")).json()
        assert owner["agent_id"] == api.ids["agent"]


def test_only_admins_manage_keys(api: Api) -> None:
    target = api.ids["agent"]
    for who in ("agent", "supervisor"):
        for method, path in (("GET", "/v1/users"), ("POST", f"/v1/users/{target}/rotate-key"),
                             ("POST", f"/v1/users/{target}/deactivate")):
            response = api.client.request(method, path, headers=api.h(who))
            assert response.status_code == 403, (who, path)
            assert response.json()["error"]["code"] == "forbidden"
    assert api.client.get("/v1/me", headers=api.h("agent")).status_code == 200  # nothing changed
    assert [e["action"] for e in _audit(api, target)] == ["created"]


def test_unknown_ids_are_404_json(api: Api) -> None:
    for path in ("/v1/users/999999/rotate-key", "/v1/users/999999/deactivate"):
        response = api.client.post(path, headers=api.h("admin"))
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert api.client.post("/v1/users/0/deactivate", headers=api.h("admin")).status_code == 422
    assert api.client.post("/v1/users/abc/rotate-key", headers=api.h("admin")).status_code == 422


def test_users_list_never_shows_key_material(api: Api) -> None:
    api.client.post(f"/v1/users/{api.ids['other']}/deactivate", headers=api.h("admin"))
    listed = api.client.get("/v1/users", headers=api.h("admin"))
    assert listed.status_code == 200
    users = listed.json()
    assert [(u["name"], u["role"], u["active"]) for u in users] == [
        ("agent", "agent", True), ("other", "agent", False), ("supervisor", "supervisor", True),
        ("admin", "admin", True)]
    assert all(set(u) == {"id", "name", "role", "active", "created_at"} for u in users)
    text = listed.text
    assert "cl_" not in text and "hash" not in text
    assert not any(key in text for key in api.keys.values())


def test_the_last_admin_cannot_be_deactivated(api: Api) -> None:
    alone = api.client.post(f"/v1/users/{api.ids['admin']}/deactivate", headers=api.h("admin"))
    assert alone.status_code == 409 and "last active admin" in alone.json()["error"]["message"]
    second = api.client.post("/v1/users", json={"name": "ada", "role": "admin"}, headers=api.h("admin"))
    ada = _bearer(second.json()["key"])
    done = api.client.post(f"/v1/users/{api.ids['admin']}/deactivate", headers=ada)
    assert done.status_code == 200
    assert api.client.get("/v1/me", headers=api.h("admin")).status_code == 401
    assert api.client.get("/v1/me", headers=ada).json()["name"] == "ada"


def test_a_rotation_forgets_the_key_in_this_process_only_for_that_user(api: Api) -> None:
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    for who in ("agent", "supervisor"):
        api.client.get("/v1/me", headers=api.h(who))
    api.client.post(f"/v1/users/{api.ids['agent']}/rotate-key", headers=api.h("admin"))
    cached = {user.id for user, _expiry in state.known_keys.values()}
    assert api.ids["agent"] not in cached and api.ids["supervisor"] in cached
