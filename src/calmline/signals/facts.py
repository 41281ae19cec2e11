"""Facts an agent should repeat back: ids, dates, amounts, durations and product names.

Read from the original text (case matters for ids and product names); never invented.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Evidence, Finding, register
from calmline.signals.grammar import MONTH, MONTHS, NUMBER_WORDS, WEEKDAYS
from calmline.signals.text import NormalizedText

# a number (digits, or words: signals/grammar.py) or a vague count ("a few", "several")
_NUMBER_WORDS = (r"\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
                 + r"|several|a few|few|a couple of|couple of")
_DURATION = re.compile(
    rf"\b(?:over\s+|nearly\s+|almost\s+|more than\s+)?(?:{_NUMBER_WORDS})\s+"
    r"(?:more\s+)?(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
# "on hold for" before a duration is part of what the agent should repeat back.
_WAIT_PREFIX = re.compile(
    r"\b(?:on hold|waiting|waited|been waiting|stuck|queued|queuing|delayed|late|chasing)\s+"
    r"(?:for\s+)?$",
    re.IGNORECASE,
)
# "£60 a month", "twice a week", "3 times a day": a price or a frequency, not how long they waited
_RATE = re.compile(r"^(?:a|an|one|per)\s", re.IGNORECASE)
_RATE_BEFORE = re.compile(
    r"(?:[$£€]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:p|pence|dollars|pounds|quid|euros?)"
    r"|\b(?:twice|once|times|every|each))\s+$",
    re.IGNORECASE,
)
_UNITS = ("sec", "min", "hour", "hr", "day", "week", "month", "year")
_DATE_WORDS = ("day", "tomorrow", "week", "month", *MONTHS)
_DIGIT = re.compile(r"\d")
_AMOUNT = re.compile(
    r"(?:[$£€]\s?\d[\d,]*(?:\.\d{1,2})?(?:\s?(?:k|m)\b)?)"
    r"|(?:\b\d[\d,]*(?:\.\d{1,2})?\s?(?:dollars|usd|eur|euros?|pounds|gbp|bucks|quid)\b)",
    re.IGNORECASE,
)
_WEEKDAY = "|".join(WEEKDAYS)
_DATE = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?"
    rf"|{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?:\s+\d{{4}})?"
    rf"|(?:last|this|next|on)\s+(?:{_WEEKDAY}|week|month)"
    rf"|{_WEEKDAY}|yesterday|today|tomorrow"
    r"|the\s+\d{1,2}(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
_HASH_ID = re.compile(r"#\s?([A-Z0-9][A-Z0-9-]{3,})\b", re.IGNORECASE)
_CODE_ID = re.compile(r"\b[A-Z]{1,4}-?\d{4,}[A-Z0-9-]*\b")
_PRODUCT = re.compile(
    r"\b(?i:my|the|this|our|new|a|an)\s+"
    r"((?:[A-Z][a-z]+[A-Z]?\w*|[a-z]+[A-Z]\w*)(?:\s+(?:[A-Z][\w+-]*|\d[\w+-]*))*)"
)
_NOT_PRODUCTS = frozenset({"I", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                           "Sunday", "Customer", "Service", "Support", "Team", "Manager", "God"})



# "2 hours before departure", "a day early", "48 hours' notice": when, not how long they waited
# (unless a wait comes before it: "on hold for 2 hours before anyone answered")
_OFFSET_AFTER = re.compile(r"['’]?\s*(?:before|early|earlier|in advance|ahead|(?:of\s+)?notice)\b",
                           re.IGNORECASE)


def _is_rate(original: str, m: re.Match[str]) -> bool:
    """The duration `m` is the "a month" of a price or a frequency ("£60 a month", "twice a week")."""
    return bool(_RATE.match(m.group(0)) and _RATE_BEFORE.search(original, max(0, m.start() - 40), m.start()))


def _find_durations(original: str, add: Callable[[str, int, int, str, str], None]) -> None:
    for m in _DURATION.finditer(original):
        if _is_rate(original, m):
            continue
        prefix = _WAIT_PREFIX.search(original, max(0, m.start() - 40), m.start())
        if not prefix and _OFFSET_AFTER.match(original, m.end()):  # on hold 2 hours before...: a wait
            continue
        add("duration", prefix.start() if prefix else m.start(), m.end(), m.group(0), "duration")


@register
class FactsDetector:
    name: ClassVar[str] = "facts"
    labels: ClassVar[tuple[str, ...]] = ("order_id", "date", "amount", "duration", "product")

    def __init__(self, playbook: Playbook) -> None:
        words = "|".join(re.escape(w) for w in playbook.facts.id_words) or "order"
        self._id = re.compile(
            rf"\b(?:{words})\s*(?:number|no\.?|num|#|id|code|ref)?\s*(?:is|was|:)?\s*#?\s*"
            r"((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,})\b",
            re.IGNORECASE,
        )
        products = [re.escape(p) for p in playbook.facts.products]
        self._products = (
            re.compile(r"\b(?:" + "|".join(products) + r")\b", re.IGNORECASE) if products else None
        )

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        original = text.original
        found: list[Finding] = []
        seen: set[tuple[int, int]] = set()

        def add(label: str, start: int, end: int, value: str, rule: str) -> None:
            if any(s <= start and end <= e for s, e in seen):
                return
            seen.add((start, end))
            ev = Evidence(start, end, original[start:end], "pattern", f"facts.{rule}")
            found.append(Finding(label, 1.0, self.name, f"{label.replace('_', ' ')} to repeat back",
                                 (ev,), value=value))

        lowered = original.lower()
        digits = _DIGIT.search(original) is not None
        if digits:
            for m in self._id.finditer(original):
                add("order_id", m.start(), m.end(), m.group(1), "id")
            for regex in (_HASH_ID, _CODE_ID):
                for m in regex.finditer(original):
                    add("order_id", m.start(), m.end(), m.group(m.lastindex or 0), "id")
            for m in _AMOUNT.finditer(original):
                add("amount", m.start(), m.end(), m.group(0), "amount")
        if any(map(lowered.__contains__, _UNITS)):
            _find_durations(original, add)
        if digits or any(map(lowered.__contains__, _DATE_WORDS)):
            for m in _DATE.finditer(original):
                add("date", m.start(), m.end(), m.group(0), "date")
        self._find_products(original, add)
        return found

    def _find_products(self, original: str, add: Callable[[str, int, int, str, str], None]) -> None:
        if self._products is not None:
            for m in self._products.finditer(original):
                add("product", m.start(), m.end(), m.group(0), "products")
        if original.isupper() or original.islower():  # all-caps shouting: capitals say nothing
            return  # about names; and a name needs a capital ([A-Z] in _PRODUCT)
        for m in _PRODUCT.finditer(original):
            name = m.group(1)
            if name.split()[0] not in _NOT_PRODUCTS:
                add("product", m.start(1), m.end(1), name, "product_name")
