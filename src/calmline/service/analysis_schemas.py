"""API models of the analysis of a message and of the coach's review of a draft.

They mirror `Analysis.to_dict()` (calmline.engine.analysis, with Finding and Evidence from
calmline.signals.base) and `Review.to_dict()` (calmline.engine.coach) field for field, so the
OpenAPI document describes what the API already sends and clients see no change.

Analyses are stored as JSON with each message, some written by older versions: the models read
them leniently. Unknown fields are ignored and every field an older analysis may lack has a
default, so an old row is served, never a 500.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from calmline.explain import explain

Level = Literal["calm", "annoyed", "frustrated", "angry", "hostile"]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", from_attributes=True)


class EvidencePublic(_Lenient):
    """Why a score is what it is: a piece of the text and the rule that read it."""

    start: int = Field(description="where the piece starts in the message (characters); -1 when it "
                                   "comes from an earlier message")
    end: int = Field(description="where the piece ends (exclusive); -1 for an earlier message")
    text: str = Field(description="the words that were read")
    source: str = Field(description="the kind of rule: lexicon, pattern, model, cue or context")
    rule: str = Field(description="the rule itself, e.g. flags.legal or anger.lexicon.fed_up")
    weight: float = Field(0.0, description="how much this piece added to the score")

    @computed_field(  # type: ignore[prop-decorator]
        description="why this piece counted, in words a team lead reads "
                    "(\"an insult (learned by the anger model)\")")
    @property
    def explanation(self) -> str:
        return explain(self.source, self.rule)


class FindingPublic(_Lenient):
    """One thing found in the message: a flag, a want, a cause, an area or a weak sign."""

    label: str = Field(description="what was found, as the playbook names it (e.g. legal, refund)")
    score: float = Field(description="how sure, 0 to 1, after the conversation so far was counted")
    detector: str = Field(description="the detector that found it")
    reason: str = Field(description="why, in a sentence")
    evidence: list[EvidencePublic] = Field(default_factory=list, description="the words behind it")
    raw_score: float | None = Field(None, description="the score before the conversation so far "
                                                      "adjusted it")
    route: str | None = Field(None, description="flags: who it escalates to (a playbook route)")
    value: str | None = Field(None, description="a normalised value when it is a fact, e.g. 2 hours")
    section: str | None = Field(None, description="flags/wants/causes/areas, or 'watch' for a weak "
                                                  "danger sign to check, not routed")


class AngerPublic(_Lenient):
    """How angry the message reads."""

    score: float = Field(description="0 (calm) to 1 (hostile)")
    level: Level = Field(description="the score in words")
    evidence: list[EvidencePublic] = Field(default_factory=list, description="the words behind it")
    trend: Literal["rising", "steady", "cooling"] | None = Field(
        None, description="compared with the customer's earlier messages; null without them")
    model_score: float | None = Field(None, description="the model's score before clear cues "
                                                        "(e.g. threats, insults) raised it")
    reason: str = Field("", description="why this level, in a sentence")


class FactPublic(_Lenient):
    """A concrete detail the customer gave: an order number, a date, an amount, a duration."""

    kind: str = Field(description="order_id, date, amount, duration or product")
    value: str = Field(description="the detail, normalised")
    text: str = Field(description="the words as written")
    start: int = Field(description="where they start in the message (characters)")
    end: int = Field(description="where they end (exclusive)")


class VentingPublic(_Lenient):
    """Whether the customer is letting off steam rather than asking for something."""

    venting: bool = Field(description="true: listen and acknowledge before solving")
    reason: str = Field("", description="why, in a sentence")
    evidence: list[EvidencePublic] = Field(default_factory=list, description="the words behind it")


class EscalationReasonPublic(_Lenient):
    """One reason to hand the case on."""

    route: str = Field(description="who to hand it to (a playbook route); 'none' means stay put")
    trigger: str = Field(description="the flag or rule that fired, e.g. abuse, legal, rising_anger")
    reason: str = Field(description="why, in a sentence")
    evidence: list[EvidencePublic] = Field(default_factory=list, description="the words behind it")


class EscalationAdvicePublic(_Lenient):
    """Whether this message calls for escalation, and to whom."""

    escalate: bool = Field(False, description="true when the message should be handed on")
    routes: list[str] = Field(default_factory=list, description="every route it calls for, most "
                                                                "urgent first")
    reasons: list[EscalationReasonPublic] = Field(default_factory=list,
                                                  description="the reason behind each route")
    route: str | None = Field(None, description="the first of `routes`; null when none")


class AnalysisPublic(_Lenient):
    """Everything calmline read in one customer message. Every score carries its evidence."""

    text: str = Field("", description="the message analysed")
    anger: AngerPublic
    causes: list[FindingPublic] = Field(default_factory=list,
                                        description="what made the customer upset")
    areas: list[FindingPublic] = Field(default_factory=list,
                                       description="what the message is about (billing, delivery...)")
    wants: list[FindingPublic] = Field(default_factory=list,
                                       description="what the customer asks for (refund, manager...)")
    facts: list[FactPublic] = Field(default_factory=list, description="concrete details given")
    flags: list[FindingPublic] = Field(default_factory=list,
                                       description="risks to act on (legal threat, abuse, going "
                                                   "public...), each with its route")
    venting: VentingPublic = Field(default_factory=lambda: VentingPublic(venting=False),
                                   description="letting off steam rather than asking")
    escalate: EscalationAdvicePublic = Field(default_factory=EscalationAdvicePublic,
                                             description="whether to hand the case on, and to whom")
    extra: list[FindingPublic] = Field(default_factory=list,
                                       description="findings of add-on detectors and weak signs "
                                                   "to watch")
    notes: list[str] = Field(default_factory=list, description="remarks on how it was read")


class SpanPublic(_Lenient):
    """A piece of the draft."""

    start: int = Field(description="where it starts in the draft (characters)")
    end: int = Field(description="where it ends (exclusive)")
    text: str = Field(description="the words")


class CommitmentPublic(_Lenient):
    """A promise the draft makes."""

    what: str = Field(description="what was promised")
    due: str | None = Field(None, description="by when, as an ISO 8601 time; null without one")
    due_text: str | None = Field(None, description="the words that set the time, e.g. tomorrow 10am")
    evidence: SpanPublic = Field(description="the words that made the promise")


class BehaviourPublic(_Lenient):
    """A good habit the coach looks for in a reply."""

    label: str
    title: str = Field(description="its name in words")
    found: bool = Field(description="the draft does it")
    expected: bool = Field(description="this moment of the conversation calls for it")
    weight: float = Field(description="the points it is worth")
    why: str = Field(description="why it helps")
    hint: str = Field(description="how to do it here")
    evidence: list[EvidencePublic] = Field(default_factory=list, description="where the draft does it")


class AntiPatternPublic(_Lenient):
    """A phrase in the draft that tends to make an upset customer angrier."""

    label: str
    title: str = Field(description="its name in words")
    weight: float = Field(description="the points it costs")
    why: str = Field(description="why it hurts")
    rewrite: str = Field(description="the agent's own draft with only this phrase's sentence "
                                     "replaced by a calmer one (with the case's facts) or removed")
    evidence: list[EvidencePublic] = Field(default_factory=list, description="where it is")


class GapPublic(_Lenient):
    """Something this moment needs that the draft leaves out."""

    label: str
    title: str = Field(description="its name in words")
    weight: float = Field(description="the points it costs")
    why: str = Field(description="why it matters")
    move: str = Field(description="what to add")


class ReviewPublic(_Lenient):
    """The coach's verdict on a draft reply."""

    available: Literal[True] = True
    draft: str = Field(description="the draft reviewed")
    score: int = Field(description="0 to 100: how well the draft fits this moment")
    breakdown: dict[str, float] = Field(description="the points behind the score: moment, extra, "
                                                    "anti_patterns, missing (summed, then kept "
                                                    "within 0-100)")
    moment: str = Field(description="what the conversation needs now, e.g. acknowledge_anger")
    stage: str = Field(description="where the conversation stands, e.g. diagnosing")
    behaviours: list[BehaviourPublic] = Field(description="every good habit, found or not")
    anti_patterns: list[AntiPatternPublic] = Field(description="phrases to change")
    missing: list[GapPublic] = Field(description="what the moment needs and the draft lacks")
    commitments: list[CommitmentPublic] = Field(description="the promises the draft makes")
    next_move: str = Field(description="the single most useful thing to do next")
    verdict: Literal["send", "improve", "blocked"] = Field(
        "improve", description="the guard before send: send as it is; improve it first; or blocked "
                               "(a severe anti-pattern or too low a score: send only as a deliberate "
                               "override). Thresholds are coach.yaml's `guard`")
    reasons: list[str] = Field(default_factory=list,
                               description="why the verdict is not send: what blocks it or what to fix")

