"""Does a reply restate the customer's own facts and issue? (the test behind "repeat back").

A repeat-back only counts when it carries what this customer said: their order number, product,
amount, duration or date (from the Analysis facts) or the words of what went wrong (the evidence
of their causes and areas). "I understand your issue" restates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from calmline.engine.analysis import Analysis, Fact
from calmline.engine.phrases import cancel_object, issue_object, issue_phrase
from calmline.signals.base import Evidence

_NUMBERS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
            "7": "seven", "8": "eight", "9": "nine", "10": "ten", "12": "twelve"}
_WORDS = {word: digit for digit, word in _NUMBERS.items()} | {"a": "1", "an": "1"}
STOPWORDS = frozenset("""
about after again also been before being cannot could didn doesn does don't down even every from
have haven hasn just know like made make many more most much need never only over really same
should since some still such supposed than that their them then there these they this those told
through very want wanted was wasn were what when where which while will with would your yours
you're hasnt havent didnt doesnt dont cant isnt wont going thing things told said back here
please thanks thank sorry hello anyone someone something nothing time times today tomorrow
""".split())
_INTERROGATIVE = re.compile(r"\b(?:what|when|where|why|how|who|which|can|could|will|would|is|are|do|"
                            r"does|did|have|has)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z][a-z']+")
# Words of two or three letters are function words but for the few things customers name with them
# (their car, app, bin, TV, gym, MOT): only those count as content.
_SHORT = frozenset("""app car van bus cab tax fee pin sim bin gym mot box bag bed tap kit hob fan cot pet
vet dog cat mug pan pot cap hat net web gas oil ink tv pc""".split())


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """What the customer has told us, in the shape the reply checks need."""

    facts: tuple[Fact, ...] = ()
    issue_terms: tuple[str, ...] = ()  # stems of what went wrong ("charg", "broke", "cance")
    topic_terms: tuple[str, ...] = ()  # stems of the thing they wrote about ("outag", "rate")
    question_terms: tuple[str, ...] = ()  # stems of the customer's latest open question

    @classmethod
    def from_analyses(cls, analyses: Iterable[Analysis], latest: Analysis | None = None
                      ) -> CustomerFacts:
        gathered = FactGatherer()
        for analysis in analyses:
            gathered.add(analysis)
        return gathered.facts(latest)


@dataclass(frozen=True, slots=True)
class Told:
    """What one customer message adds to CustomerFacts (`told`): the same for every reading of
    the conversation, so a caller that reads it again may remember it (`Engine`)."""

    facts: tuple[Fact, ...]
    terms: tuple[str, ...]  # in order, repeats included
    topic: tuple[str, ...]


def told(analysis: Analysis) -> Told:
    terms = [stem for finding in (*analysis.causes, *analysis.areas) for ev in finding.evidence
             # a whole sentence that reads like a cause is not its words
             if ev.source != "semantic" for stem in stems(ev.text)]
    # what they wrote about, in the words a suggestion restates it with: a reply that says
    # "so, to confirm, the outage on Tuesday…" repeats their issue even when no cause was read
    said = [analysis.text]
    phrase, topic = issue_phrase(said), issue_object(said)
    # ... and what they asked us to cancel ("cancel his phone contract"): "so you'd like to
    # cancel his phone contract" says it back
    cancelled = cancel_object(said)
    return Told(analysis.facts, tuple(terms),
                tuple(stem for words in (phrase.noun if phrase else "", topic or "", cancelled or "")
                      for stem in stems(words)))


class FactGatherer:
    """CustomerFacts built up one customer turn at a time: reading a conversation asks for the
    facts before every agent turn, and gathering them afresh each time would cost the square of
    its length. `read` says what each message told (default: `told`, worked out each time)."""

    def __init__(self, read: Callable[[Analysis], Told] = told) -> None:
        self._read = read
        self._facts: dict[tuple[str, str], Fact] = {}
        self._terms: dict[str, None] = {}
        self._topic: dict[str, None] = {}

    def add(self, analysis: Analysis) -> None:
        said = self._read(analysis)
        for fact in said.facts:
            self._facts.setdefault((fact.kind, fact.value.lower()), fact)
        self._terms.update(dict.fromkeys(said.terms))
        self._topic.update(dict.fromkeys(said.topic))

    def facts(self, latest: Analysis | None = None) -> CustomerFacts:
        return CustomerFacts(tuple(self._facts.values()), tuple(self._terms), tuple(self._topic),
                             question_stems(latest.text) if latest else ())


def stems(text: str) -> list[str]:
    """Crude stems (first five letters) of the content words of `text`."""
    return [w[:5] for w in _TOKEN.findall(text.lower().replace("’", "'"))
            if (len(w) > 3 or w in _SHORT) and w not in STOPWORDS and w.replace("'", "") not in STOPWORDS]


def question_stems(text: str) -> tuple[str, ...]:
    """Content stems of the sentences of `text` that ask something (end with '?')."""
    asked = [s for s in re.split(r"(?<=[.!?])\s+", text)
             if s.rstrip().endswith("?") and _INTERROGATIVE.search(s)]
    return tuple(dict.fromkeys(st for s in asked for st in stems(s)))


# how a fact's value splits into tokens (compiled once: every review asks for every fact, and every
# agent turn of a case is asked for each new fact)
_FACT_TOKENS = re.compile(r"[\s-]+")


def _fact_pattern(fact: Fact) -> re.Pattern[str] | None:
    value = fact.value.strip().lstrip("#").strip()
    if len(value) < 2:
        return None
    parts = []
    for token in _FACT_TOKENS.split(value.lower()):
        if token in _NUMBERS or token in _WORDS:
            digit = _WORDS.get(token, token)
            parts.append(f"(?:{re.escape(digit)}|{_NUMBERS.get(digit, digit)})")
        elif token.isalpha() and len(token) > 2:
            parts.append(re.escape(token.rstrip("s")) + "s?")
        else:
            parts.append(re.escape(token))
    return re.compile(r"(?<![\w])" + r"[\s-]+".join(parts) + r"(?![\w])", re.IGNORECASE)


def _must_contain(fact: Fact) -> tuple[str, ...]:
    """Pieces of the fact any mention of it contains as they are (its tokens with digits that
    are not number words): a substring test rules most texts out before the regex runs."""
    tokens = _FACT_TOKENS.split(fact.value.strip().lstrip("#").strip().lower())
    return tuple(t for t in tokens if t and not t.isalpha() and t not in _NUMBERS
                 and t not in _WORDS)


def fact_mentions(draft: str, facts: Iterable[Fact]) -> list[Evidence]:
    """Spans of the draft that repeat one of the customer's facts (one per fact at most)."""
    found = []
    low = draft.lower()
    for fact in facts:
        if any(piece not in low for piece in _must_contain(fact)):
            continue
        pattern = _fact_pattern(fact)
        match = pattern.search(draft) if pattern else None
        if match:
            found.append(Evidence(match.start(), match.end(), match.group(0), "context",
                                  f"facts.{fact.kind}"))
    return found


def issue_mentions(draft: str, issue_terms: Iterable[str]) -> list[Evidence]:
    """Spans of the draft whose words share a stem with what went wrong for the customer."""
    wanted = set(issue_terms)
    found = []
    for match in _TOKEN.finditer(draft.lower()):
        if match.group(0)[:5] in wanted:
            wanted.discard(match.group(0)[:5])
            found.append(Evidence(match.start(), match.end(), draft[match.start():match.end()],
                                  "context", "coach.issue"))
    return found
