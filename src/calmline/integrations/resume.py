"""A history export that survives interruption: conversations go one per line into a JSONL file,
and where the export stands goes into a small state file beside it (`<out>.state.json`).

Each conversation is appended and flushed before the position moves on, and the state file is
replaced atomically, so a kill at any moment loses at most the line being written. Resuming cuts
a half-written last line, reads the ids already written (so nothing is written twice, even when
the helpdesk's pages shift), and continues from the saved position. The file is calmline's
interchange format: `calmline insights FILE` reads it on either engine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from calmline.errors import InputError


def state_path(out: Path) -> Path:
    return out.with_name(out.name + ".state.json")


def _cut_partial_line(out: Path) -> None:
    """Drop bytes after the last newline: a line cut short by an interruption."""
    with out.open("rb+") as handle:
        data = handle.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            handle.truncate(end)


def _written_ids(out: Path) -> set[str]:
    ids: set[str] = set()
    with out.open("r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                ids.add(str(json.loads(line).get("id")))
            except (ValueError, AttributeError):
                raise InputError(f"{out}:{number}: not a line this export wrote; give a new "
                                 "--out") from None
    return ids


class ResumableExport:
    """Write conversations to `out`; `source` names what is exported (helpdesk, URL, start date)
    so a resume cannot mix two exports in one file."""

    def __init__(self, out: Path, source: dict[str, Any], *, resume: bool = False) -> None:
        self.out, self.state_file, self.source = out, state_path(out), source
        if out.is_dir():
            raise InputError(f"--out {out} is a folder; give a file name, e.g. {out / 'history.jsonl'}")
        self.position: dict[str, Any] = {}
        self.done: set[str] = set()
        if resume and self.state_file.exists():
            state = json.loads(self.state_file.read_text("utf-8"))
            if state.get("source") != source:
                raise InputError(f"{out} holds another export ({state.get('source')}); "
                                 "give a new --out, or the same helpdesk and --since to resume")
            self.position = dict(state.get("position") or {})
            if out.exists():
                _cut_partial_line(out)
                self.done = _written_ids(out)
        elif out.exists() and out.stat().st_size:
            raise InputError(f"{out} already exists; pass --resume to continue that export, "
                             "or give a new --out")
        self._handle: IO[str] | None = None

    def __enter__(self) -> ResumableExport:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.out.open("a", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {self.out}: {exc.strerror or exc}") from exc
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._handle is not None:
            self._handle.close()

    def has(self, conversation_id: str) -> bool:
        return conversation_id in self.done

    def write(self, conversation: dict[str, Any]) -> None:
        """Append one conversation (interchange format, with a unique `id`) and flush it."""
        assert self._handle is not None, "use ResumableExport as a context manager"
        self._handle.write(json.dumps(conversation, ensure_ascii=False) + "\n")
        self._handle.flush()
        self.done.add(str(conversation["id"]))

    def save(self, position: dict[str, Any], *, finished: bool = False) -> None:
        """Record where the export stands (atomically: a reader sees the old or the new state)."""
        self.position = dict(position)
        temporary = self.state_file.with_name(self.state_file.name + ".tmp")
        temporary.write_text(json.dumps({"source": self.source, "position": self.position,
                                         "finished": finished, "written": len(self.done)}), "utf-8")
        os.replace(temporary, self.state_file)
