"""Suggested replies for the current moment, from coach.yaml's templates and this conversation's facts.

`suggest(conversation)` picks the templates written for the moment (venting, hear, understand,
resolve, agree, close, escalate) that fit what the customer wants, fills them with the facts the
customer gave (never inventing one: unknown slots use the template's fallback or stay as
`[placeholders]` for the agent), reviews every candidate with the same coach, and returns the best
two or three: those the coach would send first, the template written for the most specific
situation (a repeat contact, a deadline, what they want) before a generic one, then by score.
An optional rewriter (calmline.engine.rewriter) may add one more
candidate; it is reviewed like the rest before it is shown (an anti-pattern or a promise the
playbook doesn't allow shows in its review and verdict, never as "good to send"), and one that
invents a fact (a number, a reference, an amount, a day not in the conversation, the team's
service times or the templates) is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from calmline.engine.analyzer import Analyzer
from calmline.engine.coach import Review, review_in
from calmline.engine.cues import CueScanner
from calmline.engine.invented import invented_facts
from calmline.engine.moment import ConversationLike, Moment
from calmline.engine.slots import MissingSlotError, build_slots, customer_wants, fill
from calmline.playbook.coach_schema import MOMENTS, CoachConfig, Template

_PLACEHOLDER = re.compile(r"\[[^\[\]]{2,60}\]")
# Neighbouring moments whose templates also fit when the moment itself has too few.
_NEAR = {"venting": ("hear",), "hear": ("understand",), "understand": ("hear", "resolve"),
         "resolve": ("agree",), "agree": ("close", "resolve"), "close": ("agree",),
         "escalate": ("hear",), "wellbeing": (), "security": ()}


# Slots that mark a situation: a template written for one is the reply to it, ahead of any other.
_SITUATIONS = frozenset({"thanks", "thanks_done", "praise", "repeat", "question", "loss", "declined",
                         "greeting", "phishing",
                         "deadline", "request"})
# ... and of those, one that comes before the others: condolences to someone who lost a person
_FIRST = frozenset({"loss"})
# ... and those that leave no room for any other: a message that only thanks, praises, greets or
# asks for something has no problem in it to be sorry or frustrated about ("I'm really sorry
# about the problem with the replacement" to "The replacement arrived, thank you!"; "I can see
# why you're frustrated" to "A refund please.")
_ONLY = frozenset({"thanks", "thanks_done", "praise", "greeting", "request", "phishing"})


class Rewriter(Protocol):
    """Anything that proposes one more reply for the moment (e.g. an LLM); None when it cannot."""

    def propose(self, moment: Moment, drafts: Sequence[str]) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A ready-to-edit reply: its text, where it came from, and the coach's review of it."""

    text: str
    source: str  # "template:<id>" or "rewriter"
    score: int
    placeholders: tuple[str, ...]
    review: Review

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "score": self.score,
                "placeholders": list(self.placeholders), "next_move": self.review.next_move,
                "review": self.review.to_dict()}


def _fits(template: Template, moment: Moment, slots: dict[str, str], kinds: Sequence[str],
          only: bool = True) -> bool:
    if not set(template.moments) & set(kinds) or any(n not in slots for n in template.needs):
        return False
    if any(n in slots for n in template.unless):
        return False
    if only and _ONLY.intersection(slots) and not _ONLY.intersection(template.needs):
        return False
    if template.flags and not set(template.flags) & set(moment.danger):
        return False
    if not template.wants:
        return True
    return bool(set(customer_wants(moment)) & set(template.wants))


def candidates(config: CoachConfig, moment: Moment, kinds: Sequence[str] | None = None
               ) -> list[tuple[str, str]]:
    """(template id, filled text) for every template that fits the moment."""
    slots = build_slots(moment, config)
    found = _filled(config, moment, slots, kinds or (moment.kind,), only=True)
    # a thank-you or a request no template of its own fits still gets a reply
    return found or _filled(config, moment, slots, kinds or (moment.kind,), only=False)


def _filled(config: CoachConfig, moment: Moment, slots: dict[str, str], kinds: Sequence[str],
            only: bool) -> list[tuple[str, str]]:
    found = []
    for template in config.templates:
        if not _fits(template, moment, slots, kinds, only):
            continue
        try:
            found.append((template.id, fill(template.text, slots)))
        except MissingSlotError:
            continue
    return found


def _suggestion(text: str, source: str, moment: Moment, scanner: CueScanner) -> Suggestion:
    verdict = review_in(text, moment, scanner)
    return Suggestion(text, source, verdict.score, tuple(_PLACEHOLDER.findall(text)), verdict)


def suggest(conversation: ConversationLike, analyzer: Analyzer | None = None, *,
            coach: CoachConfig | None = None, limit: int = 3, rewriter: Rewriter | None = None
            ) -> list[Suggestion]:
    """Two to three alternative replies for the current moment, best first."""
    from calmline.engine.core import engine_for

    return engine_for(analyzer, coach).suggest(conversation, limit=limit, rewriter=rewriter)


def suggest_in(moment: Moment, scanner: CueScanner, *, limit: int = 3,
               rewriter: Rewriter | None = None) -> list[Suggestion]:
    """Suggestions for an already-read moment (the engine reads and remembers moments). A closed
    case gets none: it shows its outcome, there is no next reply to write."""
    if moment.state.stage == "closed":
        return []
    found = candidates(scanner.config, moment)
    # a calm question is answered by the templates for it, not padded out with a neighbouring
    # moment's ("I can understand why you're frustrated" to "Do you deliver to Jersey?")
    slots = build_slots(moment, scanner.config)
    if len(found) < 2 and "question" not in slots:
        # ... nor a thank-you or praise with "I will [the agreed next step]": a neighbouring
        # moment's templates pad the list only where they fit the situation
        near = _NEAR.get(moment.kind, ())
        found += [c for c in _filled(scanner.config, moment, slots, near, only=True)
                  if near and c not in found]
    if rewriter is None:
        out = _best(found, moment, scanner, max(1, limit))
    else:  # the rewriter is shown every candidate, best first
        out = sorted((_suggestion(text, f"template:{tid}", moment, scanner) for tid, text in found),
                     key=_rank(scanner.config))
    if rewriter is not None:
        drafts = [s.text for s in out]
        proposal = rewriter.propose(moment, drafts)
        known = [*(t.text for t in moment.turns), *scanner.config.sla.values(), *drafts]
        if proposal and not invented_facts(proposal, known):
            # second, under the grounded template: shown (with its review) even where the
            # templates alone fill the list
            out.insert(min(1, len(out)), _suggestion(proposal, "rewriter", moment, scanner))
    return out[: max(1, limit)]


Rank = tuple[bool, int, bool, int, int]


def _best(found: Sequence[tuple[str, str]], moment: Moment, scanner: CueScanner, keep: int
          ) -> list[Suggestion]:
    """The `keep` best of the candidates `found` (template id, text), as sorting them all by
    `_rank` would give them, reviewing only those that can still be among them. A review (most
    of it the cue scan) is most of a suggestion's cost; the rank puts what the template is
    (written for the situation, how specific) between what its review says, so a candidate whose
    best possible rank (not blocked, good to send, scoring 100) is behind the `keep`-th of those
    reviewed cannot be shown. Candidates are reviewed best possible rank first, and the rest skipped
    from the first that cannot be shown."""
    rank, best = _rank(scanner.config), _best_rank(scanner.config)
    order = sorted(range(len(found)), key=lambda i: best(found[i][0]))
    reviewed: list[tuple[Rank, int, Suggestion]] = []
    for i in order:
        if len(reviewed) >= keep and best(found[i][0]) > sorted(reviewed)[keep - 1][0]:
            break
        tid, text = found[i]
        made = _suggestion(text, f"template:{tid}", moment, scanner)
        reviewed.append((rank(made), i, made))  # i: equal ranks keep the candidates' order
    return [made for _, _, made in sorted(reviewed)[:keep]]


def _static(config: CoachConfig) -> tuple[dict[str, int], dict[str, int]]:
    """(specificity, situation) of each template: the parts of its rank no review changes."""
    specific = {t.id: len(t.needs) + bool(t.wants) + bool(t.flags) for t in config.templates}
    situation = {t.id: 0 if set(t.needs) & _FIRST else 1 for t in config.templates
                 if set(t.needs) & _SITUATIONS}
    return specific, situation


def _rank(config: CoachConfig) -> Callable[[Suggestion], Rank]:
    """Sort key: blocked last; the template written for this situation (a loss in the family
    before a thanks, a repeat contact or a calm question) first; then sendable before not; then
    the most specific template (more `needs`, `wants`, `flags`) before a generic one; then the
    score."""
    specific, situation = _static(config)
    timed = {t.id for t in config.templates if "deadline" in t.needs}

    def key(s: Suggestion) -> Rank:
        tid = s.source.removeprefix("template:")
        # a deadline's template comes first only when the coach would send it: "I know you need
        # your money back today" to someone who needs an engineer today is no reply to it
        placed = situation.get(tid, 2) if tid not in timed or s.review.verdict == "send" else 2
        return (s.review.verdict == "blocked", placed, s.review.verdict != "send",
                -specific.get(tid, 0), -s.score)

    return key


def _best_rank(config: CoachConfig) -> Callable[[str], Rank]:
    """The best `_rank` template `tid` can get, whatever its review says (scores are 0-100)."""
    specific, situation = _static(config)
    return lambda tid: (False, situation.get(tid, 2), False, -specific.get(tid, 0), -100)

__all__ = ["MOMENTS", "Rewriter", "Suggestion", "candidates", "suggest", "suggest_in"]
