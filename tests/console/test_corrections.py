""""Reading wrong?" in a real browser: the agent marks a missed flag on a customer message, sees
that it was recorded, and the correction is stored (GET /v1/corrections); an agent reply has no
such control, and marking the same thing again keeps one correction."""

from __future__ import annotations

from typing import Any

import httpx

from tests.console.conftest import Server, Watched, sign_in

NEWSLETTER = "I shall be telling the parish newsletter all about your shop."


def _call(server: Server, key: str, path: str, body: dict[str, object] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {key}"}
    if body is None:
        response = httpx.get(f"{server.url}{path}", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
    else:
        response = httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=30)
        assert response.status_code == 201, response.text
    return response.json()


def test_agent_marks_a_missed_flag(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(_call(server, admin, "/v1/users", {"name": "Fix Agent", "role": "agent"})["key"])
    conv = _call(server, agent, "/v1/conversations", {"subject": "Kettle complaint"})["id"]
    path = f"/v1/conversations/{conv}/messages"
    posted = _call(server, admin, path, {"role": "customer", "text": NEWSLETTER})  # the helpdesk's
    _call(server, agent, path, {"role": "agent", "text": "I am sorry to hear that."})
    message = posted["id"]
    assert "public" not in {f["label"] for f in posted["analysis"]["flags"]}

    page = watched.page()
    sign_in(page, agent)
    page.goto(f"/console/conversations/{conv}")
    page.wait_for_selector("body[data-ready]")
    control = page.locator(f".msg.customer button[data-correct='{message}']")
    control.wait_for()
    assert page.locator(".msg.agent button[data-correct]").count() == 0  # agents' replies are not read
    control.click()
    page.wait_for_selector("#correct-dialog[open]")
    assert NEWSLETTER in page.locator("#correct-quote").inner_text()
    assert "calmline read: calm" in page.locator("#correct-read").inner_text()
    page.select_option("#correct-kind", "missed_flag")
    page.select_option("#correct-label", "public")
    page.fill("#correct-note", "telling the newsletter is going public")
    watched.shot(page, "40-correction-dialog")
    page.click("#correct-submit")
    page.wait_for_selector("#correct-dialog", state="hidden")
    recorded = page.locator(".msg.customer .tag.fixed")
    recorded.wait_for()
    assert "missed flag: public" in recorded.inner_text()
    assert "Recorded" in page.locator("#toasts").inner_text()
    watched.shot(page, "41-correction-recorded")

    stored = _call(server, agent, f"/v1/corrections?conversation_id={conv}")
    assert [(c["message_id"], c["kind"], c["label"], c["note"]) for c in stored] == [
        (message, "missed_flag", "public", "telling the newsletter is going public")]

    # after a reload the mark is still shown; marking it again keeps one correction
    page.reload()
    page.wait_for_selector("body[data-ready]")
    page.locator(".msg.customer .tag.fixed").wait_for()
    page.locator(f"button[data-correct='{message}']").click()
    page.select_option("#correct-kind", "missed_flag")
    page.select_option("#correct-label", "public")
    page.click("#correct-submit")
    page.wait_for_selector("#correct-dialog", state="hidden")
    assert page.locator(".msg.customer .tag.fixed").count() == 1
    assert len(_call(server, agent, f"/v1/corrections?conversation_id={conv}")) == 1
