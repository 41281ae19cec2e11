"""The case's reading: the whole conversation, not its last message (PLAYBOOK §1, §2; issue 9).

A team lead does not forget a hostile message because the next one says "Hello?? Is anyone
there?". The case reading carries the hottest anger forward and lets it fade (halving every
`case.half_life_turns` customer turns and every `case.half_life_minutes` between them), keeps the
trend over the customer's turns, and keeps what the customer asked for (wants) and the alarms they
raised (flags) open until someone addresses them.

The reading is a fold over the turns: `advance(reading, turn)` gives the next reading from the
previous one and one turn, so the case store keeps the reading with the case (`to_dict` /
`from_dict`) and updates it per message at constant cost; `read_case(turns)` folds a whole
conversation. Pure logic: no database, no HTTP, no analyzer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, Literal

from calmline.engine.analysis import Analysis, Trend
from calmline.playbook.schema import AngerConfig, CaseConfig, LevelName, Playbook

Role = Literal["customer", "agent"]
_UNROUTED = (None, "", "none")


@dataclass(frozen=True, slots=True)
class CaseTurn:
    """One turn as the case reading needs it: who spoke, when, and for a customer what was read
    (anger score, flags with their routes, wants). A customer turn without a score (nothing was
    analysed) still opens its wants and flags but leaves the anger as it was."""

    role: Role
    time: datetime | None = None
    score: float | None = None
    flags: tuple[tuple[str, str | None], ...] = ()  # (label, route)
    wants: tuple[str, ...] = ()

    @classmethod
    def from_analysis(cls, analysis: Analysis, time: datetime | None = None) -> CaseTurn:
        return cls("customer", time, analysis.anger.score,
                   tuple((f.label, f.route) for f in analysis.flags), tuple(analysis.want_labels()))

    @classmethod
    def from_stored(cls, role: str, *, time: datetime | None = None, score: float | None = None,
                    analysis: Mapping[str, Any] | None = None) -> CaseTurn:
        """From what the case store keeps: the role, time, score and `Analysis.to_dict()`."""
        if role != "customer":
            return cls("agent", time)
        data = analysis or {}
        if score is None and isinstance(data.get("anger"), Mapping):
            found = data["anger"].get("score")
            score = float(found) if isinstance(found, int | float) else None
        flags = tuple((str(f["label"]), f.get("route")) for f in data.get("flags") or ()
                      if isinstance(f, Mapping) and f.get("label"))
        wants = tuple(str(w["label"]) for w in data.get("wants") or ()
                      if isinstance(w, Mapping) and w.get("label"))
        return cls("customer", time, score, flags, wants)


@dataclass(frozen=True, slots=True)
class OpenItem:
    """A want or flag the customer raised that nobody has addressed yet: first and last raised at
    which customer turn (1-based), how often, and for a flag the route it escalated to."""

    label: str
    since: int
    last: int
    times: int = 1
    route: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "since": self.since, "last": self.last, "times": self.times,
                "route": self.route}


@dataclass(frozen=True, slots=True)
class CaseRules:
    """What the reading needs from the playbook: the `case` section and the anger levels."""

    case: CaseConfig
    anger: AngerConfig

    @classmethod
    def from_playbook(cls, playbook: Playbook) -> CaseRules:
        return cls(playbook.case, playbook.anger)

    def level(self, score: float) -> LevelName:
        return self.anger.level_of(score)


@cache
def default_rules() -> CaseRules:
    """The packaged playbook's rules, loaded on first use (never on import)."""
    from calmline.playbook.loader import load_playbook

    return CaseRules.from_playbook(load_playbook())


@dataclass(frozen=True, slots=True)
class CaseReading:
    """Where the case stands. `score`/`level` are the decayed reading that ranks the case;
    `peak_*` the hottest customer message; `latest_*` the last one; `trend` over the customer's
    turns (None before two scored turns). The fields after `open_flags` are the fold's state."""

    score: float = 0.0
    level: LevelName = "calm"
    peak_score: float = 0.0
    peak_level: LevelName = "calm"
    peak_turn: int | None = None
    latest_score: float | None = None
    latest_level: LevelName | None = None
    trend: Trend | None = None
    customer_turns: int = 0
    open_wants: tuple[OpenItem, ...] = ()
    open_flags: tuple[OpenItem, ...] = ()
    recent: tuple[float, ...] = ()  # the last scored customer turns, oldest first
    answered: tuple[bool, ...] = ()  # for each of `recent`: did an agent reply after it?
    last_customer_time: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; `from_dict(to_dict())` gives the same reading back."""
        return {
            "score": self.score, "level": self.level, "peak_score": self.peak_score,
            "peak_level": self.peak_level, "peak_turn": self.peak_turn,
            "latest_score": self.latest_score, "latest_level": self.latest_level,
            "trend": self.trend, "customer_turns": self.customer_turns,
            "open_wants": [w.to_dict() for w in self.open_wants],
            "open_flags": [f.to_dict() for f in self.open_flags],
            "recent": list(self.recent), "answered": list(self.answered),
            "last_customer_time": (self.last_customer_time.isoformat()
                                   if self.last_customer_time else None),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseReading:
        when = data.get("last_customer_time")
        return cls(
            score=float(data.get("score", 0.0)), level=data.get("level", "calm"),
            peak_score=float(data.get("peak_score", 0.0)),
            peak_level=data.get("peak_level", "calm"), peak_turn=data.get("peak_turn"),
            latest_score=data.get("latest_score"), latest_level=data.get("latest_level"),
            trend=data.get("trend"), customer_turns=int(data.get("customer_turns", 0)),
            open_wants=tuple(OpenItem(**w) for w in data.get("open_wants") or ()),
            open_flags=tuple(OpenItem(**f) for f in data.get("open_flags") or ()),
            recent=tuple(float(s) for s in data.get("recent") or ()),
            answered=tuple(bool(a) for a in data.get("answered") or ()),
            last_customer_time=datetime.fromisoformat(when) if isinstance(when, str) else None)


def _carried(previous: CaseReading, time: datetime | None, cfg: CaseConfig) -> float:
    """The previous reading faded by one customer turn and by the minutes since the last one."""
    factor = 0.5 ** (1.0 / cfg.half_life_turns)
    if time is not None and previous.last_customer_time is not None:
        minutes = max(0.0, (time - previous.last_customer_time).total_seconds() / 60.0)
        factor *= 0.5 ** (minutes / cfg.half_life_minutes)
    return previous.score * factor


def _trend(recent: Sequence[float], answered: Sequence[bool], cfg: CaseConfig) -> Trend | None:
    """The latest score against the mean of the turns before it in the window. A drop counts as
    cooling only when an agent replied after the hottest of those turns (with
    `cooling_needs_reply`): a customer left waiting has not calmed down, whatever they typed."""
    if len(recent) < 2:
        return None
    before = recent[:-1]
    change = recent[-1] - sum(before) / len(before)
    if change >= cfg.trend_min_change:
        return "rising"
    if change <= -cfg.trend_min_change:
        hottest = max(range(len(before)), key=lambda i: before[i])
        if not cfg.cooling_needs_reply or any(answered[hottest:-1]):
            return "cooling"
    return "steady"


def _opened(items: tuple[OpenItem, ...], raised: Iterable[tuple[str, str | None]], turn: int
            ) -> tuple[OpenItem, ...]:
    found = {item.label: item for item in items}
    for label, route in raised:
        item = found.get(label)
        found[label] = (OpenItem(label, turn, turn, 1, route) if item is None else
                        replace(item, last=turn, times=item.times + (item.last != turn),
                                route=route if route not in _UNROUTED else item.route))
    return tuple(found.values())


def _customer(previous: CaseReading, turn: CaseTurn, rules: CaseRules) -> CaseReading:
    cfg = rules.case
    number = previous.customer_turns + 1
    reading = replace(
        previous, customer_turns=number,
        open_wants=_opened(previous.open_wants, ((w, None) for w in turn.wants), number),
        open_flags=_opened(previous.open_flags, turn.flags, number),
        last_customer_time=turn.time or previous.last_customer_time)
    if turn.score is None:
        return reading
    raw = min(1.0, max(0.0, float(turn.score)))
    score = max(raw, _carried(previous, turn.time, cfg)) if previous.recent else raw
    recent = (*previous.recent, raw)[-cfg.trend_window:]
    answered = (*previous.answered, False)[-cfg.trend_window:]
    hotter = raw > previous.peak_score or previous.peak_turn is None
    return replace(
        reading, score=score, level=rules.level(score), latest_score=raw,
        latest_level=rules.level(raw),
        peak_score=raw if hotter else previous.peak_score,
        peak_level=rules.level(raw) if hotter else previous.peak_level,
        peak_turn=number if hotter else previous.peak_turn,
        recent=recent, answered=answered, trend=_trend(recent, answered, cfg))


def _agent(previous: CaseReading) -> CaseReading:
    """An agent's reply addresses what is open, except flags that escalated: those stay open
    while their escalation is (see `resolve_route`)."""
    return replace(
        previous, open_wants=(),
        open_flags=tuple(f for f in previous.open_flags if f.route not in _UNROUTED),
        answered=(*previous.answered[:-1], True) if previous.answered else ())


def advance(previous: CaseReading | None, turn: CaseTurn, rules: CaseRules | None = None
            ) -> CaseReading:
    """The case's reading after one more turn."""
    reading = previous or CaseReading()
    if turn.role == "agent":
        return _agent(reading)
    return _customer(reading, turn, rules or default_rules())


def read_case(turns: Iterable[CaseTurn], rules: CaseRules | None = None) -> CaseReading:
    """The reading of a whole conversation, turn by turn, as `advance` builds it."""
    reading = CaseReading()
    for turn in turns:
        reading = advance(reading, turn, rules)
    return reading


def open_flags(turns: Iterable[CaseTurn]) -> tuple[OpenItem, ...]:
    """`read_case(turns).open_flags` without the rest of the reading (anger, wants, trend): the
    flags' part of the fold needs only who spoke and the flags raised (the coach's danger check
    asks for it on every post)."""
    found: tuple[OpenItem, ...] = ()
    number = 0
    for turn in turns:
        if turn.role == "agent":
            found = tuple(f for f in found if f.route not in _UNROUTED)
            continue
        number += 1
        if turn.flags:
            found = _opened(found, turn.flags, number)
    return found


def resolve_route(reading: CaseReading, route: str) -> CaseReading:
    """The case's escalation to `route` was resolved: the flags that escalated there close."""
    return replace(reading, open_flags=tuple(f for f in reading.open_flags if f.route != route))


def reading_of(data: Mapping[str, Any] | None) -> CaseReading | None:
    """A stored reading back, or None when there is none (or it cannot be read)."""
    if not isinstance(data, Mapping):
        return None
    try:
        return CaseReading.from_dict(data)
    except (TypeError, ValueError):
        return None


__all__ = ["CaseReading", "CaseRules", "CaseTurn", "OpenItem", "advance", "default_rules",
           "open_flags", "read_case", "reading_of", "resolve_route"]
