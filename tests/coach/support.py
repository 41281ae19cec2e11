"""Shared helpers of the coach tests: an analyzer that works with or without the shipped models."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

import calmline
from calmline.engine.analyzer import Analyzer
from calmline.playbook.schema import Playbook

DEMO_CHAT = [
    {"role": "customer", "author": "Dana", "time": "2026-11-24T09:58:00Z",
     "text": "Hi, my order #LP-48213 (a ThinkBook 14 laptop) was supposed to arrive last Friday. "
             "It still hasn't come and the tracking hasn't moved in 5 days."},
]


def models_present() -> bool:
    artifacts = resources.files("calmline.models").joinpath("artifacts")
    names = {p.name for p in artifacts.iterdir()} if artifacts.is_dir() else set()
    return {"anger.json.gz", "offensive.json.gz"} <= names


def lexicon_only_playbook() -> dict[str, Any]:
    """The packaged playbook with the two models switched off (lexicon and cues only)."""
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    data["anger"]["model"] = None
    data["flags"]["abuse"]["model"] = None
    return data


@lru_cache(maxsize=1)
def coach_analyzer() -> Analyzer:
    """The default analyzer when the models are shipped, else the lexicon-only one."""
    if models_present():
        return calmline.default_analyzer()
    return Analyzer(Playbook.model_validate(lexicon_only_playbook()))


def turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """[("customer", "text"), ("agent", "text")] -> interchange-format messages."""
    return [{"role": role, "text": text} for role, text in pairs]


class CountingEncoder:
    """An engine's encoder that counts the sentences it is asked to encode."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.seen: list[str] = []

    def encode(self, sentences: Any) -> Any:
        self.seen.extend(sentences)
        return self.real.encode(sentences)
