from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from calmline.engine.analyzer import Analyzer
from calmline.errors import DetectorError, PlaybookError
from calmline.playbook import default_playbook, load_playbook
from calmline.signals.base import registry

DEFAULT = Path(__file__).parents[2] / "src/calmline/playbook/default.yaml"


def _write(tmp_path: Path, mutate: object) -> Path:
    data = yaml.safe_load(DEFAULT.read_text())
    assert callable(mutate)
    mutate(data)
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_default_playbook_names_only_registered_detectors() -> None:
    assert set(default_playbook().detectors) <= set(registry())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["flags"]["legal"].update(route="lawyers"), "unknown routes"),
        (lambda d: d["wants"]["refund"]["patterns"].append("(unclosed"), "not a valid regex"),
        (lambda d: d["anger"]["levels"].update(angry=0.1), "must increase"),
        (lambda d: d.update(surprise=1), "surprise"),
        (lambda d: d["venting"].update(burst_messages="many"), "burst_messages"),
    ],
)
def test_invalid_playbooks_fail_loudly_with_where(tmp_path: Path, mutate: object, message: str) -> None:
    with pytest.raises(PlaybookError, match=message):
        load_playbook(_write(tmp_path, mutate))


def test_unreadable_or_non_yaml_playbook(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="cannot read"):
        load_playbook(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("flags: [unclosed")
    with pytest.raises(PlaybookError, match="not valid YAML"):
        load_playbook(bad)


def test_a_team_can_change_wording_and_routes_without_code(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:
        d["routes"]["legal_desk"] = {"description": "our legal desk"}
        d["flags"]["legal"].update(route="legal_desk", patterns=["avocat", "abogado"])

    analysis = Analyzer(load_playbook(_write(tmp_path, mutate))).analyze("je vais appeler mon avocat")
    flag = analysis.flag("legal")
    assert flag is not None and flag.route == "legal_desk"
    assert "legal_desk" in analysis.escalate.routes


def test_unknown_detector_in_playbook(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["detectors"].append("telepathy"))
    with pytest.raises(DetectorError, match="telepathy"):
        Analyzer(load_playbook(path))
