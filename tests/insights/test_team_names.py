"""Insights take label names from the playbook: a team that renames a route keeps its figures."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from calmline.insights.collect import collect_chunk
from calmline.insights.model import Msg, Thread

GOING_PUBLIC = "This is a joke, I'm going to post this all over twitter and tell everyone."


def press_office_playbook() -> dict[str, Any]:
    """The packaged playbook with `social_media` renamed `press_office` (and one more threat)."""
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    data["routes"]["press_office"] = data["routes"].pop("social_media")
    data["flags"]["public"]["route"] = "press_office"
    return data


def _thread(text: str) -> Thread:
    return Thread("t1", (Msg("agent", "Hello, how can I help?", author="ann"),
                         Msg("customer", text), Msg("agent", "I'm sorry to hear that.", author="ann")))


def test_going_public_counts_in_agent_load_under_a_renamed_route() -> None:
    team = yaml.safe_dump(press_office_playbook())
    stats = collect_chunk([_thread(GOING_PUBLIC)], team)
    assert stats.agent[("ann", "threats")] == 1
    assert collect_chunk([_thread(GOING_PUBLIC)]).agent[("ann", "threats")] == 1  # packaged too


def test_which_flags_are_threats_is_the_playbooks_call() -> None:
    data = press_office_playbook()
    data["flags"]["public"]["threat"] = False
    stats = collect_chunk([_thread(GOING_PUBLIC)], yaml.safe_dump(data))
    assert stats.agent[("ann", "threats")] == 0
    calm = collect_chunk([_thread("Where is my parcel? It was due on Monday.")], yaml.safe_dump(data))
    assert calm.agent[("ann", "threats")] == 0
