"""Pydantic schema of the reply coach's YAML (coach.yaml): behaviours, anti-patterns, gaps,
moments, customer cues and reply templates. Validated once, at load; `extra` is forbidden so a
typo fails loudly."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from calmline.playbook.schema import Regexes, check_regexes

Moment = Literal["venting", "hear", "understand", "resolve", "agree", "close", "escalate",
                 "wellbeing", "security"]
MOMENTS: tuple[Moment, ...] = ("venting", "hear", "understand", "resolve", "agree", "close", "escalate",
                               "wellbeing", "security")
# Contextual checks implemented in code (engine/cues.py, engine/coach.py) that an entry may name.
Check = Literal["facts", "steps", "offer", "timeline", "no_timeline", "no_alternative", "venting",
                "unanswered", "tone", "danger"]
SLOT_NAMES = frozenset({"name", "order", "product", "duration", "amount", "date", "want", "issue",
                        "order_ref", "recap", "plan", "refund_time", "callback_time", "update_time",
                        "replacement_time", "crisis_line", "deadline", "repeat", "thanks", "praise",
                        "question", "topic", "cancel_what", "loss",
                        "issue_read",  # a marker: {issue} is their problem, not only a thing they named
                        "issue_own",  # a marker: {issue} is in their own words (object and problem)
                        "plan_checks",  # a marker: {plan} already says when the agent checks back
                        "declined",  # what the customer turned down of the agent's offer
                        "declined_asks",  # a marker: ... and they say what they want instead
                        "greeting",  # a marker: the message only greets or asks if anyone is there
                        "request",  # a marker: the message only asks for something ("A refund please.")
                        "deadline_money",  # a marker: their deadline is for money back
                        "recurs",  # a marker: what went wrong has happened before ("late AGAIN")
                        "amount_back",  # a marker: {amount} is the sum they ask back
                        "answered",  # a marker: an agent has replied before the latest message
                        "thanks_done",  # a marker: only thanks, after an agent said it's done
                        "instead",  # the day they offer instead of the one they turned down
                        "phishing"})  # a marker: they ask whether a message or call really came from us
# Slots every conversation fills (the sla times `sla` must define); any other slot in a hint, a
# move or a rewrite needs a {slot|fallback}, so that text never shows a raw {slot}.
REQUIRED_SLA = frozenset({"refund_time", "callback_time", "update_time", "replacement_time"})
_SLOT = re.compile(r"\{(\w+)(?:\|[^{}]*)?\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cue(_Strict):
    """A good behaviour or an anti-pattern: phrases that show it, and what it means to people."""

    title: str = Field(description="short name shown to agents")
    why: str = Field(description="why it matters (behaviour) or why it hurts (anti-pattern)")
    weight: float = Field(ge=0.0, le=50.0, description="score points it adds (or costs)")
    patterns: Regexes = Field(default_factory=list, description="regexes on normalised text")
    check: Check | None = Field(None, description="a contextual check the hit must also pass")
    negatable: bool = Field(True, description="drop hits preceded by a negation word")


def _check_slots(text: str, where: str) -> str:
    """Known slot names only, and every slot the conversation may lack has a fallback."""
    for match in _SLOT.finditer(text):
        name = match.group(1)
        if name not in SLOT_NAMES:
            raise ValueError(f"{where}: unknown slot {name!r}")
        if "|" not in match.group(0) and name not in REQUIRED_SLA:
            raise ValueError(f"{where}: slot {{{name}}} needs a fallback ({{{name}|…}}): "
                             "the conversation may not know it")
    return text


class Behaviour(Cue):
    hint: str = Field(description="how to add it when it is missing: one imperative line")

    @field_validator("hint")
    @classmethod
    def _hint_slots(cls, hint: str) -> str:
        return _check_slots(hint, "hint")


class AntiPattern(Cue):
    rewrite: str = Field(description="a calmer rewrite of the flagged span (may use {slots})")
    replace: str = Field("", description="the sentence that takes the flagged sentence's place in "
                                         "the agent's draft (may use {slots}); empty: the sentence "
                                         "is removed")
    replace_after_apology: str = Field(
        "", description="the replacing sentence when the rest of the draft already says sorry (no "
                        "second apology in a row); empty: `replace` either way")
    negatable: bool = False
    disowned_by: Regexes = Field(
        default_factory=list,
        description="regexes (on lower-case text) by which the draft itself owns what the hit seems "
                    "to excuse or blame (\"which is no excuse\", \"that's not your fault\"): a hit "
                    "followed by one in its sentence or the next, with no 'but' after it, is dropped")

    @field_validator("rewrite", "replace", "replace_after_apology")
    @classmethod
    def _rewrite_slots(cls, rewrite: str) -> str:
        return _check_slots(rewrite, "rewrite")


class Gap(_Strict):
    """Something the moment calls for that the draft (and the conversation so far) lacks."""

    title: str
    why: str
    weight: float = Field(ge=0.0, le=50.0)
    move: str = Field(description="the next move when this is the top gap (may use {slots})")

    @field_validator("move")
    @classmethod
    def _move_slots(cls, move: str) -> str:
        return _check_slots(move, "move")


class SituationMove(_Strict):
    """What the next move says when the conversation is in a situation (a slot that marks one,
    e.g. `loss`), in place of the hints that do not fit it."""

    hint: str = Field(description="the next move in this situation (may use {slots})")
    instead_of: list[str] = Field(
        min_length=1,
        description="behaviours and gaps whose hints (moves) this one takes the place of: a "
                    "grieving customer is not told \"I can see how frustrating this has been\"")

    @field_validator("hint")
    @classmethod
    def _hint_slots(cls, hint: str) -> str:
        return _check_slots(hint, "hint")


class MomentSpec(_Strict):
    description: str
    expect: list[str] = Field(min_length=1, description="behaviours this moment calls for")
    routes: list[str] = Field(
        default_factory=list,
        description="a danger flag (playbook `danger: true`) routed to one of these routes, in the "
                    "latest customer message or still open in the case, chooses this moment over "
                    "every other one")
    watch: str | None = Field(
        None, description="the next move's gentle check-in when the latest customer message shows "
                          "only a weaker sign of a danger flag routed to one of `routes`")


class Template(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    moments: list[Moment] = Field(min_length=1)
    needs: list[str] = Field(default_factory=list, description="slots that must be known")
    unless: list[str] = Field(default_factory=list, description="slots that must not be known")
    wants: list[str] = Field(default_factory=list,
                             description="only when the customer wants one of these (empty: always)")
    flags: list[str] = Field(default_factory=list,
                             description="only when one of these danger flags chose the moment "
                                         "(empty: always)")
    text: str = Field(min_length=10)

    @model_validator(mode="after")
    def _slots_known(self) -> Template:
        unknown = {m.group(1) for m in _SLOT.finditer(self.text)} | set(self.needs) | set(self.unless)
        unknown -= SLOT_NAMES
        if unknown:
            raise ValueError(f"template {self.id}: unknown slots {sorted(unknown)}")
        return self


class CustomerCues(_Strict):
    agree: Regexes = Field(default_factory=list)
    close: Regexes = Field(default_factory=list)
    confirm: Regexes = Field(default_factory=list)
    loss: Regexes = Field(
        default_factory=list,
        description="the customer tells of a death in the family (\"my mum passed away last "
                    "month\"): the reply starts with condolences. A named group `who` says whom "
                    "they lost, said back as theirs (\"your mum\"); without it, \"your loss\"")

    decline: Regexes = Field(
        default_factory=list,
        description="the customer turns down what the agent offered (\"Thursday is no good, I'm "
                    "at work\", \"£80 doesn't cover it\"): the reply hears that and asks what would "
                    "suit them, instead of starting over")

    greeting: Regexes = Field(
        default_factory=list,
        description="a whole message that only greets or checks someone is there (\"hello?\", "
                    "\"anyone there?\"): the reply greets back and asks how to help, and says "
                    "sorry for nothing and thanks them for explaining nothing")


class Scoring(_Strict):
    expected_points: float = Field(70.0, ge=0, le=100, description="points for covering the moment")
    extra_cap: float = Field(30.0, ge=0, le=100, description="most points other good behaviours add")
    apology_limit: int = Field(3, ge=2, description="this many apologies in a conversation is a string")


class Guard(_Strict):
    """The guard before send: when a review's verdict is "send", "improve" or "blocked". A blocked
    draft can still go out, but only as a deliberate override (the console asks twice)."""

    block: list[str] = Field(default_factory=list,
                             description="anti-patterns so harmful that one alone blocks the draft")
    block_below: int = Field(0, ge=0, le=100, description="a draft scoring below this is blocked "
                                                          "(0: the score alone never blocks)")
    send_from: int = Field(70, ge=0, le=100,
                           description="a draft with no anti-pattern scoring at least this is "
                                       "\"send\"; anything else not blocked is \"improve\"")

    @model_validator(mode="after")
    def _ordered(self) -> Guard:
        if self.block_below > self.send_from:
            raise ValueError(f"guard: block_below ({self.block_below}) is above send_from "
                             f"({self.send_from})")
        return self


class DraftHeadExamples(_Strict):
    """Sentences an agent might write that are (examples) or only look like (near_misses) one
    anti-pattern: they train the learned head of that anti-pattern (engine/draft_heads.py)."""

    examples: list[str] = Field(min_length=3)
    near_misses: list[str] = Field(default_factory=list)


class DraftHeadsSpec(_Strict):
    """The learned draft-sentence heads: which artefact the coach reads (a shipped name or a
    path; None: phrase cues only) and the example sentences `make models` trains them on."""

    artefact: str | None = None
    labels: dict[str, DraftHeadExamples] = Field(default_factory=dict)
    replies: list[str] = Field(
        default_factory=list,
        description="behaviours that `make models` also trains a head for over the whole reply "
                    "(all its sentences at once)")
    anti_replies: list[str] = Field(
        default_factory=list,
        description="anti-patterns that `make models` also trains a head for over the whole reply; "
                    "a hit adds evidence the contextual checks still judge")
    bare_reply_floor: float | None = Field(
        None, gt=0.0, lt=1.0,
        description="a reply that does none of the behaviours (no apology, ownership, fix, "
                    "question...) and shows no anti-pattern is flagged with the anti-pattern its "
                    "sentences read most like, when that head gives at least this; None: off")


class CoachConfig(_Strict):
    """The reviewer's method: a team adapts wording, weights, SLAs and templates here."""

    version: Literal[1] = 1
    scoring: Scoring = Scoring()
    sla: dict[str, str] = Field(default_factory=dict,
                                description="the team's real times, used by templates")
    issues: dict[str, str] = Field(default_factory=dict,
                                   description="how to name what went wrong, by cause/area label")
    behaviours: dict[str, Behaviour]
    anti_patterns: dict[str, AntiPattern]
    gaps: dict[str, Gap]
    moments: dict[Moment, MomentSpec]
    customer: CustomerCues = CustomerCues()
    escalation: list[str] = Field(default_factory=list, description="agent hands the case over")
    templates: list[Template] = Field(min_length=1)
    guard: Guard = Guard()
    situations: dict[str, SituationMove] = Field(
        default_factory=dict,
        description="by situation slot (`loss`): the next move while the latest message tells of it")
    draft_heads: DraftHeadsSpec = DraftHeadsSpec()

    @model_validator(mode="after")
    def _consistent(self) -> CoachConfig:
        missing = [m for m in MOMENTS if m not in self.moments]
        if missing:
            raise ValueError(f"moments misses {missing}")
        for name, spec in self.moments.items():
            unknown = [b for b in spec.expect if b not in self.behaviours]
            if unknown:
                raise ValueError(f"moments.{name} expects unknown behaviours {unknown}")
        undefined = REQUIRED_SLA - set(self.sla)
        if undefined:
            raise ValueError(f"sla misses {sorted(undefined)}")
        check_regexes(self.escalation)
        unknown_guard = [a for a in self.guard.block if a not in self.anti_patterns]
        if unknown_guard:
            raise ValueError(f"guard.block names unknown anti-patterns {unknown_guard}")
        unknown_heads = [a for a in self.draft_heads.labels if a not in self.anti_patterns]
        if unknown_heads:
            raise ValueError(f"draft_heads.labels names unknown anti-patterns {unknown_heads}")
        unknown_replies = [b for b in self.draft_heads.replies if b not in self.behaviours]
        if unknown_replies:
            raise ValueError(f"draft_heads.replies names unknown behaviours {unknown_replies}")
        unknown_anti = [a for a in self.draft_heads.anti_replies if a not in self.anti_patterns]
        if unknown_anti:
            raise ValueError(f"draft_heads.anti_replies names unknown anti-patterns {unknown_anti}")
        self._check_situations()
        routed = [r for spec in self.moments.values() for r in spec.routes]
        if len(routed) != len(set(routed)):
            raise ValueError(f"moments: a route chooses at most one moment ({sorted(routed)})")
        return self

    def _check_situations(self) -> None:
        for slot, move in self.situations.items():
            if slot not in SLOT_NAMES:
                raise ValueError(f"situations: unknown slot {slot!r}")
            unknown = [n for n in move.instead_of if n not in self.behaviours and n not in self.gaps]
            if unknown:
                raise ValueError(f"situations.{slot}.instead_of names unknown behaviours or gaps "
                                 f"{unknown}")
