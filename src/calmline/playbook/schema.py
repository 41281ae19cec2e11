"""Pydantic schema of the playbook YAML: everything is validated once, at load time."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

LevelName = Literal["calm", "annoyed", "frustrated", "angry", "hostile"]
LEVELS: tuple[LevelName, ...] = ("calm", "annoyed", "frustrated", "angry", "hostile")


def check_regexes(patterns: list[str]) -> list[str]:
    """The patterns, each checked to compile: a bad one is refused at start-up, naming it (every
    list of regexes in the playbook and the coach is a `Regexes`)."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regex: {exc}") from exc
    return patterns


# A list of regexes, each checked to compile when the YAML is loaded
Regexes = Annotated[list[str], AfterValidator(check_regexes)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhraseGroup(_Strict):
    """A named set of regular expressions with why it matters; compiled into one regex."""

    patterns: Regexes = Field(default_factory=list, description="regexes on normalised text")
    reason: str = Field("", description="one line shown to people as the evidence's rule")
    weight: float = Field(1.0, ge=0.0, le=5.0)
    raw: bool = Field(False, description="do not add word boundaries around the patterns")
    examples: list[str] = Field(
        default_factory=list,
        description="sentences that carry this label, in customers' words: the semantic tier fires "
                    "when a sentence of the message is close enough to one of them")
    near_misses: list[str] = Field(
        default_factory=list,
        description="sentences that share the label's words but not its meaning (\"this wait is "
                    "killing me\"): a sentence closer to one of these than to any example does not fire")
    similarity: float | None = Field(
        None, ge=0.0, le=1.0,
        description="this label's own similarity threshold (default: semantic.threshold)")


class TargetedGroup(PhraseGroup):
    """A label whose reading by meaning must also name something in the sentence (flags, wants)."""

    target_patterns: Regexes = Field(
        default_factory=list,
        description="a sentence the semantic tier reads as this label must also name one of these "
                    "(abuse is aimed at someone: 'you', 'your staff'; a refund names money coming "
                    "back or a charge going: 'I owe £340??' only sounds like one); empty: no such "
                    "check")


class NamedPhraseGroup(PhraseGroup):
    name: str
    swearing: bool = Field(
        False, description="these words, when not aimed at the agent, raise the `swearing` flag "
                           "(venting, not abuse)")
    floor: LevelName | None = Field(
        None, description="the least level a message reads at when the customer says these words of "
                          "themselves, not negated nor hypothetical (\"I'm disappointed\" is never calm); "
                          "the logit boost of `weight` alone barely moves a message the model reads as calm")


class Cue(_Strict):
    name: Literal["caps", "exclamations", "elongation"]
    weight: float = Field(ge=0.0, le=5.0)
    reason: str


class Trend(_Strict):
    window: int = Field(3, ge=2, le=20)
    min_change: float = Field(0.1, ge=0.0, le=1.0)


class AngerConfig(_Strict):
    model: str | None = Field("anger", description="shipped model name, or null for lexicon only")
    extra_models: list[str] = Field(
        default_factory=list, description="more models averaged in after calibration (e.g. rage)")
    levels: dict[Literal["annoyed", "frustrated", "angry", "hostile"], float]
    model_ceiling: float = Field(
        1.0, gt=0.0, le=1.0,
        description="highest score the model alone can give; anything above needs visible cues")
    cue_scale: float = Field(1.0, ge=0.0, le=5.0)
    cues: list[Cue] = Field(default_factory=list)
    lexicon: list[NamedPhraseGroup] = Field(default_factory=list)
    trend: Trend = Trend()
    examples: dict[LevelName, list[str]] = Field(
        default_factory=dict,
        description="typical customer sentences at each level: the semantic tier reads a message's "
                    "level from the closest of them")

    @field_validator("levels")
    @classmethod
    def _ordered(cls, levels: dict[str, float]) -> dict[str, float]:
        names = ["annoyed", "frustrated", "angry", "hostile"]
        missing = [n for n in names if n not in levels]
        if missing:
            raise ValueError(f"anger.levels misses {missing}")
        bounds = [levels[n] for n in names]
        if bounds != sorted(bounds) or not 0.0 < bounds[0] or bounds[-1] >= 1.0:
            raise ValueError("anger.levels must increase strictly inside (0, 1)")
        return levels

    def level_of(self, score: float) -> LevelName:
        level: LevelName = "calm"
        for name in ("annoyed", "frustrated", "angry", "hostile"):
            if score >= self.levels[name]:
                level = name
        return level


class Protest(_Strict):
    """When a flag's request is a threat: a request to cancel is the `cancellation` want, and churn
    (a threat to leave, routed to retention) only when it is said in protest (PLAYBOOK §2 lists
    churn among the threats; data/support/README.md: "churn vs a plain cancellation")."""

    min_level: LevelName = Field(
        "frustrated", description="the least level, as the message reads before any flag's floor, at "
                                  "which a request (`request_patterns`, or a reading by meaning) is "
                                  "the threat: a calmer \"I'd like to cancel my contract\" is a want")
    request_patterns: Regexes = Field(
        default_factory=list,
        description="phrases that raise the flag only in protest (\"cancel my contract\", \"close my "
                    "account\"); the flag's own `patterns` (\"I'm switching to another provider\") are "
                    "the threat at any level")
    reason_patterns: Regexes = Field(
        default_factory=list,
        description="a reason the company cannot change (moving abroad, a death, a new job), or no "
                    "fault at all (\"nothing wrong with the service\"): the request is not the threat "
                    "at any level, unless one of the flag's own `patterns` is said too")


class FlagConfig(TargetedGroup):
    route: str
    anger_floor: LevelName | None = Field(None, description="the least anger this flag implies")
    anger_floor_fast_path_only: bool = Field(
        False, description="the floor stands in for reading the level by meaning: where the "
                           "semantic tier read the message's level, the floor does not apply (the "
                           "churn phrases find a calm \"I'd like to cancel, I'm moving abroad\" "
                           "as well as an upset customer who leaves; the level head tells them "
                           "apart, the fast path cannot)")
    watch_only_patterns: Regexes = Field(
        default_factory=list,
        description="a sentence the semantic tier reads as this flag but that matches one of these "
                    "tells of something else that sounds like it (a death in the family read as "
                    "self-harm): it is shown as a sign to check, never flagged or routed on its own; "
                    "the label's own patterns still flag it")
    watch_only_message: bool = Field(
        False, description="a reading of the whole message (no single sentence reaching the flag) "
                           "that matches a watch-only pattern is a sign to check too: for a flag "
                           "whose message-level reading is as weak as its sentences (account "
                           "trouble), never for one where the sentences together are the danger "
                           "(\"my dad died last month. I want to be with him\")")
    watch_only_reason: str = Field(
        "", description="what such a sentence tells instead, as the agent reads it (\"it tells of a "
                        "death in the family\")")
    cleared_patterns: Regexes = Field(
        default_factory=list,
        description="the customer says, anywhere in the message, that it is not one (\"it was me\", "
                    "\"I wasn't hacked\"): such a message is shown as a sign to check, never flagged "
                    "or routed, whichever sentence or phrase reads as the flag; read over the whole "
                    "message, where `watch_only_patterns` read one sentence")
    cleared_unless_patterns: Regexes = Field(
        default_factory=list,
        description="a message that matches one of these is never cleared, whatever it says: a "
                    "denial (\"that wasn't me\", \"someone else\"), or the clearing words said of "
                    "someone else's doubt (\"the bank asked if it was me\", \"I thought it was me\")")
    cleared_reason: str = Field(
        "", description="what such a message tells instead, as the agent reads it")
    figure_patterns: Regexes = Field(
        default_factory=list,
        description="a sentence the semantic tier reads as this flag but that matches one of these "
                    "says words of the flag as a figure of speech tied to a deadline, an event, a "
                    "thing or a place (\"if it's not here by Thursday I don't know what I'll do\", "
                    "\"I'm about to lose my mind in here\"): it is neither flagged nor shown as a sign "
                    "to check; the label's own patterns and the message's other sentences still read")
    protest: Protest | None = Field(
        None, description="the flag is a threat only when said in protest (churn): see `Protest`")
    danger: bool = Field(
        False, description="a danger to someone (violence, self-harm, account takeover): read for "
                           "recall first, never dropped because a phrase was negated, and a weaker "
                           "sign is still shown to the agent as one to check")
    model: str | None = None
    model_weight: float = Field(0.5, ge=0.0, le=1.0)
    threat: bool = Field(
        False, description="a threat the customer makes (violence, legal action, going public, "
                           "leaving): counts in the agent's load in insights")
    detector: str = Field(
        "threats", description="the detector that raises this flag: `threats` reads its patterns; "
                               "abuse and swearing have their own (`abuse`); a plug-in may name its own")


class Want(TargetedGroup):
    action: bool = Field(
        True, description="a request for action (a refund, a repair): a message asking for it is "
                          "not pure venting; false for wants that can be venting (an apology)")
    ask: str = Field("", description="what they would like, as the console words it (\"a refund\")")


class Route(_Strict):
    description: str


class FactsConfig(_Strict):
    products: list[str] = Field(default_factory=list)
    id_words: list[str] = Field(default_factory=list)


class VentingConfig(_Strict):
    min_anger: float = Field(0.45, ge=0.0, le=1.0)
    burst_messages: int = Field(3, ge=2)
    burst_seconds: int = Field(120, ge=1)
    request_patterns: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list, description="all feeling, no request")
    near_misses: list[str] = Field(default_factory=list, description="angry, but asks for something")


class RisingConfig(_Strict):
    turns: int = Field(3, ge=2)
    min_rise: float = Field(0.2, ge=0.0, le=1.0)
    min_level: LevelName = "angry"
    route: str = "supervisor"


class Topic(PhraseGroup):
    route: str
    mention_patterns: Regexes = Field(
        default_factory=list,
        description="the topic's words said of something else: a denial (\"I'm not saying I've been "
                    "hacked\"), the name of a team or a message (\"your fraud team\", \"a fraud "
                    "text\"): a phrase inside one of these does not raise the topic (a negated one "
                    "never does)")
    read_by: str | None = Field(
        None, description="the flag that reads the topic's words by meaning (account_security for "
                          "security): where that flag reads the message, flagged or only a sign to "
                          "check, the topic adds no reason of its own (the flag routes, or the "
                          "customer said it was not one)")


class AuthorityConfig(_Strict):
    refund_limit: float = Field(200, ge=0)
    refund_route: str = "supervisor"
    refund_wants: list[str] = Field(
        default_factory=lambda: ["refund", "compensation"],
        description="the wants (labels under `wants`) that ask for money: an amount above "
                    "`refund_limit` in a message asking for one of them goes to `refund_route`")
    topics: dict[str, Topic] = Field(default_factory=dict)


class EscalationConfig(_Strict):
    rising: RisingConfig = RisingConfig()
    authority: AuthorityConfig = AuthorityConfig()


class SemanticConfig(_Strict):
    """The semantic tier: how close a sentence must be to a label's examples to carry the label."""

    enabled: bool = Field(True, description="false: read with the fast path (lexicon + linear models) only")
    threshold: float = Field(0.72, ge=0.0, le=1.0,
                             description="least cosine similarity to the closest example to fire")
    margin: float = Field(0.05, ge=0.0, le=1.0,
                          description="the closest example must beat the closest near miss by this much")
    max_sentences: int = Field(
        16, ge=1, le=200, description="sentences read per message (first ones, then the last ones)")
    max_tokens: int = Field(
        384, ge=16, le=4096,
        description="word pieces the model reads per message, from both ends (its cost grows with them: "
                    "about 0.13 ms each on one core)")
    neighbours: int = Field(7, ge=1, le=50, description="level examples that vote on the anger level")
    min_raise_level: LevelName = Field(
        "annoyed", description="meaning alone raises a message only to this level or above "
                               "(mild irritation read from meaning alone is weak evidence)")
    heads: str | None = Field(
        "semantic_heads", description="trained heads: a shipped artefact name, a path to a team's "
                                      "file (`calmline train --from-corrections`), or null for examples only")


class Limits(_Strict):
    max_chars: int = Field(20000, ge=100)


class WellbeingConfig(_Strict):
    """Protecting the agent (PLAYBOOK §6): how hostility received becomes a decaying stress load."""

    half_life_minutes: float = Field(30.0, gt=0, le=24 * 60,
                                     description="the load halves every this many minutes")
    min_anger: float = Field(0.3, ge=0.0, le=1.0, description="calmer messages add no stress")
    abuse_stress: float = Field(1.0, ge=0.0, le=10.0, description="extra stress of an abusive message")
    breather: float = Field(3.0, gt=0, description="load past which the agent should take a breather")
    overload: float = Field(5.0, gt=0, description="load past which the supervisor sees them overloaded")

    @model_validator(mode="after")
    def _ordered(self) -> WellbeingConfig:
        if self.overload < self.breather:
            raise ValueError("wellbeing.overload must be at least wellbeing.breather")
        return self


class CaseConfig(_Strict):
    """Reading the whole case, not its last message (issue 9): how a peak of anger fades.

    The case carries its hottest reading forward, halving every `half_life_turns` customer turns
    and every `half_life_minutes` between them; a customer's new message reads at least as its own
    score. Silence is not calm: the reading is as of the customer's last turn.
    """

    half_life_turns: float = Field(3.0, gt=0, le=100,
                                   description="carried anger halves every this many customer turns")
    half_life_minutes: float = Field(60.0, gt=0, le=7 * 24 * 60,
                                     description="... and every this many minutes between them")
    trend_window: int = Field(3, ge=2, le=20, description="customer turns the trend compares")
    trend_min_change: float = Field(0.1, ge=0.0, le=1.0,
                                    description="the least change that is rising or cooling")
    cooling_needs_reply: bool = Field(
        True, description="a calmer message with no agent reply since the hotter one is steady, "
                          "not cooling (an unanswered customer has not calmed down)")


class Playbook(_Strict):
    """The whole method. `extra` is forbidden everywhere so a typo fails loudly at start-up."""

    version: Literal[1] = 1
    language: str = "en"
    limits: Limits = Limits()
    detectors: list[str]
    # A detector's own settings, by name, checked by the `Settings` model the detector declares
    # (plug-ins are configured exactly like built-ins; see calmline.signals.base.Detector).
    detector_settings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    routes: dict[str, Route]
    anger: AngerConfig
    flags: dict[str, FlagConfig]
    wants: dict[str, Want]
    causes: dict[str, PhraseGroup]
    areas: dict[str, PhraseGroup]
    facts: FactsConfig = FactsConfig()
    venting: VentingConfig = VentingConfig()
    escalation: EscalationConfig = EscalationConfig()
    semantic: SemanticConfig = SemanticConfig()
    wellbeing: WellbeingConfig = WellbeingConfig()
    case: CaseConfig = CaseConfig()

    @model_validator(mode="after")
    def _settings_name_detectors(self) -> Playbook:
        unknown = sorted(set(self.detector_settings) - set(self.detectors))
        if unknown:
            raise ValueError(f"detector_settings for detectors not listed in `detectors`: {unknown}")
        return self

    @model_validator(mode="after")
    def _routes_exist(self) -> Playbook:
        known = set(self.routes) | {"none"}
        used = {f"flags.{name}": flag.route for name, flag in self.flags.items()}
        used["escalation.rising"] = self.escalation.rising.route
        used["escalation.authority.refund_route"] = self.escalation.authority.refund_route
        for name, topic in self.escalation.authority.topics.items():
            used[f"escalation.authority.topics.{name}"] = topic.route
        unknown = {where: route for where, route in used.items() if route not in known}
        if unknown:
            detail = ", ".join(f"{w} -> {r!r}" for w, r in sorted(unknown.items()))
            raise ValueError(f"unknown routes (declare them under `routes`): {detail}")
        return self

    @model_validator(mode="after")
    def _topics_read_by_flags(self) -> Playbook:
        unknown = {name: topic.read_by for name, topic in self.escalation.authority.topics.items()
                   if topic.read_by is not None and topic.read_by not in self.flags}
        if unknown:
            detail = ", ".join(f"escalation.authority.topics.{n}.read_by -> {f!r}"
                               for n, f in sorted(unknown.items()))
            raise ValueError(f"topics read by flags not under `flags`: {detail}")
        return self

    @model_validator(mode="after")
    def _refund_wants_exist(self) -> Playbook:
        authority = self.escalation.authority
        unknown = sorted(set(authority.refund_wants) - set(self.wants))
        if unknown and "refund_wants" in authority.model_fields_set:  # the default may not apply
            raise ValueError(f"escalation.authority.refund_wants names wants not under `wants`: "
                             f"{unknown}")
        return self

    def route_description(self, route: str) -> str:
        return self.routes[route].description if route in self.routes else ""
