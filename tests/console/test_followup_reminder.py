"""Follow-ups nobody misses, in a real browser (issue 14.3): a badge reminds the agent before a
follow-up falls due; the default tab shows tomorrow's item, every tab its count, every item its
customer and subject with a date in words; a promise is filed only when the agent confirms it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.console.conftest import ARTIFACTS, Server, Watched, post_json, sign_in


def _get(server: Server, key: str, path: str) -> object:
    response = httpx.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_agent_is_reminded_before_a_follow_up_falls_due(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Remind Agent", "role": "agent"})["key"])
    conv = post_json(server, agent, "/v1/conversations", {
        "subject": "Missing refund", "customer": {"external_id": "fu-1", "name": "Lee Park"}})["id"]
    now = datetime.now(UTC)
    # the console names days in the viewer's time zone (the browser shares this machine's): the
    # soon one is today, or tomorrow just before midnight; the later one is tomorrow at noon
    due_soon = now + timedelta(minutes=25)
    local = now.astimezone()
    noon_tomorrow = (local + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    soon_day = "today" if due_soon.astimezone().date() == local.date() else "tomorrow"
    soon = post_json(server, agent, f"/v1/conversations/{conv}/followups", {
        "what": "Call Lee back", "due": due_soon.isoformat()})
    post_json(server, agent, f"/v1/conversations/{conv}/followups", {
        "what": "Check the refund landed", "due": noon_tomorrow.isoformat()})

    page = watched.page()
    sign_in(page, agent)  # lands on the conversation list: the badge is on every page
    badge = page.locator("#fu-badge")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "1"
    assert "Call Lee back" in (badge.get_attribute("title") or "")
    page.click("a[href='/console/followups']")
    page.wait_for_selector("body[data-ready]")
    assert page.get_attribute("[role=tab][data-status=next]", "aria-selected") == "true"
    counts = {tab: page.inner_text(f"[data-count={tab}]") for tab in ("next", "overdue", "open", "done")}
    assert counts == {"next": "2", "overdue": "0", "open": "2", "done": "0"}
    items = page.locator("#followups li[data-followup]")
    assert items.count() == 2  # tomorrow's promise is up next, not "Nothing here"
    first, second = items.nth(0).inner_text(), items.nth(1).inner_text()
    assert "Call Lee back" in first and "Lee Park · Missing refund" in first and f"due {soon_day} at" in first
    assert "Check the refund landed" in second and "due tomorrow at" in second
    assert "T" not in second.split("due ")[1][:12]  # no raw ISO time
    page.screenshot(path=str(ARTIFACTS.parent / "followups.png"), full_page=True)

    page.fill(f"li[data-followup='{soon['id']}'] input", "Called, refund confirmed")
    page.click(f"li[data-followup='{soon['id']}'] button[type=submit]")
    page.wait_for_selector(f"li[data-followup='{soon['id']}']", state="detached")
    badge.wait_for(state="hidden")
    assert page.inner_text("[data-count=done]") == "1"


def test_a_promise_is_filed_only_when_the_agent_confirms(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin
    agent = str(post_json(server, admin, "/v1/users", {"name": "Promise Agent", "role": "agent"})["key"])
    lead = str(post_json(server, admin, "/v1/users", {"name": "Promise Lead", "role": "supervisor"})["key"])
    conv = post_json(server, agent, "/v1/conversations", {"subject": "Late parcel"})["id"]
    post_json(server, lead, f"/v1/conversations/{conv}/messages",
              {"role": "customer", "text": "Where is my parcel? Nobody called me back."})
    page = watched.page()
    sign_in(page, agent)
    page.goto(f"/console/conversations/{conv}")
    page.wait_for_selector("body[data-ready]")
    page.click("#draft")
    page.keyboard.type("I'm sorry about the wait. I will call you back tomorrow at 10am with the tracking.")
    page.wait_for_selector("#promises li")
    page.click("#send")
    page.wait_for_selector("#followup-dialog[open]")
    case = _get(server, agent, f"/v1/conversations/{conv}")
    assert isinstance(case, dict) and case["followups"] == [] and len(case["messages"]) == 2
    page.click("#fu-confirm")
    page.wait_for_selector("#followup-dialog", state="hidden")
    page.wait_for_selector("#conv-followups li[data-followup]")
    case = _get(server, agent, f"/v1/conversations/{conv}")
    assert isinstance(case, dict)
    [filed] = case["followups"]
    assert filed["source"] == "commitment" and filed["message_id"] == case["messages"][1]["id"]
