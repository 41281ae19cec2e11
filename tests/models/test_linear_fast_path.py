"""`LinearTextModel.score` (C-level loops) gives exactly what the plain per-feature loop gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from calmline.models.features import features, text_features, tokenize
from calmline.models.linear import LinearTextModel, load_model

# Tied weights: the order of equal |weight| contributions is decided by span, then name.
TIES = LinearTextModel("ties", 0.3, {
    "a": 0.5, "b": -0.5, "aa": 1.0, "a b": 0.5, "b a": -1.0, "<!!>": 0.5, "!": 0.0, "s": -0.0,
    "<caps>": 1.0, "<elong>": -0.5, "<masked_swear>": 0.5, "<swear>": 1.0, "shit": 0.5,
})
TEXTS = st.text(alphabet="aAbBsS !?*#@$1'\n", max_size=60)


def _same(model: LinearTextModel, text: str) -> None:
    assert model.score(text) == model._score_features_loop(features(tokenize(text)))
    assert model.score_tokens(tokenize(text)) == model.score(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_tied_weights_score_as_the_plain_loop(text: str) -> None:
    _same(TIES, text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_shipped_models_score_as_the_plain_loop(text: str) -> None:
    for name in ("anger", "offensive"):
        _same(load_model(name), text)


def test_examples() -> None:
    for text in ("", "SOOO angry!!! a b a b", "sh1t f***ing a$$ b a aa", "a a a a a a a b b b b"):
        _same(TIES, text)
        _same(load_model("anger"), text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aAbB sS!?*#@$%&1 0\n\t'’.,:/😡👍🏽\u200d[NAME]https://www.x_", max_size=60))
def test_text_features_lists_what_features_of_tokenize_lists(text: str) -> None:
    assert text_features(text) == features(tokenize(text))
    assert text_features(text) == features(tokenize(text))  # cached chunks: the same again
