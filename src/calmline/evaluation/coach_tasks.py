"""Evaluation of the reply coach's behaviour detectors (per-behaviour precision/recall/F1).

Three tasks, each a `load(path) -> Iterator[row]` and a `run(analyzer, rows, tick) -> TaskResult`
pair, the same shape as calmline.evaluation.tasks.Task:
- behaviours: calmline's own labelled agent replies (tests/data/agent_replies.jsonl);
- esconv: ESConv supporter turns, strategy → behaviour, at the turn level;
- epitome: EPITOME Reddit responses, mechanism level >= 1 → behaviour;
- suggestions: the top suggestion for each message of the team's support set, checked four ways
  (calmline.evaluation.suggestion_check);
- courtesy: GoEmotions comments, remorse → apology and gratitude → thanks (a proxy: the comments
  are not agent replies, but the words people use to apologise and thank are the same).
Every run also scores a keyword-list baseline on the same rows (`baseline_*` metrics), so the
figures can be read against something simple. ESConv and EPITOME are non-commercial research
data: they are used to measure, never to train or to tune thresholds.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmline.engine.analyzer import Analyzer
from calmline.engine.cues import CueScanner, DraftContext, Scan
from calmline.engine.restate import CustomerFacts
from calmline.errors import InputError
from calmline.evaluation.datasets import EmotionRow, load_goemotions
from calmline.evaluation.metrics import ClassScores, Number, TaskResult
from calmline.playbook.coach_loader import load_coach

Tick = Callable[[], None]
# Labels the detectors are scored on; a scan label maps onto one of them.
BEHAVIOUR_LABELS = ("acknowledge", "apology", "thanks", "repeat_back", "clarifying_question",
                    "ownership", "solution", "options", "timeline", "confirm", "reassurance",
                    "excuse", "blame", "minimise", "argue", "policy", "over_promise")
_MERGE = {"instant_promise": "over_promise", "hostile_tone": "argue"}
ESCONV_TARGETS = {"Restatement or Paraphrasing": "repeat_back",
                  "Reflection of feelings": "acknowledge", "Question": "clarifying_question",
                  "Providing Suggestions": "solution", "Affirmation and Reassurance": "reassurance"}
EPITOME_TARGETS = {"emotional-reactions": "acknowledge", "interpretations": "repeat_back",
                   "explorations": "clarifying_question"}
BASELINE: dict[str, str] = {
    "acknowledge": r"\bunderstand|\bfrustrat|\bmust be\b", "apology": r"\bsorry\b|\bapolog",
    "thanks": r"\bthank", "repeat_back": r"\bso you\b|\bif i understand|\bto confirm\b",
    "clarifying_question": r"\?", "ownership": r"\bi will\b|\bi'll\b|\blet me\b",
    "solution": r"\brefund|\breplace|\bcredit\b|\btry\b|\bshould\b",
    "options": r"\bor\b", "timeline": r"\btomorrow\b|\btoday\b|\bwithin\b|\bby \w+day\b",
    "confirm": r"\bto confirm\b|\bto recap\b", "reassurance": r"\bdon't worry|\bwill be (ok|fine)",
    "excuse": r"\bbecause\b|\bdue to\b", "blame": r"\bfault\b|\byou should have\b",
    "minimise": r"\bcalm down\b|\bjust\b|\bonly\b", "argue": r"\bactually\b|\bno need\b",
    "policy": r"\bpolicy\b", "over_promise": r"\bguarantee|\bpromise\b|\bnever\b",
}


@dataclass(frozen=True, slots=True)
class ReplyRow:
    """One agent reply (a sentence), the customer message it answers, and its gold labels."""

    id: str
    text: str
    customer: str
    labels: frozenset[str]


def scan_labels(scan: Scan) -> set[str]:
    """The evaluation labels a scan shows (anti-pattern variants merged into their family)."""
    found = {*scan.behaviours, *(_MERGE.get(k, k) for k in scan.anti_patterns)}
    return found & set(BEHAVIOUR_LABELS)


def baseline_labels(text: str, labels: Sequence[str] = BEHAVIOUR_LABELS) -> set[str]:
    low = text.lower().replace("’", "'")
    return {label for label in labels if re.search(BASELINE[label], low)}


def multilabel_scores(gold: Sequence[frozenset[str]], pred: Sequence[set[str]],
                      labels: Sequence[str]) -> dict[str, ClassScores]:
    """Per-label precision/recall/F1 over rows that may hold several labels each."""
    scores = {}
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, pred, strict=True))
        fp = sum(label not in g and label in p for g, p in zip(gold, pred, strict=True))
        fn = sum(label in g and label not in p for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = ClassScores(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn)
    return scores


def _summary(task: str, gold: Sequence[frozenset[str]], pred: Sequence[set[str]],
             base: Sequence[set[str]], labels: Sequence[str], notes: list[str]) -> TaskResult:
    per_class = multilabel_scores(gold, pred, labels)
    baseline = multilabel_scores(gold, base, labels)
    present = [label for label in labels if per_class[label].support]
    metrics: dict[str, Number] = {
        "macro_f1": round(sum(per_class[x].f1 for x in present) / len(present), 4) if present else 0.0,
        "baseline_macro_f1": round(sum(baseline[x].f1 for x in present) / len(present), 4)
        if present else 0.0,
    }
    for label in present:
        metrics[f"baseline_f1_{label}"] = baseline[label].f1
    weak = [x for x in present if per_class[x].f1 < 0.5]
    notes.append(f"weak (F1 < 0.5): {', '.join(weak) or 'none'}")
    return TaskResult(task, len(gold), metrics, per_class, notes=tuple(notes))


def load_agent_replies(path: Path) -> Iterator[ReplyRow]:
    """Rows of the labelled set: JSON lines with id, text, customer and labels."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            yield ReplyRow(str(data["id"]), data["text"], data.get("customer", ""),
                           frozenset(data.get("labels", ())))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: not an agent-reply row: {exc}") from exc


def _scan_all(analyzer: Analyzer, pairs: Sequence[tuple[str, str]], tick: Tick | None) -> list[Scan]:
    """Scan each (customer, reply) pair; the customer message is analysed once per distinct text."""
    scanner = CueScanner(load_coach())
    contexts: dict[str, DraftContext] = {}
    scans = []
    for customer, reply in pairs:
        if customer not in contexts:
            analysis = analyzer.analyze(customer) if customer.strip() else None
            facts = CustomerFacts.from_analyses([analysis] if analysis else [], analysis)
            contexts[customer] = DraftContext(facts)
        scans.append(scanner.scan(reply, contexts[customer]))
        if tick is not None:
            tick()
    return scans


def run_behaviours(analyzer: Analyzer, rows: Sequence[ReplyRow], tick: Tick | None = None
                   ) -> TaskResult:
    """Per-behaviour P/R/F1 on calmline's labelled agent replies (each with its customer message)."""
    scans = _scan_all(analyzer, [(r.customer, r.text) for r in rows], tick)
    gold = [r.labels for r in rows]
    pred = [scan_labels(s) for s in scans]
    base = [baseline_labels(r.text) for r in rows]
    return _summary("behaviours", gold, pred, base, BEHAVIOUR_LABELS,
                    ["sentence level; calm tone, solution-while-venting and off-topic need a whole "
                     "conversation and are tested in tests/engine instead"])


@dataclass(frozen=True, slots=True)
class SupportTurn:
    """A supporter turn of ESConv or an EPITOME response, with the seeker text it answers."""

    id: str
    text: str
    seeker: str
    labels: frozenset[str]  # the calmline behaviours its gold annotation maps to


def _read_lines(path: Path) -> list[str]:
    try:
        return Path(path).read_text("utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def load_esconv(path: Path) -> Iterator[SupportTurn]:
    """One row per supporter turn of ESConv JSON lines; the seeker text is their last message."""
    for number, line in enumerate(_read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            dialog = json.loads(line)["dialog"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: not an ESConv conversation: {exc}") from exc
        seeker = ""
        for index, turn in enumerate(dialog):
            if turn.get("speaker") == "usr":
                seeker = turn.get("text", "")
            elif turn.get("speaker") == "sys":
                target = ESCONV_TARGETS.get(turn.get("strategy", ""))
                yield SupportTurn(f"{number}.{index}", turn.get("text", ""), seeker,
                                  frozenset({target} if target else ()))


def load_epitome(path: Path) -> Iterator[SupportTurn]:
    """EPITOME rows from one mechanism CSV, or from all three in a folder (level >= 1 = shown)."""
    path = Path(path)
    files = sorted(path.glob("*-reddit.csv")) if path.is_dir() else [path]
    for file in files:
        mechanism = next((m for m in EPITOME_TARGETS if file.name.startswith(m)), None)
        if mechanism is None:
            raise InputError(f"{file}: name must start with one of {', '.join(EPITOME_TARGETS)}")
        for row in csv.DictReader(_read_lines(file)):
            try:
                shown = int(row["level"]) >= 1
                yield SupportTurn(f"{mechanism}:{row['rp_id']}", row["response_post"],
                                  row["seeker_post"],
                                  frozenset({f"{mechanism}"} if shown else ()))
            except (KeyError, ValueError, TypeError) as exc:
                raise InputError(f"{file}: not an EPITOME row: {exc}") from exc


def _support_labels(scan: Scan) -> set[str]:
    found = scan_labels(scan)
    if "options" in found:
        found.add("solution")
    return found


def run_esconv(analyzer: Analyzer, rows: Sequence[SupportTurn], tick: Tick | None = None
               ) -> TaskResult:
    """Per-strategy F1 at the turn level: does the detector fire on the turns of that strategy?"""
    scans = _scan_all(analyzer, [(r.seeker, r.text) for r in rows], tick)
    labels = tuple(ESCONV_TARGETS.values())
    pred = [_support_labels(s) & set(labels) for s in scans]
    base = [baseline_labels(r.text, labels) for r in rows]
    names = {v: k for k, v in ESCONV_TARGETS.items()}
    return _summary("esconv", [r.labels for r in rows], pred, base, labels,
                    [f"{names[x]} -> {x}" for x in labels]
                    + ["turns with other strategies count as negatives for every label"])


def run_epitome(analyzer: Analyzer, rows: Sequence[SupportTurn], tick: Tick | None = None
                ) -> TaskResult:
    """Per-mechanism F1: level >= 1 of a mechanism against the behaviour(s) it maps to."""
    scans = _scan_all(analyzer, [(r.seeker, r.text) for r in rows], tick)
    pred = []
    for row, scan in zip(rows, scans, strict=True):
        mechanism = row.id.split(":", 1)[0]
        found = _support_labels(scan)
        shows = EPITOME_TARGETS[mechanism] in found or (
            mechanism == "interpretations" and "acknowledge" in found)
        pred.append({mechanism} if shows else set())
    base = []
    for row in rows:
        mechanism = row.id.split(":", 1)[0]
        hit = baseline_labels(row.text, (EPITOME_TARGETS[mechanism],))
        base.append({mechanism} if hit else set())
    labels = tuple(m for m in EPITOME_TARGETS if any(r.id.startswith(m + ":") for r in rows))
    return _summary("epitome", [r.labels for r in rows], pred, base, labels,
                    [f"{m} -> {t}" + (" or acknowledge" if m == "interpretations" else "")
                     for m, t in EPITOME_TARGETS.items()])


# GoEmotions label ids (emotions.txt order) standing in for the two courtesy behaviours.
COURTESY_TARGETS = {24: "apology", 15: "thanks"}  # remorse, gratitude


def load_courtesy(path: Path) -> Iterator[SupportTurn]:
    """GoEmotions rows as support turns whose labels are the courtesy behaviours they stand for."""
    for row in load_goemotions(path):
        yield _courtesy_turn(row)


def _courtesy_turn(row: EmotionRow) -> SupportTurn:
    labels = frozenset(COURTESY_TARGETS[i] for i in row.labels if i in COURTESY_TARGETS)
    return SupportTurn(row.id, row.text, "", labels)


def run_courtesy(analyzer: Analyzer, rows: Sequence[SupportTurn], tick: Tick | None = None
                 ) -> TaskResult:
    """F1 of the apology and thanks detectors against GoEmotions remorse and gratitude."""
    scans = _scan_all(analyzer, [("", r.text) for r in rows], tick)
    labels = tuple(COURTESY_TARGETS.values())
    pred = [scan_labels(s) & set(labels) for s in scans]
    base = [baseline_labels(r.text, labels) for r in rows]
    return _summary("courtesy", [r.labels for r in rows], pred, base, labels,
                    ["remorse -> apology, gratitude -> thanks; other comments are negatives"])


def run_suggestions(analyzer: Analyzer, rows: Sequence[Any], tick: Tick | None = None
                    ) -> TaskResult:
    """The top suggestion for each support-set message (a first contact), checked four ways
    (calmline.evaluation.suggestion_check) against the message and its labelled wants;
    `pass_rate` is the share that passes all four."""
    from calmline.engine.composer import suggest_in
    from calmline.engine.core import Engine
    from calmline.evaluation.suggestion_check import CHECKS, check_suggestion

    engine = Engine(analyzer)
    passed = {name: 0 for name in (*CHECKS, "all")}
    tops: dict[str, int] = {}
    for row in rows:
        moment = engine.moment([{"role": "customer", "text": row.text}])
        top = suggest_in(moment, engine.scanner, limit=1)
        if top:
            found = check_suggestion(top[0], moment, list(row.gold.get("wants", [])))
            for name in CHECKS:
                passed[name] += bool(getattr(found, name))
            passed["all"] += found.passed
            tops[top[0].source] = tops.get(top[0].source, 0) + 1
        if tick:
            tick()
    n = len(rows)
    metrics: dict[str, Number] = {"pass_rate": round(passed["all"] / n, 4) if n else 0.0}
    metrics |= {name: round(passed[name] / n, 4) if n else 0.0 for name in CHECKS}
    metrics["distinct_top_templates"] = len(tops)
    common = ", ".join(f"{s} {c}" for s, c in sorted(tops.items(), key=lambda i: -i[1])[:5])
    return TaskResult("suggestions", n, metrics, notes=(
        "each message is a first contact; pass = names the issue in the customer's words, "
        "addresses the labelled want, no raw slot or broken grammar, the coach would send it",
        f"most common top suggestions: {common}"))
