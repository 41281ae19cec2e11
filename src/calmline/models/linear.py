"""Pure-Python inference for the small linear text models shipped with calmline.

A model is a logistic regression over the binary features of :mod:`calmline.models.features`:
``p = sigmoid(intercept + sum(weights[f] for f in distinct features))``.  No numpy or sklearn
is imported here; scoring is dict look-ups and one ``math.exp``.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field, replace
from functools import cache, partial, reduce
from importlib import resources
from itertools import compress
from operator import add, is_not, itemgetter, neg
from pathlib import Path
from typing import Any, NamedTuple, cast

from calmline.models.artifact_json import loads_json, write_json_gz
from calmline.models.features import Token, Tokenizer, features

__all__ = [
    "Contribution",
    "LinearTextModel",
    "ModelScore",
    "dump_model",
    "load_model",
    "load_model_file",
    "model_from_dict",
    "model_to_dict",
]

TOP_CONTRIBUTIONS = 5
_NAME_RE = re.compile(r"^[A-Za-z0-9_\-]+$")


class Contribution(NamedTuple):
    """A feature that moved the score: its weight and the span of text it came from."""

    feature: str
    weight: float
    start: int
    end: int


class ModelScore(NamedTuple):
    """Result of :meth:`LinearTextModel.score`."""

    probability: float
    contributions: tuple[Contribution, ...]
    flagged: bool = False  # probability >= the model's decision threshold


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


@dataclass(frozen=True, eq=False)
class LinearTextModel:
    """A logistic-regression text model with a CV-chosen decision threshold."""

    name: str
    intercept: float
    weights: dict[str, float]
    threshold: float = 0.5
    metadata: dict[str, Any] = field(default_factory=dict)
    # Its owner's tokenizer (see `with_tokenizer`); without one, texts are tokenised from scratch.
    tokenizer: Tokenizer = field(default_factory=lambda: Tokenizer(0), repr=False)

    def with_tokenizer(self, tokenizer: Tokenizer) -> LinearTextModel:
        """The same model (weights shared, not copied) reading texts with `tokenizer`: whoever
        owns models hands them its own, so what the tokenizer remembers is that owner's."""
        return replace(self, tokenizer=tokenizer)

    def logit(self, tokens: list[Token]) -> float:
        """Raw decision value (log-odds) for already tokenised text."""
        get = self.weights.get
        z = self.intercept
        for name in {f for f, _, _ in features(tokens)}:
            z += get(name, 0.0)
        return z

    def score_tokens(self, tokens: list[Token]) -> ModelScore:
        """Score tokens from :func:`calmline.models.features.tokenize` (avoids re-tokenising)."""
        return self._score_features(features(tokens))

    def _score_features(self, feats: list[tuple[str, int, int]]) -> ModelScore:
        return self._score_distinct(_distinct(feats))

    def _score_distinct(self, distinct: _Distinct) -> ModelScore:
        """Score the distinct features (first-seen order): the weights of the known ones are added
        in that order, and the top contributions are the largest |weight|, ties broken by span,
        then name. The loops run in C (map, compress, reduce, sorted)."""
        names, keyed = distinct
        weights = list(map(self.weights.get, names))
        known = list(map(_is_weight, weights))
        hit = cast("list[float]", list(compress(weights, known)))  # the known ones: floats
        p = _sigmoid(reduce(add, hit, self.intercept))
        rows = sorted(zip(map(neg, map(abs, hit)), compress(keyed, known), hit, strict=True))
        contributions = tuple(
            Contribution(name, w, start, end) for _, (start, end, name), w in rows[:TOP_CONTRIBUTIONS]
        )
        return ModelScore(p, contributions, p >= self.threshold)

    def _score_features_loop(self, feats: list[tuple[str, int, int]]) -> ModelScore:
        """The plain-loop reference of `_score_features` (kept for the equivalence tests)."""
        get = self.weights.get
        z = self.intercept
        seen: set[str] = set()
        hits: list[tuple[float, int, int, str, float]] = []
        for name, start, end in feats:
            if name in seen:
                continue
            seen.add(name)
            w = get(name)
            if w is not None:
                z += w
                hits.append((-abs(w), start, end, name, w))
        p = _sigmoid(z)
        hits.sort()
        contributions = tuple(
            Contribution(name, w, start, end) for _, start, end, name, w in hits[:TOP_CONTRIBUTIONS]
        )
        return ModelScore(p, contributions, p >= self.threshold)

    def score(self, text: str, memo: dict[object, Any] | None = None) -> ModelScore:
        """Probability that ``text`` is positive, with the top contributing features. `memo`: a
        message's scratch space, so models scoring the same message tokenise it once."""
        return self._score_distinct(_text_distinct(text, memo, self.tokenizer))

    def probability(self, text: str) -> float:
        """Just the probability (skips building contributions)."""
        return _sigmoid(self.logit(self.tokenizer.tokenize(text)))

    def predict(self, text: str) -> bool:
        """``True`` when the probability reaches the model's decision threshold."""
        return self.probability(text) >= self.threshold


# The distinct feature names of a text in first-seen order, and (start, end, name) of each one's
# first occurrence: what every model scores.
_Distinct = tuple[list[str], list[tuple[int, int, str]]]
_is_weight = partial(is_not, None)
_NAME = itemgetter(0)
_START_END_NAME = itemgetter(1, 2, 0)


def _distinct(feats: list[tuple[str, int, int]]) -> _Distinct:
    names = list(map(_NAME, feats))
    first = dict(zip(reversed(names), reversed(feats), strict=True))  # last write: first occurrence
    order = list(dict.fromkeys(names))
    return order, list(map(_START_END_NAME, map(first.__getitem__, order)))


def _text_distinct(text: str, memo: dict[object, Any] | None, tokenizer: Tokenizer) -> _Distinct:
    """`_distinct(tokenizer.text_features(text))`; with `memo` (one message's scratch space, see
    NormalizedText.memo) it is worked out once for all the models that score the message (every
    tokenizer reads a text alike: they differ only in what they remember)."""
    if memo is None:
        return _distinct(tokenizer.text_features(text))
    found = memo.get("linear.distinct")
    if found is None or found[0] != text:
        found = memo["linear.distinct"] = (text, _distinct(tokenizer.text_features(text)))
    return cast(_Distinct, found[1])


def text_features(text: str) -> list[tuple[str, int, int]]:
    """Features of ``text`` (unigrams, bigrams and cues, with their spans)."""
    return Tokenizer(0).text_features(text)


def model_to_dict(model: LinearTextModel) -> dict[str, Any]:
    return {
        "name": model.name,
        "intercept": model.intercept,
        "threshold": model.threshold,
        "weights": model.weights,
        "metadata": model.metadata,
    }


def model_from_dict(data: dict[str, Any]) -> LinearTextModel:
    weights = data["weights"]
    if not isinstance(weights, dict):
        raise ValueError("model 'weights' must be an object of feature -> coefficient")
    return LinearTextModel(
        name=str(data["name"]),
        intercept=float(data["intercept"]),
        # Interned, as token norms are (see features._analyse_chunk): look-ups compare identity.
        weights={sys.intern(str(k)): float(v) for k, v in weights.items()},
        threshold=float(data.get("threshold", 0.5)),
        metadata=dict(data.get("metadata") or {}),
    )


def _loads(raw: bytes) -> LinearTextModel:
    data = loads_json(raw)
    if not isinstance(data, dict):
        raise ValueError("model file must hold a JSON object")
    return model_from_dict(data)


def dump_model(model: LinearTextModel, path: str | Path) -> int:
    """Write ``model`` as deterministic gzip'd JSON (sorted keys, mtime 0). Returns bytes written."""
    return write_json_gz(model_to_dict(model), path)


def load_model_file(path: str | Path) -> LinearTextModel:
    """Load a model from a ``.json`` or ``.json.gz`` file (e.g. a team's own model)."""
    return _loads(Path(path).read_bytes())


@cache
def load_model(name: str) -> LinearTextModel:
    """Load a shipped model (``anger``, ``offensive``, ``rage``) from the package artefacts."""
    if not _NAME_RE.match(name):
        raise ValueError(f"invalid model name: {name!r}")
    ref = resources.files("calmline.models") / "artifacts" / f"{name}.json.gz"
    try:
        raw = ref.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"no shipped model named {name!r}") from None
    return _loads(raw)
