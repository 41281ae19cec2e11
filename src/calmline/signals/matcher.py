"""Compile the playbook's phrase groups into one regex each and turn matches into Evidence.

Speed matters (every message runs ~40 groups): each group is one alternation anchored once at a
word start, and is skipped outright unless one of its required literals occurs in the text
(found for all the groups of one owner at once by its `LiteralIndex`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Generic, TypeVar

from calmline.playbook.schema import PhraseGroup
from calmline.signals.base import Evidence
from calmline.signals.literals import LiteralIndex
from calmline.signals.text import NormalizedText

try:  # the regex parser is private; without it every group simply always runs
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre_parse = None

T = TypeVar("T")


def compile_patterns(patterns: Iterable[str], *, raw: bool = False) -> re.Pattern[str] | None:
    """One alternation for all patterns (one scan per message); None when there are none."""
    parts = [f"(?:{p})" for p in patterns]
    if not parts:
        return None
    body = "|".join(parts)
    return re.compile(body if raw else rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _required(items: Iterable[tuple[object, object]]) -> frozenset[str] | None:
    """Literals of which every match of this parsed sequence contains at least one."""
    candidates: list[frozenset[str]] = []
    run = ""
    # a parsed SubPattern's own list: iterating the SubPattern goes through its Python __getitem__
    for op, arg in getattr(items, "data", items):
        name = getattr(op, "name", None) or str(op)
        if name == "LITERAL" and isinstance(arg, int):
            run += chr(arg)
            continue
        if run:
            candidates.append(frozenset({run}))
            run = ""
        found: frozenset[str] | None = None
        if name == "SUBPATTERN" and isinstance(arg, tuple):
            found = _required(arg[-1])
        elif name == "BRANCH" and isinstance(arg, tuple):
            alternatives = []
            for alternative in arg[1]:
                literals = _required(alternative)
                if not literals:  # one way through without a literal: the branch needs none
                    break
                alternatives.append(literals)
            else:
                found = frozenset().union(*alternatives)
        elif name in ("MAX_REPEAT", "MIN_REPEAT") and isinstance(arg, tuple) and arg[0] >= 1:
            found = _required(arg[2])
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset({run}))
    if not candidates:
        return None
    return max(candidates, key=lambda c: min(map(len, c)))


def _pattern_literals(pattern: str) -> tuple[str, ...] | None:
    """Literals (lower-cased) of which every match of `pattern` contains one; None if it has none."""
    if _sre_parse is None:
        return None
    try:
        literals = _required(_sre_parse.parse(pattern))
    except Exception:  # noqa: BLE001 - validated at load; stay conservative here
        return None
    return tuple(sorted({lit.lower() for lit in literals})) if literals else None


def _group_literals(each: Sequence[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """A group's literals from its patterns' (`_pattern_literals`): None when one has none."""
    if any(literals is None for literals in each):
        return None
    return tuple(sorted({lit for literals in each for lit in literals or ()}))


def required_literals(patterns: Iterable[str]) -> tuple[str, ...] | None:
    """Literals of which every match of the group contains one; None when some pattern has none
    (then the group always runs)."""
    if _sre_parse is None:
        return None
    return _group_literals([_pattern_literals(p) for p in patterns])


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One pattern of a group, as `Candidates` looks it up: the literals one of which it needs."""

    regex: bool
    literals: tuple[str, ...] | None


NARROWED = 256  # the sub-alternations a matcher keeps compiled (the literal sets seen repeat)
# how many characters a set of patterns runs one by one on (`_merged`) before its alternation
# is compiled: running them alone scans the text once per pattern, about twice the time of
# their alternation on long texts; compiling one costs about 0.5 ms, the time the patterns alone
# take over about this many characters more than their alternation would
MERGED_CHARS = 4000


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """A compiled phrase group: `find` returns one Evidence per match, spans in the original.

    A large group's alternation is costly to run even when the group can match: a draft holds
    the literals of a few of its hundred patterns. So `find` runs only the patterns whose
    literals occur in the text; a pattern whose literals are all absent can match nowhere, so
    the matches are the same. When each of those patterns needs a literal (the usual case), they
    run one by one, each compiled once, and their matches are merged as the alternation would
    pick them (`_merged`), until the set has run over MERGED_CHARS characters (at once for a
    long text); then their alternation is compiled, once per set of patterns, and kept (as it
    always is when a chosen pattern has no literal). Compiling an alternation for every new set
    cost more than reading a new conversation's messages (3 ms a review): most sets are rare.
    """

    rule: str
    reason: str
    weight: float
    regex: re.Pattern[str] | None
    source: str = "lexicon"
    literals: tuple[str, ...] | None = None
    patterns: tuple[str, ...] = ()
    raw: bool = False
    # where its literals are registered and looked up: its owner's, shared by the owner's groups
    index: LiteralIndex = field(default_factory=LiteralIndex, compare=False, repr=False)
    _parts: Candidates[int] | None = field(default=None, compare=False, repr=False)
    _narrowed: dict[tuple[int, ...], re.Pattern[str] | None] = field(
        default_factory=dict, compare=False, repr=False)
    # per pattern: whether every match of it holds one of its literals (so none is empty)
    needs_literal: tuple[bool, ...] = field(default=(), compare=False, repr=False)
    _single: dict[int, re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)
    # per set of patterns not compiled yet: the characters they have run over one by one
    _scanned: dict[tuple[int, ...], int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_patterns(cls, rule: str, reason: str, weight: float, patterns: Sequence[str], *,
                      source: str = "lexicon", raw: bool = False,
                      index: LiteralIndex | None = None) -> PhraseMatcher:
        """Compile `patterns`; register the literals that let a text skip the group (or part of
        it) in `index`: the owner's, so that all its groups scan a message once (without one,
        the group has an index of its own)."""
        index = index if index is not None else LiteralIndex()
        # each pattern is parsed once (the parser is slow Python: this was most of building an
        # Engine, whose coach cues hold 540 patterns); the group's literals follow from them
        each = [_pattern_literals(p) for p in patterns] if _sre_parse is not None else []
        literals = _group_literals(each) if _sre_parse is not None else None
        if literals:
            index.register(literals)
        parts = None
        if len(patterns) > 1 and any(each):
            parts = Candidates(range(len(patterns)), [_Pattern(True, x) for x in each].__getitem__,
                               index)
        return cls(rule, reason, weight, compile_patterns(patterns, raw=raw), source, literals,
                   tuple(patterns), raw, index, parts,
                   needs_literal=tuple(x is not None for x in each))

    @classmethod
    def from_group(cls, rule: str, group: PhraseGroup, source: str = "lexicon",
                   index: LiteralIndex | None = None) -> PhraseMatcher:
        return cls.from_patterns(rule, group.reason, group.weight, group.patterns, source=source,
                                 raw=group.raw, index=index)

    def _spans(self, text: NormalizedText) -> Iterator[tuple[int, int]]:
        """The spans in `text.norm` the group's alternation finds, left to right."""
        if self._parts is None:
            return (m.span() for m in self.regex.finditer(text.norm)) if self.regex else iter(())
        chosen = tuple(self._parts(text))
        regex: re.Pattern[str] | None = self.regex
        if len(chosen) < len(self.patterns):
            regex = self._narrowed.get(chosen, self.regex)
            if regex is self.regex:
                if self._run_alone(chosen, len(text.norm)):
                    return self._merged(chosen, text.norm)
                regex = compile_patterns([self.patterns[i] for i in chosen], raw=self.raw)
                if len(self._narrowed) >= NARROWED:
                    self._narrowed.clear()
                self._narrowed[chosen] = regex
        return (m.span() for m in regex.finditer(text.norm)) if regex is not None else iter(())

    def _run_alone(self, chosen: tuple[int, ...], chars: int) -> bool:
        """Run `chosen` (not compiled together yet) one by one over `chars` characters more?
        Only while each needs a literal and they have run over fewer than MERGED_CHARS."""
        scanned = self._scanned.get(chosen, 0) + chars
        if scanned >= MERGED_CHARS or len(self.needs_literal) != len(self.patterns) or not all(
                self.needs_literal[i] for i in chosen):
            return False
        if len(self._scanned) >= NARROWED:
            self._scanned.clear()
        self._scanned[chosen] = scanned
        return True

    def _pattern(self, i: int) -> re.Pattern[str]:
        """Pattern `i` alone, wrapped as in the alternation (compiled on first use, then kept)."""
        found = self._single.get(i) or compile_patterns([self.patterns[i]], raw=self.raw)
        assert found is not None  # one pattern: never an empty alternation
        self._single[i] = found
        return found

    def _merged(self, chosen: Sequence[int], norm: str) -> Iterator[tuple[int, int]]:
        """What `finditer` of the alternation of `chosen` (in pattern order) finds, from each
        pattern run alone: at the leftmost position where one matches, the first in order that
        does (the alternation tries them in order there, each with the same look-arounds), then
        on from the end of that match. None of them matches empty (each needs a literal), so
        finditer's rule for empty matches never applies. Each pattern's next match is kept while
        it starts at or after where the search goes on: searching again would find it again."""
        singles = [self._pattern(i) for i in chosen]
        ahead = [single.search(norm) for single in singles]
        pos = 0
        while True:
            best: re.Match[str] | None = None
            for k, match in enumerate(ahead):
                if match is not None and match.start() < pos:
                    match = ahead[k] = singles[k].search(norm, pos)
                if match is not None and (best is None or match.start() < best.start()):
                    best = match
            if best is None:
                return
            yield best.span()
            pos = best.end()

    def find(self, text: NormalizedText, limit: int = 5) -> list[Evidence]:
        if self.regex is None:
            return []
        if self.literals is not None and self.index.present(text).isdisjoint(self.literals):
            return []
        found: list[Evidence] = []
        for span in self._spans(text):
            start, end = text.to_original(*span)
            if start == end:
                continue
            found.append(Evidence(start, end, text.original[start:end], self.source, self.rule,
                                  self.weight))
            if len(found) >= limit:
                break
        return found


class Candidates(Generic[T]):
    """The items (each holding a matcher) whose matcher can match a text, in their order.

    `PhraseMatcher.find` returns nothing when none of a group's literals is present; a message
    holds one or two literals on average, so instead of asking each of a detector's groups, this
    looks its groups up by the literals present. Groups without literals are always candidates.
    The literals are looked up in `index`: by default the one the matchers share (their owner's),
    else one of its own.
    """

    __slots__ = ("_items", "_always", "_always_items", "_by_literal", "_literals", "_index")

    def __init__(self, items: Iterable[T], matcher_of: Callable[[T], PhraseMatcher | _Pattern],
                 index: LiteralIndex | None = None) -> None:
        self._items = tuple(items)
        self._always: tuple[int, ...] = ()
        by_literal: dict[str, list[int]] = {}
        for i, item in enumerate(self._items):
            matcher = matcher_of(item)
            if matcher.regex is None:
                continue
            if matcher.literals is None:
                self._always += (i,)
            for literal in matcher.literals or ():
                by_literal.setdefault(literal, []).append(i)
        self._always_items = tuple(self._items[i] for i in self._always)
        self._by_literal = {literal: tuple(found) for literal, found in by_literal.items()}
        self._literals = frozenset(by_literal)
        if index is None:
            shared = {m.index for m in map(matcher_of, self._items)
                      if isinstance(m, PhraseMatcher) and m.literals}
            index = next(iter(shared)) if len(shared) == 1 else LiteralIndex()
        index.register(self._literals)
        self._index = index

    def __call__(self, text: NormalizedText) -> Sequence[T]:
        present = self._index.present(text)
        if not present:
            return self._always_items
        found = present & self._literals
        if not found:
            return self._always_items
        if len(found) == 1 and not self._always:
            (literal,) = found
            indices: Iterable[int] = self._by_literal[literal]
        else:
            indices = sorted(set(chain(self._always, *map(self._by_literal.__getitem__, found))))
        items = self._items
        return [items[i] for i in indices]
