"""The guard before send in a real browser (issue 11.4): a blocked draft ("calm down, it's our
policy") does not go out on the first click; the console says why and asks for a deliberate
"Send anyway", and a draft sent that way leaves its blocked review with the case. A good draft
still goes out on one click. Screenshot: test-artifacts/send-guard.png. Also: a conversation
that reads as finished (the customer closed it) shows its outcome, not a next move."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from tests.console.conftest import ARTIFACTS, Server, Watched, post_json, sign_in

ANGRY = ("This is ridiculous!!! I've waited 3 weeks for order #LP-48213 and nobody called back. "
         "I want a refund.")
BLOCKED = "Please calm down, it's our policy."
GOOD = ("I'm really sorry you've waited three weeks for order LP-48213 and nobody called you back; "
        "that is frustrating. I will refund you today and email you the confirmation by 5pm today.")


def agent_messages(server: Server, key: str, case: object) -> list[str]:
    detail = httpx.get(f"{server.url}/v1/conversations/{case}",
                       headers={"Authorization": f"Bearer {key}"}, timeout=30).json()
    return [m["text"] for m in detail["messages"] if m["role"] == "agent"]


def overrides(server: Server, case: object) -> list[dict[str, object]]:
    """The audit log's record of replies sent over the coach's guard, for this case's messages."""
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT a.action, a.detail FROM audit_log a JOIN messages m ON m.id = a.entity_id "
                "WHERE a.entity = 'message' AND a.action LIKE 'sent_%' AND m.conversation_id = :case"),
                {"case": case}).all()
    finally:
        engine.dispose()
    return [{"action": action, "detail": detail} for action, detail in rows]


def test_a_blocked_draft_needs_send_anyway(server: Server, watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Guarded Agent", "role": "agent"})["key"])
    case = post_json(server, agent, "/v1/conversations", {"subject": "Late refund"})["id"]
    post_json(server, admin, f"/v1/conversations/{case}/messages", {"role": "customer", "text": ANGRY})

    page = watched.page()
    sign_in(page, agent)
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    page.fill("#draft", BLOCKED)
    page.wait_for_selector("#review[data-verdict=blocked]")

    page.click("#send")  # the first click only explains
    guard = page.locator("#send-guard")
    guard.wait_for()
    assert "calm down" in guard.inner_text() and "policy" in guard.inner_text()
    assert page.locator("#send-anyway").is_visible()
    page.screenshot(path=str(ARTIFACTS.parent / "send-guard.png"))
    assert agent_messages(server, agent, case) == []

    page.click("#send-guard-edit")  # back to the draft: nothing sent, the guard gone
    guard.wait_for(state="detached")
    page.keyboard.press("Control+Enter")  # the keyboard path is guarded too
    guard.wait_for()
    assert agent_messages(server, agent, case) == []

    assert page.locator("#send-anyway").is_disabled()  # not without a reason
    page.fill("#send-guard-reason", "the customer asked for our policy word for word")
    page.click("#send-anyway")
    page.wait_for_selector(".msg.agent")
    assert agent_messages(server, agent, case) == [BLOCKED]
    kept = overrides(server, case)
    assert [k["action"] for k in kept] == ["sent_over_guard"]
    assert "word for word" in str(kept[0]["detail"])

    page.fill("#draft", GOOD)  # a good draft goes out on one click
    page.wait_for_selector("#review[data-verdict=send]")
    page.click("#send")
    page.wait_for_selector(".msg.agent >> nth=1")
    assert page.locator("#send-guard").count() == 0
    assert agent_messages(server, agent, case) == [BLOCKED, GOOD]


def test_a_conversation_that_reads_as_finished_shows_no_next_move(server: Server,
                                                                  watched: Watched) -> None:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Done Agent", "role": "agent"})["key"])
    case = post_json(server, agent, "/v1/conversations", {"subject": "Broken jug"})["id"]
    lines = [("customer", "My order 55120 arrived broken and I'm fed up with you people!", admin),
             ("agent", "Sorry! I can send a replacement within 2 business days.", agent),
             ("customer", "ok that works, thanks", admin),
             ("customer", "it arrived, all sorted, have a good day", admin)]
    for role, text, key in lines:
        post_json(server, key, f"/v1/conversations/{case}/messages", {"role": role, "text": text})

    page = watched.page()
    sign_in(page, agent)
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#next-move[data-ready]")
    assert page.locator("#next-move").inner_text().startswith("Closed: resolved.")
    assert "finished" in page.locator("#suggestions").inner_text()
    assert page.locator("#suggestions button.suggestion").count() == 0


def test_a_draft_flagged_by_its_reading_as_a_whole_says_so(server: Server, watched: Watched) -> None:
    """No phrase in 'Apologies. The engineer was there at 10:15 and knocked twice...' blames; the
    coach's reading of the whole reply does. The review says how it was read, so the agent is not
    left with a flag nothing in the draft seems to explain."""
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    agent = str(post_json(server, admin, "/v1/users", {"name": "Reading Agent", "role": "agent"})["key"])
    case = post_json(server, agent, "/v1/conversations", {"subject": "No-show"})["id"]
    post_json(server, admin, f"/v1/conversations/{case}/messages", {
        "role": "customer", "text": "Your engineer never turned up yesterday. I waited in all day and "
                                    "nobody called."})

    page = watched.page()
    sign_in(page, agent)
    page.goto(f"/console/conversations/{case}")
    page.wait_for_selector("body[data-ready]")
    page.fill("#draft", "Apologies. The engineer was there at 10:15 and knocked twice before leaving a "
                        "card through the door.")
    page.wait_for_selector("#review[data-verdict=blocked]")
    how = page.locator("#antipatterns .how").all_inner_texts()
    assert any("the reply as a whole reads like" in text for text in how), how
    watched.shot(page, "reply-read-as-a-whole")
