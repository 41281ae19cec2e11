"""Is a matched phrase negated ("I'm not going to sue", "I don't want a refund")?"""

from __future__ import annotations

import re

_NEGATION = re.compile(
    r"\b(?:not|never|no|don'?t|doesn'?t|won'?t|wouldn'?t|isn'?t|aren'?t|didn'?t|nor|without)\b"
    r"(?:\W+\w+){0,2}\W*$"
)


# Where a sentence ends: a ". ! ?" run followed by a space, or a line break. A negation never
# reaches across it: in "I can't fix that today. Are you safe?" the question is not negated.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s|\n")


# A negation inside a condition is a demand, not a refusal: "if this isn't refunded by Friday",
# "unless it's fixed today".
_CONDITION = re.compile(r"\b(?:if|unless)\b")


def is_negated(norm: str, start: int, window: int = 30) -> bool:
    """True when a negation word stands within the three words before `start`, in the same
    sentence, and not inside a condition ("if this isn't refunded" asks for the refund)."""
    before = norm[max(0, start - window) : start]
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    clause = before[ends[-1]:] if ends else before
    found = _NEGATION.search(clause)
    return found is not None and not _CONDITION.search(clause, 0, found.start())
