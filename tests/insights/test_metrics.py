"""Figures of three hand-made conversations whose answers are known (see conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from calmline.insights.collect import collect_chunk
from calmline.insights.figures import figures
from calmline.insights.importers import read_threads
from calmline.insights.intervals import newcombe, wilson
from calmline.insights.run import RunOptions, run_insights
from calmline.insights.stats import Stats, merge_all


@pytest.fixture()
def report(conversations_jsonl: Path) -> dict[str, Any]:
    return run_insights(RunOptions([conversations_jsonl], workers=1))


def test_overview_and_triggers(report: dict[str, Any]) -> None:
    ov = report["overview"]
    counts = (ov["conversations"], ov["messages"], ov["customer_messages"], ov["agent_messages"])
    assert counts == (3, 7, 5, 2)
    triggers = {t["key"]: t for t in report["triggers"]}
    assert triggers["cause:lack_of_communication"]["conversations"] == 1
    assert triggers["area:billing_refund"]["conversations"] == 2
    assert triggers["area:delivery"]["conversations"] == 1
    assert report["trend"]["periods"] == ["2026-03-02", "2026-03-03", "2026-03-04"]


def test_trajectories_and_time_to_calm(report: dict[str, Any]) -> None:
    tr = report["trajectories"]
    assert {k: v["conversations"] for k, v in tr["shares"].items()} == {
        "de-escalated": 1, "stayed": 0, "escalated": 1}
    assert tr["single_message_conversations"] == 1
    assert (tr["calmed"], tr["never_calmed"]) == (1, 2)  # b ends hostile; c is one frustrated message
    assert tr["turns_to_calm"]["median"] == 2
    assert tr["time_to_calm"]["median"] == "5 min–15 min" and tr["time_to_calm"]["mean_minutes"] == 10.0


def test_handling_and_what_works(report: dict[str, Any]) -> None:
    h = report["handling"]
    assert h["available"] and h["replies"] == 2
    per_agent = {a["agent"]: a["labels"] for a in h["agents"]}
    assert per_agent["ann"]["acknowledge"] == 1.0 and "policy" not in per_agent["ann"]
    assert per_agent["bob"]["policy"] == 1.0
    works = {r["label"]: r for r in h["what_works"]}
    # ann's acknowledging reply answered an angry customer, bob's policy reply a calm one: nothing
    # else to compare either with, like with like, so neither effect can be read yet
    assert works["acknowledge"]["exchanges"] == 1 and works["policy"]["exchanges"] == 1
    assert works["acknowledge"]["next_anger"]["effect"] is None
    assert not works["acknowledge"]["next_anger"]["enough_data"]
    training = report["training"]
    assert training["best"] == []  # no behaviour is known to calm customers here yet
    worst = training["worst"][0]
    assert worst["agent"] == "bob" and worst["anti_patterns"] == ["minimise", "policy"]
    assert worst["anger_before"] < 0.1 < 0.9 < worst["anger_after"]


def test_agent_load(report: dict[str, Any]) -> None:
    load = {a["agent"]: a for a in report["agent_load"]}
    assert load["bob"]["abuse"] == 1 and load["bob"]["angry or hostile"] == 1
    assert load["ann"]["angry or hostile"] == 1 and load["ann"]["abuse"] == 0
    assert load["bob"]["messages received"] == 2 and load["ann"]["conversations"] == 1


def test_merge_is_independent_of_chunking(conversations_jsonl: Path) -> None:
    threads = list(read_threads([conversations_jsonl]))
    whole = collect_chunk(threads)
    parts = [collect_chunk([t]) for t in threads]
    assert figures(merge_all(parts)) == figures(whole) == figures(merge_all(parts[::-1]))
    assert figures(merge_all([Stats(), whole])) == figures(whole)


def test_intervals() -> None:
    low, high = wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson(0, 0) == (0.0, 1.0)
    low, high = newcombe(8, 10, 2, 10)
    assert low < 0.6 < high and -1 <= low and high <= 1


def test_trigger_after_midnight_of_the_last_day_is_in_the_trend(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text(json.dumps({"id": "late", "messages": [
        {"role": "customer", "text": "hello", "time": "2026-03-02T23:50:00Z"},
        {"role": "customer", "text": "My package never arrived and nobody updated me!!",
         "time": "2026-03-03T00:10:00Z"}]}) + "\n", encoding="utf-8")
    trend = run_insights(RunOptions([path], workers=1))["trend"]
    assert trend["periods"] == ["2026-03-02", "2026-03-03"]
    assert trend["series"]["area:delivery"] == [0, 1]


def test_headlines_say_what_matters_and_do_not_over_read(report: dict[str, Any]) -> None:
    lines = report["headlines"]
    assert lines[0].startswith("Most common trigger: billing refund (area), in 67% of conversations")
    assert any(line.startswith("Of 2 conversations with two or more customer messages, 50% de-escalated")
               for line in lines)
    assert not any("calmer customer" in line for line in lines)  # one reply compared: too few


def test_headlines_name_a_behaviour_only_when_its_interval_clears_zero() -> None:
    from calmline.insights.headlines import _what_works

    def row(title: str, effect: float, low: float, high: float, n: int) -> dict[str, Any]:
        return {"title": title, "next_anger": {"effect": effect, "ci95": [low, high], "enough_data": n >= 10,
                                               "exchanges_with": n, "exchanges_without": n}}

    lines = _what_works({"available": True, "what_works": [
        row("acknowledges the feeling", -0.2, -0.3, -0.1, 100),
        row("hides behind policy", 0.3, 0.1, 0.5, 100),
        row("thanks the customer", 0.01, -0.05, 0.07, 100), row("reassures", -0.4, -0.6, -0.2, 5)]})
    assert [line.split(":")[0] + ":" + line.split('"')[1] for line in lines] == [
        "Followed by a calmer customer:acknowledges the feeling",
        "Followed by an angrier customer:hides behind policy"]
    assert "-0.20, 95% CI -0.30 to -0.10; 100 replies against 100 without" in lines[0]
