"""The single most useful next move: for a draft (fix the worst problem first) or for the moment.

Order of priority: the heaviest anti-pattern in the draft (rewrite that span), then the heaviest
gap (what the moment lacks), then the most valuable behaviour the moment expects but the draft
does not show; a draft with none of these is good to send.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from calmline.engine.slots import fill_known
from calmline.playbook.coach_schema import CoachConfig, Moment

_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+[\"”’)]*|\n|$)\s*")


class _Span(Protocol):
    @property
    def start(self) -> int: ...


class _Weighted(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def weight(self) -> float: ...


def _filled(text: str, slots: Mapping[str, str]) -> str:
    return fill_known(text, slots)


def rewrite_for(config: CoachConfig, label: str, slots: Mapping[str, str], draft: str = "",
                spans: Sequence[_Span] = ()) -> str:
    """The calmer rewrite for an anti-pattern. Given the `draft` and the anti-pattern's `spans`,
    it is the agent's own draft with only the offending sentences replaced by the anti-pattern's
    `replace` sentence (with this conversation's facts) or removed; otherwise, the advice."""
    if draft.strip() and spans:
        return rewrite_draft(config, draft, [(label, spans)], slots)
    return _filled(config.anti_patterns[label].rewrite, slots)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, its trailing space included."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def _calmed(sentence: str) -> str:
    """A shouted sentence in normal case with one full stop (the hostile tone rewrite)."""
    text = re.sub(r"[!?]{2,}|!", ".", sentence.strip())
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        text = text.lower()
        text = re.sub(r"\bi\b", "I", text)
    return text[:1].upper() + text[1:]


_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)


def rewrite_draft(config: CoachConfig, draft: str, found: Sequence[tuple[str, Sequence[_Span]]],
                  slots: Mapping[str, str]) -> str:
    """The agent's draft with each sentence holding a flagged span replaced by its
    anti-pattern's `replace` sentence (once: the same sentence is not added twice) or removed;
    every other sentence stays as the agent wrote it."""
    sentences = sentence_spans(draft)
    flagged = {i for _, spans in found for span in spans for i, (a, b) in enumerate(sentences)
               if a <= span.start < b}
    # the agent already says sorry in a sentence that stays: the replacement adds no second one
    sorry = any(_APOLOGY.search(draft[a:b]) for i, (a, b) in enumerate(sentences) if i not in flagged)
    fix: dict[int, str] = {}
    for label, spans in found:
        spec = config.anti_patterns[label]
        for span in spans:
            at = next((i for i, (a, b) in enumerate(sentences) if a <= span.start < b), None)
            if at is None or at in fix:
                continue
            if label == "hostile_tone":
                fix[at] = _calmed(draft[sentences[at][0]:sentences[at][1]])
            else:
                replace = spec.replace_after_apology if sorry and spec.replace_after_apology else spec.replace
                fix[at] = _filled(replace, slots) if replace else ""
    out: list[str] = []
    for i, (a, b) in enumerate(sentences):
        text = fix.get(i, draft[a:b].strip())
        if text and text not in out:
            out.append(text)
    return " ".join(out)


def next_move(config: CoachConfig, anti: Sequence[tuple[_Weighted, str]],
              gaps: Sequence[_Weighted], missing: Sequence[str], slots: Mapping[str, str]) -> str:
    """`anti` pairs each flagged anti-pattern with its first span; `missing` lists expected
    behaviours the draft lacks, most valuable first."""
    if anti:
        worst, span = max(anti, key=lambda pair: pair[0].weight)
        replace = config.anti_patterns[worst.label].replace
        if replace and _filled(replace, slots):
            return f"Rewrite “{span}” as “{_filled(replace, slots)}”"
        return f"Rewrite “{span}”: {rewrite_for(config, worst.label, slots)}"
    if gaps:
        top = max(gaps, key=lambda g: g.weight)
        return _situated(config, top.label, slots) or _filled(config.gaps[top.label].move, slots)
    if missing:
        return _situated(config, missing[0], slots) or _filled(config.behaviours[missing[0]].hint, slots)
    return "Good to send."


def _situated(config: CoachConfig, label: str, slots: Mapping[str, str]) -> str:
    """The move of a situation the conversation is in (coach.yaml `situations`: a death in the
    family) that takes the place of the hint of behaviour or gap `label`; "" when none does."""
    for slot, move in config.situations.items():
        if slots.get(slot) and label in move.instead_of:
            return _filled(move.hint, slots)
    return ""


def move_for_moment(config: CoachConfig, moment: Moment, slots: Mapping[str, str]) -> str:
    """What the next reply should do, before any draft exists (for the console). A weaker danger
    sign in the latest message (slot `watch`) adds that danger moment's gentle check-in."""
    spec = config.moments[moment]
    hints = list(dict.fromkeys(_situated(config, b, slots) or _filled(config.behaviours[b].hint, slots)
                               for b in spec.expect if b != "calm_tone"))
    watch = config.moments.get(slots.get("watch", ""))  # type: ignore[call-overload]
    if watch is not None and watch.watch and not spec.routes:
        hints = [_filled(watch.watch, slots), *hints[:1]]
    return f"{spec.description}. " + " ".join(h for h in hints[:2] if h)
