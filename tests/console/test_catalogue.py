"""The console takes its label words from `GET /v1/catalogue`, not from a copy in its scripts."""

from __future__ import annotations

import json

from tests.console.conftest import Server, Watched, post_json, sign_in


def test_a_want_is_worded_as_the_catalogue_says(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Catalogue Agent", "role": "agent"})["key"])
    case = post_json(server, agent, "/v1/conversations", {"subject": "Refund"})["id"]
    post_json(server, admin, f"/v1/conversations/{case}/messages",  # the helpdesk's customer line
          {"role": "customer", "text": "The kettle broke on day two. I want a refund."})

    page = watched.page()
    fetched: list[str] = []

    def reword(route):  # type: ignore[no-untyped-def]
        # a team's wording of the refund want, as its playbook would serve it
        fetched.append(route.request.url)
        response = route.fetch()
        body = response.json()
        for want in body["wants"]:
            if want["name"] == "refund":
                want["ask"] = "your money back"
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/v1/catalogue", reword)
    sign_in(page, agent)
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    page.click("#wants .chip:has-text('refund')")
    assert "would like your money back" in page.input_value("#draft")
    assert len(fetched) == 1  # fetched once for the page
