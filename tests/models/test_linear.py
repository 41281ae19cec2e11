from __future__ import annotations

import ast
import gzip
import json
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calmline.models.features import Tokenizer, tokenize
from calmline.models.linear import (
    LinearTextModel,
    ModelScore,
    dump_model,
    load_model,
    load_model_file,
    model_to_dict,
)

SHIPPED = ["anger", "offensive", "rage"]
MODELS_DIR = Path(__file__).resolve().parents[2] / "src" / "calmline" / "models"


@pytest.fixture
def toy() -> LinearTextModel:
    return LinearTextModel(
        name="toy",
        intercept=-1.0,
        weights={"hate": 2.0, "not happy": 1.5, "<caps>": 0.5, "thanks": -2.0, "<!!>": 0.25},
        threshold=0.5,
        metadata={"trained_on": ["unit test"]},
    )


def test_toy_scoring(toy: LinearTextModel) -> None:
    text = "I hate hate this, NOT happy!!!"
    score = toy.score(text)
    assert isinstance(score, ModelScore)
    feats = [c.feature for c in score.contributions]
    assert feats == ["hate", "not happy", "<caps>", "<!!>"]  # sorted by |weight|
    for c in score.contributions:
        assert text[c.start : c.end]
    assert text[score.contributions[0].start : score.contributions[0].end] == "hate"
    # binary features: a repeated word counts once
    z = -1.0 + 2.0 + 1.5 + 0.5 + 0.25
    assert score.probability == pytest.approx(1 / (1 + 2.718281828459045**-z))
    assert score.flagged is True
    assert toy.predict(text) is True
    assert toy.probability(text) == pytest.approx(score.probability)


def test_toy_negative_and_empty(toy: LinearTextModel) -> None:
    assert toy.score("thanks").probability < toy.score("").probability < 0.5
    assert toy.score("").contributions == ()


def test_top_five_only() -> None:
    weights = {f"w{i}": float(i) for i in range(1, 10)}
    model = LinearTextModel("m", 0.0, weights)
    score = model.score(" ".join(weights))
    assert [c.feature for c in score.contributions] == ["w9", "w8", "w7", "w6", "w5"]


def test_extreme_logits_do_not_overflow() -> None:
    model = LinearTextModel("m", 0.0, {"a": 5000.0, "b": -5000.0})
    assert model.score("a").probability == 1.0
    assert model.score("b").probability == 0.0


def test_score_tokens_matches_score(toy: LinearTextModel) -> None:
    text = "NOT happy, I hate it"
    assert toy.score_tokens(tokenize(text)) == toy.score(text)


def test_a_model_handed_a_tokenizer_shares_its_weights_and_scores_alike(toy: LinearTextModel) -> None:
    tokenizer = Tokenizer()
    owned = toy.with_tokenizer(tokenizer)
    assert owned.tokenizer is tokenizer and owned.weights is toy.weights
    text = "NOT happy, I hate it"
    assert owned.score(text) == toy.score(text) and owned.probability(text) == toy.probability(text)
    assert tokenizer._tokens  # the owner's tokenizer remembered the chunks
    assert model_to_dict(owned) == model_to_dict(toy)


def test_round_trip(tmp_path: Path, toy: LinearTextModel) -> None:
    path = tmp_path / "toy.json.gz"
    dump_model(toy, path)
    first = path.read_bytes()
    dump_model(toy, path)
    assert path.read_bytes() == first  # deterministic bytes
    loaded = load_model_file(path)
    assert loaded.weights == toy.weights and loaded.threshold == toy.threshold
    plain = tmp_path / "toy.json"
    plain.write_bytes(gzip.decompress(first))
    assert load_model_file(plain).score("hate").probability == toy.score("hate").probability


@pytest.mark.parametrize("name", ["../anger", "a/b", "", "nope"])
def test_load_model_rejects_bad_names(name: str) -> None:
    with pytest.raises((ValueError, FileNotFoundError)):
        load_model(name)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_artifact_format(name: str) -> None:
    path = MODELS_DIR / "artifacts" / f"{name}.json.gz"
    assert path.stat().st_size < 3_000_000
    data = json.loads(gzip.decompress(path.read_bytes()))
    assert set(data) == {"name", "intercept", "threshold", "weights", "metadata"}
    meta = data["metadata"]
    for key in ("trained_on", "licence", "positive_labels", "cv_f1", "dev_metrics", "seed"):
        assert key in meta
    assert meta["created_by"] == "calmline.models.train"
    assert 0.0 < data["threshold"] < 1.0
    for source in json.dumps(meta["trained_on"]).lower().split():
        assert not any(bad in source for bad in ("olid", "semeval", "airline", "tweets_shared"))


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_models_load_fast_and_cached(name: str) -> None:
    load_model.cache_clear()
    start = time.perf_counter()
    model = load_model(name)
    assert time.perf_counter() - start < 1.0
    assert model.name == name and len(model.weights) > 1000
    assert load_model(name) is model


@pytest.mark.parametrize(
    ("name", "higher", "lower"),
    [
        ("anger", "this is absolutely ridiculous, I am furious", "thanks, that works great"),
        ("anger", "Why the hell has nobody called me back?! Unacceptable.", "Have a lovely day!"),
        ("anger", "I am so annoyed with this useless service", "I love this, thank you"),
        ("rage", "this is disgusting, I am furious", "thanks, that works great"),
        ("offensive", "you are a f***ing idiot", "my parcel is late"),
        ("offensive", "shut up you moron", "could you check my order please"),
        ("offensive", "this is bullsh1t", "this is fine"),
    ],
)
def test_shipped_models_order_sensibly(name: str, higher: str, lower: str) -> None:
    model = load_model(name)
    assert model.score(higher).probability > model.score(lower).probability


@pytest.mark.parametrize(
    ("name", "text", "flagged"),
    [
        ("anger", "this is absolutely ridiculous, I am furious", True),
        ("anger", "thanks, that works great", False),
        ("offensive", "you are a f***ing idiot", True),
        ("offensive", "my parcel is late", False),
    ],
)
def test_shipped_models_flag(name: str, text: str, flagged: bool) -> None:
    assert load_model(name).score(text).flagged is flagged


@pytest.mark.parametrize("name", SHIPPED)
def test_contribution_spans_point_at_text(name: str) -> None:
    text = "Honestly, WHY is my parcel sooo late?? You f**king idiots, this is ridiculous"
    score = load_model(name).score(text)
    assert 0 < len(score.contributions) <= 5
    weights = [abs(c.weight) for c in score.contributions]
    assert weights == sorted(weights, reverse=True)
    for c in score.contributions:
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start : c.end].strip()


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_score_never_crashes(text: str) -> None:
    for name in SHIPPED:
        score = load_model(name).score(text)
        assert 0.0 <= score.probability <= 1.0
        for c in score.contributions:
            assert 0 <= c.start < c.end <= len(text)


def test_inference_modules_do_not_import_sklearn_or_numpy() -> None:
    for module in ("linear.py", "features.py"):
        tree = ast.parse((MODELS_DIR / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for n in names:
                assert n.split(".")[0] not in {"sklearn", "numpy", "scipy"}, (module, n)
    assert "calmline.models.linear" in sys.modules
