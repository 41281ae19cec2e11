"""An open playbook for detectors: each declares its own settings and the detectors it reads;
plug-ins are configured exactly like built-ins, and a wrong order fails at load with a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from calmline.engine.analyzer import Analyzer
from calmline.errors import CalmlineError, DetectorError, PlaybookError
from calmline.playbook import load_playbook
from tests.signals.helpers import write_detector_plugin

PLUGIN = '''
from typing import ClassVar
from pydantic import BaseModel, ConfigDict, Field
from calmline.signals.base import Evidence, Finding


class SirenSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at_least: int = Field(1, ge=1, description="sirens in one message before it counts")
    score: float = Field(0.9, ge=0, le=1)


class CountedSirens:
    name: ClassVar[str] = "sirens"
    labels: ClassVar[tuple[str, ...]] = ("siren",)
    Settings: ClassVar[type] = SirenSettings
    reads: ClassVar[tuple[str, ...]] = ("anger",)

    def __init__(self, playbook, settings):
        self.settings = settings

    def detect(self, text, context):
        count = text.original.count("🚨")
        if count < self.settings.at_least:
            return []
        angry = any(f.score > 0.5 for f in context.prior.get("anger", ()))
        at = text.original.find("🚨")
        ev = Evidence(at, at + 1, "🚨", "pattern", "plugin.sirens")
        why = f"{count} sirens" + (" from an angry customer" if angry else "")
        return [Finding("siren", self.settings.score, self.name, why, (ev,))]
'''
DEFAULT = Path(__file__).parents[2] / "src/calmline/playbook/default.yaml"


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Write a playbook (the default, changed by `edit`) with the plug-in installed."""
    write_detector_plugin(tmp_path, "calmline_sirens", PLUGIN, "sirens = calmline_sirens:CountedSirens")
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(edit: Any) -> Path:
        data = yaml.safe_load(DEFAULT.read_text())
        data["detectors"].append("sirens")
        edit(data)
        path = tmp_path / "team.yaml"
        path.write_text(yaml.safe_dump(data))
        return path

    return write


def test_a_plugin_takes_its_settings_from_the_playbook(team: Any) -> None:
    path = team(lambda d: d.update(detector_settings={"sirens": {"at_least": 2, "score": 0.7}}))
    analyzer = Analyzer(load_playbook(path), encoder=None)
    assert not [f for f in analyzer.analyze("late again 🚨").extra if f.label == "siren"]
    found = [f for f in analyzer.analyze("late again 🚨🚨").extra if f.label == "siren"]
    assert len(found) == 1 and found[0].score == 0.7


def test_a_plugin_without_settings_in_the_playbook_gets_its_defaults(team: Any) -> None:
    analyzer = Analyzer(load_playbook(team(lambda d: None)), encoder=None)
    assert [f.score for f in analyzer.analyze("🚨").extra if f.label == "siren"] == [0.9]


def test_wrong_settings_fail_at_load_naming_the_setting(team: Any) -> None:
    path = team(lambda d: d.update(detector_settings={"sirens": {"at_least": 0}}))
    with pytest.raises(PlaybookError, match=r"detector_settings\.sirens: at_least"):
        Analyzer(load_playbook(path), encoder=None)
    path = team(lambda d: d.update(detector_settings={"sirens": {"at_lest": 2}}))
    with pytest.raises(PlaybookError, match="at_lest"):
        Analyzer(load_playbook(path), encoder=None)


def test_settings_for_a_detector_that_takes_none_or_is_not_listed_fail(team: Any) -> None:
    path = team(lambda d: d.update(detector_settings={"anger": {"x": 1}}))
    with pytest.raises(PlaybookError, match="'anger' takes no settings"):
        Analyzer(load_playbook(path), encoder=None)
    path = team(lambda d: d.update(detector_settings={"ghost": {}}))
    with pytest.raises(CalmlineError, match="ghost"):
        load_playbook(path)


def test_a_detector_listed_before_one_it_reads_fails_at_load(team: Any) -> None:
    def venting_first(data: dict[str, Any]) -> None:
        data["detectors"].remove("venting")
        data["detectors"].insert(data["detectors"].index("wants"), "venting")

    with pytest.raises(DetectorError, match="'venting' reads the findings of 'wants'"):
        Analyzer(load_playbook(team(venting_first)), encoder=None)

    def sirens_first(data: dict[str, Any]) -> None:
        data["detectors"].remove("sirens")
        data["detectors"].insert(0, "sirens")

    with pytest.raises(DetectorError, match="'sirens' reads the findings of 'anger'"):
        Analyzer(load_playbook(team(sirens_first)), encoder=None)
