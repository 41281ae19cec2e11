"""Resolve a model named in the playbook: a shipped artefact name or a path to a team's file."""

from __future__ import annotations

from pathlib import Path

from calmline.errors import ModelError
from calmline.models.features import Tokenizer
from calmline.models.linear import LinearTextModel, ModelScore, load_model, load_model_file
from calmline.signals.base import Evidence

# Features that pushed less than this are not worth showing a person as "why".
MIN_SHOWN_WEIGHT = 0.3


def resolve_model(ref: str, tokenizer: Tokenizer | None = None) -> LinearTextModel:
    """The model `ref` names, reading texts with `tokenizer` (its owner's) when one is given."""
    try:
        if ref.endswith((".json", ".json.gz")) or "/" in ref:
            model = load_model_file(Path(ref))
        else:
            model = load_model(ref)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load model {ref!r}: {exc}") from exc
    return model if tokenizer is None else model.with_tokenizer(tokenizer)


def model_evidence(model: LinearTextModel, result: ModelScore, text: str) -> tuple[Evidence, ...]:
    """The model features that pushed the score up, as spans of the text people can read."""
    return tuple(
        Evidence(c.start, c.end, text[c.start : c.end], "model",
                 f"model:{model.name} feature {c.feature!r}", round(c.weight, 3))
        for c in result.contributions
        if c.weight >= MIN_SHOWN_WEIGHT
    )
