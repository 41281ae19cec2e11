"""What works here: like-with-like effects, a corpus whose truth is known (on both engines), and
training examples chosen by those effects."""

from __future__ import annotations

import json
import random
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmline.insights.collect import collect_chunk, engine_for
from calmline.insights.effects import MIN_EXCHANGES, by_label, count_exchange, effect_of
from calmline.insights.figures import figures
from calmline.insights.handling import labels
from calmline.insights.model import Msg, Thread
from calmline.insights.report import render_html
from calmline.insights.run import RunOptions, run_insights
from calmline.insights.stats import SCALE
from calmline.playbook.coach_loader import default_coach
from calmline.signals.base import Turn

# --- the estimator on a hand-made tally -------------------------------------------------------


def _add(tally: Counter[tuple[str, str, str, str]], group: str, has_it: bool, changes: list[float]) -> None:
    for change in changes:
        count_exchange(tally, ["+x"], {"+x"} if has_it else set(), group, round(change * SCALE), None)


def test_effects_compare_like_with_like() -> None:
    """Hostile customers calm more whatever the reply, and the behaviour is used mostly on them:
    pooled naively it looks like -0.28; within each group it is -0.10, and so is the estimate."""
    tally: Counter[tuple[str, str, str, str]] = Counter()
    _add(tally, "late|hostile|venting", True, [-0.35, -0.25] * 10)
    _add(tally, "late|hostile|venting", False, [-0.25, -0.15, -0.2, -0.2, -0.2])
    _add(tally, "late|annoyed|venting", True, [0.05, -0.05, 0.0, 0.0, 0.0])
    _add(tally, "late|annoyed|venting", False, [0.15, 0.05] * 10)
    row = effect_of(by_label(tally)["+x"])
    anger = row["next_anger"]
    assert anger["effect"] == pytest.approx(-0.10, abs=1e-9)
    assert anger["ci95"][1] < 0 and anger["enough_data"] and anger["strata"] == 2
    assert (anger["exchanges_with"], anger["exchanges_without"], row["exchanges"]) == (25, 25, 25)
    assert row["resolved"]["effect"] is None  # no outcome known for any exchange


def test_too_few_exchanges_say_not_enough_data() -> None:
    tally: Counter[tuple[str, str, str, str]] = Counter()
    _add(tally, "s", True, [-0.2, -0.3] * 4)
    _add(tally, "s", False, [0.0, 0.1] * 10)
    _add(tally, "lonely", True, [-0.5] * 9)  # no reply without it to compare with: left out
    anger = effect_of(by_label(tally)["+x"])["next_anger"]
    assert anger["exchanges_with"] == 8 < MIN_EXCHANGES and not anger["enough_data"]
    assert anger["effect"] == pytest.approx(-0.3) and anger["strata"] == 1


# --- a corpus whose truth is known ------------------------------------------------------------

HELPS = "I understand how annoying this is."  # acknowledge: lowers the next turn's anger by 0.25
HURTS = "That is our policy."  # policy: raises it by 0.25
NOTHING = "Thanks for letting us know."  # thanks: no effect at all
BASE = "Let me look into that for you."
PALETTE_TEXTS = (
    "alright, thanks", "Thanks, that works for me.", "Any news on my parcel?",
    "Hmm, the parcel is a bit late.", "I'm disappointed, the parcel is late.", "My parcel is late.",
    "My parcel is late again. Not happy.",
    "My parcel has not arrived yet.", "I am really annoyed, where is my parcel?", "Seriously? Still nothing?",
    "This is unacceptable. Where is my parcel?", "My parcel is late again, I am really frustrated.",
    "What a joke. My parcel is late AGAIN.", "Worst delivery ever. Where is my parcel?!!",
    "Unacceptable!! I want my parcel NOW!", "I am furious, my parcel is late!!", "Ugh, still no parcel.",
    "Still no parcel. This is ridiculous.", "My parcel is STILL late, I am furious, this is ridiculous!!")


@lru_cache(maxsize=1)
def palette() -> list[tuple[float, str]]:
    """Customer messages and the anger the analyzer gives each (measured, not assumed)."""
    analyzer = engine_for(None).analyzer
    return sorted((analyzer.analyze_conversation([Turn("customer", t, None)])[0].anger.score, t)
                  for t in PALETTE_TEXTS)


def _saying(anger: float) -> tuple[float, str]:
    return min(palette(), key=lambda p: (abs(p[0] - anger), p[1]))


def known_truth_corpus(conversations: int, seed: int) -> list[dict[str, Any]]:
    """Conversations of three exchanges; each reply has HELPS, HURTS and NOTHING independently
    (half the time each), and the next customer message is the one whose anger is nearest to the
    last one's − 0.25 (HELPS) + 0.25 (HURTS) + noise (sd 0.1)."""
    rng = random.Random(seed)
    out = []
    for n in range(conversations):
        anger, text = _saying(rng.uniform(0.3, 0.85))
        messages = [{"role": "customer", "text": text}]
        for _ in range(3):
            parts = [s for s in (HELPS, NOTHING, HURTS) if rng.random() < 0.5]
            messages.append({"role": "agent", "text": " ".join([*parts, BASE]), "author": f"agent{n % 4}"})
            target = anger - 0.25 * (HELPS in parts) + 0.25 * (HURTS in parts) + rng.gauss(0, 0.1)
            anger, text = _saying(min(1.0, max(0.0, target)))
            messages.append({"role": "customer", "text": text})
        out.append({"id": f"k{n:04d}", "messages": messages})
    return out


@pytest.fixture(scope="module")
def known_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("known") / "known.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in known_truth_corpus(240, seed=7)), encoding="utf-8")
    return path


def _finds_the_truth(report: dict[str, Any]) -> None:
    rows = {r["label"]: r for r in report["handling"]["what_works"]}
    helps, hurts, nothing = (rows[k]["next_anger"] for k in ("acknowledge", "policy", "thanks"))
    assert all(e["enough_data"] for e in (helps, hurts, nothing))
    assert helps["ci95"][1] < 0 and helps["effect"] == pytest.approx(-0.25, abs=0.1)
    assert hurts["ci95"][0] > 0 and hurts["effect"] == pytest.approx(0.25, abs=0.1)
    assert nothing["ci95"][0] <= 0 <= nothing["ci95"][1]
    lines = report["headlines"]
    assert any(line.startswith('Followed by a calmer customer: "acknowledges') for line in lines)
    assert any(line.startswith('Followed by an angrier customer: "hides behind policy') for line in lines)
    assert not any("thanks the customer" in line for line in lines)
    assert report["summary"]["behaviours"]["top"]["label"] in ("acknowledge", "policy")
    training = report["training"]
    assert "acknowledge" in training["calming_behaviours"] and "thanks" not in training["calming_behaviours"]
    assert training["best"] and all("acknowledge" in e["helped_by"] for e in training["best"])
    assert training["worst"] and all(e["anti_patterns"] for e in training["worst"])


def test_the_known_truth_is_found_locally(known_export: Path) -> None:
    report = run_insights(RunOptions([known_export], workers=1, chunk_threads=60))
    _finds_the_truth(report)
    html = render_html(report)
    assert "not clearly different from 0" not in html.split('id="summary"')[1].split("</section>")[0]


def test_the_known_truth_is_found_on_dask(known_export: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        report = run_insights(RunOptions([known_export], engine="dask", scheduler=cluster.scheduler_address,
                                         chunk_threads=60))
    assert report["meta"]["engine"] == "dask"
    _finds_the_truth(report)


# --- training examples ------------------------------------------------------------------------

def _thread(key: str, texts: list[str]) -> Thread:
    return Thread(key, tuple(Msg("customer" if i % 2 == 0 else "agent", t, author=None if i % 2 == 0
                                 else "ann") for i, t in enumerate(texts)))


def test_policy_and_calm_down_are_never_well_handled() -> None:
    """The issue's two exchanges: anger rose after an anti-pattern. Badly handled, only."""
    stats = collect_chunk([
        _thread("p", ["I am really annoyed, where is my parcel?", "That's our policy.",
                      "Ugh, still no parcel."]),
        _thread("c", ["Ugh, still no parcel.", "Please calm down.", "Still no parcel. This is ridiculous."])])
    training = figures(stats)["training"]
    assert training["best"] == []
    assert sorted(e["reply"] for e in training["worst"]) == ["Please calm down.", "That's our policy."]


REPLIES = [HELPS, HURTS, NOTHING, BASE, "Please calm down.", "That's our policy.",
           "I am so sorry, that sounds really frustrating. I will refund you today by 5pm.",
           f"{HELPS} {BASE}", f"{HELPS} {HURTS}"]
customer = st.sampled_from(PALETTE_TEXTS)
corpora = st.lists(st.lists(st.tuples(customer, st.sampled_from(REPLIES)), min_size=1, max_size=4)
                   .map(lambda pairs: [t for pair in pairs for t in pair]), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora, last=customer)
def test_an_exchange_is_never_both_well_and_badly_handled(corpus: list[list[str]], last: str) -> None:
    stats = collect_chunk([_thread(f"t{i}", [*texts, last]) for i, texts in enumerate(corpus)])
    training = figures(stats)["training"]
    best = {(e["conversation"], e["turn"]) for e in training["best"]}
    worst = {(e["conversation"], e["turn"]) for e in training["worst"]}
    assert not best & worst
    assert training["best"] != training["worst"] or not training["best"]
    for e in training["best"]:
        assert not e["anti_patterns"] and e["anger_after"] < e["anger_before"] and e["helped_by"]
    for e in training["worst"]:
        assert e["anti_patterns"] and e["anger_after"] > e["anger_before"]


def test_the_coach_names_the_labels_this_test_relies_on() -> None:
    """The corpus above leans on three coach labels; the report itself never hard-codes them."""
    behaviours, anti_patterns = labels(default_coach())
    assert {"acknowledge", "thanks"} <= set(behaviours) and "policy" in anti_patterns
