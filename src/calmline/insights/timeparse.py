"""Parse the time stamps found in support exports (ISO 8601, Twitter's, US spreadsheet style)."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMATS = ("%a %b %d %H:%M:%S %z %Y",  # Twitter: Tue Oct 31 22:10:47 +0000 2017
            "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S %z")


def parse_time(text: str) -> datetime | None:
    """A timezone-aware datetime (UTC when the text names no zone); None for an empty text.

    Raises ValueError for text that is not a time in any known format.
    """
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _known(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _known(text: str) -> datetime:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"unknown time format {text[:40]!r}")
