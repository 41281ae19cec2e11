"""First run: `calmline serve` on an empty store writes an admin key to a private file and prints
where (never the key); the console offers demo data,
and the demo conversations show every part of the console (abuse, legal threat, breather, overdue
follow-up) to the agent and the supervisor."""

from __future__ import annotations

import json
import re

from tests.console.conftest import ARTIFACTS, Server, Watched, sign_in


def demo_user(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/console/signin")
    page.get_by_role("button", name=f"Sign in as {name}").click()
    page.wait_for_url(re.compile(r".*/console/$"))


def tab_to(page, selector: str, limit: int = 80) -> None:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def reply_with_the_keyboard(page) -> None:  # type: ignore[no-untyped-def]
    """Keyboard only: open a flag's evidence, load a suggestion, send with Ctrl+Enter."""
    page.locator("body").focus()
    tab_to(page, ".badge")
    page.wait_for_selector(".evidence")
    page.keyboard.press("Escape")
    tab_to(page, ".suggestion")
    page.keyboard.press("Enter")
    assert page.input_value("#draft")
    page.wait_for_selector("#score.good, #score.fair")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".msg.agent >> nth=0")
    if page.locator("#followup-dialog[open]").count():
        page.keyboard.press("Enter")  # focus starts on the dialog's first field; Enter submits
        page.wait_for_selector("#followup-dialog", state="hidden")


def role_play_a_recorded_customer(page) -> None:  # type: ignore[no-untyped-def]
    """A trainee opens a fresh case and plays the agent against a recorded customer."""
    page.goto("/console/")
    page.click("#new-conversation")
    page.fill("#new-subject", "Training: laptop order")
    page.check("#new-practice")  # the customer's side is typed only on practice cases
    page.click("#new-form button[type=submit]")
    page.wait_for_selector("body[data-ready]")
    page.select_option("#scenario", label="Laptop order that never arrived (Dana)")
    for line in (1, 2):
        page.click("#scenario-next")
        page.wait_for_selector(f"#scenario-status:has-text('line {line + 1} of')")
    assert page.locator(".msg.customer").count() == 2
    watched_name = "05b-role-play"
    page.screenshot(path=str(ARTIFACTS / f"{watched_name}.png"))


def test_first_run_demo_data(server: Server, watched: Watched) -> None:
    key = server.admin_key()
    assert key, f"serve printed no admin key:\n{server.output}"
    page = watched.page()
    page.goto("/")
    page.wait_for_url(re.compile(r".*/console/signin.*"))
    watched.shot(page, "01-signin")
    sign_in(page, key)
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#first-run").is_visible()
    watched.shot(page, "02-first-run")
    page.click("#load-demo")
    page.wait_for_selector("#conversations tbody tr >> nth=3", timeout=60_000)
    assert page.locator("#first-run").is_hidden()
    page.select_option("select[name=status]", "")
    # (no wait_for_function: the console's CSP forbids evaluating strings in the page)
    page.wait_for_selector("#conversations tbody tr >> nth=5")
    assert page.locator("#conversations tbody tr").count() == 6
    watched.shot(page, "03-list-demo")

    # the agent who took the abuse: flags, auto-escalation, breather prompt
    demo_user(page, "Alex")
    page.click("#conversations a:has-text('Abusive: cracked TV')")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector(".msg.customer .badge[data-flag=abuse]")
    assert page.locator(".banner.esc").first.is_visible()
    assert page.locator("#breather").is_visible()
    page.locator(".msg.customer .badge[data-flag=abuse]").last.hover()
    page.wait_for_selector(".evidence")
    watched.shot(page, "04-agent-abusive")
    page.goto("/console/")
    page.click("#conversations a:has-text('Just arrived')")
    page.wait_for_selector(".suggestion")
    watched.shot(page, "05-agent-fresh")
    reply_with_the_keyboard(page)
    role_play_a_recorded_customer(page)

    # the supervisor: live queue with escalations, the overloaded agent and the overdue follow-up
    demo_user(page, "Jordan")
    page.goto("/console/queue")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#escalations li[data-escalation]").count() >= 3
    assert page.locator("#overloaded li[data-agent]").count() >= 1
    assert page.locator("#overdue li").first.inner_text() != "Nothing overdue."
    watched.shot(page, "06-queue-demo")
    page.click("#hottest a:has-text('Badly handled')")
    page.wait_for_selector("body[data-ready]")
    assert page.locator(".banner.readonly").is_visible()
    page.wait_for_selector(".msg.agent .badge[data-flag=minimise]")  # sent replies are coached too
    page.wait_for_selector(".msg.agent .badge[data-flag=policy]")
    page.click("#summary-card summary")
    page.locator("#case-summary", has_not_text="Loading").wait_for()
    assert "call you back" in page.inner_text("#case-summary")
    watched.shot(page, "07-supervisor-readonly")
    page.goto("/console/followups?status=overdue")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#followups li").count() >= 1
    watched.shot(page, "08-followups-overdue")
    overdue = page.locator("#followups li").first
    overdue.get_by_role("textbox", name="Result").fill("Called back, reset link re-sent, customer is in.")
    overdue.get_by_role("button", name="Complete").click()
    page.wait_for_selector("#fu-empty:not([hidden])")
    page.get_by_role("tab", name="Done").click()
    page.wait_for_selector("#followups li:has-text('Called back')")
    page.goto("/console/insights")
    page.wait_for_selector("body[data-ready]")
    watched.shot(page, "09-insights")
    (ARTIFACTS / "first-run-users.json").write_text(json.dumps(page.evaluate(
        "JSON.parse(sessionStorage.getItem('calmline.demoKeys')).map(u => u.name)")))
    assert page.evaluate("localStorage.length") == 0  # no key outlives the tab unless asked
