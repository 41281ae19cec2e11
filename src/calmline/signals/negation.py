"""Is a matched phrase negated ("I'm not going to sue", "I don't want a refund")?"""

from __future__ import annotations

import re

_NEGATION = re.compile(
    r"\b(?:not|never|no|don'?t|doesn'?t|won'?t|wouldn'?t|isn'?t|aren'?t|didn'?t|nor|without)\b"
    r"(?:\W+\w+){0,2}\W*$"
)


def is_negated(norm: str, start: int, window: int = 30) -> bool:
    """True when a negation word stands within the three words before `start`."""
    return bool(_NEGATION.search(norm[max(0, start - window) : start]))
