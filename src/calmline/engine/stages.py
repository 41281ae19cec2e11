"""The conversation's stage (PLAYBOOK §4), derived turn by turn from both sides.

    venting → heard → understood → resolving → agreed → follow_up_scheduled → closed

The stage moves only on evidence from both sides. An agent turn shows what it does (acknowledging
or apologising = heard, repeating the issue back = understood, a fix or options = resolving, a
recap of next steps = ready to agree) but moves the case at most one stage per customer
reaction, and only when it shows that very next stage (a fix offered to a customer nobody has
heard yet does not make the case "resolving"); the rest is a claim that the customer's next
reply accepts when it is neither venting nor heated. Only the customer's own words ("ok, that
works") make it agreed, and only an agreement plus a dated follow-up promise make it
follow_up_scheduled. A customer who vents again, or is upset again (frustrated or worse) after
an agreement, takes it back to venting (claims and promises start over). A calm first message
that asks for something (the playbook's venting reading says not venting) starts at heard:
there is nothing to let out. A hand-over closes it as escalated, the customer's "all sorted,
thanks" once a fix is on the table as resolved. Every transition keeps its turn index, who
caused it, and the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from calmline.engine.analysis import Analysis
from calmline.engine.cues import CueScanner, Scan
from calmline.signals.base import Evidence, Turn

Stage = Literal["venting", "heard", "understood", "resolving", "agreed", "follow_up_scheduled", "closed"]
STAGES: tuple[Stage, ...] = ("venting", "heard", "understood", "resolving", "agreed",
                             "follow_up_scheduled", "closed")
Outcome = Literal["resolved", "escalated"]
_AGENT_STEPS: tuple[tuple[Stage, tuple[str, ...]], ...] = (
    ("heard", ("acknowledge", "apology")),
    ("understood", ("repeat_back",)),
    ("resolving", ("solution", "options")),
)
@dataclass(frozen=True, slots=True)
class Transition:
    """One move of the stage machine: from, to, at which turn, caused by whom, and why."""

    source: Stage
    target: Stage
    turn: int
    role: Literal["customer", "agent"]
    reason: str
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "turn": self.turn, "role": self.role,
                "reason": self.reason,
                "evidence": [{"start": e.start, "end": e.end, "text": e.text, "rule": e.rule}
                             for e in self.evidence]}


@dataclass(frozen=True, slots=True)
class StageState:
    """Where the conversation stands, and the path that led there."""

    stage: Stage = "venting"
    outcome: Outcome | None = None
    transitions: tuple[Transition, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "outcome": self.outcome,
                "transitions": [t.to_dict() for t in self.transitions]}


_OPEN: tuple[Stage, ...] = STAGES[1:6]  # heard … follow_up_scheduled: where a relapse falls back from
_CALM = ("calm", "annoyed")


@dataclass(frozen=True, slots=True)
class _Claim:
    """A stage the agent's message supports, waiting for the customer's reaction."""

    target: Stage
    reason: str
    evidence: tuple[Evidence, ...]


class _Machine:
    """Both sides move the stage: an agent turn moves it one stage per customer reaction (when it
    shows that next stage) and leaves the rest of what it shows as a claim; the customer's calm
    reply accepts the claim, their agreement makes it agreed, a relapse falls back to venting."""

    def __init__(self, scanner: CueScanner) -> None:
        self.scanner = scanner
        self.stage: Stage = "venting"
        self.outcome: Outcome | None = None
        self.moves: list[Transition] = []
        self.dated_promise: tuple[Evidence, ...] = ()
        self.claim: _Claim | None = None
        self.stepped = False  # an agent turn has moved the stage since the customer last spoke

    def go(self, target: Stage, turn: int, role: Literal["customer", "agent"], reason: str,
           evidence: tuple[Evidence, ...] = ()) -> None:
        self.moves.append(Transition(self.stage, target, turn, role, reason, evidence[:5]))
        self.stage = target

    def ahead(self, target: Stage) -> bool:
        return STAGES.index(target) > STAGES.index(self.stage)

    def agent(self, turn: int, text: str, scan: Scan) -> None:
        handed = scan.handed_over
        if handed:
            self.outcome = "escalated"
            self.go("closed", turn, "agent", "handed over (escalated)", handed)
            return
        claims = [_Claim(target, f"agent: {' / '.join(labels)}", spans)
                  for target, labels in _AGENT_STEPS
                  if (spans := tuple(e for label in labels for e in scan.behaviours.get(label, ())))]
        if "confirm" in scan.behaviours:
            claims.append(_Claim("agreed", "agent confirmed the next steps", scan.behaviours["confirm"]))
        dated = tuple(c.evidence for c in scan.follow_up_promises() if c.due is not None)
        if dated:
            self.dated_promise = dated
            # "I'll call you myself at 2pm and stay on until it's sorted" is the plan on offer,
            # as a fix is: the customer's "ok, 2pm" can accept it and agree to it
            if not any(c.target == "resolving" for c in claims):
                claims.append(_Claim("resolving", "agent: a dated follow-up promise", dated))
                claims.sort(key=lambda c: STAGES.index(c.target))
        claims = [c for c in claims if self.ahead(c.target)]
        if not claims:
            self._schedule(turn, "agent")
            return
        if self.claim is None or STAGES.index(claims[-1].target) > STAGES.index(self.claim.target):
            self.claim = claims[-1]
        step = next((c for c in claims if c.target == STAGES[STAGES.index(self.stage) + 1]), None)
        if step is not None and not self.stepped and step.target != "agreed":  # the customer agrees
            self.go(step.target, turn, "agent", step.reason, step.evidence)
            self.stepped = True
        if self.claim is not None and not self.ahead(self.claim.target):
            self.claim = None
        self._schedule(turn, "agent")

    def customer(self, turn: int, text: str, analysis: Analysis) -> None:
        self.stepped = False
        if self._relapse(turn, analysis):
            return
        calm = analysis.anger.level in _CALM
        first = self.stage == "venting" and not self.moves and self.claim is None
        if first and calm and not analysis.venting.venting:
            # the evidence of a calm request is what it asks for, else what read its level
            asked = tuple(e for w in analysis.wants for e in w.evidence)
            self.go("heard", turn, "customer", f"not venting: {analysis.venting.reason}",
                    analysis.venting.evidence or asked or analysis.anger.evidence)
            return
        self._accept(turn, analysis)
        agreed, closing = self.scanner.customer_says(text)
        if closing and STAGES.index(self.stage) >= STAGES.index("resolving") and self.stage != "closed":
            self.outcome = "resolved"
            self.go("closed", turn, "customer", "customer closed: resolved", (closing,))
            return
        if agreed and self.stage == "resolving" and calm:
            self.go("agreed", turn, "customer", "customer agreed", (agreed,))
            self._schedule(turn, "customer")

    def _relapse(self, turn: int, analysis: Analysis) -> bool:
        """Back to venting when the customer vents again, or is upset again (frustrated or worse)
        after an agreement: the agreement no longer holds and they need to be heard first."""
        level, venting = analysis.anger.level, analysis.venting
        if self.stage not in _OPEN:
            return False
        if venting.venting and level not in _CALM:
            reason, evidence = f"venting again: {venting.reason}", venting.evidence
        elif level not in _CALM and STAGES.index(self.stage) >= STAGES.index("agreed"):
            reason, evidence = f"{level} again after the agreement", analysis.anger.evidence
        else:
            return False
        self.go("venting", turn, "customer", reason, evidence)
        self.claim, self.dated_promise = None, ()
        return True

    def _accept(self, turn: int, analysis: Analysis) -> None:
        """A calm reply (calm or annoyed, not venting) accepts what the agent last offered (up to
        resolving; agreeing needs the customer's own words). A frustrated one pushes back ("3
        working days?! This is a joke."): the offer is not taken."""
        claim, self.claim = self.claim, None
        if claim is None or analysis.venting.venting or analysis.anger.level not in _CALM:
            return
        target: Stage = claim.target if claim.target != "agreed" else "resolving"
        if self.ahead(target):
            self.go(target, turn, "customer", f"the customer took it calmly ({claim.reason})",
                    claim.evidence)

    def _schedule(self, turn: int, role: Literal["customer", "agent"]) -> None:
        if self.stage == "agreed" and self.dated_promise:
            self.go("follow_up_scheduled", turn, role, "a dated follow-up was promised",
                    self.dated_promise)


def track_stages(turns: Sequence[Turn], analyses: Sequence[Analysis | None],
                 scans: Sequence[Scan | None], scanner: CueScanner) -> StageState:
    """Run the stage machine over a conversation (one analysis or scan per turn, by role)."""
    machine = _Machine(scanner)
    for index, (turn, analysis, scan) in enumerate(zip(turns, analyses, scans, strict=True)):
        if machine.stage == "closed":
            break
        if turn.role == "agent" and scan is not None:
            machine.agent(index, turn.text, scan)
        elif analysis is not None:
            machine.customer(index, turn.text, analysis)
    return StageState(machine.stage, machine.outcome, tuple(machine.moves))
