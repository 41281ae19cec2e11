"""Properties that must hold for any input: merging, CSV round trips, redaction, spikes, load."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmline.insights.collect import collect_chunk
from calmline.insights.figures import figures, replay_load
from calmline.insights.importers import read_threads
from calmline.insights.model import ImportTally, Msg, Thread
from calmline.insights.redact import redact
from calmline.insights.report import render_html
from calmline.insights.stats import SCALE, Stats, merge_all
from calmline.insights.trends import spikes
from calmline.playbook.schema import WellbeingConfig

from .conftest import CONVERSATIONS

PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Stats]:
    """One tally per thread (the hand-made conversations, three times over with distinct ids)."""
    threads = [{**conv, "id": f"{conv['id']}{n}"} for n in range(3) for conv in CONVERSATIONS]
    path = tmp_path_factory.mktemp("parts") / "export.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in threads), encoding="utf-8")
    return [collect_chunk([t]) for t in read_threads([path])]


@PROPERTY
@given(data=st.data())
def test_figures_do_not_depend_on_order_or_grouping(parts: list[Stats], data: Any) -> None:
    """Any order and any grouping of chunks merges into the same figures (what engines rely on)."""
    order = data.draw(st.permutations(range(len(parts))))
    cuts = sorted(data.draw(st.sets(st.integers(1, len(parts) - 1), max_size=4)))
    groups = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(parts)], strict=True)]
    grouped = merge_all([merge_all([parts[i] for i in g]) for g in groups[::-1]])
    assert figures(grouped) == figures(merge_all(parts))


texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                min_size=1, max_size=60).filter(lambda t: t.strip() == t and t != "")


@PROPERTY
@given(rows=st.lists(st.tuples(st.sampled_from(["t1", "t2", "t,3"]),
                               st.sampled_from(["customer", "agent"]), texts), min_size=1, max_size=12))
def test_csv_round_trips_any_text(tmp_path: Path, rows: list[tuple[str, str, str]]) -> None:
    """Texts with commas, quotes, newlines and any unicode come back exactly, grouped by thread."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["conversation_id", "role", "text"])
    writer.writerows(rows)
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    tally = ImportTally()
    threads = {t.key: [(m.role, m.text) for m in t.messages] for t in read_threads([path], tally=tally)}
    expected: dict[str, list[tuple[str, str]]] = {}
    for key, role, text in rows:
        expected.setdefault(key, []).append((role, text))
    assert threads == expected and tally.bad == 0


@PROPERTY
@given(before=texts, after=texts, user=st.from_regex(r"[a-z][a-z0-9.]{0,10}", fullmatch=True))
def test_redact_removes_emails_and_cards_anywhere(before: str, after: str, user: str) -> None:
    email, card = f"{user}@example.com", "4111 1111 1111 1111"
    out = redact(f"{before} {email} {after} {card}")
    assert email not in out and card not in out and "4111" not in out.replace(before, "").replace(after, "")
    assert redact(out) == out


def test_spikes_need_a_real_jump() -> None:
    periods = [738000 + i for i in range(6)]
    found = spikes({"cause:lack_of_communication": [4, 5, 4, 5, 15, 5],
                    "area:pricing": [1, 0, 1, 0, 3, 0],  # tripled, but too few to mean anything
                    "area:delivery": [50, 55, 60, 52, 70, 50]},  # up, but not twice
                   periods, weekly=False)
    assert [(s["trigger"], s["count"]) for s in found] == [("cause:lack_of_communication", 15)]
    assert found[0]["text"].startswith("lack of communication up 3.3×")


def test_load_replays_the_service_model() -> None:
    angry = round(0.9 * SCALE)
    burst = [(0, angry), (1, angry), (2, angry), (3, angry)]  # four angry messages in four minutes
    policy = WellbeingConfig()  # the service's defaults: half-life 30 min, breather at 3.0
    peak, crossings = replay_load(burst, policy)
    assert peak > policy.breather and crossings == 1
    spread = [(i * 120, angry) for i in range(10)]  # one every two hours: it decays in between
    assert replay_load(spread, policy) == (pytest.approx(0.9 * 16 / 15, abs=1e-3), 0)
    later = [(600 + m, points) for m, points in burst]
    assert replay_load(burst + later, policy)[1] == 2
    assert replay_load(burst, WellbeingConfig(breather=4.0, overload=5.0))[1] == 0


messages = st.builds(
    Msg, st.sampled_from(["customer", "agent"]),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)
    | st.sampled_from(["I am FURIOUS, call me on 555-123-4567 or mail a.b@c.io!!", "Calm down.",
                       "I'm sorry, I will refund order #AB-12345 today by 5pm."]),
    st.none() | st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
    st.none() | st.sampled_from(["ann", "bob", "<b>eve</b>"]))


@settings(max_examples=25, deadline=None)
@given(threads=st.lists(st.lists(messages, min_size=1, max_size=5), min_size=1, max_size=4))
def test_any_conversations_give_a_report(threads: list[list[Msg]]) -> None:
    """Unicode, control characters, markup and odd times: counted, and rendered escaped."""
    stats = collect_chunk([Thread(f"t{i}", tuple(m)) for i, m in enumerate(threads)])
    data = {"meta": {"inputs": ["x"], "engine": "local", "where": "1 process", "seconds": 1,
                     "messages_per_second": 1,
                     "wellbeing": WellbeingConfig().model_dump()},
            "import": ImportTally().to_dict(), **figures(stats)}
    assert data["overview"]["messages"] == sum(len(t) for t in threads)
    html = render_html(json.loads(json.dumps(data)))
    assert "<b>eve</b>" not in html and "<script" not in html
