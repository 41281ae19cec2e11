"""The guard before send: what to do with a reviewed draft, as one verdict with its reasons.

"blocked" when an anti-pattern coach.yaml's `guard.block` lists is in the draft, or the score is
below `guard.block_below`; "send" when there is no anti-pattern and the score reaches
`guard.send_from`; "improve" otherwise. The console asks for a deliberate second click before
sending a blocked draft and integrations read the same verdict from the API, so the thresholds
live in the YAML, where a team tunes them, and never in code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from calmline.playbook.coach_schema import Guard
from calmline.signals.base import Evidence

Verdict = Literal["send", "improve", "blocked"]
VERDICTS: tuple[Verdict, ...] = ("send", "improve", "blocked")


class _Flagged(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def evidence(self) -> tuple[Evidence, ...]: ...


def _named(found: _Flagged) -> str:
    span = found.evidence[0].text if found.evidence else ""
    return f"{found.title}: “{span}”" if span else found.title


def verdict(guard: Guard, score: int, anti: Sequence[_Flagged], empty: bool = False
            ) -> tuple[Verdict, tuple[str, ...]]:
    """(verdict, reasons): the reasons say what blocks the draft or what keeps it from "send"."""
    if empty:
        return "improve", ("the draft is empty",)
    blocking = [_named(a) for a in anti if a.label in guard.block]
    if score < guard.block_below:
        blocking.append(f"scores {score}, below {guard.block_below}")
    if blocking:
        return "blocked", tuple(blocking)
    reasons = [_named(a) for a in anti]
    if score < guard.send_from:
        reasons.append(f"scores {score}, below {guard.send_from}")
    return ("improve", tuple(reasons)) if reasons else ("send", ())
