"""Reading the helpdesks' documented payloads: what is a message, what is skipped and why, what is
refused; and their signatures, computed as each vendor documents them."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from calmline.cases.errors import AuthenticationError
from calmline.errors import InputError
from calmline.integrations import signatures
from calmline.integrations.events import from_chatwoot, from_zendesk
from tests.integrations.intake_helpers import cw_conversation, cw_message, zd_ticket


def test_chatwoot_message_created_is_read_from_the_documented_payload() -> None:
    event = from_chatwoot(cw_message(512, 9001, "Where is it?"), 3)
    assert (event.external_id, event.ref, event.channel) == ("chatwoot:3:512", "512", "chat")
    assert event.message is not None
    assert (event.message.key, event.message.role, event.message.author) == (
        "message:9001", "customer", "Dana Reyes")
    assert event.customer is not None and event.customer.external_id == "chatwoot:3:contact:77"
    assert event.skipped is None


@pytest.mark.parametrize(("changes", "reason"), [
    ({"event": "conversation_created"}, "not an event calmline follows"),
    ({"event": "conversation_status_changed", "status": "pending"}, "keeps the case"),
    ({"event": "conversation_updated", "changed_attributes": [{"labels": {}}]}, "only the assignee"),
])
def test_chatwoot_events_calmline_does_not_follow_are_skipped_with_a_reason(
        changes: dict[str, object], reason: str) -> None:
    payload = cw_conversation("conversation_updated", 512, **changes)
    event = from_chatwoot(payload, 3)
    assert event.skipped is not None and reason in event.skipped


def test_chatwoot_payloads_without_their_fields_are_refused() -> None:
    with pytest.raises(InputError, match="event"):
        from_chatwoot({"id": 1}, 3)
    with pytest.raises(InputError, match="conversation"):
        from_chatwoot({"event": "message_created", "id": 1, "content": "hi"}, 3)
    with pytest.raises(InputError):
        from_chatwoot(["not", "an", "object"], 3)


def test_zendesk_requester_is_the_customer_others_agents_and_solved_closes() -> None:
    customer = from_zendesk(zd_ticket(35436, 1001, "Hello?"))
    assert customer.message is not None and customer.message.role == "customer"
    assert (customer.external_id, customer.status) == ("zendesk:35436", "open")
    agent = from_zendesk(zd_ticket(35436, 1002, "On it.", author="555", status="Solved"))
    assert agent.message is not None and agent.message.role == "agent"
    assert (agent.status, agent.outcome) == ("closed", "resolved")
    quiet = from_zendesk(zd_ticket(35436, None, status="Pending"))
    assert quiet.message is None and quiet.status == "open"


def test_zendesk_comment_without_an_id_is_known_by_what_identifies_it() -> None:
    one = zd_ticket(35436, 1, "ok")
    one["comments"][0]["id"] = ""
    later = zd_ticket(35436, 1, "ok", at=2_000_000_000)
    later["comments"][0]["id"] = ""
    first, second = from_zendesk(one).message, from_zendesk(later).message
    assert first is not None and second is not None
    assert first.key != second.key  # the same words at another time are another comment
    assert first.key == from_zendesk(one).message.key  # type: ignore[union-attr]


def test_zendesk_body_without_a_ticket_number_is_refused() -> None:
    with pytest.raises(InputError):
        from_zendesk({"comments": []})
    with pytest.raises(InputError, match="number"):
        from_zendesk({"ticket": {"id": "{{ticket.id}}"}})


def test_signatures_are_the_vendors_documented_formulas() -> None:
    body, secret = b'{"event":"message_created"}', "s3cret"
    chatwoot = hmac.new(secret.encode(), b"1795770000." + body, hashlib.sha256).hexdigest()
    assert signatures.chatwoot_signature(secret, body, "1795770000") == f"sha256={chatwoot}"
    stamp = "2026-11-27T09:00:00Z"
    zendesk = base64.b64encode(hmac.new(secret.encode(), stamp.encode() + body,
                                        hashlib.sha256).digest()).decode()
    assert signatures.zendesk_signature(secret, body, stamp) == zendesk
    signatures.verify("zendesk", secret, body, stamp, zendesk, tolerance=300,
                      now=1_795_770_000.0 + 10)
    with pytest.raises(AuthenticationError, match="old"):
        signatures.verify("zendesk", secret, body, stamp, zendesk, tolerance=300,
                          now=1_795_770_000.0 + 301)
    with pytest.raises(AuthenticationError, match="ISO 8601"):
        signatures.verify("zendesk", secret, body, "yesterday", zendesk, tolerance=300)
