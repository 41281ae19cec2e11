"""Loaders for the public evaluation datasets, one function per file format.

Each loader takes a path to any file in that format (the shared dev files or a held-out test
split), yields typed rows, and raises :class:`calmline.errors.InputError` with the file name and
line number when the file is missing, unreadable or not in the expected format. Loaders are
generators: call ``list()`` on them to read everything at once.

Tweets (SemEval, OLID, Davidson, airline) come HTML-escaped by the Twitter API ("&amp;",
"&#128514;"); their loaders unescape them: a customer never types the escapes, and the shipped
offensive model was trained on unescaped Davidson text.
"""

from __future__ import annotations

import csv
import html
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from calmline.errors import InputError

__all__ = [
    "AirlineRow",
    "EmotionRow",
    "IntensityRow",
    "OffensiveRow",
    "OlidRow",
    "detect_offensive_format",
    "load_airline",
    "load_davidson",
    "load_goemotions",
    "load_intensity",
    "load_offensive",
    "load_olid",
]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

GOEMOTIONS_LABELS = 28
DAVIDSON_COLUMNS = ("row_id", "count", "hate_speech", "offensive_language", "neither", "class",
                    "tweet")
OLID_COLUMNS = ("id", "tweet", "subtask_a")
INTENSITY_COLUMNS = ("id", "tweet", "anger_intensity")
AIRLINE_COLUMNS = ("tweet_id", "airline_sentiment", "negativereason", "text")


@dataclass(frozen=True, slots=True)
class EmotionRow:
    """A GoEmotions comment and its emotion label ids (indices into emotions.txt)."""

    id: str
    text: str
    labels: frozenset[int]


@dataclass(frozen=True, slots=True)
class IntensityRow:
    """A SemEval-2018 tweet with its real-valued anger intensity (and ordinal class, if any)."""

    id: str
    text: str
    intensity: float
    ordinal: int | None


@dataclass(frozen=True, slots=True)
class OffensiveRow:
    """A text with a binary offensive label; `source` is the format it came from."""

    id: str
    text: str
    offensive: bool
    source: str  # "davidson" or "olid"


@dataclass(frozen=True, slots=True)
class OlidRow:
    """An OLID tweet with its three subtask labels ("NULL" where not annotated)."""

    id: str
    text: str
    subtask_a: str
    subtask_b: str
    subtask_c: str


@dataclass(frozen=True, slots=True)
class AirlineRow:
    """A Twitter US Airline Sentiment row; `reason` is empty unless the tweet is negative."""

    id: str
    text: str
    sentiment: str
    reason: str
    airline: str


def _text(path: str | Path) -> str:
    file = Path(path)
    if not file.exists():
        raise InputError(f"{file}: no such file")
    if not file.is_file():
        raise InputError(f"{file}: not a file")
    try:
        text = file.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror or exc}") from None
    if not text.strip():
        raise InputError(f"{file}: the file is empty")
    return text


def _tsv(path: str | Path) -> Iterator[list[str]]:
    r"""Tab-separated, unquoted: one record per "\n"-terminated line (tweets keep other breaks)."""
    lines = [line.removesuffix("\r") for line in _text(path).split("\n")]
    return csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def _csv(path: str | Path) -> Iterator[list[str]]:
    """Comma-separated with quoting (quoted fields may hold line breaks)."""
    return csv.reader(io.StringIO(_text(path), newline=""))


def _header(path: str | Path, row: Sequence[str], needed: Sequence[str], what: str) -> list[int]:
    names = [name.strip().lower() for name in row]
    missing = [name for name in needed if name not in names]
    if missing:
        found = ", ".join(repr(n[:20] + ("..." if len(n) > 20 else "")) for n in names[:8])
        raise InputError(
            f"{path}: not {what} file: the header lacks column(s) {', '.join(missing)} "
            f"(first line: {found or 'empty'})")
    return [names.index(name) for name in needed]


def _cell(path: str | Path, where: str, row: Sequence[str], index: int) -> str:
    """Column `index` of `row`; `where` names the place for messages ("line 3", "record 3")."""
    if index >= len(row):
        raise InputError(f"{path}: {where}: expected at least {index + 1} columns, "
                         f"found {len(row)}")
    return row[index]


def load_goemotions(path: str | Path) -> Iterator[EmotionRow]:
    """GoEmotions TSV without a header: text, comma-separated label ids, comment id."""
    for number, row in enumerate(_tsv(path), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        text, raw = _cell(path, f"line {number}", row, 0), _cell(path, f"line {number}", row, 1)
        try:
            labels = frozenset(int(part) for part in raw.split(","))
        except ValueError:
            raise InputError(f"{path}: line {number}: label ids {raw!r} are not comma-separated "
                             "integers; expected a GoEmotions TSV (text, label ids, id), "
                             "without a header") from None
        if any(not 0 <= label < GOEMOTIONS_LABELS for label in labels):
            raise InputError(f"{path}: line {number}: label ids {raw!r} out of range 0-27")
        yield EmotionRow(row[2] if len(row) > 2 else str(number), text, labels)


def load_intensity(path: str | Path) -> Iterator[IntensityRow]:
    """SemEval-2018 anger intensity TSV: id, tweet, anger_intensity[, anger_ordinal]."""
    rows = _tsv(path)
    header = next(rows)
    index = _header(path, header, INTENSITY_COLUMNS, "a SemEval-2018 anger intensity TSV")
    names = [name.strip().lower() for name in header]
    ordinal_at = names.index("anger_ordinal") if "anger_ordinal" in names else None
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row_id, tweet, raw = (_cell(path, f"line {number}", row, i) for i in index)
        try:
            intensity = float(raw)
            ordinal = (int(_cell(path, f"line {number}", row, ordinal_at).split(":")[0])
                       if ordinal_at is not None else None)
        except ValueError:
            raise InputError(f"{path}: line {number}: anger_intensity {raw!r} or anger_ordinal "
                             "is not a number") from None
        yield IntensityRow(row_id, html.unescape(tweet.replace("\\n", "\n")), intensity, ordinal)


def load_olid(path: str | Path) -> Iterator[OlidRow]:
    """OLID TSV with header: id, tweet, subtask_a (OFF/NOT)[, subtask_b, subtask_c]."""
    rows = _tsv(path)
    header = next(rows)
    index = _header(path, header, OLID_COLUMNS, "an OLID TSV")
    names = [name.strip().lower() for name in header]
    extra = [names.index(n) if n in names else None for n in ("subtask_b", "subtask_c")]
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row_id, tweet, label_a = (_cell(path, f"line {number}", row, i) for i in index)
        label_a = label_a.strip().upper()
        if label_a not in ("OFF", "NOT"):
            raise InputError(f"{path}: line {number}: subtask_a is {label_a!r}, not OFF or NOT")
        label_b, label_c = (_cell(path, f"line {number}", row, i).strip().upper() if i is not None
                            else "NULL" for i in extra)
        yield OlidRow(row_id, html.unescape(tweet), label_a, label_b, label_c)


def load_davidson(path: str | Path) -> Iterator[OffensiveRow]:
    """Davidson et al. CSV: row_id,count,hate_speech,offensive_language,neither,class,tweet.

    Positive (offensive) = class 0 (hate speech) or 1 (offensive language).
    """
    rows = _csv(path)
    index = _header(path, next(rows), ("row_id", "class", "tweet"), "a Davidson offensive CSV")
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        row_id, label, tweet = (_cell(path, f"record {number}", row, i) for i in index)
        if label.strip() not in ("0", "1", "2"):
            raise InputError(f"{path}: record {number}: class is {label!r}, not 0, 1 or 2")
        yield OffensiveRow(row_id, html.unescape(tweet), label.strip() in ("0", "1"), "davidson")


def detect_offensive_format(path: str | Path) -> str:
    """"davidson" or "olid", read from the header line; InputError for anything else."""
    first = next((line for line in _text(path).split("\n") if line.strip()), "").rstrip("\r")
    if "\t" in first:
        names = {name.strip().lower() for name in first.split("\t")}
        if set(OLID_COLUMNS) <= names:
            return "olid"
    names = {name.strip().lower() for name in next(csv.reader([first]))}
    if {"class", "tweet"} <= names:
        return "davidson"
    raise InputError(
        f"{path}: not an offensive-language file: expected a Davidson CSV header "
        f"({','.join(DAVIDSON_COLUMNS)}) or an OLID TSV header (id, tweet, subtask_a, ...)")


def load_offensive(path: str | Path) -> Iterator[OffensiveRow]:
    """Davidson CSV or OLID TSV (detected from the header) as binary offensive rows."""
    if detect_offensive_format(path) == "davidson":
        yield from load_davidson(path)
        return
    for row in load_olid(path):
        yield OffensiveRow(row.id, row.text, row.subtask_a == "OFF", "olid")


def load_airline(path: str | Path) -> Iterator[AirlineRow]:
    """Twitter US Airline Sentiment CSV: tweet_id, airline_sentiment, negativereason, text, ..."""
    rows = _csv(path)
    header = next(rows)
    index = _header(path, header, AIRLINE_COLUMNS, "an airline complaints CSV")
    names = [name.strip().lower() for name in header]
    airline_at = names.index("airline") if "airline" in names else None
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        row_id, sentiment, reason, text = (_cell(path, f"record {number}", row, i) for i in index)
        airline = _cell(path, f"record {number}", row, airline_at) if airline_at is not None else ""
        yield AirlineRow(row_id, html.unescape(text), sentiment.strip().lower(), reason.strip(),
                         airline)
