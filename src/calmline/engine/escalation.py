"""When to escalate, to whom and why (PLAYBOOK §2), decided from one message's signals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from calmline.engine.analysis import Escalation, EscalationReason, Fact
from calmline.playbook.schema import Playbook
from calmline.signals.base import Evidence, Finding
from calmline.signals.flags import sentence_pattern
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import Candidates, PhraseMatcher
from calmline.signals.negation import is_negated
from calmline.signals.text import NormalizedText

_MONEY = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _amount(fact: Fact) -> float | None:
    match = _MONEY.search(fact.value)
    if match is None:
        return None
    value = float(match.group(0).replace(",", ""))
    return value * 1000 if fact.value.strip().lower().endswith("k") else value


@dataclass(frozen=True, slots=True)
class _Topic:
    """A topic of the authority rule as `decide` reads it: its phrases, the mentions that do not
    raise it, and the flag that reads its words by meaning."""

    name: str
    route: str
    matcher: PhraseMatcher
    mentions: re.Pattern[str] | None
    read_by: str | None

    def raised(self, text: NormalizedText, lowered: str) -> list[Evidence]:
        """The topic's phrases in `text`, less those negated ("not hacked") or said of something
        else (a `mention_patterns` match around them: "your fraud team", "a fraud text")."""
        hits = [e for e in self.matcher.find(text, limit=3) if not is_negated(lowered, e.start)]
        if self.mentions is None or not hits:
            return hits
        spans = [m.span() for m in self.mentions.finditer(text.original)]
        return [e for e in hits if not any(a < e.end and e.start < b for a, b in spans)]


def _matcher(topic: _Topic) -> PhraseMatcher:
    return topic.matcher


class EscalationPolicy:
    """Built once per analyzer; `decide` is cheap and pure."""

    def __init__(self, playbook: Playbook) -> None:
        self._playbook = playbook
        index = LiteralIndex()  # one scan per message for all the topics
        self._topics = [
            _Topic(name, topic.route,
                   PhraseMatcher.from_group(f"escalation.authority.topics.{name}", topic, "pattern",
                                            index),
                   sentence_pattern(topic.mention_patterns), topic.read_by)
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
        watch: Sequence[Finding] = (),
    ) -> Escalation:
        """Why and where to escalate: the routed flags, the authority rule (a refund above the
        limit, a topic) and rising anger. `watch`: the signs to check; a topic `read_by` a flag
        that is flagged or watched adds no reason of its own."""
        reasons: list[EscalationReason] = []
        for flag in flags:
            if flag.route and flag.route != "none":
                reasons.append(EscalationReason(flag.route, flag.label, flag.reason, flag.evidence))
        read = {f.label for f in (*flags, *watch)}
        reasons.extend(self._authority(text, wants, facts, read))
        if rising:
            cfg = self._playbook.escalation.rising
            reasons.append(EscalationReason(
                cfg.route, "rising_anger",
                f"anger rose over the last {cfg.turns} customer turns despite the replies"))
        routes = tuple(dict.fromkeys(r.route for r in reasons))
        return Escalation(bool(reasons), routes, tuple(reasons))

    def _authority(
        self, text: NormalizedText, wants: Sequence[Finding], facts: Sequence[Fact],
        read: set[str],
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
        lowered = ""  # evidence offsets are in the original text
        for topic in self._topic_candidates(text):
            if topic.read_by in read:
                continue
            lowered = lowered or text.original.lower()
            hits = topic.raised(text, lowered)
            if hits:
                found.append(EscalationReason(topic.route, topic.name, topic.matcher.reason,
                                              tuple(hits)))
        return found
