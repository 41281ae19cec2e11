"""The typed, JSON-serialisable result of analysing one customer message."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal

from calmline.playbook.schema import LevelName
from calmline.signals.base import Evidence, Finding

Trend = Literal["rising", "steady", "cooling"]


@dataclass(frozen=True, slots=True)
class Anger:
    score: float
    level: LevelName
    evidence: tuple[Evidence, ...]
    trend: Trend | None = None  # None without history
    model_score: float | None = None  # the calibrated model score before cues raised it
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str  # order_id, date, amount, duration, product
    value: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Venting:
    venting: bool
    reason: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class EscalationReason:
    route: str
    trigger: str  # the flag or rule that fired: "abuse", "legal", "rising_anger", "refund_limit"
    reason: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Escalation:
    escalate: bool
    routes: tuple[str, ...] = ()
    reasons: tuple[EscalationReason, ...] = ()

    @property
    def route(self) -> str | None:
        return self.routes[0] if self.routes else None


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything calmline reads in one customer message. Every score carries its evidence."""

    text: str
    anger: Anger
    causes: tuple[Finding, ...]
    areas: tuple[Finding, ...]
    wants: tuple[Finding, ...]
    facts: tuple[Fact, ...]
    flags: tuple[Finding, ...]
    venting: Venting
    escalate: Escalation
    extra: tuple[Finding, ...] = ()  # findings of plug-in detectors, and model side signals
    notes: tuple[str, ...] = field(default=())

    def flag(self, label: str) -> Finding | None:
        return next((f for f in self.flags if f.label == label), None)

    def want_labels(self) -> list[str]:
        return [w.label for w in self.wants]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(self)
        data["escalate"]["route"] = self.escalate.route
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Analysis:
        """The analysis `to_dict` wrote (as a case store keeps it); KeyError or TypeError when
        `data` is not one."""
        anger, venting, escalate = data["anger"], data["venting"], data["escalate"]
        return cls(
            text=data["text"],
            anger=Anger(**{**anger, "evidence": _evidence(anger["evidence"])}),
            causes=_findings(data["causes"]), areas=_findings(data["areas"]),
            wants=_findings(data["wants"]), facts=tuple(Fact(**f) for f in data["facts"]),
            flags=_findings(data["flags"]),
            venting=Venting(**{**venting, "evidence": _evidence(venting["evidence"])}),
            escalate=Escalation(escalate["escalate"], tuple(escalate["routes"]), tuple(
                EscalationReason(**{**r, "evidence": _evidence(r["evidence"])})
                for r in escalate["reasons"])),
            extra=_findings(data["extra"]), notes=tuple(data["notes"]))


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """What `dataclasses.asdict` makes of `value`, without its deep copy of every string and
    number (immutable: the copy is the value itself), which cost most of its time: dataclasses
    become dicts of their fields, tuples, lists and dicts are rebuilt, anything else is copied."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is tuple or kind is list:
        return kind(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return kind(*[_plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return kind(_plain(v) for v in value)
    if isinstance(value, dict):
        return kind((_plain(k), _plain(v)) for k, v in value.items())
    return copy.deepcopy(value)


def _evidence(items: Iterable[Mapping[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(**e) for e in items)


def _findings(items: Iterable[Mapping[str, Any]]) -> tuple[Finding, ...]:
    return tuple(Finding(**{**f, "evidence": _evidence(f["evidence"])}) for f in items)
