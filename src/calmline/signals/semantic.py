"""The semantic tier as a detector: meaning, not keywords.

Each sentence of a customer message is embedded (all-MiniLM-L6-v2) and read two ways:
- against the example sentences the playbook gives every flag, want and cause: a label fires when a
  sentence is close enough to one of its examples and closer to it than to any of its near misses
  ("this wait is killing me" is a near miss of `violence`);
- by the label's head, a small linear model trained on the team's own labelled messages
  (`semantic/heads.py`), which reads every sentence and the whole message.
The evidence names the sentence, the closest playbook example and the similarity, so a team lead
sees why, and a team adapts a detector by adding sentences to the YAML. The message's anger level
is read from the level head, or from the closest level examples without one.

Without an encoder (the model package is not installed) the detector finds nothing and the
analyzer notes that it read with the fast path only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from calmline.playbook.schema import LEVELS, FlagConfig, Playbook
from calmline.semantic.heads import Head, Heads
from calmline.semantic.memory import Memory, Reading
from calmline.signals.base import DetectionContext, Evidence, Finding, register
from calmline.signals.cleared import Clearance
from calmline.signals.flags import sentence_pattern
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import PhraseMatcher
from calmline.signals.negation import is_refused
from calmline.signals.text import NormalizedText

if TYPE_CHECKING:
    from calmline.semantic.encoder import MiniLMEncoder

SECTIONS = ("flags", "wants", "causes", "areas")
_SENTENCE = re.compile(r"[^.!?\n;]+(?:[.!?;]+|\n+|$)")
_WORD = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str, limit: int) -> list[Sentence]:
    """Sentences with their offsets; a long message keeps its first and last ones (a P.S. counts)."""
    found = []
    for match in _SENTENCE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not _WORD.search(stripped):
            continue
        start = match.start() + raw.index(stripped[0])
        found.append(Sentence(start, start + len(stripped), stripped))
    if len(found) > limit:
        head = limit - limit // 4
        found = found[:head] + found[-(limit - head):]
    return found


def instances(vectors: np.ndarray) -> np.ndarray:
    """What a head reads: every sentence, plus the whole message (their mean) when there are several.

    The sentences catch one dangerous line in a long email; the mean catches a meaning no single
    sentence carries ("I've been saving up my meds. honestly what's the point").
    """
    if len(vectors) < 2:
        return vectors
    mean = vectors.mean(0)
    return np.vstack([vectors, (mean / max(float(np.linalg.norm(mean)), 1e-12))[None]])


def level_value(playbook: Playbook, level: str) -> float:
    """The middle of a level's band on the anger scale (calm: half the annoyed bound)."""
    bounds = [0.0, *[playbook.anger.levels[n] for n in LEVELS[1:]], 1.0]  # type: ignore[index]
    i = LEVELS.index(level)
    return (bounds[i] + bounds[i + 1]) / 2


@dataclass(frozen=True, slots=True)
class LabelIndex:
    """A label's playbook examples and near misses, embedded, and its trained head if any."""

    section: str
    label: str
    route: str | None
    reason: str
    threshold: float
    examples: tuple[str, ...]
    positive: np.ndarray
    near_misses: tuple[str, ...]
    negative: np.ndarray
    head: Head | None = None
    phrases: PhraseMatcher | None = None  # the label's own patterns: an explicit "no" to them wins
    danger: bool = False
    target: re.Pattern[str] | None = None  # a hit sentence must name one of these (abuse)
    watch_only: re.Pattern[str] | None = None  # a hit sentence matching these is only a watch
    watch_only_reason: str = ""
    watch_only_message: bool = False  # the whole message's reading may be told otherwise too
    cleared: Clearance | None = None  # the customer may clear the whole message ("it was me")
    figure: re.Pattern[str] | None = None  # a hit sentence matching these is a figure of speech

# OpenBLAS (numpy's BLAS) spreads a product of more than about 2^19 multiply-adds over threads:
# for the few rows of one message that costs ten to fifty times the CPU of one thread (measured
# on 2 cores: 4 sentences × 373 examples, 0.8 ms instead of 0.02 ms), so products stay below it.
_ONE_THREAD = 1 << 19


def _product(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """`rows @ columns.T`, in blocks of rows small enough for BLAS to run each on one thread."""
    step = max(1, _ONE_THREAD // max(1, columns.shape[0] * columns.shape[1]))
    if len(rows) <= step:
        return rows @ columns.T
    return np.vstack([rows[i:i + step] @ columns.T for i in range(0, len(rows), step)])


def _shortened(text: str, most: int = 100) -> str:
    """A labelled sentence shown in a reason: at most `most` characters, cut between words."""
    if len(text) <= most:
        return text
    return text[:most].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass(frozen=True, slots=True)
class _Scores:
    """What every label reads in one message's instances (rows), one column per label."""

    sims: np.ndarray  # instances × every label's examples, label after label
    best: np.ndarray  # instances × labels: the closest example's similarity
    probs: np.ndarray  # instances × labels: the head's probability (0 without a head)
    hits: np.ndarray  # instances × labels: close enough to an example, or the head fires
    candidates: np.ndarray  # labels that may find something (a hit, or a head's watch)
    readings: dict[int, Reading] = field(default_factory=dict)  # by label column: the neighbours


@dataclass(frozen=True, slots=True)
class _Stack:
    """Every label's examples, near misses and head stacked, so that one matrix product per
    message scores all the labels; the per-label work is then done only for the few that hit."""

    indexes: tuple[LabelIndex, ...]
    positive: np.ndarray  # every label's examples, label after label (examples × 384)
    starts: np.ndarray  # where each label's examples start in `positive`
    negative: np.ndarray  # the near misses of the labels that have some, label after label
    negative_starts: np.ndarray
    with_negatives: np.ndarray  # which labels (columns) have near misses
    coef: np.ndarray  # the heads' coefficients (384 × heads)
    intercept: np.ndarray
    with_heads: np.ndarray  # which labels have a head
    threshold: np.ndarray  # per label: the example similarity that fires it
    head_threshold: np.ndarray  # per label: the head probability that fires it (inf: no head)
    watch: np.ndarray  # per label: the head probability that makes it a watch (inf: none)
    margin: float
    memory: Memory | None = None  # the danger labels' labelled sentences (semantic/memory.py)
    remembered: tuple[tuple[int, str], ...] = ()  # (column, label) of the labels it reads


    @classmethod
    def of(cls, indexes: Sequence[LabelIndex], margin: float = 0.0, memory: Memory | None = None
           ) -> _Stack:
        def stacked(parts: list[np.ndarray]) -> np.ndarray:
            return (np.ascontiguousarray(np.vstack(parts), dtype=np.float32) if parts
                    else np.zeros((0, 384), dtype=np.float32))

        def offsets(sizes: list[int]) -> np.ndarray:
            return np.cumsum([0, *sizes[:-1]]).astype(np.intp) if sizes else np.zeros(0, np.intp)

        negatives = [i for i, x in enumerate(indexes) if len(x.near_misses)]
        heads = [(i, x.head) for i, x in enumerate(indexes) if x.head is not None]
        inf = np.float32(np.inf)
        return cls(
            tuple(indexes), stacked([x.positive for x in indexes]),
            offsets([len(x.examples) for x in indexes]),
            stacked([indexes[i].negative for i in negatives]),
            offsets([len(indexes[i].near_misses) for i in negatives]),
            np.asarray(negatives, dtype=np.intp),
            np.ascontiguousarray(np.stack([h.coef for _, h in heads], 1), dtype=np.float32)
            if heads else np.zeros((384, 0), dtype=np.float32),
            np.asarray([h.intercept for _, h in heads], dtype=np.float32),
            np.asarray([i for i, _ in heads], dtype=np.intp),
            np.asarray([x.threshold for x in indexes], dtype=np.float32),
            np.asarray([x.head.threshold if x.head is not None else inf for x in indexes],
                       dtype=np.float32),
            np.asarray([x.head.watch if x.head is not None and x.head.watch is not None else inf
                        for x in indexes], dtype=np.float32),
            margin, memory,
            tuple((j, x.label) for j, x in enumerate(indexes)
                  if memory is not None and x.head is not None and x.label in memory.labels))

    def score(self, read: np.ndarray) -> _Scores:
        """Every label against the instances: three matrix products, then maxima per label."""
        shape = (len(read), len(self.indexes))
        sims = _product(read, self.positive)
        best = np.maximum.reduceat(sims, self.starts, axis=1) if shape[1] else np.zeros(shape, np.float32)
        near = np.full(shape, -1.0, dtype=np.float32)
        if len(self.with_negatives):
            near[:, self.with_negatives] = np.maximum.reduceat(_product(read, self.negative),
                                                               self.negative_starts, axis=1)
        probs = np.zeros(shape, dtype=np.float32)
        if len(self.with_heads):
            probs[:, self.with_heads] = 1.0 / (1.0 + np.exp(-(read @ self.coef + self.intercept)))
        readings = self._remember(read, probs)
        hits = ((best >= self.threshold) & (best >= near + self.margin)) | (probs >= self.head_threshold)
        candidates = np.flatnonzero(hits.any(0) | (probs.max(0, initial=0.0) >= self.watch))
        return _Scores(sims, best, probs, hits, candidates, readings)

    def _remember(self, read: np.ndarray, probs: np.ndarray) -> dict[int, Reading]:
        """The danger labels' scores mixed with their neighbours' reading, in place (their
        thresholds are on that mix); the neighbours read only the sentences a head gives at
        least the memory's gate."""
        memory, readings = self.memory, {}
        if memory is None or not self.remembered:
            return {}
        columns = [j for j, _ in self.remembered]
        rows = memory.gated(probs[:, columns])
        sims = memory.similarities(read[rows]) if len(rows) else None
        for j, label in self.remembered:
            reading = memory.read(label, sims, rows, len(read)) if sims is not None else None
            if reading is not None:
                readings[j] = reading
            probs[:, j] = memory.mix(probs[:, j], reading)
        return readings


@register
class SemanticDetector:
    """Flags, wants and causes by meaning; the level by the level head or the closest level examples."""

    name: ClassVar[str] = "semantic"
    labels: ClassVar[tuple[str, ...]] = ("flags", "wants", "causes", "areas", "venting", "anger_level")
    reads: ClassVar[tuple[str, ...]] = ("anger",)  # detectors whose findings it reads
    needs_encoder: ClassVar[bool] = True

    def __init__(self, playbook: Playbook, encoder: MiniLMEncoder | None = None) -> None:
        self._playbook = playbook
        self._cfg = playbook.semantic
        self._encoder = encoder if playbook.semantic.enabled else None
        self.indexes: list[LabelIndex] = []
        self.venting_index: LabelIndex | None = None
        self.heads: Heads | None = None
        self._levels = np.zeros((0, 384), dtype=np.float32)
        self._level_values = np.zeros(0, dtype=np.float32)
        self._level_texts: tuple[str, ...] = ()
        self._level_names: tuple[str, ...] = ()
        self._stack = _Stack.of([])
        if self._encoder is not None:
            self._build(playbook, self._encoder)

    def _build(self, playbook: Playbook, encoder: MiniLMEncoder) -> None:
        from calmline.semantic.encoder import WEIGHTS_SHA256, cached_embeddings
        from calmline.semantic.heads import load_heads

        if self._cfg.heads:
            self.heads = load_heads(self._cfg.heads, WEIGHTS_SHA256)
        groups = [(section, label, group) for section in SECTIONS
                  for label, group in getattr(playbook, section).items() if group.examples]
        level_texts = [(level, text) for level in LEVELS for text in playbook.anger.examples.get(level, [])]
        venting = playbook.venting
        texts = [t for _, _, g in groups for t in (*g.examples, *g.near_misses)]
        texts += [*venting.examples, *venting.near_misses, *(t for _, t in level_texts)]
        vectors = cached_embeddings(encoder, texts)
        at = 0

        def take(n: int) -> np.ndarray:
            nonlocal at
            at += n
            return vectors[at - n:at]

        literals = LiteralIndex()  # one scan per message for all the labels' phrases
        for section, label, group in groups:
            route = getattr(group, "route", None)
            # the phrases an explicit "no" to which wins: a flag's requests too ("I'm not
            # cancelling my contract")
            said = [*group.patterns, *(group.protest.request_patterns
                                       if isinstance(group, FlagConfig) and group.protest else ())]
            phrases = (PhraseMatcher.from_patterns(f"{section}.{label}", group.reason, group.weight,
                                                   said, source="pattern", raw=group.raw,
                                                   index=literals)
                       if said else None)
            self.indexes.append(LabelIndex(
                section, label, route if route != "none" else None, group.reason,
                group.similarity if group.similarity is not None else self._cfg.threshold,
                tuple(group.examples), take(len(group.examples)),
                tuple(group.near_misses), take(len(group.near_misses)),
                self.heads.head(section, label) if self.heads else None, phrases,
                bool(getattr(group, "danger", False)),
                sentence_pattern(getattr(group, "target_patterns", ())),
                sentence_pattern(getattr(group, "watch_only_patterns", ())),
                getattr(group, "watch_only_reason", ""),
                bool(getattr(group, "watch_only_message", False)),
                Clearance.of(label, group) if isinstance(group, FlagConfig) else None,
                sentence_pattern(getattr(group, "figure_patterns", ()))))
        if venting.examples:
            self.venting_index = LabelIndex(
                "venting", "venting", None, "all feeling, no request yet", self._cfg.threshold,
                tuple(venting.examples), take(len(venting.examples)),
                tuple(venting.near_misses), take(len(venting.near_misses)),
                self.heads.head("venting", "venting") if self.heads else None)
        else:
            take(len(venting.near_misses))
        self._levels = take(len(level_texts))
        self._level_texts = tuple(t for _, t in level_texts)
        self._level_values = np.asarray([level_value(playbook, lvl) for lvl, _ in level_texts],
                                        dtype=np.float32)
        # the level each example stands for, named once (every message's reading shows one)
        self._level_names = tuple(playbook.anger.level_of(float(v)) for v in self._level_values)
        every = [*self.indexes, *([self.venting_index] if self.venting_index is not None else [])]
        self._stack = _Stack.of(every, margin=self._cfg.margin,
                                memory=self.heads.memory if self.heads is not None else None)

    def level_examples(self) -> tuple[np.ndarray, np.ndarray]:
        """The embedded level examples and the score each stands for (training reads them)."""
        return self._levels, self._level_values

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        if self._encoder is None:
            return []
        sentences = self._within_budget(split_sentences(text.original, self._cfg.max_sentences))
        if not sentences:
            return []
        vectors = self._encoder.encode([s.text for s in sentences])
        read = instances(vectors)
        whole = Sentence(sentences[0].start, sentences[-1].end,
                         text.original[sentences[0].start:sentences[-1].end])
        sentences = [*sentences, whole] if len(sentences) > 1 else sentences
        lowered = text.original.lower()
        scores = self._stack.score(read)
        findings = []
        for j in scores.candidates:  # the playbook's labels in order, the venting one last
            index = self._stack.indexes[j]
            if not self._refused(index, text, lowered) and (
                    found := self._label(index, sentences, scores, int(j), text.original)):
                findings.append(found)
        fast = next((f.score for f in context.prior.get("anger", ()) if f.label == "anger"), 0.0)
        if level := self._level(sentences, read[-1], fast):
            findings.append(level)
        return findings

    def _within_budget(self, sentences: list[Sentence]) -> list[Sentence]:
        """Bound the cost of a long email: keep sentences from both ends, first ones first, until
        `semantic.max_tokens` is spent (the fast path still reads the whole message)."""
        assert self._encoder is not None
        # a word piece spans at least one character, plus [CLS] and [SEP]: most messages are
        # within the budget on their length alone and need no tokenising twice
        if sum(len(s.text) + 2 for s in sentences) <= self._cfg.max_tokens:
            return sentences
        costs = [self._encoder.count_tokens(s.text) for s in sentences]
        if sum(costs) <= self._cfg.max_tokens:
            return sentences
        order = [i for pair in zip(range(len(sentences)), reversed(range(len(sentences))), strict=True)
                 for i in pair][:len(sentences)]
        kept: set[int] = set()
        spent = 0
        for i in dict.fromkeys(order):
            if spent + costs[i] <= self._cfg.max_tokens or not kept:
                kept.add(i)
                spent += costs[i]
        return [sentences[i] for i in sorted(kept)]

    @staticmethod
    def _refused(index: LabelIndex, text: NormalizedText, lowered: str) -> bool:
        """The customer names the label only to say no ("I don't want a refund, I want a
        replacement"), or, for a want, only to say they have it now ("the refund came through"):
        resemblance must not overrule that. Danger flags are never refused."""
        if index.phrases is None or index.danger:
            return False
        hits = index.phrases.find(text)
        settled = index.section == "wants"
        return bool(hits) and all(is_refused(lowered, e.start, settled=settled) for e in hits)

    def _label(self, index: LabelIndex, sentences: list[Sentence], scores: _Scores, j: int,
               message: str) -> Finding | None:
        """Label `j` (`index`) in the scores of the message's instances: `sentences[i]` is what
        row i embeds (each sentence, then the whole message); `message` is the whole text, which
        the customer may clear in their own words (`Clearance`)."""
        start = int(self._stack.starts[j])
        closest = scores.sims[:, start:start + len(index.examples)].argmax(1)
        best, probs = scores.best[:, j], scores.probs[:, j]
        hits = np.flatnonzero(scores.hits[:, j])
        if index.target is not None and len(hits):
            hits = self._targeted(index, sentences, hits)
        figures = self._figures(index, sentences, hits, probs)
        if len(figures):  # neither a flag nor a sign to check
            hits = np.setdiff1d(hits, figures)
            probs = probs.copy()
            probs[figures] = 0.0
        said = index.cleared.find(message) if index.cleared is not None and len(hits) else None
        if said is not None:
            return self._watch_cleared(index, sentences, hits, probs if index.head is not None else best,
                                       said)
        told = self._told_otherwise(index, sentences, hits)
        if len(told):
            hits = np.setdiff1d(hits, told)
            if not len(hits):
                return self._watch_told(index, sentences, told, probs if index.head is not None else best)
        if not len(hits):
            return self._watch(index, sentences, probs, self._like(index, scores, j))
        top = int(max(hits, key=lambda i: (probs[i], best[i])))
        evidence = tuple(self._evidence(index, sentences, int(i), float(best[i]), int(closest[i]))
                         for i in sorted(hits, key=lambda i: -max(probs[i], best[i]))[:3])
        example = index.examples[int(closest[top])]
        where = ("the whole message" if top > 0 and top == len(best) - 1 and len(best) > 1
                 else f"\"{sentences[top].text[:80]}\"")
        reason = (f"{index.reason or index.label}: {where} reads like the playbook example "
                  f"\"{example}\" (similarity {float(best[top]):.2f})")
        if index.head is not None:
            reason += f"; the model trained on the team's labelled messages gives {float(probs[top]):.2f}"
        like = self._like(index, scores, j)
        if like is not None:
            reason += like(top)
        score = round(float(min(0.99, max(probs[top], 0.5 + float(best[top]) / 2))), 4)
        return Finding(index.label, score, self.name, reason, evidence, route=index.route,
                       section=index.section)

    @staticmethod
    def _targeted(index: LabelIndex, sentences: list[Sentence], hits: np.ndarray) -> np.ndarray:
        """The hits that name one of the label's targets. Abuse is aimed, so its sentence must
        name whom; a danger label reads the whole message as the sentence's context ("there's a
        debit on my account. I've never been a member of any gym."): missing one costs most."""
        assert index.target is not None
        if index.danger:
            whole = sentences[-1].text if len(sentences) > 1 else sentences[0].text
            return hits if index.target.search(whole) else hits[:0]
        return np.asarray([i for i in hits if index.target.search(sentences[i].text)], dtype=int)

    def _like(self, index: LabelIndex, scores: _Scores, j: int) -> Callable[[int], str] | None:
        """For a label read by its neighbours: the closest sentence the team labelled so, as
        words for instance i's reason."""
        reading, memory = scores.readings.get(j), self._stack.memory
        if reading is None or memory is None:
            return None
        texts = memory.labels[index.label].texts

        def words(i: int) -> str:
            if not reading.similarity[i]:
                return ""  # a sentence the neighbours did not read (under the gate)
            return (f"; the closest sentence the team labelled {index.label.replace('_', ' ')}: "
                    f"\"{_shortened(texts[int(reading.nearest[i])])}\" "
                    f"(similarity {float(reading.similarity[i]):.2f})")

        return words

    def _watch(self, index: LabelIndex, sentences: list[Sentence], probs: np.ndarray,
               like: Callable[[int], str] | None = None) -> Finding | None:
        """A danger sign too weak to flag and route: the agent should check, gently."""
        head = index.head
        if head is None or head.watch is None or not len(probs) or probs.max() < head.watch:
            return None
        top = int(probs.argmax())
        return self._weak_sign(
            index, sentences[top], float(probs[top]), f"watch.{index.label}",
            f"resembles messages the team labelled so ({float(probs[top]):.2f})"
            f"{like(top) if like is not None else ''}")

    def _weak_sign(self, index: LabelIndex, s: Sentence, strength: float, rule: str, said: str
                   ) -> Finding:
        """A watch: the sign, the sentence, what it was read as, and the ask to check first."""
        return Finding(
            index.label, round(min(strength, 0.99), 4), self.name,
            f"a weak sign of {index.label.replace('_', ' ')} ({index.reason or index.label}), not certain: "
            f"\"{s.text[:80]}\" {said}; check with the customer before routing",
            (Evidence(s.start, s.end, s.text, "semantic", rule, round(strength, 3)),), section="watch")

    @staticmethod
    def _figures(index: LabelIndex, sentences: list[Sentence], hits: np.ndarray,
                 probs: np.ndarray) -> np.ndarray:
        """The rows whose sentence says the label's words as a figure of speech tied to a
        deadline, an event, a thing or a place (the playbook's `figure_patterns`: "if it's not
        here by Thursday I don't know what I'll do"). The whole message's row is one too when
        the sentences that read as the label (a hit, or a head's watch) are all figures; not when
        none does, where the meaning is in the sentences together."""
        if index.figure is None:
            return np.zeros(0, dtype=int)
        whole = len(sentences) - 1 if len(sentences) > 1 else -1
        figures = [i for i in range(len(sentences))
                   if i != whole and index.figure.search(sentences[i].text)]
        if not figures:
            return np.zeros(0, dtype=int)
        watch = index.head.watch if index.head is not None and index.head.watch is not None \
            else np.inf
        reads = ({int(i) for i in hits} | {int(i) for i in np.flatnonzero(probs >= watch)}) - {whole}
        if whole >= 0 and reads and reads <= set(figures):
            figures.append(whole)
        return np.asarray(figures, dtype=int)

    @staticmethod
    def _told_otherwise(index: LabelIndex, sentences: list[Sentence], hits: np.ndarray) -> np.ndarray:
        """The hits whose sentence tells of something that only sounds like the label (the
        playbook's `watch_only_patterns`: "my dad died last month" read as self-harm). The whole
        message's row counts when every other hit is such a sentence, and there is one; or, for a
        label with `watch_only_message`, when it is the only hit and the message matches."""
        if index.watch_only is None or not len(hits):
            return np.zeros(0, dtype=int)
        pattern = index.watch_only
        whole = len(sentences) - 1 if len(sentences) > 1 else -1
        told = [int(i) for i in hits if i != whole and pattern.search(sentences[i].text)]
        if told and whole in hits and len(told) == len(hits) - 1:
            told.append(whole)
        elif (index.watch_only_message and whole >= 0 and [int(i) for i in hits] == [whole]
              and pattern.search(sentences[whole].text)):
            told.append(whole)
        return np.asarray(sorted(told), dtype=int)

    def _watch_told(self, index: LabelIndex, sentences: list[Sentence], told: np.ndarray,
                    strength: np.ndarray) -> Finding:
        """A hit on such a sentence is a sign for the agent to check, not a flag to route."""
        top = int(max(told, key=lambda i: strength[i]))
        instead = f": {index.watch_only_reason}" if index.watch_only_reason else ""
        return self._weak_sign(
            index, sentences[top], float(strength[top]), f"watch.{index.label}.watch_only",
            f"reads like it ({float(strength[top]):.2f}), but the playbook says such a sentence is "
            f"not one on its own{instead}")

    def _watch_cleared(self, index: LabelIndex, sentences: list[Sentence], hits: np.ndarray,
                       strength: np.ndarray, said: Evidence) -> Finding:
        """A hit in a message the customer clears ("that login was me"): a sign to check."""
        assert index.cleared is not None
        top = int(max(hits, key=lambda i: strength[i]))
        found = self._weak_sign(
            index, sentences[top], float(strength[top]), f"watch.{index.label}.cleared",
            f"reads like it ({float(strength[top]):.2f}), but {index.cleared.words(said)}")
        return Finding(found.label, found.score, found.detector, found.reason,
                       found.evidence + (said,), section=found.section)

    def _evidence(self, index: LabelIndex, sentences: list[Sentence], i: int, similarity: float,
                  closest: int) -> Evidence:
        rule = f"{index.section}.{index.label}: like \"{index.examples[closest]}\""
        s = sentences[i]
        return Evidence(s.start, s.end, s.text, "semantic", rule, round(similarity, 3))

    def _level(self, sentences: list[Sentence], pooled: np.ndarray, fast: float) -> Finding | None:
        if not len(self._levels):
            return None
        sims = self._levels @ pooled
        odds = ""
        head = self.heads.level if self.heads is not None else None
        if head is not None:
            probabilities = head.probabilities(pooled, fast)
            estimate = float(probabilities @ head.values)
        else:
            k = min(self._cfg.neighbours, len(sims))
            top = np.argpartition(-sims, k - 1)[:k]
            weights = np.exp((sims[top] - sims[top].max()) * 20.0)
            estimate = float((weights * self._level_values[top]).sum() / weights.sum())
        level = self._playbook.anger.level_of(estimate)
        if head is not None and level != "calm":
            # what reads the level is the head's expected score, not the example's similarity
            # (the example only illustrates the level): say how sure the head is
            sure = sum(float(p) for p, v in zip(probabilities, head.values, strict=True)
                       if LEVELS.index(self._playbook.anger.level_of(float(v))) >= LEVELS.index(level))
            odds = (f"; the level model trained on the team's labelled messages gives {sure:.2f} "
                    f"that it is {level} or above")
        # the example shown is the closest one of the level read (the head may read "I'd like a
        # refund please" as frustrated while its nearest example of all is a calm one: showing
        # that calm example as the reason would contradict the reading)
        same = [i for i, name in enumerate(self._level_names) if name == level]
        nearest = max(same, key=lambda i: float(sims[i])) if same else int(sims.argmax())
        like = f"\"{self._level_texts[nearest]}\" (similarity {float(sims[nearest]):.2f})"
        evidence = (Evidence(sentences[-1].start, sentences[-1].end, sentences[-1].text, "semantic",
                             f"anger.examples.{self._level_names[nearest]}: like {like}",
                             round(float(sims[nearest]), 3)),)
        closest = "closest example of that level" if same else "closest level example"
        return Finding("anger_level", round(estimate, 4), self.name,
                       f"the meaning reads {level}; {closest} {like}{odds}", evidence)
