"""The moment a reply is written in: the analysed conversation, its stage, and what it calls for.

`read_moment` analyses every customer turn (or takes the analyses the engine already has: see
`calmline.engine.core.Engine`, which remembers them so that reviewing draft after draft of the same
conversation costs one scan of the draft), scans every agent turn with the coach, runs the stage
machine and decides which moment the next reply answers (venting, hear, understand, resolve,
agree, close or escalate). Danger outranks everything (PLAYBOOK §2): a flag the playbook marks
`danger: true`, raised in the latest customer message or still open in the case, routed to a route
that a coach.yaml moment lists under `routes` (wellbeing, security), chooses that moment; a weaker
sign of one (a `watch` finding) in the latest message only adds that moment's gentle check-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from calmline.conversation import Conversation
from calmline.engine.analysis import Analysis, Fact
from calmline.engine.analyzer import Analyzer, HistoryItem, as_turn
from calmline.engine.case_reading import CaseTurn, open_flags
from calmline.engine.cues import CueScanner, DraftContext, Scan
from calmline.engine.lru import TextMemo
from calmline.engine.restate import CustomerFacts, FactGatherer, Told, fact_mentions, told
from calmline.engine.situations import praised
from calmline.engine.stages import StageState, track_stages
from calmline.errors import InputError
from calmline.playbook.coach_schema import CoachConfig
from calmline.playbook.coach_schema import Moment as MomentKind
from calmline.playbook.schema import LEVELS, Playbook, Want
from calmline.signals.base import Turn

ConversationLike = Conversation | Sequence[HistoryItem]
# how an earlier agent turn is scanned: its text, its time, and its context (built when called)
AgentScan = Callable[[str, datetime | None, Callable[[], DraftContext]], Scan]
WORDS = 256  # readings a moment read without an engine remembers (its own messages and sentences)
_NEXT: dict[str, MomentKind] = {"venting": "hear", "heard": "understand", "understood": "resolve",
                                "resolving": "agree", "agreed": "close",
                                "follow_up_scheduled": "close", "closed": "close"}


@dataclass(frozen=True, slots=True)
class Moment:
    """Everything the reviewer and the composer know about the conversation so far."""

    turns: tuple[Turn, ...]
    analyses: tuple[Analysis | None, ...]
    scans: tuple[Scan | None, ...]
    customer: CustomerFacts
    latest: Analysis | None
    latest_index: int | None
    name: str | None
    state: StageState
    kind: MomentKind
    time: datetime
    danger: tuple[str, ...] = ()  # the danger flags that chose a danger moment (labels)
    watch: MomentKind | None = None  # a weaker danger sign in the latest message: whose check-in
    order_named: bool = False  # an earlier agent turn named one of the customer's order numbers
    # the playbook's wants: how the console words each (`ask`), and which ask for action
    wants: Mapping[str, Want] = field(default_factory=dict, compare=False, repr=False)
    # what is worked out from the moment once and asked for by every draft reviewed in it (the
    # slots); it lives and dies with the moment, which the engine remembers per conversation
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # the readings of the customer's words the slots are built from (engine/phrases.py), by
    # message and sentence: an engine hands every moment its own, so the next post of a case
    # reads only its new message
    words: TextMemo = field(default_factory=lambda: TextMemo(WORDS), compare=False, hash=False,
                            repr=False)

    def context(self) -> DraftContext:
        venting = bool(self.latest and self.kind == "venting")
        latest = self.latest
        complaint = latest is not None and (latest.anger.level != LEVELS[0] or bool(latest.causes))
        return DraftContext(self.customer, venting, self.time, bool(self.danger), complaint)

    def agent_scans(self, after: int = -1) -> list[Scan]:
        return [s for i, s in enumerate(self.scans) if s is not None and i > after]

    def customer_analyses(self) -> list[Analysis]:
        return [a for a in self.analyses if a is not None]


def customer_name(messages: Iterable[Any]) -> str | None:
    """The customer's name: the first customer author among `messages` (anything with a `role`
    and an `author`: a conversation file's messages, a case store's)."""
    return next((m.author for m in messages if m.role == "customer" and m.author), None)


def as_turns(conversation: ConversationLike) -> tuple[tuple[Turn, ...], str | None]:
    """Turns and the customer's name (the first customer author) from either input shape."""
    if isinstance(conversation, Conversation):
        return tuple(conversation.turns()), customer_name(conversation.messages)
    if isinstance(conversation, str | bytes) or not isinstance(conversation, Sequence):
        raise InputError("conversation must be a Conversation or a list of turns")
    name = next((str(item["author"]) for item in conversation
                 if isinstance(item, Mapping) and item.get("role") == "customer" and item.get("author")),
                None)
    return tuple(as_turn(item) for item in conversation), name


def _kind(state: StageState, latest: Analysis | None, latest_index: int | None,
          turns: Sequence[Turn]) -> MomentKind:
    last_agent = max((i for i, t in enumerate(turns) if t.role == "agent"), default=-1)
    fresh = latest is not None and latest_index is not None and latest_index > last_agent
    if fresh and latest is not None and state.stage != "closed":
        if latest.escalate.escalate and any(r.route != "none" for r in latest.escalate.reasons):
            return "escalate"
        if latest.venting.venting:
            return "venting"
        if praised(latest):  # "the driver was lovely, thank you!": thank them, nothing to fix
            return "close"
    return _NEXT[state.stage]


def _danger(config: CoachConfig, playbook: Playbook, turns: Sequence[Turn],
            analyses: Sequence[Analysis | None], latest: Analysis | None
            ) -> tuple[MomentKind | None, tuple[str, ...], MomentKind | None]:
    """(danger moment, its danger flags, watch moment): from the case's open flags (the latest
    message's included) and the latest message's watch findings."""
    by_route = {route: name for name, spec in config.moments.items() for route in spec.routes}
    if not by_route:
        return None, (), None

    def danger(label: str) -> bool:
        flag = playbook.flags.get(label)
        return bool(flag and flag.danger)

    # the case reading's open flags over these turns (`read_case(...).open_flags`), folded
    # without the anger, wants and trend that this does not read
    still_open = open_flags(
        CaseTurn("customer", flags=tuple((f.label, f.route) for f in a.flags)) if a is not None else
        CaseTurn("customer" if t.role == "customer" else "agent")
        for t, a in zip(turns, analyses, strict=True))
    open_danger = sorted((f for f in still_open if danger(f.label) and f.route in by_route),
                         key=lambda f: -f.last)
    if open_danger:
        kind = by_route[open_danger[0].route or ""]
        return kind, tuple(f.label for f in open_danger if by_route[f.route or ""] == kind), None
    for finding in latest.extra if latest else ():
        flag = playbook.flags.get(finding.label)
        if finding.section == "watch" and flag and flag.danger and flag.route in by_route:
            kind = by_route[flag.route]
            if config.moments[kind].watch:
                return None, (), kind
    return None, (), None


def read_moment(conversation: ConversationLike, analyzer: Analyzer, scanner: CueScanner,
                time: datetime | None = None, *,
                analyses: Sequence[Analysis | None] | None = None,
                scan: AgentScan | None = None,
                told_by: Callable[[Analysis], Told] | None = None,
                names: Callable[[str, Sequence[Fact]], bool] | None = None,
                words: TextMemo | None = None, name: str | None = None) -> Moment:
    """The moment of `conversation`. `analyses` (one per turn, None for agents) saves analysing
    the customer's turns again when the caller already has them; `scan` (default: the scanner's),
    `told_by` (default: `restate.told`) and `names` (default: does `restate.fact_mentions` find
    one of the facts in the text) let the caller remember the scans of the agent's earlier turns,
    what the customer's earlier turns told and which facts an agent turn named; `words` (default:
    the moment's own) what the customer's messages and sentences say (`Moment.words`). `name`:
    the customer's name where the turns carry none (a case store's turns, the helpdesk's
    contact), else the first customer author."""
    turns, authored = as_turns(conversation)
    name = name or authored
    if analyses is None:
        analyses = analyzer.analyze_conversation(turns)
    elif len(analyses) != len(turns):
        raise ValueError(f"{len(analyses)} analyses for {len(turns)} turns")
    return _read(turns, name, tuple(analyses), analyzer, scanner, time,
                 scan or (lambda text, _time, context: scanner.scan(text, context())),
                 told_by or told, names or _names,
                 words if words is not None else TextMemo(WORDS))


def _names(text: str, facts: Sequence[Fact]) -> bool:
    """Does `text` name one of `facts` (`restate.fact_mentions`)."""
    return bool(fact_mentions(text, facts))


def _context(gathered: FactGatherer, last: Analysis | None, time: datetime | None
             ) -> DraftContext:
    """An agent turn's context: what the customer told before it. Built, when a scan asks for
    it, before the next turn is gathered."""
    return DraftContext(gathered.facts(last), False, time)


def _read(turns: tuple[Turn, ...], name: str | None, analyses: tuple[Analysis | None, ...],
          analyzer: Analyzer, scanner: CueScanner, time: datetime | None,
          scan: AgentScan, told_by: Callable[[Analysis], Told],
          names: Callable[[str, Sequence[Fact]], bool], words: TextMemo) -> Moment:
    latest_index = max((i for i, a in enumerate(analyses) if a is not None), default=None)
    latest = analyses[latest_index] if latest_index is not None else None
    scans: list[Scan | None] = []
    gathered, last = FactGatherer(told_by), None
    for turn, analysis in zip(turns, analyses, strict=True):
        if analysis is not None:
            gathered.add(analysis)
            last = analysis
        if turn.role != "agent":
            scans.append(None)
            continue
        # the turn's context (the facts told before it) is built only for a scan not remembered
        scans.append(scan(turn.text, turn.time, partial(_context, gathered, last, turn.time)))
    # every customer turn gathered, in order: what `CustomerFacts.from_analyses` would gather again
    customer = gathered.facts(latest)
    state = track_stages(turns, analyses, scans, scanner)
    now = time or next((t.time for t in reversed(turns) if t.time), None) or datetime.now(UTC)
    danger_kind, flags, watch = _danger(scanner.config, analyzer.playbook, turns, analyses, latest)
    kind = danger_kind or _kind(state, latest, latest_index, turns)
    orders = [f for f in customer.facts if f.kind == "order_id"]
    named = bool(orders) and any(names(t.text, orders) for t in turns if t.role == "agent")
    return Moment(turns, analyses, tuple(scans), customer, latest, latest_index, name, state,
                  kind, now, flags, watch, named, analyzer.playbook.wants, words=words)


def describe(moment: Moment) -> dict[str, Any]:
    return {"moment": moment.kind, "stage": moment.state.stage, "outcome": moment.state.outcome,
            "anger": moment.latest.anger.level if moment.latest else None,
            "venting": bool(moment.latest and moment.latest.venting.venting),
            "danger": list(moment.danger), "watch": moment.watch}
