"""What every insights source is: the `Importer` protocol, and the file helpers importers share.

An importer turns one input (a file of past conversations) into `Thread`s, streaming, recording
each row it cannot use in the `ImportTally` with its line and reason instead of failing the run.
The file formats (calmline JSON/JSONL, mapped CSV, the Twitter layout) are importers; a helpdesk's
export becomes one more by implementing `read` (the helpdesk commands write the JSONL one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from calmline.errors import InputError
from calmline.insights.model import ImportTally, Thread

Columns = Mapping[str, str]


class Importer(Protocol):
    """A source of past conversations for insights."""

    @property
    def name(self) -> str:
        """What `--format` calls it."""
        ...

    def read(self, path: Path, tally: ImportTally, columns: Columns) -> Iterator[Thread]:
        """The threads of `path`, in order; unusable rows are recorded in `tally` and skipped."""
        ...


@dataclass(frozen=True, slots=True)
class FileImporter:
    """An importer made of one reading function (the built-in formats)."""

    name: str
    reader: Callable[[Path, ImportTally, Columns], Iterator[Thread]]

    def read(self, path: Path, tally: ImportTally, columns: Columns) -> Iterator[Thread]:
        return self.reader(path, tally, columns)


def open_text(path: Path) -> IO[str]:
    """`path` opened as UTF-8 text (a byte-order mark is dropped); unreadable is an InputError."""
    try:
        return path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def delimiter(path: Path) -> str:
    """Tab for .tsv files, comma for everything else."""
    return "\t" if path.suffix.lower() == ".tsv" else ","
