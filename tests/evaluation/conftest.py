"""Fixtures for the evaluation tests: a playbook without shipped models (deterministic)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from calmline import Analyzer, load_playbook


def write_lexicon_playbook(path: Path) -> Path:
    """The default playbook with `anger.model` and `flags.abuse.model` set to null."""
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["anger"]["model"] = None
    data["flags"]["abuse"]["model"] = None
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


@pytest.fixture(scope="session")
def lexicon_playbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_lexicon_playbook(tmp_path_factory.mktemp("playbook") / "lexicon.yaml")


@pytest.fixture(scope="session")
def lexicon_analyzer(lexicon_playbook: Path) -> Analyzer:
    return Analyzer(load_playbook(lexicon_playbook))
