"""Read past conversations into threads: calmline JSON/JSONL, mapped CSV, and the Twitter layout.

Every importer streams: JSONL is read a line at a time, CSV rows are grouped on disk (`Spool`).
A row that cannot be used is recorded in the `ImportTally` with its line number and skipped.
Formats are documented in docs/insights.md.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from calmline.conversation import parse_conversation
from calmline.errors import InputError
from calmline.insights.model import ImportTally, Msg, Role, Thread
from calmline.insights.sources import FileImporter, Importer, delimiter, open_text
from calmline.insights.spool import Spool
from calmline.insights.timeparse import parse_time
from calmline.insights.twcs import TWCS_COLUMNS, read_twcs

EMPTY_TEXT = "empty text"  # the end of every reason a row or turn is skipped for having no text
CSV_DEFAULTS: dict[str, tuple[str, ...]] = {
    "conversation": ("conversation_id", "conversation", "thread_id", "ticket_id", "case_id"),
    "role": ("role", "speaker", "sender", "from"),
    "text": ("text", "message", "body", "content"),
    "time": ("time", "timestamp", "created_at", "date"),
    "author": ("author", "agent", "agent_id", "author_id"),
    "customer": ("customer_id", "customer", "client_id", "user_id"),
}
ROLE_WORDS: dict[str, Role] = {
    "customer": "customer", "user": "customer", "client": "customer", "caller": "customer",
    "agent": "agent", "support": "agent", "staff": "agent", "operator": "agent", "rep": "agent",
}
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def parse_columns(spec: str | None) -> dict[str, str]:
    """`conversation=ticket,role=who,text=body` → a mapping of calmline field to CSV column."""
    mapping: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        if not sep or field.strip() not in CSV_DEFAULTS or not column.strip():
            raise InputError(f"--columns: expected FIELD=COLUMN with FIELD one of "
                             f"{', '.join(CSV_DEFAULTS)}; got {part.strip()!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def detect_format(path: Path) -> str:
    """jsonl/json by extension; a CSV whose header has the Twitter columns is twcs."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".tsv"):
        with open_text(path) as handle:
            header = next(csv.reader(handle, delimiter=delimiter(path)), [])
        return "twcs" if set(TWCS_COLUMNS) <= {h.strip() for h in header} else "csv"
    raise InputError(f"{path}: cannot tell the format from the name; pass --format")


def read_threads(paths: Iterable[str | Path], fmt: str = "auto", columns: Mapping[str, str] | None = None,
                 tally: ImportTally | None = None) -> Iterator[Thread]:
    """Every thread of every input, in input order; bad rows go to `tally`."""
    tally = tally if tally is not None else ImportTally()
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    for raw in paths:
        path = Path(raw)
        kind = detect_format(path) if fmt == "auto" else fmt
        for thread in IMPORTERS[kind].read(path, tally, columns or {}):
            tally.threads += 1
            tally.messages += len(thread.messages)
            yield thread


def _thread(data: Any, key: str) -> tuple[Thread, list[str]]:
    """The conversation as a thread, and the reason for each turn left out: a turn with blank text is
    a bad row, not a calm empty message to analyse and count."""
    conversation = parse_conversation(data, key)
    msgs = tuple(Msg(m.role, m.text, m.time, m.author) for m in conversation.messages if m.text.strip())
    if not conversation.messages:
        raise InputError(f"{key}: the conversation has no messages")
    if not msgs:
        raise InputError(f"{key}: every turn has {EMPTY_TEXT}")
    skipped = [f"turn {number}: {EMPTY_TEXT}"
               for number, m in enumerate(conversation.messages, start=1) if not m.text.strip()]
    return Thread(conversation.id or key, msgs, (conversation.customer or "").strip() or None), skipped


def read_jsonl(path: Path, tally: ImportTally, columns: Mapping[str, str]) -> Iterator[Thread]:
    """One conversation per line (the interchange format, or a bare list of messages)."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            tally.rows += 1
            try:
                thread, skipped = _thread(json.loads(line), f"{path.name}:{number}")
            except json.JSONDecodeError as exc:
                tally.reject(path.name, number, f"not valid JSON: {exc.msg} (column {exc.colno})")
            except InputError as exc:
                tally.reject(path.name, number, _reason(exc))
            else:
                for why in skipped:
                    tally.reject(path.name, number, why)
                yield thread


def read_json(path: Path, tally: ImportTally, columns: Mapping[str, str]) -> Iterator[Thread]:
    """One conversation, or a list of conversations (held in memory: one file's worth)."""
    with open_text(path) as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            tally.rows += 1
            tally.reject(path.name, exc.lineno, f"not valid JSON: {exc.msg}")
            return
    many = isinstance(data, list) and bool(data) and all(
        isinstance(d, dict) and "messages" in d for d in data)
    for index, item in enumerate(data if many else [data], start=1):
        tally.rows += 1
        try:
            thread, skipped = _thread(item, f"{path.name}#{index}")
        except InputError as exc:
            tally.reject(path.name, 1, f"conversation {index}: {_reason(exc)}")
        else:
            for why in skipped:
                tally.reject(path.name, 1, f"conversation {index}, {why}")
            yield thread


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if isinstance(exc, InputError) and ": " in text else text


def _resolve(header: list[str], columns: Mapping[str, str], path: Path) -> dict[str, str | None]:
    names = {h.strip() for h in header}
    resolved: dict[str, str | None] = {}
    for field, options in CSV_DEFAULTS.items():
        if field in columns and columns[field] not in names:
            raise InputError(f"{path}: no column {columns[field]!r} (columns: {', '.join(header)})")
        resolved[field] = columns.get(field) or next((o for o in options if o in names), None)
    missing = [f for f in ("conversation", "role", "text") if resolved[f] is None]
    if missing:
        raise InputError(f"{path}: cannot find the {', '.join(missing)} column; map it with "
                         f"--columns {missing[0]}=COLUMN (columns: {', '.join(header)})")
    return resolved


def _csv_msg(row: Mapping[str, str | None],
             cols: Mapping[str, str | None]) -> tuple[str, Msg, str | None]:
    def get(field: str) -> str:
        name = cols[field]
        return (row.get(name) or "").strip() if name else ""

    key, text, role = get("conversation"), get("text"), ROLE_WORDS.get(get("role").lower())
    if not key:
        raise ValueError("empty conversation id")
    if role is None:
        raise ValueError(f"unknown role {get('role')[:30]!r} (expected customer or agent)")
    if not text:
        raise ValueError(EMPTY_TEXT)
    return key, Msg(role, text, parse_time(get("time")), get("author") or None), get("customer") or None


def read_csv(path: Path, tally: ImportTally, columns: Mapping[str, str]) -> Iterator[Thread]:
    """One message per row; rows grouped by the conversation column (on disk, any order).

    A thread's customer is the first non-empty `customer` value in its (time-ordered) rows."""
    with open_text(path) as handle, Spool() as spool:
        reader = csv.DictReader(handle, delimiter=delimiter(path))
        cols = _resolve(list(reader.fieldnames or []), columns, path)
        start = reader.line_num + 1
        for row in reader:
            tally.rows += 1
            try:
                if None in row:
                    raise ValueError("more fields than the header")
                spool.add(*_csv_msg(row, cols))
            except ValueError as exc:
                tally.reject(path.name, start, str(exc))
            start = reader.line_num + 1
        yield from spool.threads()


def _read_twcs(path: Path, tally: ImportTally, columns: Mapping[str, str]) -> Iterator[Thread]:
    return read_twcs(path, tally)


# The built-in formats, by the name `--format` takes.
IMPORTERS: dict[str, Importer] = {
    "jsonl": FileImporter("jsonl", read_jsonl), "json": FileImporter("json", read_json),
    "csv": FileImporter("csv", read_csv), "twcs": FileImporter("twcs", _read_twcs)}
FORMATS = ("auto", *IMPORTERS)
