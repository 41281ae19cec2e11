"""The case reading: peak and decayed anger, trend over the customer's turns, open wants/flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmline.engine.analyzer import Analyzer
from calmline.engine.case_reading import (
    CaseReading,
    CaseRules,
    CaseTurn,
    advance,
    default_rules,
    open_flags,
    read_case,
    resolve_route,
)
from calmline.playbook.loader import load_playbook
from calmline.playbook.schema import CaseConfig

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ONE_TURN = 0.5 ** (1 / 3)  # the packaged half-life: three customer turns


def customer(score: float | None, minutes: float = 0.0, flags: tuple[tuple[str, str | None], ...] = (),
             wants: tuple[str, ...] = ()) -> CaseTurn:
    return CaseTurn("customer", T0 + timedelta(minutes=minutes), score, flags, wants)


AGENT = CaseTurn("agent")


def rules(**case: object) -> CaseRules:
    playbook = load_playbook()
    return CaseRules(CaseConfig(**{**playbook.case.model_dump(), **case}), playbook.anger)


def test_the_packaged_playbook_has_the_case_section() -> None:
    case = load_playbook().case
    assert (case.half_life_turns, case.half_life_minutes, case.trend_window) == (3, 60, 3)
    assert case.cooling_needs_reply


def test_hostile_manager_request_then_hello_stays_angry(analyzer: Analyzer) -> None:
    """The issue's case: the last message is calm, the case is not."""
    hostile = analyzer.analyze("You people are useless… I want your manager RIGHT NOW")
    hello = analyzer.analyze("Hello?? Is anyone there?")
    assert hostile.anger.level == "hostile" and hello.anger.level == "calm"
    reading = read_case([CaseTurn.from_analysis(hostile, T0),
                         CaseTurn.from_analysis(hello, T0 + timedelta(minutes=3))])
    assert reading.level in ("angry", "hostile") and reading.score >= 0.6
    assert reading.peak_level == "hostile" and reading.peak_turn == 1
    assert reading.latest_level == "calm"
    assert reading.trend == "steady"  # nobody answered: not cooling
    assert {(f.label, f.route) for f in reading.open_flags} >= {("abuse", "supervisor"),
                                                               ("manager", "supervisor")}
    assert "manager" in [w.label for w in reading.open_wants]


@pytest.mark.parametrize("turns, expected", [
    ([customer(0.9)], 0.9),
    ([customer(0.9), customer(0.0)], 0.9 * ONE_TURN),
    ([customer(0.9), customer(0.0), customer(0.0), customer(0.0)], 0.45),
    ([customer(0.9), customer(0.0, minutes=60)], 0.9 * ONE_TURN * 0.5),  # an hour later
    ([customer(0.2), customer(0.8)], 0.8),  # never below the latest message
    ([customer(0.9), AGENT, AGENT, customer(0.0)], 0.9 * ONE_TURN),  # agent turns do not fade it
    ([customer(0.9), customer(None)], 0.9),  # nothing scored: the anger stays as it was
])
def test_the_peak_fades_per_customer_turn_and_per_minute(turns: list[CaseTurn], expected: float
                                                         ) -> None:
    assert read_case(turns).score == pytest.approx(expected, abs=1e-6)


def test_levels_follow_the_decayed_score() -> None:
    turns = [customer(0.9)] + [customer(0.05, minutes=i) for i in range(1, 8)]
    levels = [read_case(turns[:n]).level for n in range(1, len(turns) + 1)]
    assert levels[:2] == ["hostile", "angry"]
    assert levels[-1] == "calm"
    order = ["calm", "annoyed", "frustrated", "angry", "hostile"]
    assert [order.index(x) for x in levels] == sorted((order.index(x) for x in levels), reverse=True)


@pytest.mark.parametrize("turns, trend", [
    ([customer(0.5)], None),
    ([customer(0.2), customer(0.5)], "rising"),
    ([customer(0.5), customer(0.52)], "steady"),
    ([customer(0.9), customer(0.1)], "steady"),  # unanswered: a calmer message is not cooling
    ([customer(0.9), AGENT, customer(0.1)], "cooling"),
    ([customer(0.9), customer(0.8), AGENT, customer(0.1)], "cooling"),
    ([customer(0.9), AGENT, customer(0.8), customer(0.1)], "cooling"),  # answered after the peak
])
def test_trend_over_the_customers_turns(turns: list[CaseTurn], trend: str | None) -> None:
    assert read_case(turns).trend == trend


def test_cooling_without_a_reply_when_the_playbook_says_so() -> None:
    turns = [customer(0.9), customer(0.1)]
    assert read_case(turns, rules(cooling_needs_reply=False)).trend == "cooling"


def test_wants_and_unrouted_flags_close_on_an_agent_reply_routed_flags_on_resolve() -> None:
    raised = customer(0.7, flags=(("abuse", "supervisor"), ("venting_note", None)),
                      wants=("refund", "manager"))
    reading = read_case([raised, customer(0.3, wants=("refund",))])
    assert [(w.label, w.since, w.last, w.times) for w in reading.open_wants] == [
        ("refund", 1, 2, 2), ("manager", 1, 1, 1)]
    assert [f.label for f in reading.open_flags] == ["abuse", "venting_note"]
    answered = advance(reading, AGENT)
    assert answered.open_wants == ()
    assert [(f.label, f.route) for f in answered.open_flags] == [("abuse", "supervisor")]
    assert resolve_route(answered, "legal").open_flags == answered.open_flags
    assert resolve_route(answered, "supervisor").open_flags == ()


def test_a_want_raised_again_after_a_reply_opens_anew() -> None:
    reading = read_case([customer(0.5, wants=("refund",)), AGENT, customer(0.5, wants=("refund",))])
    assert [(w.label, w.since, w.times) for w in reading.open_wants] == [("refund", 2, 1)]


def test_peak_keeps_the_hottest_message() -> None:
    reading = read_case([customer(0.4), customer(0.95), customer(0.6), customer(0.1)])
    assert (reading.peak_score, reading.peak_level, reading.peak_turn) == (0.95, "hostile", 2)
    assert reading.customer_turns == 4 and reading.latest_score == 0.1


def test_round_trip_and_stored_analyses_read_the_same(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("I want a refund for order 12345 or I'm calling my lawyer!!!")
    typed = read_case([CaseTurn.from_analysis(analysis, T0), AGENT])
    stored = read_case([CaseTurn.from_stored("customer", time=T0, analysis=analysis.to_dict()),
                        CaseTurn.from_stored("agent", time=T0)])
    assert typed == stored
    again = advance(typed, customer(0.2, minutes=5))
    assert CaseReading.from_dict(again.to_dict()) == again
    assert advance(CaseReading.from_dict(typed.to_dict()), customer(0.2, minutes=5)) == again


def test_an_empty_case_reads_calm() -> None:
    reading = read_case([])
    assert (reading.score, reading.level, reading.trend, reading.peak_turn) == (0.0, "calm", None, None)
    assert advance(None, AGENT) == reading
    assert default_rules() is default_rules()


_FLAG = st.tuples(st.sampled_from(["self_harm", "legal", "abuse", "security"]),
                  st.sampled_from([None, "", "none", "wellbeing", "legal", "security"]))
_TURN = st.one_of(st.just(AGENT), st.builds(
    lambda score, flags: customer(score, flags=tuple(flags)),
    st.one_of(st.none(), st.floats(0, 1)), st.lists(_FLAG, max_size=3)))


@given(st.lists(_TURN, max_size=12))
def test_the_open_flags_alone_are_the_case_readings(turns: list[CaseTurn]) -> None:
    assert open_flags(turns) == read_case(turns).open_flags
