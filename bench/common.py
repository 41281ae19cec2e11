"""Helpers shared by the benchmarks: where the data is and which analyzer to measure."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"


def data_dir() -> Path:
    """$CALMLINE_DATA_DIR, else ../shared/data next to the repository root."""
    path = Path(os.environ.get("CALMLINE_DATA_DIR") or REPO.parent / "shared" / "data")
    if not path.is_dir():
        sys.exit(f"data directory {path} not found: set CALMLINE_DATA_DIR")
    return path


def models_available() -> bool:
    artefacts = resources.files("calmline.models") / "artifacts"
    return all((artefacts / f"{name}.json.gz").is_file() for name in ("anger", "offensive"))


def lexicon_playbook() -> Path:
    """The default playbook with its models switched off (used only while none are built)."""
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["anger"]["model"] = None
    data["flags"]["abuse"]["model"] = None
    handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8")
    with handle:
        yaml.safe_dump(data, handle, allow_unicode=True)
    return Path(handle.name)


def choose_playbook(requested: str | None) -> tuple[Path | None, str]:
    """(playbook path or None for the default, a label saying what is being measured)."""
    if requested:
        return Path(requested), f"playbook {requested}"
    if models_available():
        return None, "default playbook with shipped models"
    print("WARNING: shipped models not found (src/calmline/models/artifacts); measuring the "
          "default playbook WITHOUT models (lexicon only)", file=sys.stderr)
    return lexicon_playbook(), "default playbook WITHOUT models (artefacts missing)"


def write_json(name: str, data: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path
