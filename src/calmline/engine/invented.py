"""Facts a generated reply made up: numbers, references, amounts and named days or months that
appear nowhere in what the reply was written from.

A template only ever fills in the customer's own facts; a language model may write a plausible
order number, a refund amount or "by Friday" that nobody promised. Such a reply is never shown to
the agent (calmline.engine.composer drops it). What counts as known: every turn of the
conversation, the team's real service times (coach.yaml `sla`) and the template suggestions the
model was shown. The check is by token, so "LP-48213", "#LP-48213" and "lp-48213" are one fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAMED = ("monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
          "june|july|august|september|october|november|december")
# a token holding a digit (48213, LP-48213, $1,249.00, 10am, 24/11) or a day or month name
_FACT = re.compile(rf"[#$£€]?\w*\d[\w,.:/-]*|\b(?:{_NAMED})\b", re.IGNORECASE)


def _facts(text: str) -> set[str]:
    found = set()
    for match in _FACT.finditer(text):
        token = match.group(0).lower().lstrip("#").rstrip(".,:/-")
        if token:
            found.add(token)
    return found


def invented_facts(reply: str, known: Iterable[str]) -> list[str]:
    """The facts of `reply` (as written) that none of the `known` texts holds, in order."""
    allowed = set().union(*(_facts(text) for text in known))
    allowed |= {token.lstrip("$£€") for token in allowed}
    out: list[str] = []
    for match in _FACT.finditer(reply):
        token = match.group(0).lower().lstrip("#").rstrip(".,:/-")
        if token and token not in allowed and token.lstrip("$£€") not in allowed:
            out.append(match.group(0).rstrip(".,:/-"))
    return out
