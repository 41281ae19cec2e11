"""Resolve a model named in the playbook: a shipped artefact name or a path to a team's file."""

from __future__ import annotations

from pathlib import Path

from calmline.errors import ModelError
from calmline.models.linear import LinearTextModel, load_model, load_model_file


def resolve_model(ref: str) -> LinearTextModel:
    try:
        if ref.endswith((".json", ".json.gz")) or "/" in ref:
            return load_model_file(Path(ref))
        return load_model(ref)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load model {ref!r}: {exc}") from exc
