"""Actions out: what calmline sends Chatwoot and Zendesk when it escalates or closes a case."""

from __future__ import annotations

import logging
import threading

import pytest

from calmline.cases.escalations import Reason
from calmline.catalogue import Catalogue, FlagEntry, RouteEntry
from calmline.integrations.actions import ActionSink, HelpdeskSetup, build_sink
from calmline.integrations.chatwoot import ChatwootClient
from calmline.integrations.notes import HelpdeskCase
from calmline.integrations.retry import RetryPolicy
from calmline.integrations.zendesk import ZendeskClient
from tests.integrations.conftest import (
    ACCOUNT,
    CHATWOOT_TOKEN,
    ZENDESK_EMAIL,
    ZENDESK_TOKEN,
    settings_for,
    zendesk_basic,
)
from tests.integrations.fake_helpdesk import FakeHelpdesk, fixture

THREAT = "I am calling my lawyer about this"
LEGAL = Reason("legal", "legal", "The customer threatens legal action",
               {"triggers": [], "spans": [{"start": 0, "end": len(THREAT), "text": THREAT}]})
SECURITY = Reason("security", "violence", "The customer threatens violence", None)
CW_CASE = HelpdeskCase("chatwoot", "512", case_id=42, anger_level="angry", peak_anger=0.78)
ZD_CASE = HelpdeskCase("zendesk", "35436", case_id=43, anger_level="hostile", peak_anger=0.91)


def _sink(catalogue: Catalogue, *, chatwoot: FakeHelpdesk | None = None,
          zendesk: FakeHelpdesk | None = None, actions: str = "note,tags,priority,summary",
          sleeps: list[float] | None = None, queue_size: int = 100) -> ActionSink:
    on = frozenset(actions.split(",")) - {""}
    setups = {}
    if chatwoot is not None:
        setups["chatwoot"] = HelpdeskSetup(ChatwootClient(chatwoot.url, ACCOUNT, CHATWOOT_TOKEN), on)
    if zendesk is not None:
        setups["zendesk"] = HelpdeskSetup(ZendeskClient(zendesk.url, ZENDESK_EMAIL, ZENDESK_TOKEN), on)
    record = sleeps if sleeps is not None else []
    return ActionSink(setups, catalogue, policy=RetryPolicy(tries=3, base=0.5, cap=8.0),
                      queue_size=queue_size, sleep=record.append)


def test_chatwoot_escalation_posts_private_note_labels_and_priority(
        chatwoot: FakeHelpdesk, catalogue: Catalogue) -> None:
    sink = _sink(catalogue, chatwoot=chatwoot)
    assert sink.escalated(CW_CASE, [LEGAL])
    assert sink.wait_idle(10)
    sink.close()
    assert all(r.headers["api_access_token"] == CHATWOOT_TOKEN for r in chatwoot.requests)
    [note] = chatwoot.sent("POST", "/api/v1/accounts/3/conversations/512/messages")
    assert note.body["private"] is True and note.body["message_type"] == "outgoing"
    legal_route = next(r.description for r in catalogue.routes if r.name == "legal")
    assert legal_route in note.body["content"]
    assert "The customer threatens legal action" in note.body["content"]
    assert f"“{THREAT}”" in note.body["content"]
    assert "calmline case 42" in note.body["content"] and "angry" in note.body["content"]
    [labels] = chatwoot.sent("POST", "/api/v1/accounts/3/conversations/512/labels")
    assert labels.body == {"labels": ["billing", "calmline-legal"]}  # existing label kept
    [priority] = chatwoot.sent("POST", "/api/v1/accounts/3/conversations/512/toggle_priority")
    assert priority.body == {"priority": "high"}
    assert [o.action for o in sink.recent] == ["note", "tags", "priority"]
    assert all(o.ok and o.attempts == 1 for o in sink.recent)


def test_zendesk_escalation_updates_ticket_with_internal_note_tags_and_priority(
        zendesk: FakeHelpdesk, catalogue: Catalogue) -> None:
    sink = _sink(catalogue, zendesk=zendesk)
    sink.escalated(ZD_CASE, [SECURITY, LEGAL])
    assert sink.wait_idle(10)
    sink.close()
    assert all(r.headers["authorization"] == zendesk_basic() for r in zendesk.requests)
    updates = zendesk.sent("PUT", "/api/v2/tickets/35436.json")
    note = updates[0].body["ticket"]["comment"]
    assert note["public"] is False and "threatens violence" in note["body"]
    [tags] = zendesk.sent("PUT", "/api/v2/tickets/35436/tags.json")
    assert tags.body == {"tags": ["calmline-security", "calmline-legal"]}
    # security is a danger route: urgent, raised from the ticket's `normal`
    assert updates[1].body == {"ticket": {"priority": "urgent"}}
    assert all(r.headers["content-type"] == "application/json" for r in updates)


def test_priority_is_never_lowered(zendesk: FakeHelpdesk, catalogue: Catalogue) -> None:
    ticket = fixture("zendesk/show_ticket.json")
    ticket["ticket"]["priority"] = "urgent"
    zendesk.route("GET", r"/api/v2/tickets/35436\.json", (200, ticket))
    sink = _sink(catalogue, zendesk=zendesk, actions="priority")
    sink.escalated(ZD_CASE, [LEGAL])
    assert sink.wait_idle(10)
    assert zendesk.sent("PUT") == [] and sink.recent[-1].ok


def test_tags_follow_the_playbook_routes(chatwoot: FakeHelpdesk) -> None:
    """A team's own route makes its own tag; a danger flag's route makes it urgent."""
    custom = Catalogue(levels=[], flags=[FlagEntry(name="fraud", reason="fraud", route="fraud_desk",
                                                   danger=True, threat=False)],
                       wants=[], causes=[], areas=[], stages=[], moments=[],
                       routes=[RouteEntry(name="fraud_desk", description="Fraud desk")])
    sink = _sink(custom, chatwoot=chatwoot, actions="tags,priority")
    sink.escalated(CW_CASE, [Reason("fraud_desk", "fraud", "Card fraud reported"), LEGAL])
    assert sink.wait_idle(10)
    [labels] = chatwoot.sent("POST", r".*/labels")
    assert labels.body == {"labels": ["billing", "calmline-fraud-desk"]}  # legal: not this playbook's
    assert chatwoot.sent("POST", r".*/toggle_priority")[0].body == {"priority": "urgent"}


def test_summary_note_at_close_only_when_switched_on(zendesk: FakeHelpdesk, catalogue: Catalogue) -> None:
    summary = {"text": "Issue: billing; the customer wants a refund. Cause: refund delay. "
                       "Done: 2 agent replies. Promised: nothing. Status: resolved; peak anger 0.80."}
    off = _sink(catalogue, zendesk=zendesk, actions="note,tags,priority")
    assert off.closed(ZD_CASE, summary)
    assert off.wait_idle(10) and zendesk.requests == []
    on = _sink(catalogue, zendesk=zendesk, actions="summary")
    on.closed(ZD_CASE, summary)
    assert on.wait_idle(10)
    [update] = zendesk.sent("PUT", "/api/v2/tickets/35436.json")
    body = update.body["ticket"]["comment"]
    assert body["public"] is False
    assert body["body"].splitlines()[1:3] == ["Issue: billing; the customer wants a refund.",
                                              "Cause: refund delay."]


def test_actions_switched_off_per_team_in_settings(zendesk: FakeHelpdesk, catalogue: Catalogue) -> None:
    sink = build_sink(settings_for(zendesk=zendesk, zendesk_actions="note"), catalogue)
    assert sink is not None
    sink.escalated(ZD_CASE, [LEGAL])
    assert sink.wait_idle(10)
    sink.close()
    assert [(r.method, r.path) for r in zendesk.requests] == [("PUT", "/api/v2/tickets/35436.json")]
    nothing = build_sink(settings_for(zendesk=zendesk, zendesk_actions=""), catalogue)
    assert nothing is not None and nothing.escalated(ZD_CASE, [LEGAL])
    assert nothing.wait_idle(1) and len(zendesk.requests) == 1
    assert build_sink(settings_for(), catalogue) is None  # no helpdesk connected


def test_unknown_action_in_settings_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown action 'close'"):
        settings_for(chatwoot_actions="note,close")


def test_failing_server_is_retried_with_backoff_then_recorded(
        zendesk: FakeHelpdesk, catalogue: Catalogue, caplog: pytest.LogCaptureFixture) -> None:
    zendesk.route("PUT", r"/api/v2/tickets/\d+\.json", (503, {"error": "busy"}))
    sleeps: list[float] = []
    sink = _sink(catalogue, zendesk=zendesk, actions="note", sleeps=sleeps)
    with caplog.at_level(logging.WARNING, logger="calmline.integrations"):
        sink.escalated(ZD_CASE, [LEGAL])
        assert sink.wait_idle(10)
    assert len(zendesk.sent("PUT")) == 3
    [failure] = sink.failures
    assert (failure.action, failure.attempts, failure.status, failure.ok) == ("note", 3, 503, False)
    # jittered exponential backoff: 0.5·[0.5, 1] then 1.0·[0.5, 1]
    assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0
    [line] = [r.getMessage() for r in caplog.records if "helpdesk action failed" in r.getMessage()]
    assert "ticket=35436" in line and "status=503" in line
    assert THREAT not in caplog.text and "threatens legal" not in caplog.text


def test_retry_after_is_honoured_and_a_later_success_counts(
        chatwoot: FakeHelpdesk, catalogue: Catalogue) -> None:
    answers = iter([(429, {"error": "slow down"}, {"Retry-After": "2"}), (502, None)])
    chatwoot.route("POST", r".*/messages", lambda r, m: next(answers, (200, {"id": 1})))
    sleeps: list[float] = []
    sink = _sink(catalogue, chatwoot=chatwoot, actions="note", sleeps=sleeps)
    sink.escalated(CW_CASE, [LEGAL])
    assert sink.wait_idle(10)
    assert sleeps[0] == 2.0
    assert sink.recent[-1].ok and sink.recent[-1].attempts == 3


def test_refused_credentials_are_not_retried(chatwoot: FakeHelpdesk, catalogue: Catalogue) -> None:
    chatwoot.route("POST", r".*/messages", (401, {"error": "Invalid Access Token"}))
    sink = _sink(catalogue, chatwoot=chatwoot, actions="note")
    sink.escalated(CW_CASE, [LEGAL])
    assert sink.wait_idle(10)
    assert len(chatwoot.sent("POST")) == 1
    assert sink.failures[0].status == 401 and sink.failures[0].attempts == 1


def test_unreachable_helpdesk_is_recorded(catalogue: Catalogue) -> None:
    closed = FakeHelpdesk()  # bound but never serving: the port refuses connections once closed
    url = closed.url
    closed.server.server_close()
    client = ZendeskClient(url, ZENDESK_EMAIL, ZENDESK_TOKEN, timeout=2)
    sink = ActionSink({"zendesk": HelpdeskSetup(client, frozenset({"note"}))}, catalogue,
                      policy=RetryPolicy(tries=2), sleep=lambda s: None)
    sink.escalated(ZD_CASE, [LEGAL])
    assert sink.wait_idle(10)
    [failure] = sink.failures
    assert failure.status is None and "cannot reach" in (failure.error or "") and failure.attempts == 2


def test_a_stuck_helpdesk_never_blocks_the_caller(zendesk: FakeHelpdesk, catalogue: Catalogue) -> None:
    arrived, release = threading.Event(), threading.Event()

    def stuck(request: object, match: object) -> tuple[int, dict[str, str]]:
        arrived.set()
        release.wait(10)
        return 200, {}

    zendesk.route("PUT", r"/api/v2/tickets/\d+\.json", stuck)
    sink = _sink(catalogue, zendesk=zendesk, actions="note", queue_size=1)
    assert sink.escalated(ZD_CASE, [LEGAL])
    assert arrived.wait(10)  # the worker is inside the call, the server holds it
    assert sink.escalated(ZD_CASE, [LEGAL])  # waits in the queue
    assert not sink.escalated(ZD_CASE, [LEGAL])  # queue full: dropped and recorded, not waited on
    assert not release.is_set()  # all three returned while the helpdesk was still stuck
    assert sink.failures[-1].error == "queue full: dropped"
    release.set()
    assert sink.wait_idle(10)
    assert len(zendesk.sent("PUT")) == 2


def test_case_of_a_helpdesk_not_connected_is_recorded(chatwoot: FakeHelpdesk, catalogue: Catalogue) -> None:
    sink = _sink(catalogue, chatwoot=chatwoot)
    assert not sink.escalated(ZD_CASE, [LEGAL])
    assert sink.failures[-1].error == "zendesk is not connected"
