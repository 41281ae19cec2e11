"""A plain request to cancel, and a customer who leaves because they are upset.

PLAYBOOK §2 lists churn among the threats: a customer who threatens to leave is routed to
retention. A calm request to cancel ("I'd like to cancel my broadband contract please, I'm moving
abroad") is the `cancellation` want and threatens nothing: a retention call is the wrong answer to
it. The churn flag's `protest` rule (playbook) tells them apart: its own phrases ("I'm switching to
another provider", "you've lost a customer") are the threat at any level; a request to cancel is
churn only from `protest.min_level` up (as the message reads before any flag's floor), and never
with a reason the company cannot change (moving abroad, a death, a new job). The level is the
feeling, not the threat: a calm request does not read frustrated either. Without the semantic tier
the words alone cannot tell a calm request from a curt, upset one: there a request stays churn
unless a reason is given, and the flag's floor still stands in for the meaning. Written for this
check; none is a row of a data set.
"""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from calmline.playbook.schema import LEVELS

# The level head (trained by `make models`) reads these calm requests as upset on its own: the
# team's labelled cancellations are mostly upset ones, and only retraining the head can change
# that. Kept so that a retrain that fixes them is seen (strict: an unexpected pass fails). Their
# reason (retired, a death) still keeps them from retention.
HEAD_OVER_READS = {
    "Could you close my account? I've retired and don't need the business line any more.":
        "level head: angry",
    "Please cancel the contract on my late father's phone, I have the death certificate ready.":
        "level head: frustrated",
}

CALM = [
    "I want to cancel my subscription.",
    "I'd like to cancel my broadband contract please, I'm moving abroad",
    "Please cancel my membership from the end of the month, I've taken a job in another city.",
    "We'd like to cancel our subscription when the year is up, the kids have left home. Thanks!",
    "Can you cancel my plan at the end of this billing cycle? No problems, just cutting back.",
    "I'm cancelling my account because I'm moving in with my partner and we'll share hers.",
]

UPSET = [
    "Cancel my account. I've had enough of being ignored.",
    "I'm cancelling my subscription, you've put the price up three times this year without a word.",
    "I've been trying to cancel my membership for six weeks and you're still taking money.",
    "After ten years I'm done with you. Close my account.",
    "Your service has been down every evening this week. I'm switching to another provider.",
    "Cancel the contract. I'm not paying for a broadband that doesn't work.",
    "That's it, I'll take my business elsewhere.",
    "Cancel my subscription now or I'm reporting you to my bank.",
]


def _retention(analyzer: Analyzer, text: str) -> tuple[set[str], tuple[str, ...]]:
    analysis = analyzer.analyze(text)
    return {f.label for f in analysis.flags}, analysis.escalate.routes


@pytest.mark.parametrize("text", [*CALM, *HEAD_OVER_READS])
def test_a_calm_request_to_cancel_is_a_want_not_a_threat(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert "churn" not in {f.label for f in analysis.flags}, analysis.flags
    assert "retention" not in analysis.escalate.routes
    assert "cancellation" in analysis.want_labels()


@pytest.mark.parametrize("text", [
    *CALM, *(pytest.param(text, marks=pytest.mark.xfail(reason=why, strict=True))
             for text, why in HEAD_OVER_READS.items())])
def test_a_calm_request_to_cancel_is_not_read_frustrated(analyzer: Analyzer, text: str) -> None:
    anger = analyzer.analyze(text).anger
    assert LEVELS.index(anger.level) <= LEVELS.index("annoyed"), anger.reason


@pytest.mark.parametrize("text", UPSET)
def test_an_upset_customer_who_leaves_is_routed_to_retention(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert "churn" in {f.label for f in analysis.flags}
    assert "retention" in analysis.escalate.routes
    assert analysis.anger.level != "calm", analysis.anger.reason


@pytest.mark.parametrize("text", [
    "I'm moving house next month, so cancel my contract. I'm switching to another provider at the "
    "new place, yours has been awful.",
    "I'm leaving. Moving house or not, you've lost a customer.",
])
def test_a_threat_to_leave_is_churn_whatever_the_reason(analyzer: Analyzer, text: str) -> None:
    flags, routes = _retention(analyzer, text)
    assert "churn" in flags and "retention" in routes


@pytest.mark.parametrize("text", [
    "I'm not moving abroad or anything, I'm cancelling my contract because your outages have cost "
    "me a week of work and nobody has called me back.",
])
def test_a_negated_reason_is_no_reason(analyzer: Analyzer, text: str) -> None:
    assert "churn" in _retention(analyzer, text)[0]


@pytest.mark.parametrize("text", [
    "I'm leaving the country in June, please cancel my contract.",
    "I'm leaving for holiday tomorrow so please deliver before then.",
])
def test_leaving_somewhere_is_not_leaving_us(fast_analyzer: Analyzer, text: str) -> None:
    assert "churn" not in _retention(fast_analyzer, text)[0]


def test_without_the_semantic_tier_the_churn_floor_still_applies(fast_analyzer: Analyzer) -> None:
    """The fast path cannot tell a calm request from a threat to leave: the floor stands in."""
    anger = fast_analyzer.analyze("You've lost a customer.").anger
    assert anger.level == "frustrated" and "because of churn" in anger.reason, anger


def test_without_the_semantic_tier_a_request_stays_churn_unless_a_reason_is_given(
        fast_analyzer: Analyzer) -> None:
    """Its words alone cannot tell "Cancel my subscription." calm from curt and upset."""
    assert "churn" in _retention(fast_analyzer, "Cancel my subscription.")[0]
    flags, routes = _retention(fast_analyzer, "Please cancel my subscription, I'm emigrating.")
    assert "churn" not in flags and "retention" not in routes


def test_a_raised_level_says_how_sure_the_level_head_is(analyzer: Analyzer) -> None:
    """The example shown only illustrates the level; the reason gives the head's own odds."""
    anger = analyzer.analyze("I want to cancel my subscription.").anger
    assert "raised by meaning" in anger.reason and "because of churn" not in anger.reason
    assert f"that it is {anger.level} or above" in anger.reason, anger.reason
