"""A label that only one layer knows fails at load, with a message that says where."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from calmline.engine.analyzer import Analyzer
from calmline.errors import DetectorError, PlaybookError
from calmline.playbook.coach_loader import parse_coach
from calmline.playbook.schema import Playbook


def _packaged(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("calmline.playbook").joinpath(name).read_text("utf-8"))
    return data


def test_a_coach_gap_without_a_test_in_the_engine_fails_at_load() -> None:
    data = _packaged("coach.yaml")
    data["gaps"]["no_empathy_emoji"] = {"title": "No emoji", "why": "made up", "weight": 5,
                                        "move": "Add an emoji."}
    with pytest.raises(PlaybookError, match=r"team.yaml: gaps \['no_empathy_emoji'\] have no test"):
        parse_coach(yaml.safe_dump(data), "team.yaml")


def test_dropping_a_gap_is_allowed() -> None:
    data = _packaged("coach.yaml")
    data["gaps"].pop("order_ignored")
    assert "order_ignored" not in parse_coach(yaml.safe_dump(data), "team.yaml").gaps


@pytest.mark.parametrize("flag, detector, message", [
    ("public", "nonsense", "flags.public.detector names unknown detector 'nonsense'"),
    ("public", "abuse", "flags.public.detector is 'abuse', which raises only"),
])
def test_a_flag_no_detector_raises_fails_at_load(flag: str, detector: str, message: str) -> None:
    data = _packaged("default.yaml")
    data["flags"][flag]["detector"] = detector
    with pytest.raises(DetectorError, match=message):
        Analyzer(Playbook.model_validate(data), encoder=None)


def test_properties_of_labels_are_in_the_playbook() -> None:
    playbook = Playbook.model_validate(_packaged("default.yaml"))
    assert {n for n, f in playbook.flags.items() if f.threat} == {
        "violence", "self_harm", "legal", "regulator", "public", "churn"}
    assert {n for n, f in playbook.flags.items() if f.detector == "abuse"} == {"abuse", "swearing"}
    assert {n for n, w in playbook.wants.items() if not w.action} == {"apology", "explanation"}
    assert [g.name for g in playbook.anger.lexicon if g.swearing] == ["swearing", "insult"]


def test_the_wants_that_ask_for_money_are_the_playbook_s() -> None:
    data = _packaged("default.yaml")
    text = "I want compensation of $950 for this broken TV"
    default = Analyzer(Playbook.model_validate(data), encoder=None).analyze(text)
    assert "refund_limit" in {r.trigger for r in default.escalate.reasons}
    data["escalation"]["authority"]["refund_wants"] = ["refund"]
    team = Analyzer(Playbook.model_validate(data), encoder=None).analyze(text)
    assert "refund_limit" not in {r.trigger for r in team.escalate.reasons}
    data["escalation"]["authority"]["refund_wants"] = ["refund", "store_credit"]
    with pytest.raises(ValueError, match=r"refund_wants names wants not under `wants`: \['store_credit'\]"):
        Playbook.model_validate(data)


def test_a_detector_s_labels_are_the_playbook_s_sections_it_reads() -> None:
    from calmline.signals.base import labels_of, registry

    data = _packaged("default.yaml")
    data["wants"]["store_credit"] = {**data["wants"]["refund"], "ask": "store credit"}
    data["flags"]["chargeback"] = {**data["flags"]["legal"], "detector": "threats"}
    playbook = Playbook.model_validate(data)
    detectors = registry()
    assert "store_credit" in labels_of(detectors["wants"], playbook)
    assert "chargeback" in labels_of(detectors["threats"], playbook)
    assert "abuse" not in labels_of(detectors["threats"], playbook)  # raised by `abuse`
    assert set(labels_of(detectors["causes"], playbook)) == {*playbook.causes, *playbook.areas}
