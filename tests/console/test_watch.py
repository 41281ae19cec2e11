"""A weak danger sign in a real browser: not routed, but shown on the message as a soft "check"
badge with the words and the reason, so the agent asks before anything is escalated."""

from __future__ import annotations

from tests.console.conftest import Server, Watched, post_json, sign_in

# a weak sign: the self-harm reading (the head mixed with the team's labelled sentences) is
# between its watch and flag thresholds (0.28 against 0.25 / 0.35 with the shipped heads; the
# encoder reads alike on every x86 CPU), so it is shown to check, not routed. ("Cancel the
# phone. I've been giving my things away." was this test's sentence; it is flagged now, as the
# playbook's own example "I've been giving my stuff away to friends" says it should be.)
WEAK_SIGN = "Close my account, I won't be needing it."


def test_a_weak_self_harm_sign_is_shown_to_check(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Watch Agent", "role": "agent"})["key"])
    case = post_json(server, agent, "/v1/conversations", {"subject": "Cancel my phone"})["id"]
    posted = post_json(server, admin, f"/v1/conversations/{case}/messages",  # from the helpdesk
                   {"role": "customer", "text": WEAK_SIGN})
    analysis = posted["analysis"]
    assert isinstance(analysis, dict)
    watch = [f for f in analysis["extra"] if f["section"] == "watch"]
    assert [f["label"] for f in watch] == ["self_harm"], analysis["extra"]
    assert "wellbeing" not in analysis["escalate"]["routes"]

    page = watched.page()
    sign_in(page, agent)
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    badge = page.locator(".msg.customer .badge.watch[data-flag=watch-self_harm]")
    badge.wait_for()
    assert "check" in badge.inner_text().lower()
    badge.click()
    popover = page.locator(".evidence[role=dialog]")
    popover.wait_for()
    assert "check with the customer" in popover.inner_text()
    watched.shot(page, "30-watch-self-harm")
