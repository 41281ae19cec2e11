from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from calmline.errors import PlaybookError
from calmline.playbook.coach_loader import load_coach, parse_coach
from calmline.playbook.coach_schema import MOMENTS, AntiPattern, Behaviour, CoachConfig, Gap, Template

RAW = yaml.safe_load(resources.files("calmline.playbook").joinpath("coach.yaml").read_text("utf-8"))
IMPLEMENTED_CHECKS = {None, "facts", "steps", "offer", "timeline", "no_timeline", "no_alternative",
                      "venting", "unanswered", "tone", "danger"}


@pytest.mark.parametrize("name", sorted(RAW["behaviours"]))
def test_every_behaviour_entry_validates(name: str) -> None:
    entry = Behaviour.model_validate(RAW["behaviours"][name])
    assert entry.why and entry.hint and entry.check in IMPLEMENTED_CHECKS
    assert entry.patterns or entry.check in ("timeline", "tone")


@pytest.mark.parametrize("name", sorted(RAW["anti_patterns"]))
def test_every_anti_pattern_entry_validates(name: str) -> None:
    entry = AntiPattern.model_validate(RAW["anti_patterns"][name])
    assert entry.why and entry.rewrite and entry.check in IMPLEMENTED_CHECKS
    assert entry.patterns or entry.check in ("venting", "unanswered", "tone")


@pytest.mark.parametrize("name", sorted(RAW["gaps"]))
def test_every_gap_entry_validates(name: str) -> None:
    assert Gap.model_validate(RAW["gaps"][name]).move


@pytest.mark.parametrize("entry", RAW["templates"], ids=[t["id"] for t in RAW["templates"]])
def test_every_template_validates(entry: dict[str, object]) -> None:
    template = Template.model_validate(entry)
    assert not re.search(r"#?\b[A-Z]{1,4}-?\d{4,}\b", template.text), "templates must not hold facts"


def test_whole_file_validates_and_covers_every_moment() -> None:
    config = load_coach()
    assert set(config.moments) == set(MOMENTS)
    covered = {m for t in config.templates for m in t.moments}
    assert covered == set(MOMENTS)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["behaviours"]["apology"].update(patterns=["(unclosed"]), "not a valid regex"),
    (lambda d: d["behaviours"]["apology"].update(colour="red"), "colour"),
    (lambda d: d["moments"]["resolve"].update(expect=["juggling"]), "unknown behaviours"),
    (lambda d: d["templates"][0].update(text="Hello {customer_shoe_size}, how are you?"), "unknown slots"),
    (lambda d: d["sla"].pop("refund_time"), "sla misses"),
    (lambda d: d["situations"]["loss"].update(instead_of=["juggling"]), "unknown behaviours or gaps"),
    (lambda d: d["situations"].update(shoe_size=d["situations"]["loss"]), "unknown slot"),
])
def test_invalid_coach_yaml_is_rejected(mutate: object, message: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(RAW))
    mutate(data)  # type: ignore[operator]
    with pytest.raises(ValidationError, match=message):
        CoachConfig.model_validate(data)
    with pytest.raises(PlaybookError, match="invalid coach playbook"):
        parse_coach(yaml.safe_dump(data), "team.yaml")


def test_unreadable_coach_file_is_a_playbook_error(tmp_path: object) -> None:
    with pytest.raises(PlaybookError, match="cannot read"):
        load_coach("/nonexistent/coach.yaml")
    with pytest.raises(PlaybookError, match="not valid YAML"):
        parse_coach("a: [", "x.yaml")
