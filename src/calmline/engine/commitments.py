"""Real times and promises in an agent's reply.

`find_times` finds time expressions a customer can hold the agent to ("by Thursday", "within 24
hours", "tomorrow at 6pm") and resolves them to a datetime against the message time; "soon" or
"shortly" are not times (`find_vague` reports them). `extract_commitments` turns "I will call you
by 4pm" into a `Commitment` (what, due, due_text, evidence): the follow-up tasks are built from it.
Day-level times resolve to the end of that part of the day (morning 12:00, otherwise 17:00,
evening 20:00), so a due date is a deadline, never earlier than what the agent said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from calmline.signals.base import Evidence
from calmline.signals.grammar import MONTH, MONTHS, NUMBER, WEEKDAYS, number_value

_PARTS = r"morning|afternoon|evening|night"
_CLOCK = r"(?P<clock>\d{1,2}(?::\d{2})?\s?(?:am|pm)|\d{1,2}:\d{2}|noon|midday)"
_TIME = re.compile(
    r"\b(?:"
    rf"(?:within|in)\s+(?:the\s+next\s+)?(?P<n>{NUMBER})(?:\s?(?:-|–|to)\s?(?P<n2>\d{{1,3}}))?\s+"
    r"(?:more\s+)?(?P<biz>business\s+|working\s+)?(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)"
    r"|(?:within|in)\s+(?:the\s+next|the|an|one)\s+(?P<hour>hour)"
    rf"|(?:by|at|before|around|from|between)\s+{_CLOCK}"
    rf"|(?P<day>today|tonight|tomorrow)(?:\s+(?P<part>{_PARTS}))?"
    r"|(?P<this>this)\s+(?P<this_part>morning|afternoon|evening)"
    r"|(?:by\s+)?(?:the\s+)?(?P<eo>end\s+of\s+(?:the\s+|today|tomorrow)?(?P<eo_unit>day|week|today|tomorrow)"
    r"|eod|close\s+of\s+business|cob)"
    r"|(?P<nextweek>next\s+week)"
    rf"|(?:(?:on|by|this|next|before|until|from)\s+)?(?P<weekday>{'|'.join(WEEKDAYS)})"
    rf"(?:\s+(?P<wpart>{_PARTS}))?"
    rf"|(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{MONTH})"
    rf"|(?P<m2>{MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?"
    r"|(?:on\s+)?the\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)"
    r")\b",
    re.IGNORECASE,
)
_CLOCK_ONLY = re.compile(rf"\b{_CLOCK}", re.IGNORECASE)
_VAGUE = re.compile(
    r"\b(?:soon|shortly|asap|as soon as (?:possible|we can|i can)|in due course|at some point|"
    r"in a (?:bit|while)|when (?:we|i) can|as quickly as (?:possible|we can)|sometime|eventually)\b",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"\b(?:(?:i|we)\s*(?:'ll|’ll|\s+will|'m going to|\s+am going to|'re going to|\s+are going to)"
    r"|you\s*(?:'ll|’ll|\s+will)(?=\s+(?:receive|get|see|hear|have))"
    r"|(?:my|our|a|the)\s+(?:supervisor|manager|team lead|engineer|technician|colleague|courier)"
    r"(?:\s+[A-Z]\w*)?\s+will)"
    r"\s+(?!not\b|never\b|be honest\b)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?;\n]|,?\s+(?:and|but)\s+(?=(?:i|we|you|my|our)\b)", re.IGNORECASE)
_PART_HOUR = {"morning": 12, "afternoon": 17, "evening": 20, "night": 21, None: 17}


@dataclass(frozen=True, slots=True)
class TimeRef:
    """A real time expression: its span in the text and the deadline it resolves to."""

    text: str
    start: int
    end: int
    due: datetime | None


@dataclass(frozen=True, slots=True)
class Commitment:
    """A promise the agent made: what, by when (resolved), and the words that made it."""

    what: str
    due: datetime | None
    due_text: str | None
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "due": self.due.isoformat() if self.due else None,
                "due_text": self.due_text,
                "evidence": {"start": self.evidence.start, "end": self.evidence.end,
                             "text": self.evidence.text}}


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _number(token: str) -> int:
    value = number_value(token)
    return 1 if value is None else value


def _clock(token: str) -> tuple[int, int]:
    token = token.lower().replace(" ", "")
    if token in ("noon", "midday"):
        return 12, 0
    pm, am = token.endswith("pm"), token.endswith("am")
    hour, _, minute = token.rstrip("apm").partition(":")
    h = int(hour) % 24
    if pm and h < 12:
        h += 12
    if am and h == 12:
        h = 0
    return h, int(minute or 0) % 60


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _add_business_days(start: datetime, days: int) -> datetime:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _relative(m: re.Match[str], now: datetime) -> datetime:
    if m.group("hour"):
        return now + timedelta(hours=1)
    n = _number(m.group("n2") or m.group("n"))
    unit = m.group("unit").lower()
    if unit.startswith("day") and m.group("biz"):
        return _at(_add_business_days(now, n), 17)
    seconds = {"m": 60, "h": 3600, "d": 86400, "w": 604800}[unit[0]]
    return now + timedelta(seconds=n * seconds)


def _calendar(m: re.Match[str], now: datetime) -> datetime | None:
    day, month = m.group("d1") or m.group("d2") or m.group("d3"), m.group("m1") or m.group("m2")
    month_no = MONTHS.index(month[:3].lower()) + 1 if month else now.month
    try:
        due = _at(now.replace(month=month_no, day=int(day)), 17)
    except ValueError:
        return None
    if due < now:
        try:
            due = due.replace(year=due.year + 1) if month else due.replace(month=now.month % 12 + 1)
        except ValueError:
            return None
    return due


def _resolve(m: re.Match[str], now: datetime) -> datetime | None:
    g = m.group
    if g("n") or g("hour"):
        return _relative(m, now)
    if g("clock"):
        due = _at(now, *_clock(g("clock")))
        return due if due >= now else due + timedelta(days=1)
    if g("day"):
        word = g("day").lower()
        part = "evening" if word == "tonight" else g("part")
        return _at(now + timedelta(days=word == "tomorrow"), _PART_HOUR[part and part.lower()])
    if g("this"):
        return _at(now, _PART_HOUR[g("this_part").lower()])
    if g("eo"):
        unit = (g("eo_unit") or "day").lower()
        if unit == "week":
            return _at(now + timedelta(days=max(0, 4 - now.weekday())), 17)
        return _at(now + timedelta(days=unit == "tomorrow"), 17)
    if g("nextweek"):
        return _at(now + timedelta(days=7 - now.weekday() + 4), 17)
    if g("weekday"):
        ahead = (WEEKDAYS.index(g("weekday").lower()) - now.weekday()) % 7 or 7
        return _at(now + timedelta(days=ahead), _PART_HOUR[g("wpart") and g("wpart").lower()])
    return _calendar(m, now)


def _with_clock(text: str, due: datetime | None, m: re.Match[str]) -> datetime | None:
    """'tomorrow at 6pm': a day word followed (or preceded) by a clock time in the same clause."""
    if due is None or m.group("clock") or m.group("n") or m.group("hour"):
        return due
    window = text[max(0, m.start() - 20): m.end() + 25]
    clock = _CLOCK_ONLY.search(window)
    return _at(due, *_clock(clock.group("clock"))) if clock else due


def find_times(text: str, now: datetime | None = None) -> list[TimeRef]:
    """Every real time expression in `text`, resolved against `now` (the message time)."""
    base = _now(now)
    found = []
    for m in _TIME.finditer(text):
        due = _with_clock(text, _resolve(m, base), m)
        found.append(TimeRef(m.group(0), m.start(), m.end(), due))
    return found


def find_vague(text: str) -> list[Evidence]:
    """'soon', 'shortly', 'as soon as possible': a when that is not a time."""
    return [Evidence(m.start(), m.end(), m.group(0), "pattern", "coach.vague_time")
            for m in _VAGUE.finditer(text)]


def extract_commitments(text: str, now: datetime | None = None,
                        times: Sequence[TimeRef] | None = None) -> list[Commitment]:
    """Promises ("I will…", "you'll receive…", "my supervisor will…"), each with its deadline.
    `times`: `find_times(text, now)` when the caller already has them (a draft's scan does)."""
    times = find_times(text, now) if times is None else times
    found = []
    heads = list(_PROMISE.finditer(text))
    for i, m in enumerate(heads):
        stop = _CLAUSE_END.search(text, m.end())
        end = min(stop.start() if stop else len(text),
                  heads[i + 1].start() if i + 1 < len(heads) else len(text))
        what = text[m.end():end].strip(" ,")
        if len(what) < 3:
            continue
        due = next((t for t in times if m.start() <= t.start < end and t.due is not None), None)
        found.append(Commitment(what[:160], due.due if due else None, due.text if due else None,
                                Evidence(m.start(), end, text[m.start():end], "pattern",
                                         "coach.commitment")))
    return found
