"""Messages in from Chatwoot and Zendesk: signed events, each message exactly once, in the order it
happened, one case however the first events race; and the actions out once a case escalates."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from tests.cases.dbs import BACKENDS
from tests.integrations.fake_helpdesk import FakeHelpdesk
from tests.integrations.intake_helpers import (
    T0,
    case_of,
    cases_with,
    cw_conversation,
    cw_message,
    cw_post,
    helpdesk_api,
    zd_post,
    zd_ticket,
)
from tests.service.conftest import Api

CASE = "chatwoot:3:512"
LEGAL = "I am calling my lawyer about this, I will sue you."


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated[request.param]
    yield from helpdesk_api(url, engine)


@pytest.fixture
def sqlite_api(migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated["sqlite"]
    yield from helpdesk_api(url, engine)


def _lines(case: dict[str, object]) -> list[tuple[str, str]]:
    return [(m["role"], m["text"]) for m in case["messages"]]  # type: ignore[attr-defined]


# -- Chatwoot -----------------------------------------------------------------------------------
def test_chatwoot_incoming_is_the_customer_outgoing_the_agent(api: Api) -> None:
    first = cw_post(api.client, cw_message(512, 1, "Where is my parcel?", at=T0))
    assert first.status_code == 200, first.text
    assert first.json()["message"] == "stored"
    reply = cw_post(api.client, cw_message(512, 2, "Let me check that for you.", at=T0 + 30,
                                           kind="outgoing"))
    assert reply.json()["message"] == "stored"
    case = case_of(api, CASE)
    assert _lines(case) == [("customer", "Where is my parcel?"),
                            ("agent", "Let me check that for you.")]
    assert case["messages"][1]["author"] == "Sam Lee"
    assert case["customer_id"] is not None
    # the same contact in another conversation is the same (returning) customer
    cw_post(api.client, cw_message(513, 3, "Hello again", at=T0 + 60))
    assert case_of(api, "chatwoot:3:513")["customer_id"] == case["customer_id"]


def test_private_notes_activity_bots_and_templates_are_skipped_with_a_logged_reason(
        sqlite_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    cw_post(sqlite_api.client, cw_message(512, 1, "Where is my parcel?"))
    secret = "SECRET-NOTE-TEXT customer is a VIP"
    skipped = {
        "private note": cw_message(512, 2, secret, kind="outgoing", private=True),
        "activity message": cw_message(512, 3, "Conversation was marked resolved by Sam",
                                       kind="activity"),
        "template message": cw_message(512, 4, "Please rate the conversation", kind="template"),
        "a bot": cw_message(512, 5, "Hi! I am the bot.", kind="outgoing",
                            sender={"id": 1, "name": "Bot", "type": "agent_bot"}),
        "attachments only": cw_message(512, 6, ""),
    }
    with caplog.at_level(logging.INFO, logger="calmline.integrations"):
        for reason, payload in skipped.items():
            answer = cw_post(sqlite_api.client, payload)
            assert answer.status_code == 200, answer.text
            assert answer.json()["message"] == "skipped"
            assert reason in answer.json()["skipped"]
    assert _lines(case_of(sqlite_api, CASE)) == [("customer", "Where is my parcel?")]
    logged = caplog.text
    assert logged.count("helpdesk event skipped") == len(skipped)
    assert "private note" in logged and "SECRET-NOTE-TEXT" not in logged


def test_a_redelivered_event_makes_no_second_message(api: Api) -> None:
    payload = cw_message(512, 1, "Where is my parcel?")
    answers = [cw_post(api.client, payload) for _ in range(3)]
    assert [a.json()["message"] for a in answers] == ["stored", "replayed", "replayed"]
    assert len({a.json()["message_id"] for a in answers}) == 1
    assert _lines(case_of(api, CASE)) == [("customer", "Where is my parcel?")]


def test_out_of_order_delivery_keeps_the_conversations_order(api: Api) -> None:
    said = [("customer", "first"), ("agent", "second"), ("customer", "third"),
            ("agent", "fourth")]
    events = [cw_message(512, i + 1, text, at=T0 + 10 * i,
                         kind="incoming" if role == "customer" else "outgoing")
              for i, (role, text) in enumerate(said)]
    for i in (3, 1, 0, 2):
        assert cw_post(api.client, events[i]).json()["message"] == "stored"
    case = case_of(api, CASE)
    assert _lines(case) == said
    assert [m["seq"] for m in case["messages"]] == [1, 2, 3, 4]


def test_a_burst_of_20_first_events_opens_one_case(api: Api) -> None:
    events = [cw_message(512, i + 1, f"message {i:02d}", at=T0 + i) for i in range(20)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda e: cw_post(api.client, e), events))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert cases_with(api, CASE) == 1
    assert [t for _r, t in _lines(case_of(api, CASE))] == [f"message {i:02d}" for i in range(20)]


def test_resolved_closes_the_case_and_open_reopens_it(sqlite_api: Api) -> None:
    cw_post(sqlite_api.client, cw_message(512, 1, "Where is my parcel?"))
    closed = cw_post(sqlite_api.client, cw_conversation("conversation_status_changed", 512,
                                                        updated_at=time.time()))
    assert closed.json()["status"] == "closed"
    case = case_of(sqlite_api, CASE)
    assert (case["status"], case["outcome"]) == ("closed", "resolved")
    again = cw_post(sqlite_api.client, cw_conversation("conversation_status_changed", 512,
                                                       updated_at=time.time() - 3600))
    assert again.json()["status"] == "unchanged"  # a resolve redelivered: nothing to do
    stale = cw_post(sqlite_api.client, cw_conversation(
        "conversation_status_changed", 512, status="open", updated_at=time.time() - 3600))
    assert stale.json()["status"] == "unchanged"  # older than the close: it stays closed
    reopened = cw_post(sqlite_api.client, cw_conversation(
        "conversation_status_changed", 512, status="open", updated_at=time.time() + 5))
    assert reopened.json()["status"] == "reopened"
    assert case_of(sqlite_api, CASE)["status"] == "open"


def test_a_late_message_for_a_closed_case_is_kept_and_the_case_stays_closed(
        sqlite_api: Api) -> None:
    cw_post(sqlite_api.client, cw_message(512, 2, "thanks, all good", at=T0 + 60))
    cw_post(sqlite_api.client, cw_conversation("conversation_status_changed", 512,
                                               updated_at=time.time()))
    late = cw_post(sqlite_api.client, cw_message(512, 1, "is it shipped?", at=T0))
    assert late.json()["message"] == "stored"
    case = case_of(sqlite_api, CASE)
    assert [t for _r, t in _lines(case)] == ["is it shipped?", "thanks, all good"]
    assert (case["status"], case["outcome"]) == ("closed", "resolved")


def test_the_assignee_becomes_the_cases_agent_when_calmline_knows_them(sqlite_api: Api) -> None:
    cw_post(sqlite_api.client, cw_message(512, 1, "Where is my parcel?"))
    assignee = {"id": 9, "name": "other", "type": "user"}
    moved = cw_conversation("conversation_updated", 512)
    moved["meta"]["assignee"] = assignee
    assert cw_post(sqlite_api.client, moved).json()["assignee"] == "assigned"
    assert case_of(sqlite_api, CASE)["agent_id"] == sqlite_api.ids["other"]
    stranger = cw_conversation("conversation_updated", 512)  # "Sam Lee": no such calmline user
    answer = cw_post(sqlite_api.client, stranger)
    assert answer.status_code == 200 and answer.json()["assignee"] == "unknown"
    assert case_of(sqlite_api, CASE)["agent_id"] == sqlite_api.ids["other"]


def test_an_event_for_an_unknown_inbox_or_agent_is_kept(sqlite_api: Api) -> None:
    payload = cw_message(777, 1, "Hi from a brand new inbox", inbox={"id": 999, "name": "new"})
    payload["conversation"]["meta"]["assignee"] = {"id": 42, "name": "Nobody Here", "type": "user"}
    assert cw_post(sqlite_api.client, payload).json()["message"] == "stored"
    assert _lines(case_of(sqlite_api, "chatwoot:3:777")) == [("customer",
                                                              "Hi from a brand new inbox")]


def test_chatwoot_refuses_unsigned_forged_and_old_events_and_logs_why(
        sqlite_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    payload = cw_message(512, 1, "PRIVATE-WORDS of the customer")
    with caplog.at_level(logging.WARNING, logger="calmline.integrations"):
        forged = cw_post(sqlite_api.client, payload, secret="not-the-secret")
        old = cw_post(sqlite_api.client, payload, timestamp=time.time() - 3600)
        unsigned = sqlite_api.client.post("/v1/integrations/chatwoot/events", json=payload)
        not_json = cw_post(sqlite_api.client, None, body=b"{not json")
    assert [r.status_code for r in (forged, old, unsigned, not_json)] == [401, 401, 401, 422]
    assert forged.json()["error"]["code"] == "unauthorized"
    assert "old" in old.json()["error"]["message"]
    assert caplog.text.count("helpdesk event refused") == 4
    assert "PRIVATE-WORDS" not in caplog.text
    assert cases_with(sqlite_api, CASE) == 0


# -- Zendesk ------------------------------------------------------------------------------------
def test_zendesk_signed_comments_become_messages_once(api: Api) -> None:
    first = zd_post(api.client, zd_ticket(35436, 1001, "My order has not arrived."))
    assert first.status_code == 200, first.text
    assert first.json()["message"] == "stored"
    reply = zd_ticket(35436, 1002, "Sorry, checking now.", author="555", at=T0 + 60)
    assert zd_post(api.client, reply).json()["message"] == "stored"
    # a later update (the ticket solved) carries the same latest comment: stored once, closed
    solved = zd_ticket(35436, 1002, "Sorry, checking now.", author="555", at=T0 + 120,
                       status="Solved")
    answer = zd_post(api.client, solved).json()
    assert (answer["message"], answer["status"]) == ("replayed", "closed")
    case = case_of(api, "zendesk:35436")
    assert _lines(case) == [("customer", "My order has not arrived."),
                            ("agent", "Sorry, checking now.")]
    assert (case["status"], case["outcome"]) == ("closed", "resolved")


def test_zendesk_refuses_a_bad_signature_and_an_old_timestamp(sqlite_api: Api) -> None:
    payload = zd_ticket(35436, 1001, "My order has not arrived.")
    assert zd_post(sqlite_api.client, payload, secret="wrong").status_code == 401
    old = zd_post(sqlite_api.client, payload, timestamp=time.time() - 3600)
    assert old.status_code == 401 and "old" in old.json()["error"]["message"]
    assert cases_with(sqlite_api, "zendesk:35436") == 0
    assert zd_post(sqlite_api.client, payload).status_code == 200


def test_zendesk_assignee_becomes_the_owner_unless_the_event_is_older(api: Api) -> None:
    zd_post(api.client, zd_ticket(35436, 1002, "Any news?", at=T0 + 60, assignee="other"))
    assert case_of(api, "zendesk:35436")["agent_id"] == api.ids["other"]
    late = zd_post(api.client, zd_ticket(35436, 1001, "Hello?", at=T0, assignee="agent"))
    assert late.json()["assignee"] == "unchanged"  # delivered late: the older assignee is old news
    case = case_of(api, "zendesk:35436")
    assert case["agent_id"] == api.ids["other"]
    assert [t for _r, t in _lines(case)] == ["Hello?", "Any news?"]


def test_an_intake_with_no_secret_is_off(migrated: dict[str, tuple[str, Engine]]) -> None:
    url, engine = migrated["sqlite"]
    for api in helpdesk_api(url, engine, chatwoot_webhook_secret="", zendesk_webhook_secret=""):
        assert cw_post(api.client, cw_message(512, 1, "hi")).status_code == 404
        assert zd_post(api.client, zd_ticket(1, 1, "hi")).status_code == 404


def test_a_deactivated_webhook_user_stops_the_intake(sqlite_api: Api) -> None:
    cw_post(sqlite_api.client, cw_message(512, 1, "hi"))  # creates the webhook's user
    users = sqlite_api.client.get("/v1/users", headers=sqlite_api.h("admin")).json()
    webhook = next(u for u in users if u["name"] == "webhook")
    off = sqlite_api.client.post(f"/v1/users/{webhook['id']}/deactivate",
                                 headers=sqlite_api.h("admin"))
    assert off.status_code in (200, 204), off.text
    assert cw_post(sqlite_api.client, cw_message(512, 2, "again")).status_code == 403


# -- the actions out ----------------------------------------------------------------------------
def test_an_escalating_chatwoot_message_posts_a_private_note_and_labels(
        migrated: dict[str, tuple[str, Engine]], chatwoot: FakeHelpdesk) -> None:
    url, engine = migrated["sqlite"]
    for api in helpdesk_api(url, engine, chatwoot=chatwoot,
                            chatwoot_actions="note,tags,priority,summary"):
        answer = cw_post(api.client, cw_message(512, 1, LEGAL))
        assert answer.json()["escalations"] >= 1
        sink = api.client.app.state.helpdesk_sink  # type: ignore[attr-defined]
        assert sink.wait_idle(10)
        [note] = chatwoot.sent("POST", "/api/v1/accounts/3/conversations/512/messages")
        assert note.body["private"] is True and "legal" in note.body["content"].lower()
        [labels] = chatwoot.sent("POST", "/api/v1/accounts/3/conversations/512/labels")
        assert "calmline-legal" in labels.body["labels"]
        # closing in calmline posts the summary as a second private note
        case = case_of(api, CASE)
        closed = api.client.post(f"/v1/conversations/{case['id']}/close",
                                 json={"outcome": "escalated"}, headers=api.h("supervisor"))
        assert closed.status_code == 200, closed.text
        assert sink.wait_idle(10)
        notes = chatwoot.sent("POST", "/api/v1/accounts/3/conversations/512/messages")
        assert len(notes) == 2 and "summary at close" in notes[1].body["content"]


def test_a_calm_message_and_a_non_helpdesk_case_send_nothing(
        migrated: dict[str, tuple[str, Engine]], chatwoot: FakeHelpdesk) -> None:
    url, engine = migrated["sqlite"]
    for api in helpdesk_api(url, engine, chatwoot=chatwoot, chatwoot_actions="note,summary"):
        assert cw_post(api.client, cw_message(512, 1, "Thanks, that helps.")).json()[
            "escalations"] == 0
        own = api.conversation("supervisor")
        api.client.post(f"/v1/conversations/{own}/close", json={"outcome": "resolved"},
                        headers=api.h("supervisor"))
        assert api.client.app.state.helpdesk_sink.wait_idle(10)  # type: ignore[attr-defined]
        assert chatwoot.requests == []


def test_an_unreachable_helpdesk_never_fails_the_intake(
        migrated: dict[str, tuple[str, Engine]]) -> None:
    url, engine = migrated["sqlite"]
    for api in helpdesk_api(url, engine, chatwoot_url="http://127.0.0.1:9",
                            chatwoot_api_token="t", helpdesk_tries=1):
        answer = cw_post(api.client, cw_message(512, 1, LEGAL))
        assert answer.status_code == 200 and answer.json()["message"] == "stored"
        sink = api.client.app.state.helpdesk_sink  # type: ignore[attr-defined]
        assert sink.wait_idle(20)
        assert sink.failures and sink.failures[0].action == "note"


# -- a simulated day ----------------------------------------------------------------------------
def test_a_simulated_day_lands_every_message_once_and_in_order(sqlite_api: Api) -> None:
    """50 conversations across both helpdesks, each event redelivered now and then, all shuffled:
    every message is stored exactly once, in the order it was written."""
    rng = random.Random(13)
    expected: dict[str, list[str]] = {}
    solved: set[str] = set()
    events: list[tuple[str, dict[str, object]]] = []
    message_id = 0
    for n in range(50):
        zendesk = n % 2 == 1
        external = f"zendesk:{40000 + n}" if zendesk else f"chatwoot:3:{600 + n}"
        expected[external] = []
        for turn in range(rng.randint(2, 5)):
            message_id += 1
            text = f"conversation {n} line {turn}"
            at = T0 + 60 * turn
            agent = turn % 2 == 1
            if zendesk:
                event = zd_ticket(40000 + n, message_id, text, at=at,
                                  author="555" if agent else "20978392")
            else:
                event = cw_message(600 + n, message_id, text, at=at,
                                   kind="outgoing" if agent else "incoming")
            expected[external].append(text)
            events.append(("zd" if zendesk else "cw", event))
            if rng.random() < 0.3:
                events.append(("zd" if zendesk else "cw", event))  # redelivered
        if n % 5 < 2:  # resolved in the helpdesk; the close may arrive before the last messages
            solved.add(external)
            if zendesk:  # the solving update carries the last comment again
                last = dict(event, ticket=dict(event["ticket"], status="Solved"))  # type: ignore[arg-type]
                events.append(("zd", last))
            else:
                events.append(("cw", cw_conversation("conversation_status_changed", 600 + n,
                                                     updated_at=T0 + 3600)))
    rng.shuffle(events)
    for kind, event in events:
        sent = zd_post if kind == "zd" else cw_post
        answer = sent(sqlite_api.client, event)
        assert answer.status_code == 200, answer.text
    for external, texts in expected.items():
        case = case_of(sqlite_api, external)
        assert [t for _r, t in _lines(case)] == texts, external
        assert case["status"] == ("closed" if external in solved else "open"), external
