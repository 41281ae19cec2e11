"""A closed conversation shows its outcome, not a next move or replies to send (issue 11)."""

from __future__ import annotations

import httpx

from tests.console.conftest import Server, Watched, post_json, sign_in


def test_a_closed_case_shows_the_outcome_not_a_next_move(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Closing Agent", "role": "agent"})["key"])
    case = post_json(server, agent, "/v1/conversations", {"subject": "Broken kettle"})["id"]
    post_json(server, admin, f"/v1/conversations/{case}/messages",  # the helpdesk's customer line
              {"role": "customer", "text": "My kettle arrived broken, I want a replacement please."})
    closed = httpx.post(f"{server.url}/v1/conversations/{case}/close", json={"outcome": "resolved"},
                        headers={"Authorization": f"Bearer {agent}"}, timeout=30)
    assert closed.status_code == 200, closed.text

    page = watched.page()
    sign_in(page, agent)
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#next-move[data-ready]")
    assert page.locator("#next-move").inner_text().startswith("Closed: resolved.")
    assert "closed" in page.locator("#suggestions").inner_text()
    assert page.locator("#suggestions button.suggestion").count() == 0
    assert page.locator("#stage-h").inner_text() == "Where we are: Closed"
    watched.shot(page, "31-closed-case")
