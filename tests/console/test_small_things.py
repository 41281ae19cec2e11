"""Small things that cost trust (issue 14): a draft survives a reload, a reload does not review
every sent reply again, a toast never covers the header's buttons, and a conversation nobody has
yet is not said to belong to another agent."""

from __future__ import annotations

import json

from playwright import sync_api

from tests.console.conftest import Server, Watched, post_json, sign_in


def _case(server: Server, name: str) -> tuple[str, int]:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": name, "role": "agent"})["key"])
    case = int(post_json(server, agent, "/v1/conversations", {"subject": "Late parcel"})["id"])  # type: ignore[arg-type]
    post_json(server, admin, f"/v1/conversations/{case}/messages",
              {"role": "customer", "text": "Where is my parcel 48213? It is a week late!"})
    post_json(server, agent, f"/v1/conversations/{case}/messages",
              {"role": "agent", "text": "I'm sorry it's late. Let me check with the courier."})
    post_json(server, admin, f"/v1/conversations/{case}/messages",
              {"role": "customer", "text": "Still nothing. This is ridiculous."})
    post_json(server, agent, f"/v1/conversations/{case}/messages",
              {"role": "agent", "text": "I understand. I will call you tomorrow at 10am with news."})
    return agent, case


def _sent_reviews(requests: list[sync_api.Request]) -> int:
    """Reviews of sent replies: the ones that carry the conversation inline."""
    return sum(1 for r in requests if r.url.endswith("/v1/reviews") and r.method == "POST"
               and "conversation" in json.loads(r.post_data or "{}"))


def test_a_draft_survives_a_reload_and_sent_replies_are_reviewed_once(server: Server,
                                                                       watched: Watched) -> None:
    agent, case = _case(server, "Draft Keeper")
    page = watched.page()
    sign_in(page, agent)
    requests: list[sync_api.Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_timeout(1500)  # the sent replies' reviews come back
    first = _sent_reviews(requests)
    assert first == 2
    page.fill("#draft", "I'm so sorry, let me sort this out for you right now.")
    page.wait_for_timeout(400)
    requests.clear()
    page.reload()
    page.wait_for_selector("body[data-ready]")
    page.wait_for_timeout(1500)
    assert page.input_value("#draft") == "I'm so sorry, let me sort this out for you right now."
    assert _sent_reviews(requests) == 0  # kept from the first load
    watched.shot(page, "40-draft-after-reload")


def test_a_toast_never_covers_the_header_buttons(server: Server, watched: Watched) -> None:
    agent, _ = _case(server, "Toast Reader")
    page = watched.page()
    sign_in(page, agent)
    page.goto("/console/")
    page.wait_for_selector("body[data-ready]")
    page.evaluate("import('/console/static/common.js').then((m) => m.toast('Saved, and a rather long "
                  "message that would cover things'))")
    toast = page.wait_for_selector(".toast")
    box = toast.bounding_box()
    assert box is not None
    for button in page.query_selector_all("header button, header a, #new-conversation"):
        other = button.bounding_box()
        if other is None or not button.is_visible():
            continue
        apart = (box["x"] >= other["x"] + other["width"] or other["x"] >= box["x"] + box["width"]
                 or box["y"] >= other["y"] + other["height"] or other["y"] >= box["y"] + box["height"])
        assert apart, f"the toast covers {button.inner_text()!r}"
    watched.shot(page, "41-toast")


def test_an_unassigned_conversation_says_nobody_has_it(server: Server, watched: Watched) -> None:
    """A case opened by an integration with no agent read "belongs to another agent" to the admin
    looking at it. Routing gives a new case to an agent whenever one is free, so the page is
    shown the case as the API gives an unassigned one (agent_id null)."""
    admin = server.admin_key()
    assert admin
    case = int(post_json(server, admin, "/v1/conversations", {"subject": "Unassigned"})["id"])  # type: ignore[arg-type]
    post_json(server, admin, f"/v1/conversations/{case}/messages",
              {"role": "customer", "text": "Is anyone there? My order 55120 never came."})
    page = watched.page()

    def unassigned(route):  # type: ignore[no-untyped-def]
        response = route.fetch()
        body = response.json()
        body["agent_id"] = None
        route.fulfill(response=response, body=json.dumps(body))

    page.route(f"**/v1/conversations/{case}", unassigned)
    sign_in(page, admin)
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    banner = page.locator(".banner.readonly").inner_text()
    assert "no agent has this conversation yet" in banner and "another agent" not in banner
    watched.shot(page, "41-unassigned-readonly")
