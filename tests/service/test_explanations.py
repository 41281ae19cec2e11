"""Every piece of evidence the API shows says why it counted in a team lead's words, not a rule id."""

from __future__ import annotations

import re
from typing import Any

import pytest

from calmline.explain import explain
from tests.service.conftest import Api

RULE_IDS = re.compile(r"model:|feature '|\b(?:flags|wants|causes|anger|anti_patterns|behaviours)\.\w")


def _evidence(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if {"source", "rule", "text"} <= set(node) else []
        return found + [e for value in node.values() for e in _evidence(value)]
    if isinstance(node, list):
        return [e for value in node for e in _evidence(value)]
    return []


@pytest.mark.parametrize(("source", "rule", "said"), [
    ("model", "model:anger feature '<insult>'", "an insult (learned by the anger model)"),
    ("model", "model:offensive feature 'useless'", "the word 'useless' (learned by the abuse model)"),
    ("lexicon", "anger.lexicon.repeated_failure", "angry words from the playbook (repeated failure)"),
    ("cue", "anger.cues.caps", "shouting in capitals"),
    ("pattern", "flags.legal", "a phrase on the playbook's legal list"),
    ("lexicon", "wants.refund", "asks for: refund"),
    ("semantic", 'wants.refund: like "send the money back"',
     'reads like the playbook example "send the money back"'),
    ("semantic", 'anger.examples.hostile: like "you idiots" (similarity 0.81)',
     'reads like the playbook\'s hostile example "you idiots"'),
    ("cue", "anti_patterns.policy", "a phrase the coach flags as policy"),
    ("context", "facts.order_id", "the customer's order id"),
    ("context", "anti_patterns.off_topic", "the reply touches nothing the customer asked or wrote about"),
    ("model", "anti_patterns.argue.reply",
     "the reply as a whole reads like arguing with the customer (learned from the team's drafts)"),
])
def test_rules_read_as_plain_words(source: str, rule: str, said: str) -> None:
    assert explain(source, rule) == said


def test_the_api_explains_every_piece_of_evidence(sqlite_api: Api) -> None:
    conv = sqlite_api.conversation()
    posted = sqlite_api.say(conv, "This is RIDICULOUS!!! Third time. You people are useless, "
                                  "refund order 48213 NOW or I call my lawyer.", who="supervisor")
    review = sqlite_api.client.post("/v1/reviews", headers=sqlite_api.h("supervisor"), json={
        "draft": "Please calm down, it's our policy.", "conversation_id": conv}).json()
    pieces = _evidence(posted) + _evidence(review)
    assert len(pieces) > 10
    for piece in pieces:
        assert piece["explanation"] and not RULE_IDS.search(piece["explanation"]), piece
