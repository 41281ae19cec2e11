"""Analyse one chunk of threads into a `Stats` tally: the work every engine hands out.

Customer turns go through `Analyzer.analyze_conversation` (the live detectors, once per turn);
agent replies through the coach adapter. Only integers leave this module (see stats.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from calmline.engine.analysis import Analysis
from calmline.engine.analyzer import Analyzer
from calmline.engine.core import Engine
from calmline.insights.effects import count_exchange, stratum
from calmline.insights.handling import ThreadHandling, review_thread
from calmline.insights.model import Thread
from calmline.insights.redact import redact
from calmline.insights.returns import visit
from calmline.insights.stats import SCALE, Exchange, Stats
from calmline.playbook import Playbook
from calmline.playbook.coach_loader import parse_coach
from calmline.playbook.coach_schema import CoachConfig
from calmline.playbook.schema import LEVELS
from calmline.playbook.yaml_files import parse_yaml
from calmline.signals.base import Turn

RANK = {name: i for i, name in enumerate(LEVELS)}
SECS_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800)


@lru_cache(maxsize=4)
def engine_for(playbook: str | None, coach: str | None = None) -> Engine:
    """One engine per worker process (and team method), built on first use.

    `playbook` and `coach` are the YAML texts of a team's playbook and coach (None: the packaged
    ones). Workers get the texts, not paths, because a Dask worker on another machine has no copy
    of the files; the driver has already validated them, so they cannot fail here.
    """
    import calmline

    # Batch runs read with the fast path (lexicon + linear models, over 10,000 messages a second):
    # the semantic tier costs milliseconds a message, hours on a million-message export.
    method = (calmline.load_playbook() if playbook is None
              else parse_yaml(playbook, Playbook, "the team's playbook", "playbook"))
    config = None if coach is None else parse_coach(coach, "the team's coach")
    return Engine(Analyzer(method, encoder=None), config)


def threat_flags(playbook: Playbook) -> tuple[str, ...]:
    """The flags that count as threats in agent load: those the playbook marks `threat: true`."""
    return tuple(name for name, flag in playbook.flags.items() if flag.threat)


def minute_of(time: datetime) -> int:
    """Whole minutes since the epoch (the agent-load clock)."""
    return int(time.timestamp() // 60)


def day_of(time: datetime | None) -> int:
    """The proleptic ordinal of the UTC day (0 when unknown)."""
    return time.date().toordinal() if time else 0


def collect_chunk(threads: Sequence[Thread], playbook: str | None = None,
                  coach: str | None = None) -> Stats:
    """The tally of `threads`; the example exchanges it keeps are already redacted."""
    engine = engine_for(playbook, coach)
    analyzer = engine.analyzer
    wellbeing = analyzer.playbook.wellbeing
    stress = (round(wellbeing.min_anger * SCALE), round(wellbeing.abuse_stress * SCALE))
    threats = threat_flags(analyzer.playbook)
    stats = Stats()
    for thread in threads:
        turns = [Turn(m.role, m.text, m.time) for m in thread.messages]
        analyses = analyzer.analyze_conversation(turns)
        handling = review_thread(turns, analyses, engine)
        _count(stats, thread, analyses, handling, stress, threats, engine.coach)
    method = analyzer.playbook
    stats.calmed = {k: [_redacted(e, method) for e in v] for k, v in stats.calmed.items()}
    stats.angered = {k: [_redacted(e, method) for e in v] for k, v in stats.angered.items()}
    return stats


def _redacted(e: Exchange, playbook: Playbook) -> Exchange:
    return replace(e, customer=redact(e.customer, playbook), reply=redact(e.reply, playbook),
                   next=redact(e.next, playbook))


def _count(stats: Stats, thread: Thread, analyses: Sequence[Analysis | None],
           handling: ThreadHandling, stress: tuple[int, int], threats: tuple[str, ...],
           coach: CoachConfig) -> None:
    customer = [a for a in analyses if a is not None]
    stats.totals.update(threads=1, messages=len(analyses), customer=len(customer),
                        agent=len(analyses) - len(customer))
    stats.levels.update(a.anger.level for a in customer)
    stats.days[day_of(thread.messages[0].time)] += 1
    _triggers(stats, thread, analyses)
    trajectory = _trajectory(stats, thread, analyses)
    if thread.customer is not None:
        first = next((RANK[a.anger.level] for a in customer), None)
        stats.visits[visit(thread.customer, thread.messages[0].time, first, trajectory)] += 1
    if any(a.escalate.escalate for a in customer):
        stats.totals["flagged_escalation"] += 1
    stats.outcome[outcome_of(thread, handling)] += 1
    stats.totals["outcome_recorded"] += thread.outcome is not None
    for promise in thread.overdue:
        stats.overdue[(promise.owner, promise.days)] += 1
    _agent_load(stats, thread, analyses, stress, threats)
    _handling(stats, thread, analyses, handling, coach)


def outcome_of(thread: Thread, handling: ThreadHandling | None) -> str:
    """The case store's outcome where it recorded one; else the stage tracker's ("open": none)."""
    if thread.outcome is not None:
        return thread.outcome
    return (handling.outcome if handling else None) or "open"


def _resolved(thread: Thread, handling: ThreadHandling) -> bool | None:
    """Was the case resolved; None while the store still has it open (no outcome yet)."""
    if thread.outcome == "open":
        return None
    return outcome_of(thread, handling) == "resolved"


def _triggers(stats: Stats, thread: Thread, analyses: Sequence[Analysis | None]) -> None:
    seen: set[str] = set()
    for msg, a in zip(thread.messages, analyses, strict=True):
        if a is None:
            continue
        score = round(a.anger.score * SCALE)
        keys = [f"cause:{f.label}" for f in a.causes] + [f"area:{f.label}" for f in a.areas]
        for key in dict.fromkeys(keys):
            stats.trig_msgs[key] += 1
            stats.trig_anger[key] += score
            if key not in seen:
                seen.add(key)
                stats.trig_threads[key] += 1
                stats.trig_days[(key, day_of(msg.time or thread.messages[0].time))] += 1


def _trajectory(stats: Stats, thread: Thread, analyses: Sequence[Analysis | None]) -> str:
    """Count the conversation's trajectory and time to calm; return its class (returns.CLASSES)."""
    ranks = [(i, RANK[a.anger.level]) for i, a in enumerate(analyses) if a is not None]
    if len(ranks) < 2:
        kind = "single message"
    else:
        first, last = ranks[0][1], ranks[-1][1]
        kind = "de-escalated" if last < first else "escalated" if last > first else "stayed"
    stats.trajectory[kind] += 1
    upset = next((i for i, r in ranks if r >= RANK["frustrated"]), None)
    if upset is None:
        return kind
    calm = next((i for i, r in ranks if i > upset and r <= RANK["annoyed"]), None)
    if calm is None:
        stats.totals["never_calmed"] += 1
        return kind
    stats.totals["calmed"] += 1
    stats.calm_turns[min(calm - upset, 30)] += 1
    start, end = thread.messages[upset].time, thread.messages[calm].time
    if start and end:
        secs = max(0, int((end - start).total_seconds()))
        stats.calm_secs[sum(secs > b for b in SECS_BUCKETS)] += 1
        stats.totals["calm_secs_sum"] += secs
        stats.totals["calm_timed"] += 1
    return kind


def _receiver(thread: Thread, index: int) -> str | None:
    """The agent a customer message reached: who answered it next, else who answered before."""
    msgs = thread.messages
    after = next((m for m in msgs[index + 1:] if m.role == "agent"), None)
    before = next((m for m in reversed(msgs[:index]) if m.role == "agent"), None)
    agent = after or before
    return (agent.author or "(unknown agent)") if agent else None


def _agent_load(stats: Stats, thread: Thread, analyses: Sequence[Analysis | None],
                stress: tuple[int, int], threats: tuple[str, ...]) -> None:
    """Hostility received per agent (threats: the playbook's `threat: true` flags); stress
    events as the playbook's wellbeing section defines them (the live service's model):
    (min anger, extra for abuse) in 1/SCALE units."""
    min_anger, abuse_extra = stress
    for agent in {m.author or "(unknown agent)" for m in thread.messages if m.role == "agent"}:
        stats.agent[(agent, "conversations")] += 1
    for index, a in enumerate(analyses):
        receiver = _receiver(thread, index) if a is not None else None
        if a is None or receiver is None:
            continue
        agent = receiver
        stats.agent[(agent, "messages received")] += 1
        hostile = RANK[a.anger.level] >= RANK["angry"]
        abuse = a.flag("abuse") is not None
        stats.agent[(agent, "angry or hostile")] += hostile
        stats.agent[(agent, "abuse")] += abuse
        stats.agent[(agent, "threats")] += any(a.flag(t) for t in threats)
        score, time = round(a.anger.score * SCALE), thread.messages[index].time
        if score >= min_anger or abuse:
            if time is None:
                stats.agent[(agent, "undated stress")] += 1
            else:
                stats.agent_minutes[(agent, minute_of(time))] += score + (abuse_extra if abuse else 0)


def _neighbours(analyses: Sequence[Analysis | None], index: int) -> tuple[int | None, int | None]:
    """The customer turn a reply answers, and the customer turn right after it (if it is next)."""
    before = next((j for j in range(index - 1, -1, -1) if analyses[j] is not None), None)
    after = index + 1 if index + 1 < len(analyses) and analyses[index + 1] is not None else None
    return before, after


def _handling(stats: Stats, thread: Thread, analyses: Sequence[Analysis | None],
              handling: ThreadHandling, coach: CoachConfig) -> None:
    """Per reply: the labels it showed, and the exchange it made (the turn it answered, the reply,
    the customer's next turn) counted in its like-with-like stratum (effects.py)."""
    labels = [*(f"+{b}" for b in coach.behaviours), *(f"-{a}" for a in coach.anti_patterns)]
    resolved = _resolved(thread, handling)
    for index, reply in enumerate(handling.replies):
        if reply is None:
            continue
        agent = thread.messages[index].author or "(unknown agent)"
        found = {f"+{b}" for b in reply.behaviours} | {f"-{a}" for a in reply.anti_patterns}
        stats.replies[agent] += 1
        if thread.messages[index].guard:
            stats.guard[(agent, thread.messages[index].guard or "")] += 1
        stats.reply_labels.update((agent, label) for label in found)
        before, after = _neighbours(analyses, index)
        if before is None or after is None:
            continue
        prev, nxt = analyses[before], analyses[after]
        if prev is None or nxt is None:
            continue
        a, b = round(prev.anger.score * SCALE), round(nxt.anger.score * SCALE)
        stage = handling.stages[index] if handling.stages else handling.stage
        count_exchange(stats.effects, labels, found, stratum(prev, stage), b - a, resolved)
        stats.offer(Exchange(thread.key, index, agent, thread.messages[before].text,
                             thread.messages[index].text, thread.messages[after].text, a, b,
                             reply.behaviours, reply.anti_patterns))
