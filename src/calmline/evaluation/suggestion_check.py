"""The automatic check of a top suggestion (issue 11, part 6): would a team lead send it?

Four tests, each one a way the old templates failed in front of users:

- `names_issue`: it names the customer's issue in their words: it shares a word with what went
  wrong for them (their causes' and areas' evidence, the object and problem of their sentences,
  the thing they named with "my" or "the") or repeats one of their facts. A customer who told us
  of no problem passes.
- `addresses_want`: it answers what they asked for (a refund, a replacement, a manager...): it
  mentions the want or an action for it. A customer who asked for nothing passes.
- `clean`: no raw `{slot}` or `[placeholder]`, no doubled article ("the a week wait"), no "…",
  no empty slot left behind (", ," or a double space).
- `coach_passes`: the coach's own review would send it (verdict "send", no anti-pattern).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from calmline.engine.composer import Suggestion
from calmline.engine.moment import Moment
from calmline.engine.phrases import issue_object, issue_phrase
from calmline.engine.restate import fact_mentions, issue_mentions, stems

CHECKS = ("names_issue", "addresses_want", "clean", "coach_passes")
# What answering each of the playbook's wants sounds like (its `ask` or an action for it).
WANT_ACTIONS: dict[str, re.Pattern[str]] = {label: re.compile(pattern, re.IGNORECASE) for label, pattern in {
    "refund": r"\b(?:refund\w*|(?:money|deposit) back|reimburs\w+|credit)\b",  # a deposit is returned
    "replacement": r"\b(?:replac\w+|send you a new|new one|exchange)\b",
    "repair": r"\b(?:repair\w*|fix\w*|engineer|technician)\b",
    "cancellation": r"\b(?:cancel\w*|close your account|end your)\b",
    "compensation": r"\b(?:compensat\w+|credit|refund\w*|goodwill|money back)\b",
    "explanation": r"\b(?:explain\w*|find out|what happened|look(?:ing)? into|check\w*|answer)\b",
    "apology": r"\b(?:sorry|apolog\w+)\b",
    "manager": r"\b(?:manager|team lead|supervisor|senior|escalat\w+)\b",
}.items()}
_RAW = re.compile(r"[{}]|\[[^\[\]]{2,60}\]|…|\.\.\.|,\s*,|\s{2,}|\b(the|a|an)\s+(?:the|a|an)\b",
                  re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SuggestionCheck:
    """Which of the four tests a suggestion passed; `passed` only when all four did."""

    names_issue: bool
    addresses_want: bool
    clean: bool
    coach_passes: bool

    @property
    def passed(self) -> bool:
        return self.names_issue and self.addresses_want and self.clean and self.coach_passes

    def failed(self) -> list[str]:
        return [name for name in CHECKS if not getattr(self, name)]


def names_issue(text: str, moment: Moment) -> bool:
    said = [t.text for t in moment.turns if t.role == "customer"]
    phrase, topic = issue_phrase(said), issue_object(said)
    terms = [*moment.customer.issue_terms, *(stems(phrase.noun) if phrase else ()),
             *(stems(topic) if topic else ())]
    if not terms and not moment.customer.facts:
        return True
    return bool(issue_mentions(text, terms) or fact_mentions(text, moment.customer.facts))


def addresses_want(text: str, wants: Iterable[str]) -> bool:
    asked = [w for w in wants if w in WANT_ACTIONS]
    return not asked or any(WANT_ACTIONS[w].search(text) for w in asked)


def is_clean(text: str) -> bool:
    return bool(text.strip()) and not _RAW.search(text)


def check_suggestion(suggestion: Suggestion, moment: Moment, wants: Sequence[str] | None = None
                     ) -> SuggestionCheck:
    """The four tests for `suggestion` as the reply to `moment`. `wants` are what the customer
    asked for (a labelled set's gold); by default, what the analysis read in their messages."""
    if wants is None:
        wants = [w for a in moment.customer_analyses() for w in a.want_labels()]
    review = suggestion.review
    return SuggestionCheck(names_issue(suggestion.text, moment), addresses_want(suggestion.text, wants),
                           is_clean(suggestion.text),
                           review.verdict == "send" and not review.anti_patterns)


__all__ = ["CHECKS", "SuggestionCheck", "addresses_want", "check_suggestion", "is_clean", "names_issue"]
