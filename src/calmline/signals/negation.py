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


# A negation that says the thing never came is a complaint, not a refusal: "still no refund",
# "I never got the replacement", "didn't receive my refund", "no engineer yet".
_UNMET = re.compile(
    r"\bstill\s+(?:no|not|never)\b"
    r"|\b(?:never|not|didn'?t|no)\s+(?:\w+\s+)?(?:got|get|gotten|received?|seen|had|arrived|come|came)\b")
_YET = re.compile(r"^[\w'-]+(?:\s+[\w'-]+)?\s+yet\b")
# What they already have is no longer wanted ("the refund came through", "got my refund"), unless
# the sentence says they have not got it (_NOT_YET: "I never got my refund", "it still hasn't").
_NOT_YET = re.compile(r"\b(?:never|not|no|still|yet|didn'?t|haven'?t|hasn'?t|hadn'?t|won'?t|isn'?t|wasn'?t)\b"
                      r"(?=[^.!?]*$)|^[\w'-]*\s+(?:still\s+)?(?:has|have|had|is|was)n'?t\b")
_SETTLED_BEFORE = re.compile(r"\b(?:got|received)\s+(?:my|the|a|your|our|that)\s+(?:[\w£$€.,]+\s+)?$")
_SETTLED_AFTER = re.compile(
    r"^[\w'-]*\s+(?:(?:has|have|had)\s+(?:now\s+|finally\s+|just\s+)?)?"
    r"(?:came through|come through|arrived|went through|gone through|landed|cleared|turned up|showed up"
    r"|(?:was|were|has been|have been)\s+(?:processed|paid|received|credited|fitted|done|fixed|sorted))\b")


def _clause_before(norm: str, start: int, window: int) -> str:
    """The `window` characters before `start`, from the last sentence end on."""
    before = norm[max(0, start - window) : start]
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    return before[ends[-1]:] if ends else before


def is_negated(norm: str, start: int, window: int = 30) -> bool:
    """True when a negation word stands within the three words before `start`, in the same
    sentence, and not inside a condition ("if this isn't refunded" asks for the refund), nor
    saying the thing never came ("still no refund", "I never got the replacement")."""
    clause = _clause_before(norm, start, window)
    found = _NEGATION.search(clause)
    if found is None or _CONDITION.search(clause, 0, found.start()):
        return False
    if _UNMET.search(clause + norm[start:start + 20]):
        return False
    return not (found.group(0).startswith("no") and _YET.match(norm[start:start + 40]))


# A feeling said of a case that may not happen: "if I'm not happy with it", "I'd be upset if",
# "you won't be disappointed", "I hope you're not annoyed".
_HYPOTHETICAL = re.compile(r"\b(?:if|unless|in case|hope|hoping)\b"
                           r"|\b(?:would|wouldn'?t|won'?t|i'd|we'd|you'd|might)\s+(?:not\s+)?be\b")


def is_hypothetical(norm: str, start: int, window: int = 40) -> bool:
    """True when the phrase at `start` stands in a condition, a wish or a guess in its sentence
    ("if I'm unhappy with it can I send it back?"): a feeling the customer may have, not one they
    say they have."""
    return bool(_HYPOTHETICAL.search(_clause_before(norm, start, window)))


def is_settled(norm: str, start: int, window: int = 30) -> bool:
    """True when the sentence says they already have the thing named at `start` ("the refund
    came through", "I got my refund"): a want they no longer have."""
    clause = _clause_before(norm, start, window)
    if _NOT_YET.search(clause) or _NOT_YET.match(norm[start:start + 60]):
        return False  # "I never got my refund", "the refund still hasn't come through"
    return bool(_SETTLED_BEFORE.search(clause) or _SETTLED_AFTER.match(norm[start:start + 60]))


def is_refused(norm: str, start: int, *, settled: bool = False) -> bool:
    """The phrase at `start` does not count: it is negated, or (with `settled`, for a want) the
    sentence says they already have it."""
    return is_negated(norm, start) or (settled and is_settled(norm, start))
