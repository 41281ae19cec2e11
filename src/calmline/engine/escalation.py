"""When to escalate, to whom and why (PLAYBOOK §2), decided from one message's signals."""

from __future__ import annotations

import re
from collections.abc import Sequence

from calmline.engine.analysis import Escalation, EscalationReason, Fact
from calmline.playbook.schema import Playbook
from calmline.signals.base import Evidence, Finding
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import Candidates, PhraseMatcher
from calmline.signals.text import NormalizedText

_MONEY = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _amount(fact: Fact) -> float | None:
    match = _MONEY.search(fact.value)
    if match is None:
        return None
    value = float(match.group(0).replace(",", ""))
    return value * 1000 if fact.value.strip().lower().endswith("k") else value


def _matcher(topic: tuple[str, str, PhraseMatcher]) -> PhraseMatcher:
    return topic[2]


class EscalationPolicy:
    """Built once per analyzer; `decide` is cheap and pure."""

    def __init__(self, playbook: Playbook) -> None:
        self._playbook = playbook
        index = LiteralIndex()  # one scan per message for all the topics
        self._topics = [
            (name, topic.route, PhraseMatcher.from_group(f"escalation.authority.topics.{name}",
                                                         topic, "pattern", index))
            for name, topic in playbook.escalation.authority.topics.items()
        ]
        self._topic_candidates = Candidates(self._topics, _matcher)

    def decide(
        self,
        text: NormalizedText,
        flags: Sequence[Finding],
        wants: Sequence[Finding],
        facts: Sequence[Fact],
        rising: bool,
    ) -> Escalation:
        reasons: list[EscalationReason] = []
        for flag in flags:
            if flag.route and flag.route != "none":
                reasons.append(EscalationReason(flag.route, flag.label, flag.reason, flag.evidence))
        reasons.extend(self._authority(text, wants, facts))
        if rising:
            cfg = self._playbook.escalation.rising
            reasons.append(EscalationReason(
                cfg.route, "rising_anger",
                f"anger rose over the last {cfg.turns} customer turns despite the replies"))
        routes = tuple(dict.fromkeys(r.route for r in reasons))
        return Escalation(bool(reasons), routes, tuple(reasons))

    def _authority(
        self, text: NormalizedText, wants: Sequence[Finding], facts: Sequence[Fact]
    ) -> list[EscalationReason]:
        found = []
        cfg = self._playbook.escalation.authority
        money_wants = [w for w in wants if w.label in cfg.refund_wants]
        if money_wants:
            for fact in facts:
                value = _amount(fact) if fact.kind == "amount" else None
                if value is not None and value > cfg.refund_limit:
                    ev = Evidence(fact.start, fact.end, fact.text, "pattern",
                                  "escalation.authority.refund_limit")
                    found.append(EscalationReason(
                        cfg.refund_route, "refund_limit",
                        f"asks for {money_wants[0].label} of {fact.value}, above the agent's "
                        f"limit of {cfg.refund_limit:g}", (ev, *money_wants[0].evidence)))
                    break
        for name, route, matcher in self._topic_candidates(text):
            hits = matcher.find(text, limit=3)
            if hits:
                found.append(EscalationReason(route, name, matcher.reason, tuple(hits)))
        return found
