"""Model artefacts as gzip JSON: written so that the same model gives the same bytes, and read
from a shipped artefact's name or from a team's own file.

The linear models, the semantic heads and the draft heads are all stored this way; `make models`
run twice must give identical files (fixed key order, no gzip timestamp or file name).
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path
from typing import Any


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


def trained_for(found_sha256: str, expected_sha256: str, what: str) -> str | None:
    """Why an artefact trained on other encoder weights cannot be used, or None when it can."""
    if found_sha256 == expected_sha256:
        return None
    return (f"{what} were trained on other model weights ({found_sha256[:12]}…): "
            "retrain them with `make models`")
