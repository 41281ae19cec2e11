"""The supervisor's desk in a real browser (issue 14.2): the queue names the agent, the wait and
why the case is hot; the lead whispers to the agent (who sees it, the customer record does not),
takes the escalated case over, then hands it to another agent."""

from __future__ import annotations

import httpx

from tests.console.conftest import ARTIFACTS, Server, Watched, post_json, sign_in

MANAGER = "You people are useless… I want your manager RIGHT NOW"
WHISPER = "Offer the refund now, I approve it."


def _case(server: Server, key: str, conv: int) -> dict[str, object]:
    response = httpx.get(f"{server.url}/v1/conversations/{conv}",
                         headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def test_a_lead_whispers_takes_over_and_reassigns(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Desk Agent", "role": "agent"})["key"])
    spare = post_json(server, admin, "/v1/users", {"name": "Spare Agent", "role": "agent"})
    lead = str(post_json(server, admin, "/v1/users", {"name": "Desk Lead", "role": "supervisor"})["key"])
    conv = post_json(server, agent, "/v1/conversations", {
        "subject": "Broken blender", "customer": {"external_id": "desk-1", "name": "Rae Quinn"}})["id"]
    post_json(server, lead, f"/v1/conversations/{conv}/messages", {"role": "customer", "text": MANAGER})

    page = watched.page()
    sign_in(page, lead)
    page.goto("/console/queue")
    page.wait_for_selector("body[data-ready]")
    paged = page.locator(f"#escalations li[data-conversation='{conv}']")
    text = paged.inner_text()
    assert "Desk Agent" in text and "waiting" in text and "Rae Quinn" in text
    assert "escalated to supervisor" in text and "manager" in text
    page.screenshot(path=str(ARTIFACTS.parent / "supervisor-queue.png"), full_page=True)

    page.goto(f"/console/conversations/{conv}")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#desk-card:not([hidden])")
    assert page.locator("#composer").is_hidden()  # someone else's case: read-only until taken over
    page.fill("#whisper-text", WHISPER)
    page.click("#whisper-btn")
    page.wait_for_selector(f"#whispers li:has-text('{WHISPER}')")
    page.wait_for_selector("#toasts .toast", state="detached")  # the screenshot shows the page
    page.screenshot(path=str(ARTIFACTS.parent / "supervisor-desk.png"), full_page=True)

    agent_page = watched.page(new_context=True)
    sign_in(agent_page, agent)
    agent_page.goto(f"/console/conversations/{conv}")
    agent_page.wait_for_selector("body[data-ready]")
    agent_page.wait_for_selector(f"#whispers-card:not([hidden]) li:has-text('{WHISPER}')")
    assert agent_page.locator("#desk-card").is_hidden()
    assert WHISPER not in agent_page.inner_text("#chat")  # never part of the conversation
    watched.shot(agent_page, "30-desk-agent-sees-whisper")

    page.click("#take-over")
    page.wait_for_selector("#composer:not([hidden])")
    page.wait_for_selector("#conv-escalations li:has-text('acknowledged')")
    assert page.locator("#take-over").is_hidden()
    # the agent's open page says the case left them (its next poll is refused) and stops asking
    agent_page.wait_for_selector("#banners .banner:has-text('no longer yours')", timeout=15_000)
    assert agent_page.locator("#composer").is_hidden()
    agent_page.close()
    # the refused polls of the page the case left are expected; nothing else may have failed
    watched.errors[:] = [e for e in watched.errors if "status of 403" not in e]
    lead_id = httpx.get(f"{server.url}/v1/me", headers={"Authorization": f"Bearer {lead}"}).json()["id"]
    assert _case(server, lead, conv)["agent_id"] == lead_id
    watched.shot(page, "32-desk-taken-over")

    page.select_option("#reassign-to", str(spare["id"]))
    page.click("#reassign-btn")
    page.wait_for_selector("#composer[hidden]", state="attached")
    assert _case(server, lead, conv)["agent_id"] == spare["id"]
    assert "Spare Agent" in page.inner_text("#conv-meta")
    audit = httpx.get(f"{server.url}/v1/audit", params={"entity": "conversation", "entity_id": conv},
                      headers={"Authorization": f"Bearer {lead}"}).json()
    assert [e["action"] for e in audit if e["action"] in ("whispered", "taken_over", "reassigned")] == [
        "whispered", "taken_over", "reassigned"]
    watched.shot(page, "31-desk-reassigned")
