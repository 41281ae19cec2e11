"""A plain request to cancel, and a customer who leaves because they are upset.

The churn patterns find both ("cancel my subscription"), and the flag routes both to retention.
The level is the feeling, not the threat: a calm request to cancel must not read frustrated or
above because of the flag (`flags.churn.anger_floor_fast_path_only`: where the level head read the
message, the flag's floor does not apply), while an upset customer who leaves still reads upset by
their own words and by meaning. Without the semantic tier the floor still stands in for the
meaning. Written for this check; none is a row of a data set.
"""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from calmline.playbook.schema import LEVELS

# The level head (trained by `make models`) reads these calm requests as upset on its own: the
# team's labelled cancellations are mostly upset ones, and only retraining the head can change
# that. Kept so that a retrain that fixes them is seen (strict: an unexpected pass fails).
HEAD_OVER_READS = {
    "Could you close my account? I've retired and don't need the business line any more.":
        "level head: angry",
    "Please cancel the contract on my late father's phone, I have the death certificate ready.":
        "level head: frustrated",
}

CALM = [
    "I want to cancel my subscription.",
    "Please cancel my membership from the end of the month, I've taken a job in another city.",
    "We'd like to cancel our subscription when the year is up, the kids have left home. Thanks!",
    "Can you cancel my plan at the end of this billing cycle? No problems, just cutting back.",
    "I'm cancelling my account because I'm moving in with my partner and we'll share hers.",
    *(pytest.param(text, marks=pytest.mark.xfail(reason=why, strict=True))
      for text, why in HEAD_OVER_READS.items()),
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


@pytest.mark.parametrize("text", CALM)
def test_a_calm_request_to_cancel_is_not_read_frustrated(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert "churn" in {f.label for f in analysis.flags}, "still flagged and routed to retention"
    assert LEVELS.index(analysis.anger.level) <= LEVELS.index("annoyed"), analysis.anger.reason


@pytest.mark.parametrize("text", UPSET)
def test_an_upset_customer_who_leaves_still_reads_upset(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert "churn" in {f.label for f in analysis.flags}
    assert analysis.anger.level != "calm", analysis.anger.reason


def test_without_the_semantic_tier_the_churn_floor_still_applies(fast_analyzer: Analyzer) -> None:
    """The fast path cannot tell a calm request from a threat to leave: the floor stands in."""
    anger = fast_analyzer.analyze("You've lost a customer.").anger
    assert anger.level == "frustrated" and "because of churn" in anger.reason, anger


def test_a_raised_level_says_how_sure_the_level_head_is(analyzer: Analyzer) -> None:
    """The example shown only illustrates the level; the reason gives the head's own odds."""
    anger = analyzer.analyze("I want to cancel my subscription.").anger
    assert "raised by meaning" in anger.reason and "because of churn" not in anger.reason
    assert f"that it is {anger.level} or above" in anger.reason, anger.reason
