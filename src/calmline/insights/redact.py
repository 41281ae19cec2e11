"""Replace personal data in example texts with placeholders before they reach a report.

Emails, phone numbers, payment card numbers (Luhn-checked), order ids (the analyzer's own facts
detector finds these, so "order 12345" and "#AB-1234" are caught exactly as live analysis sees
them) and @handles. Applied only to the few exchanges a report quotes.
"""

from __future__ import annotations

import re

from calmline.playbook import Playbook, load_playbook
from calmline.signals.base import DetectionContext
from calmline.signals.facts import FactsDetector
from calmline.signals.text import normalize

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{5,18}\d\b")
HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")  # not phone numbers


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _orders(text: str, playbook: Playbook) -> list[tuple[int, int]]:
    """Spans of order ids; a span without a digit (a hashtag like #crapquality) is no id."""
    detector, context = FactsDetector(playbook), DetectionContext(playbook)
    spans = [(f.evidence[0].start, f.evidence[0].end) for f in detector.detect(normalize(text), context)
             if f.label == "order_id" and f.evidence]
    return [(start, end) for start, end in spans if any(ch.isdigit() for ch in text[start:end])]


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[CARD]" if luhn(digits) else match.group(0)


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = len(re.sub(r"\D", "", text))
    return "[PHONE]" if 7 <= digits <= 15 and not DATE.fullmatch(text.strip()) else text


def redact(text: str, playbook: Playbook | None = None) -> str:
    """`text` with emails, cards, order ids (as `playbook`'s facts read them: the team's own, or
    the packaged one), phone numbers and @handles replaced."""
    text = EMAIL.sub("[EMAIL]", text)
    text = CARD.sub(_card, text)
    for start, end in sorted(_orders(text, playbook or load_playbook()), reverse=True):
        text = text[:start] + "[ORDER]" + text[end:]
    text = PHONE.sub(_phone, text)
    return HANDLE.sub("@user", text)
