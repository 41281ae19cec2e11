"""The live queue in a real browser ranks by the case, not its last message (issue 9.4): a hostile
manager request followed by "Hello?? Is anyone there?" stays first, above a calm case, with one
supervisor escalation carrying both of its reasons."""

from __future__ import annotations

import re

from tests.console.conftest import Server, Watched, post_json, sign_in


def test_queue_puts_the_abusive_case_first(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Queue Agent", "role": "agent"})["key"])
    lead = str(post_json(server, admin, "/v1/users", {"name": "Queue Lead", "role": "supervisor"})["key"])
    calm = post_json(server, agent, "/v1/conversations", {"subject": "Shipping question"})["id"]
    post_json(server, lead, f"/v1/conversations/{calm}/messages",  # customer lines: the helpdesk's
          {"role": "customer", "text": "Hi, could you tell me when my order ships?"})
    abusive = post_json(server, agent, "/v1/conversations", {"subject": "Wants a manager"})["id"]
    for text in ("You people are useless… I want your manager RIGHT NOW", "Hello?? Is anyone there?"):
        post_json(server, lead, f"/v1/conversations/{abusive}/messages", {"role": "customer", "text": text})

    page = watched.page()
    sign_in(page, lead)
    page.goto("/console/queue")
    page.wait_for_selector("body[data-ready]")
    first = page.locator("#hottest li[data-conversation]").first
    assert first.get_attribute("data-conversation") == str(abusive)
    text = first.inner_text()
    assert "escalated" in text and "peak hostile" in text and "open:" in text
    assert "manager" in text and "cooling" not in text
    pill = first.locator(".level-pill")
    assert re.search(r"lv-(angry|hostile)", pill.get_attribute("class") or "")
    paged = page.locator(f"#escalations li[data-conversation='{abusive}']")
    assert paged.count() == 1
    assert "abuse + manager" in paged.inner_text()
    watched.shot(page, "20-queue-case-reading")
