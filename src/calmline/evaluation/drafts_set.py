"""The team's labelled agent drafts (data/drafts): loader and the ``drafts`` eval task.

Each row is one whole draft (chat or email) with the customer message it answers, labelled with
the coach's own behaviour and anti-pattern names (see data/drafts/README.md). The task reviews
every draft as the agent's reply to that message, the same review the console shows, and scores:

- per-label precision/recall/F1 of anti-patterns (``anti.<label>``) and behaviours
  (``behaviour.<label>``), by the coach's labels, not merged into families;
- anti-pattern micro precision and recall, and behaviour micro-F1;
- good drafts blocked: the share of drafts with no gold anti-pattern whose verdict is
  "blocked" (a team lead would send them, the guard would stop them);
- calm down as calm tone: drafts that tell the customer to calm down (gold without calm_tone)
  on which the coach still ticks calm_tone. It must be 0.

A draft is reviewed whole because the guard acts on whole drafts, and because the hard cases
sit between sentences (a negation in one sentence, the safety question in the next).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from calmline.engine.analyzer import Analyzer
from calmline.engine.coach import Review
from calmline.errors import InputError
from calmline.evaluation.metrics import ClassScores, Number, TaskResult
from calmline.evaluation.team_sets import multilabel_prf, team_lines
from calmline.playbook.coach_loader import load_coach

Tick = Callable[[], None]
# The four anti-patterns the issue measured lowest (issue 11): each has its own goal.
KEY_ANTI_PATTERNS = ("excuse", "blame", "minimise", "argue")
_CALM_DOWN = re.compile(r"\bcalm down\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DraftRow:
    """One labelled draft: the reply, the customer message it answers, and the gold labels."""

    id: str
    split: str
    channel: str
    customer: str
    text: str
    kind: str
    behaviours: frozenset[str]
    anti_patterns: frozenset[str]


def _row(item: dict[str, object]) -> DraftRow:
    gold = item["gold"]
    if not isinstance(gold, dict):
        raise TypeError("gold must be an object")
    return DraftRow(str(item["id"]), str(item["split"]), str(item.get("channel", "")),
                    str(item["customer"]), str(item["text"]), str(item.get("kind", "")),
                    frozenset(gold["behaviours"]), frozenset(gold["anti_patterns"]))


def load_drafts(path: Path) -> Iterator[DraftRow]:
    """Every draft in the file (or the folder's .jsonl files); a malformed line, a split outside
    train/dev/test or a label the coach does not know is an error naming the file and line."""
    coach = load_coach()
    known = {"behaviours": set(coach.behaviours), "anti_patterns": set(coach.anti_patterns)}
    for where, row in team_lines(path, _row, "a labelled draft"):
        for family, labels in (("behaviours", row.behaviours), ("anti_patterns", row.anti_patterns)):
            unknown = sorted(labels - known[family])
            if unknown:
                raise InputError(f"{where}: {family} {unknown} are not the coach's labels")
        yield row


def review_all(analyzer: Analyzer, rows: Sequence[DraftRow], tick: Tick | None = None) -> list[Review]:
    """The coach's review of each draft as the reply to its customer message."""
    from calmline.engine.core import engine_for

    engine = engine_for(analyzer)
    reviews = []
    for row in rows:
        turns = [{"role": "customer", "text": row.customer}] if row.customer.strip() else []
        reviews.append(engine.review(row.text, turns))
        if tick is not None:
            tick()
    return reviews


def _rate(hits: Sequence[bool]) -> Number:
    return round(sum(hits) / len(hits), 4) if hits else None


def score_drafts(rows: Sequence[DraftRow], reviews: Sequence[Review]) -> TaskResult:
    """The figures above, from the gold rows and their reviews (same order)."""
    coach = load_coach()
    found_b = [{c.label for c in r.behaviours if c.found} for r in reviews]
    found_a = [{a.label for a in r.anti_patterns} for r in reviews]
    anti, (a_p, a_r, a_f) = multilabel_prf([set(r.anti_patterns) for r in rows], found_a,
                                           list(coach.anti_patterns), prefix="anti.")
    beh, (b_p, b_r, b_f) = multilabel_prf([set(r.behaviours) for r in rows], found_b,
                                          list(coach.behaviours), prefix="behaviour.")
    metrics: dict[str, Number] = {
        "anti_pattern_recall": a_r, "anti_pattern_precision": a_p, "anti_pattern_f1": a_f,
        "behaviour_micro_f1": b_f, "behaviour_precision": b_p, "behaviour_recall": b_r,
    }
    for label in KEY_ANTI_PATTERNS:
        metrics[f"{label}_recall"] = anti[f"anti.{label}"].recall
    good = [r.verdict == "blocked" for row, r in zip(rows, reviews, strict=True) if not row.anti_patterns]
    metrics.update(good_drafts=len(good), good_drafts_blocked=sum(good),
                   good_drafts_blocked_rate=_rate(good))
    told = [("calm_tone" in b) for row, b in zip(rows, found_b, strict=True)
            if _CALM_DOWN.search(row.text) and "calm_tone" not in row.behaviours]
    metrics.update(calm_down_drafts=len(told), calm_down_as_calm_tone=sum(told))
    per_class: dict[str, ClassScores] = {**anti, **beh}
    return TaskResult("drafts", len(rows), metrics, per_class, notes=(
        "whole drafts reviewed as the reply to their customer message; anti.* and behaviour.* by "
        "the coach's labels; good drafts blocked: verdict 'blocked' on a draft with no gold "
        "anti-pattern; calm_down_as_calm_tone: drafts telling the customer to calm down that "
        "still tick calm_tone",))


def run_drafts(analyzer: Analyzer, rows: Sequence[DraftRow], tick: Tick | None = None) -> TaskResult:
    return score_drafts(rows, review_all(analyzer, rows, tick))
