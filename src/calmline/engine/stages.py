"""The conversation's stage (PLAYBOOK §4), derived turn by turn from both sides.

    venting → heard → understood → resolving → agreed → follow_up_scheduled → closed

Agent turns move it forward by what the coach finds in them (acknowledging or apologising =
heard, repeating the issue back = understood, a fix or options = resolving, a recap of next steps =
agreed, a dated follow-up promise once agreed = follow_up_scheduled, a hand-over = closed as
escalated). Customer turns agree ("ok, that works"), close ("all sorted, thanks") or relapse
into venting. Every transition keeps its turn index, who caused it, and the evidence.
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
_CALM = ("calm", "annoyed")


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


class _Machine:
    def __init__(self, scanner: CueScanner) -> None:
        self.scanner = scanner
        self.stage: Stage = "venting"
        self.outcome: Outcome | None = None
        self.moves: list[Transition] = []
        self.dated_promise: tuple[Evidence, ...] = ()

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
        for target, labels in _AGENT_STEPS:
            spans = tuple(e for label in labels for e in scan.behaviours.get(label, ()))
            if spans and self.ahead(target):
                self.go(target, turn, "agent", f"agent: {' / '.join(labels)}", spans)
        dated = tuple(c.evidence for c in scan.follow_up_promises() if c.due is not None)
        if dated:
            self.dated_promise = dated
        if "confirm" in scan.behaviours and self.stage == "resolving":
            self.go("agreed", turn, "agent", "agent confirmed the next steps", scan.behaviours["confirm"])
        self._schedule(turn, "agent")

    def customer(self, turn: int, text: str, analysis: Analysis) -> None:
        if analysis.venting.venting and self.stage in STAGES[1:5] and analysis.anger.level not in _CALM:
            self.go("venting", turn, "customer", f"venting again: {analysis.venting.reason}",
                    analysis.venting.evidence)
            return
        agreed, closing = self.scanner.customer_says(text)
        if closing and STAGES.index(self.stage) >= STAGES.index("resolving") and self.stage != "closed":
            self.outcome = "resolved"
            self.go("closed", turn, "customer", "customer closed: resolved", (closing,))
            return
        if agreed and self.stage == "resolving" and analysis.anger.level in _CALM:
            self.go("agreed", turn, "customer", "customer agreed", (agreed,))
            self._schedule(turn, "customer")

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
