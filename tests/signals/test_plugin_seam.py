"""A detector from outside the package, found through the `calmline.detectors` entry points."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from calmline.cli.main import app
from calmline.engine.analyzer import Analyzer
from calmline.playbook import load_playbook
from tests.signals.helpers import write_detector_plugin

PLUGIN = '''
from typing import ClassVar
from calmline.signals.base import Evidence, Finding


class SirenDetector:
    name: ClassVar[str] = "siren"
    labels: ClassVar[tuple[str, ...]] = ("siren",)

    def __init__(self, playbook):
        self.playbook = playbook

    def detect(self, text, context):
        at = text.original.find("🚨")
        if at < 0:
            return []
        ev = Evidence(at, at + 1, "🚨", "pattern", "plugin.siren")
        return [Finding("siren", 0.9, self.name, "siren emoji", (ev,))]
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_detector_plugin(tmp_path, "calmline_siren", PLUGIN, "siren = calmline_siren:SirenDetector")
    monkeypatch.syspath_prepend(str(tmp_path))
    default = Path(__file__).parents[2] / "src/calmline/playbook/default.yaml"
    data = yaml.safe_load(default.read_text())
    data["detectors"].append("siren")
    playbook = tmp_path / "with_siren.yaml"
    playbook.write_text(yaml.safe_dump(data))
    return playbook


def test_plugin_detector_runs_when_the_playbook_names_it(plugin: Path) -> None:
    analysis = Analyzer(load_playbook(plugin)).analyze("my card was charged twice 🚨")
    sirens = [f for f in analysis.extra if f.label == "siren"]
    assert len(sirens) == 1 and sirens[0].evidence[0].text == "🚨"


def test_detectors_command_lists_the_plugin(plugin: Path) -> None:
    result = CliRunner().invoke(app, ["detectors", "--playbook", str(plugin)])
    assert result.exit_code == 0, result.output
    assert "siren" in result.output and "calmline_siren" in result.output
