"""Model artefacts as gzip JSON: written so that the same model gives the same bytes, and read
from a shipped artefact's name or from a team's own file.

The linear models, the semantic heads and the draft heads are all stored this way; `make models`
run twice must give identical files (fixed key order, no gzip timestamp or file name; the rest of
what is pinned is listed in `reproducible.py`, and `make models-check` compares a retrain with the
committed files).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

from calmline.errors import ModelError


def write_json_gz(data: Any, path: str | Path) -> int:
    """Write `data` as gzip JSON with sorted keys and no timestamp; returns the bytes written."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    blob = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    Path(path).write_bytes(blob)
    return len(blob)


def loads_json(raw: bytes) -> Any:
    """JSON from a file's bytes, gzip-compressed or not."""
    return json.loads((gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8"))


def read_artifact(ref: str) -> Any:
    """A team's file when `ref` is a path (it has a "/" or ends in .json/.json.gz), else the
    shipped artefact `models/artifacts/<ref>.json.gz`. Raises OSError, ValueError or EOFError."""
    if ref.endswith((".json", ".json.gz")) or "/" in ref:
        raw = Path(ref).read_bytes()
    else:
        raw = resources.files("calmline.models").joinpath("artifacts", f"{ref}.json.gz").read_bytes()
    return loads_json(raw)


class _ForEncoder(Protocol):
    @property
    def encoder_sha256(self) -> str: ...


Loaded = TypeVar("Loaded", bound=_ForEncoder)


def load_for_encoder(ref: str, parse: Callable[[Any], Loaded], encoder_sha256: str, what: str
                     ) -> Loaded:
    """An artefact read over the semantic encoder (the semantic heads, the draft heads): `ref` as
    `read_artifact` takes it, parsed by `parse`, refused when it was trained on other weights.
    Every failure is a ModelError that names `what` and `ref`."""
    try:
        found = parse(read_artifact(ref))
    except (OSError, ValueError, EOFError) as exc:
        raise ModelError(f"cannot load {what} {ref!r}: {exc}") from exc
    if found.encoder_sha256 != encoder_sha256:
        raise ModelError(f"{what} {ref!r} were trained on other model weights "
                         f"({found.encoder_sha256[:12]}…): retrain them with `make models`")
    return found
