"""What the problem cost the customer besides the thing itself: a day off work, a day's wages.

"I took the day off work for this" and "I also lost a day's wages waiting for the engineer" are
a loss a reply should name: in the recap ("..., and you took the day off work for this") and, when
they want compensation, as what it is for ("compensation for the day's wages you lost").
`what_it_cost` reads it from their own sentences, in the agent's voice, or says None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from calmline.engine.phrases import second_person, split_sentences

_TIME = r"(?:day|days|morning|afternoon|evening|shift|shifts|week|weeks)"
_COST = re.compile(
    r"\b(?P<who>I|we)(?P<had>(?:['’]ve|\s+have)?(?:\s+(?:also|even|then|just))*(?:\s+had\s+to)?)"
    r"\s+(?:also\s+|even\s+)?(?P<did>took|take|taken|booked|book|lost|lose|missed|miss|wasted|"
    r"waste|used|use)\s+"
    r"(?P<what>(?P<det>a|an|the|one|two|three|half\s+a|a\s+whole|a\s+full|the\s+whole|a\s+half|\d+)\s+"
    r"(?:whole\s+|full\s+|half\s+)?" + _TIME + r"(?:['’]s?|s['’])?"
    r"(?:\s+off(?:\s+work)?|\s+(?:of\s+)?(?:annual\s+leave|holiday|wages|pay|work|earnings|leave))?)"
    r"(?P<rest>(?:\s+(?!and\b|but\b|so\b)[\w'’£$€-]+){0,8}?)(?=\s*(?:[.,;:!?)\n]|$)|\s+(?:and|but|so)\b)",
    re.IGNORECASE)
_PAST = {"take": "took", "taken": "took", "book": "booked", "lose": "lost", "miss": "missed",
         "waste": "wasted", "use": "used"}


@dataclass(frozen=True, slots=True)
class Cost:
    """What it cost them as a noun phrase ("the day's wages you lost") and as a clause ("you lost
    a day's wages waiting for the engineer"), both in the agent's voice."""

    noun: str
    clause: str


def what_it_cost(texts: Sequence[str]) -> Cost | None:
    """The first time or pay the customer tells us they gave up or lost to the problem, or None.
    A question ("Do I have to take a day off?") or a negation ("I didn't lose any pay") is none."""
    for text in texts:
        for sentence in split_sentences(text):
            if sentence.rstrip().endswith("?"):
                continue
            match = _COST.search(sentence)
            if match:
                return _said(match)
    return None


def _said(match: re.Match[str]) -> Cost:
    what = " ".join(match.group("what").split())
    did = match.group("did").lower()
    had = " ".join((match.group("had") or "").split()).lower()
    had = re.sub(r"\b(?:also|even|then|just)\b\s*", "", had).strip().replace("’", "'")
    verb = (f"{'had' if had.endswith('had to') else had.removesuffix(' to')} to {did}" if had.endswith("to")
            else _PAST.get(did, did))
    clause = second_person(f"{match.group('who')} {verb} {what}{match.group('rest') or ''}")
    # "a day's wages" -> "the day's wages"; "two days' pay" -> "the two days' pay"
    det = match.group("det").lower()
    thing = what[len(match.group("det")):].strip()
    thing = f"half {thing}" if det in ("half a", "a half") else thing
    noun_det = "the" if det in ("a", "an", "the", "one", "half a", "a half") else f"the {det}"
    who = "you" if match.group("who").lower() in ("i", "we") else match.group("who")
    return Cost(f"{noun_det} {thing} {who} {verb}", clause)


__all__ = ["Cost", "what_it_cost"]
