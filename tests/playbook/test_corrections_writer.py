"""The pure YAML writer behind `calmline train --from-corrections`."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from calmline.errors import PlaybookError
from calmline.playbook.corrections import MAX_EXAMPLE_CHARS, Teaching, dump, teach, trim_example
from calmline.playbook.loader import _parse

NEWSLETTER = "I shall be telling the parish newsletter all about your shop."


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@pytest.mark.parametrize("text, expected", [
    ("  short and sweet  ", "short and sweet"),
    ("line one\n\n  line   two", "line one line two"),
    ("A" * 250 + ". " + "B" * 100 + ".", "A" * 250 + "."),
    ("Where is it?! " + "x " * 200, "Where is it?!"),
    ("word " * 100, ("word " * 60).strip()),
    ("y" * 400, "y" * MAX_EXAMPLE_CHARS),
])
def test_trim_example(text: str, expected: str) -> None:
    trimmed = trim_example(text)
    assert trimmed == expected
    assert len(trimmed) <= MAX_EXAMPLE_CHARS


def test_missed_goes_to_examples_wrong_to_near_misses_level_to_anger(base: dict[str, Any]) -> None:
    taught = teach(base, [
        Teaching("missed_flag", "public", NEWSLETTER),
        Teaching("wrong_flag", "violence", "This queue is murdering my afternoon."),
        Teaching("missed_want", "refund", "I'd like the money to find its way home."),
        Teaching("wrong_cause", "process_friction", "Lovely process, very smooth."),
        Teaching("level", "angry", "Marvellous. Third time I have explained this."),
    ])
    data = taught.data
    assert data["flags"]["public"]["examples"][-1] == NEWSLETTER
    assert data["flags"]["violence"]["near_misses"][-1] == "This queue is murdering my afternoon."
    assert data["wants"]["refund"]["examples"][-1] == "I'd like the money to find its way home."
    assert data["causes"]["process_friction"]["near_misses"][-1] == "Lovely process, very smooth."
    assert data["anger"]["examples"]["angry"][-1] == "Marvellous. Third time I have explained this."
    assert {name: (c.examples, c.near_misses) for name, c in taught.changes.items()} == {
        "flags.public": (1, 0), "flags.violence": (0, 1), "wants.refund": (1, 0),
        "causes.process_friction": (0, 1), "anger.angry": (1, 0)}
    assert taught.added == 5 and taught.skipped == []
    # the base is untouched, and everything else is carried over as it was
    assert NEWSLETTER not in base["flags"]["public"].get("examples", [])
    assert data["routes"] == base["routes"] and data["detectors"] == base["detectors"]


def test_duplicates_and_existing_sentences_are_skipped(base: dict[str, Any]) -> None:
    shipped = base["flags"]["public"]["examples"][0]
    taught = teach(base, [Teaching("missed_flag", "public", NEWSLETTER),
                          Teaching("missed_flag", "public", "  " + NEWSLETTER.upper()),
                          Teaching("missed_flag", "public", shipped)])
    examples = taught.data["flags"]["public"]["examples"]
    assert examples.count(NEWSLETTER) == 1 and examples.count(shipped) == 1
    assert len(examples) == len(base["flags"]["public"]["examples"]) + 1
    assert taught.changes["flags.public"].examples == 1


def test_disagreement_and_unknown_labels_are_reported_not_written(base: dict[str, Any]) -> None:
    taught = teach(base, [Teaching("missed_flag", "public", NEWSLETTER),
                          Teaching("wrong_flag", "public", NEWSLETTER),
                          Teaching("missed_flag", "no_such_flag", "whatever"),
                          Teaching("level", "livid", "whatever")])
    assert NEWSLETTER not in taught.data["flags"]["public"]["examples"]
    assert NEWSLETTER not in taught.data["flags"]["public"].get("near_misses", [])
    assert taught.added == 0
    assert len(taught.skipped) == 3
    assert any("both missed and wrong" in s for s in taught.skipped)


def test_dump_loads_as_a_playbook_with_the_header(base: dict[str, Any]) -> None:
    taught = teach(base, [Teaching("missed_cause", "lack_of_communication", "Crickets from you lot.")])
    text = dump(taught.data, "team playbook\nregenerate it")
    assert text.startswith("# team playbook\n# regenerate it\n")
    playbook = _parse(text, "team.yaml")
    assert "Crickets from you lot." in playbook.causes["lack_of_communication"].examples
    with pytest.raises(PlaybookError):
        _parse(dump({**taught.data, "flags": {"x": {"route": "nowhere"}}}), "broken.yaml")
