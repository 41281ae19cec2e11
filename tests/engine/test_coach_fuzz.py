"""Wild draft text never crashes `review` and always gives a score in [0, 100]."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmline.engine.coach import review
from tests.coach.support import coach_analyzer, turns

CHAT = turns(("customer", "My order #A-99120 is late and I was on hold for 2 hours!!"),
             ("agent", "I'm sorry, let me check."), ("customer", "When will it arrive?"))
WILD = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(["", "\x00\x01\x1b[31m", "😡🤬" * 50, "!!!???", "I'll " * 500, "[refund amount]",
                     "sorry " * 2000, "by 99:99pm on the 45th of Smarch", "within 999999 days"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draft=WILD)
def test_review_never_crashes(draft: str) -> None:
    result = review(draft, CHAT, coach_analyzer())
    assert 0 <= result.score <= 100
    for item in result.anti_patterns:
        for ev in item.evidence:
            assert draft[ev.start:ev.end] == ev.text


def test_huge_draft_is_reviewed_on_its_head() -> None:
    result = review("I'm sorry. " + "x" * 200_000, CHAT, coach_analyzer())
    assert result.found("apology")
