"""Teach a playbook from the team's corrections (issue 9.5): pure, no database, no I/O but YAML text.

A missed flag, want or cause, or a wrong level, adds the corrected message to that label's
`examples` (to `anger.examples[level]` for a level); a wrong flag, want or cause adds it to the
label's `near_misses`, so the semantic tier stops firing on messages like it. The text is trimmed
to its first `MAX_EXAMPLE_CHARS` characters at a sentence end; a sentence already there is not
added twice; a message taught as both an example and a near miss of one label is left out (the
team disagrees: a person should decide).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_EXAMPLE_CHARS = 300
_SECTIONS = {"flag": "flags", "want": "wants", "cause": "causes"}
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s|$)|\n")


@dataclass(frozen=True, slots=True)
class Teaching:
    """One correction as training reads it: its kind, its label and the message's text."""

    kind: str
    label: str
    text: str


@dataclass(slots=True)
class LabelChange:
    examples: int = 0
    near_misses: int = 0


@dataclass(slots=True)
class Taught:
    """The team playbook (as YAML data) and what changed in it."""

    data: dict[str, Any]
    changes: dict[str, LabelChange] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(c.examples + c.near_misses for c in self.changes.values())


def trim_example(text: str, limit: int = MAX_EXAMPLE_CHARS) -> str:
    """The text on one line, cut to at most `limit` characters at a sentence end (else a word end)."""
    text = text.strip()
    if len(text) > limit:
        head = text[:limit + 1]
        ends = [m.end() for m in _SENTENCE_END.finditer(head) if m.end() <= limit]
        if ends:
            text = head[:ends[-1]]
        else:
            cut = head.rfind(" ", 0, limit + 1)
            text = head[:cut] if cut > 0 else head[:limit]
    return " ".join(text.split())


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _target(data: dict[str, Any], kind: str, label: str) -> tuple[str, list[str]] | None:
    """Where a correction goes: its display name and the list it extends (None: unknown label)."""
    if kind == "level":
        anger = data.setdefault("anger", {})
        levels = anger.get("levels") or {}
        if label != "calm" and label not in levels:
            return None
        examples = anger.get("examples") or {}
        anger["examples"] = examples
        return f"anger.{label}", examples.setdefault(label, [])
    verdict, _, what = kind.partition("_")
    section = _SECTIONS.get(what)
    groups = data.get(section) if section else None
    if verdict not in ("missed", "wrong") or not isinstance(groups, dict) or label not in groups:
        return None
    group = groups[label]
    field_name = "examples" if verdict == "missed" else "near_misses"
    if group.get(field_name) is None:
        group[field_name] = []
    return f"{section}.{label}", group[field_name]


def teach(base: dict[str, Any], teachings: Iterable[Teaching]) -> Taught:
    """A copy of the playbook data `base` with the teachings added (see the module's docstring)."""
    data = copy.deepcopy(base)
    items = [(t, trim_example(t.text)) for t in teachings]
    positive = {(t.label, _key(text)) for t, text in items if not t.kind.startswith("wrong_")}
    negative = {(t.label, _key(text)) for t, text in items if t.kind.startswith("wrong_")}
    taught = Taught(data)
    for teaching, text in items:
        where = _target(data, teaching.kind, teaching.label)
        if where is None:
            taught.skipped.append(f"{teaching.kind} {teaching.label!r}: not a label of the base playbook")
            continue
        name, target = where
        change = taught.changes.setdefault(name, LabelChange())
        if not text:
            continue
        if (teaching.label, _key(text)) in positive & negative:
            note = f"{name}: marked both missed and wrong on the same message, left out: {text[:60]!r}"
            if note not in taught.skipped:
                taught.skipped.append(note)
            continue
        if _key(text) in {_key(t) for t in target}:
            continue
        target.append(text)
        if teaching.kind.startswith("wrong_"):
            change.near_misses += 1
        else:
            change.examples += 1
    return taught


def dump(data: dict[str, Any], header: str = "") -> str:
    """The playbook as YAML text (key order kept), after `header` written as comment lines."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + body
