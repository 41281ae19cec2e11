"""Review an agent's draft reply before it is sent (PLAYBOOK §3).

`review(draft, conversation)` returns a frozen `Review`: the good behaviours found (with
evidence), the anti-patterns (span, why it hurts, calmer rewrite), what the moment still lacks,
the promises made (structured commitments), a 0–100 score with its breakdown, and the single most
useful next move. The score is mostly "did the draft do what this moment calls for" (coach.yaml
`moments`), plus a capped bonus for other good behaviours, minus anti-patterns and gaps. The
guard before send (calmline.engine.guard, thresholds in coach.yaml `guard`) turns that into a
verdict: "send", "improve" or "blocked", with its reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from typing import Any

from calmline.engine.analyzer import Analyzer
from calmline.engine.commitments import Commitment
from calmline.engine.cues import CueScanner, Scan
from calmline.engine.draft_heads import DraftReader
from calmline.engine.guard import Verdict, verdict
from calmline.engine.moment import ConversationLike, Moment, describe
from calmline.engine.recommend import next_move, rewrite_for
from calmline.engine.restate import fact_mentions
from calmline.engine.slots import build_slots, fill_known
from calmline.playbook.coach_loader import default_coach
from calmline.playbook.coach_schema import CoachConfig
from calmline.signals.base import Evidence

_ANGRY = ("frustrated", "angry", "hostile")


@dataclass(frozen=True, slots=True)
class BehaviourCheck:
    label: str
    title: str
    found: bool
    expected: bool  # does this moment call for it?
    weight: float
    why: str
    hint: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class AntiPatternFound:
    label: str
    title: str
    weight: float
    why: str
    rewrite: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class GapFound:
    label: str
    title: str
    weight: float
    why: str
    move: str


@dataclass(frozen=True, slots=True)
class Review:
    """The coach's verdict on one draft. `breakdown` sums (then clamps) to `score`; `verdict`
    is what to do with it (send, improve, or blocked: send only on a deliberate override) and
    `reasons` say why it is not "send"."""

    draft: str
    score: int
    breakdown: dict[str, float]
    moment: str
    stage: str
    behaviours: tuple[BehaviourCheck, ...]
    anti_patterns: tuple[AntiPatternFound, ...]
    missing: tuple[GapFound, ...]
    commitments: tuple[Commitment, ...]
    next_move: str
    verdict: Verdict = "improve"
    reasons: tuple[str, ...] = ()

    def found(self, label: str) -> bool:
        return any(b.label == label and b.found for b in self.behaviours)

    def flagged(self, label: str) -> bool:
        return any(a.label == label for a in self.anti_patterns)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["commitments"] = [c.to_dict() for c in self.commitments]
        return data


def scanner_for(config: CoachConfig | None = None) -> CueScanner:
    """A compiled scanner of a coach config (the packaged one by default). An Engine keeps its
    own; this builds a new one (cheap once the patterns are compiled) for one-off use."""
    return CueScanner(config or default_coach())


def review(draft: str, conversation: ConversationLike, analyzer: Analyzer | None = None, *,
           coach: CoachConfig | None = None, time: datetime | None = None) -> Review:
    """Review `draft` as the agent's next reply to `conversation` (a Conversation or turns).

    For repeated use build an `Engine` (or use `calmline.default_engine()`): it remembers the
    analysed conversation between drafts."""
    from calmline.engine.core import engine_for

    return engine_for(analyzer, coach).review(draft, conversation, time)


def review_in(draft: str, moment: Moment, scanner: CueScanner,
              learned: DraftReader | None = None) -> Review:
    """Review against an already-read moment (the composer reviews several drafts this way).
    `learned`: the engine's learned draft heads, read with the phrase cues (None: cues only)."""
    config = scanner.config
    floor = config.draft_heads.bare_reply_floor
    context = moment.context()
    scan = scanner.scan(draft[: 20_000], context,
                        partial(learned.find, whole=context.complaint) if learned is not None else None,
                        partial(learned.strongest, floor=floor) if learned is not None and floor else None,
                        learned.find_behaviours if learned is not None else None)
    slots = build_slots(moment, config)
    gaps = _gaps(config, scan, moment, slots)
    drop = {"apology"} if any(g.label == "apology_string" for g in gaps) else set()
    checks = _behaviours(config, scan, moment, drop, slots)
    anti = tuple(AntiPatternFound(k, config.anti_patterns[k].title, config.anti_patterns[k].weight,
                                  config.anti_patterns[k].why, rewrite_for(config, k, slots, draft, spans),
                                  spans)
                 for k, spans in scan.anti_patterns.items())
    breakdown = _breakdown(config, checks, anti, gaps, bool(draft.strip()))
    missing = [c.label for c in sorted(checks, key=lambda c: -c.weight) if c.expected and not c.found]
    move = next_move(config, [(a, a.evidence[0].text) for a in anti], gaps, missing, slots)
    score = int(max(0, min(100, round(sum(breakdown.values())))))
    info = describe(moment)
    said, reasons = verdict(config.guard, score, anti, empty=not draft.strip())
    return Review(draft, score, breakdown, info["moment"], info["stage"], checks, anti, tuple(gaps),
                  scan.commitments, move, said, reasons)


def _behaviours(config: CoachConfig, scan: Scan, moment: Moment, drop: set[str],
                slots: Mapping[str, str]) -> tuple[BehaviourCheck, ...]:
    """Every behaviour of the coach, found or not; `drop` ones do not count (a 3rd apology)."""
    expected = set(config.moments[moment.kind].expect)
    found = {k: v for k, v in scan.behaviours.items() if k not in drop}
    hints = _hints(config, moment, slots)
    return tuple(BehaviourCheck(label, b.title, label in found, label in expected, b.weight,
                                b.why, hints[label], found.get(label, ()))
                 for label, b in config.behaviours.items())


def _hints(config: CoachConfig, moment: Moment, slots: Mapping[str, str]) -> dict[str, str]:
    """Every behaviour's hint with this conversation's facts (`slots`, the moment's own): the
    same for every draft and template reviewed in the moment, so filled once and kept in its
    memo. Filling them was a fifth of reviewing each suggested reply."""
    kept = moment.memo.get("hints")
    if kept is None or kept[0] is not config:
        kept = moment.memo["hints"] = (config, {label: fill_known(b.hint, slots)
                                                for label, b in config.behaviours.items()})
    hints: dict[str, str] = kept[1]
    return hints


def _breakdown(config: CoachConfig, checks: tuple[BehaviourCheck, ...],
               anti: tuple[AntiPatternFound, ...], gaps: list[GapFound], nonempty: bool
               ) -> dict[str, float]:
    if not nonempty:
        return {"moment": 0.0, "extra": 0.0, "anti_patterns": 0.0, "missing": 0.0}
    total = sum(c.weight for c in checks if c.expected) or 1.0
    covered = sum(c.weight for c in checks if c.expected and c.found)
    extra = sum(c.weight for c in checks if c.found and not c.expected)
    return {"moment": round(config.scoring.expected_points * covered / total, 1),
            "extra": round(min(config.scoring.extra_cap, extra), 1),
            "anti_patterns": -sum(a.weight for a in anti),
            "missing": -sum(g.weight for g in gaps)}


def _gap(config: CoachConfig, label: str, slots: Mapping[str, str]) -> GapFound:
    gap = config.gaps[label]
    return GapFound(label, gap.title, gap.weight, gap.why, fill_known(gap.move, slots))


def _gaps(config: CoachConfig, scan: Scan, moment: Moment, slots: Mapping[str, str]
          ) -> list[GapFound]:
    labels = [label for label, test in _GAP_TESTS.items() if test(config, scan, moment)]
    return [_gap(config, label, slots) for label in labels if label in config.gaps]


def _unacknowledged(config: CoachConfig, scan: Scan, moment: Moment) -> bool:
    angry = [i for i, a in enumerate(moment.analyses) if a is not None and a.anger.level in _ANGRY]
    if not angry or scan.has("acknowledge", "apology"):
        return False
    return not any(s.has("acknowledge", "apology") for s in moment.agent_scans(after=angry[-1]))


def _not_repeated(config: CoachConfig, scan: Scan, moment: Moment) -> bool:
    told = moment.customer.facts or moment.customer.issue_terms
    if moment.danger:  # in danger, make it safe first; the recap can wait
        return False
    if not told or not scan.has("solution", "options") or scan.has("repeat_back"):
        return False
    return not any(s.has("repeat_back") for s in moment.agent_scans())


def _no_timeline(config: CoachConfig, scan: Scan, moment: Moment) -> bool:
    return bool((scan.has("solution", "options") or scan.follow_up_promises()) and not scan.times)


def _promise_without_when(config: CoachConfig, scan: Scan, moment: Moment) -> bool:
    # with a solution on the table, the missing time is already the no_timeline gap
    return bool(scan.follow_up_promises() and not scan.times and not scan.has("solution", "options"))


def _apology_string(config: CoachConfig, scan: Scan, moment: Moment) -> bool:
    before = sum(s.apologies for s in moment.agent_scans())
    return scan.apologies > 0 and before + scan.apologies >= config.scoring.apology_limit


def _order_ignored(config: CoachConfig, scan: Scan, moment: Moment) -> bool:
    orders = [f for f in moment.customer.facts if f.kind == "order_id"]
    if not orders or moment.kind == "venting" or not scan.text.strip():
        return False
    return not moment.order_named and not fact_mentions(scan.text, orders)


_GAP_TESTS: Mapping[str, Any] = {
    "unacknowledged_anger": _unacknowledged, "never_repeated_back": _not_repeated,
    "no_timeline": _no_timeline, "promise_without_when": _promise_without_when,
    "apology_string": _apology_string, "order_ignored": _order_ignored,
}
