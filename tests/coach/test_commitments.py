from __future__ import annotations

from datetime import UTC, datetime

import pytest

from calmline.engine.commitments import extract_commitments, find_times, find_vague

NOW = datetime(2026, 11, 24, 10, 12, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize("text, span, due", [
    ("I will call you by 4pm today", "by 4pm", datetime(2026, 11, 24, 16, 0, tzinfo=UTC)),
    ("you'll have it within 24 hours", "within 24 hours", datetime(2026, 11, 25, 10, 12, tzinfo=UTC)),
    ("refund lands within 3-5 business days", "within 3-5 business days",
     datetime(2026, 12, 1, 17, 0, tzinfo=UTC)),
    ("I'll update you by Thursday", "by Thursday", datetime(2026, 11, 26, 17, 0, tzinfo=UTC)),
    ("an engineer comes tomorrow morning", "tomorrow morning", datetime(2026, 11, 25, 12, 0, tzinfo=UTC)),
    ("I'll ring tomorrow at 6pm", "tomorrow", datetime(2026, 11, 25, 18, 0, tzinfo=UTC)),
    ("by the end of the week", "by the end of the week", datetime(2026, 11, 27, 17, 0, tzinfo=UTC)),
    ("within the hour", "within the hour", datetime(2026, 11, 24, 11, 12, tzinfo=UTC)),
    ("on 28th of November", "28th of November", datetime(2026, 11, 28, 17, 0, tzinfo=UTC)),
])
def test_real_times_resolve_against_the_message_time(text: str, span: str, due: datetime) -> None:
    found = find_times(text, NOW)
    assert found and found[0].text == span
    assert found[0].due == due


@pytest.mark.parametrize("text", ["We'll get back to you soon", "shortly", "as soon as possible",
                                  "in due course", "at some point"])
def test_vague_times_are_not_times(text: str) -> None:
    assert find_times(text, NOW) == []
    assert find_vague(text)


@pytest.mark.parametrize("text, expected", [
    ("I will call you tomorrow.", [("call you tomorrow", "tomorrow")]),
    ("My supervisor Jo will ring you by 2pm, and I'll email you the summary.",
     [("ring you by 2pm", "by 2pm"), ("email you the summary", None)]),
    ("You'll receive a confirmation email within the next hour.",
     [("receive a confirmation email within the next hour", "within the next hour")]),
    ("I won't call you again.", []),
    ("Thanks for waiting.", []),
])
def test_promises_become_commitments(text: str, expected: list[tuple[str, str | None]]) -> None:
    found = extract_commitments(text, NOW)
    assert [(c.what, c.due_text) for c in found] == expected
    for c in found:
        assert text[c.evidence.start:c.evidence.end] == c.evidence.text
        assert (c.due is None) == (c.due_text is None)


def test_naive_message_time_is_taken_as_utc() -> None:
    naive = datetime(2026, 11, 24, 10, 12)
    assert find_times("by 4pm", naive)[0].due == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_the_customer_s_facts_and_the_agent_s_times_share_one_grammar() -> None:
    """What the facts detector reads as a number or a month, a promise's deadline resolves."""
    from calmline import default_engine

    facts = default_engine().analyze("On hold for eleven days about the order from 3rd Sept.").facts
    assert {(f.kind, f.text) for f in facts} >= {("duration", "On hold for eleven days"),
                                                 ("date", "3rd Sept")}
    (eleven,) = find_times("I'll have the replacement with you within eleven days", NOW)
    assert eleven.due == datetime(2026, 12, 5, 10, 12, tzinfo=UTC)
    (september,) = find_times("I'll call you on 3rd Sept", NOW)
    assert (september.due.month, september.due.day) == (9, 3)


@pytest.mark.parametrize("text", ["I'll ring you Monday Night", "I'll call you Tomorrow Morning",
                                  "We'll be there FRIDAY EVENING"])
def test_a_capitalised_part_of_the_day_is_read_like_a_small_one(text: str) -> None:
    (found,) = find_times(text, NOW)
    assert found.due == find_times(text.lower(), NOW)[0].due
