"""The console under its security headers in a real browser: every page works with the
Content-Security-Policy (no violation, no console error), a real conversation has no "Customer
side" box while a practice one does, and the key stays in the tab unless the user asks otherwise.
Screenshots: test-artifacts/console/30-*.png."""

from __future__ import annotations

import re

from tests.console.conftest import Server, Watched, post_json, sign_in

# records every CSP violation the page (or a frame it inherits its policy to) reports
WATCH_POLICY = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
LATE = "Where is my parcel? It's a week late and nobody answers my emails."


def _visit(page, path: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(path)
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    page.wait_for_selector("body[data-ready]")
    assert page.evaluate("window.__violations") == [], path


def test_the_console_works_under_its_policy(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Policy Agent", "role": "agent"})["key"])
    real = post_json(server, agent, "/v1/conversations",
                     {"subject": "Late parcel", "customer": {"name": "Rae Quinn"}})["id"]
    post_json(server, admin, f"/v1/conversations/{real}/messages", {"role": "customer", "text": LATE})

    page = watched.page()
    page.add_init_script(WATCH_POLICY)
    sign_in(page, agent)
    page.wait_for_selector("body[data-ready]")
    # not remembered: the key is in this tab's storage only, and in no URL
    assert page.evaluate("sessionStorage.getItem('calmline.key')") == agent
    assert page.evaluate("localStorage.getItem('calmline.key')") is None
    assert agent not in page.url

    # a real conversation: the customer's words come from the helpdesk, there is no box to type them
    _visit(page, f"/console/conversations/{real}")
    page.wait_for_selector("#suggestions .suggestion")
    assert page.locator(".msg.customer").count() == 1
    assert page.locator("#roleplay").is_hidden()
    assert "Rae Quinn" in page.inner_text("#conv-meta")
    watched.shot(page, "30-policy-real-conversation")

    # a practice conversation: the agent plays the customer
    page.goto("/console/")
    page.wait_for_selector("body[data-ready]")
    page.click("#new-conversation")
    page.fill("#new-subject", "Practice: refund")
    page.check("#new-practice")
    page.click("#new-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/conversations/\d+$"))
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#roleplay").is_visible()
    page.fill("#customer-text", "I want a refund for this broken kettle, today.")
    page.click("#customer-form button[type=submit]")
    page.locator(".msg.customer").first.wait_for()
    watched.shot(page, "31-policy-practice-conversation")
    _visit(page, "/console/")
    assert page.locator("#conversations .tag:has-text('practice')").count() == 1
    _visit(page, "/console/followups")
    assert page.evaluate("window.__violations") == []

    # the supervisor's pages, with the key remembered on purpose
    lead = watched.page(new_context=True)
    lead.add_init_script(WATCH_POLICY)
    lead.goto("/console/signin")
    lead.fill("#key", admin)
    lead.check("#remember")
    lead.click("button[type=submit]")
    lead.wait_for_url(re.compile(r".*/console/(\?.*)?$"))
    assert lead.evaluate("localStorage.getItem('calmline.key')") == admin
    assert lead.evaluate("sessionStorage.getItem('calmline.key')") is None
    _visit(lead, "/console/queue")
    watched.shot(lead, "32-policy-queue")
    _visit(lead, "/console/insights")
    # the report's own <style> applies in its frame: the heading is set in the report's font size
    heading = lead.frame_locator("#insights-frame").locator("h1")
    heading.wait_for()
    assert heading.evaluate("h => getComputedStyle(h).fontSize") == "26px"
    watched.shot(lead, "33-policy-insights")
    lead.click("#signout")
    lead.wait_for_url(re.compile(r".*/console/signin.*"))
    assert lead.evaluate("localStorage.length + sessionStorage.length") == 0
