"""The reading of complaints that say what went wrong plainly, and of look-alikes that do not.

A complaint that is quiet in tone ("the tickets were for the wrong date", "the waiter was rude to
my mother") must still read as a complaint: above calm or with a root cause. The coach reviews a
draft for defensive replies only against a complaint (`DraftContext.complaint`), so a complaint
read as calm and uncaused lets a defensive reply through. The look-alikes (questions, thanks,
bookings that name an allergy, a customer's own number not recognised by another company's app)
must stay calm and uncaused, and none is an account takeover.
"""

from __future__ import annotations

import pytest

from calmline.engine.analysis import Analysis
from calmline.engine.analyzer import Analyzer

COMPLAINTS = [
    # reported: read calm and uncaused
    "I'm really disappointed, the concert tickets I bought were for the wrong date",
    "your restaurant served her a dessert with almonds",
    "The instructor shouted at my son",
    # written for this check
    "The hotel put us in a single room when I'd paid for the family suite.",
    "So let down, the flowers came on the wrong day and the birthday was yesterday.",
    "The train tickets you emailed me are for March, I booked for April.",
    "The sandwich you labelled nut-free had peanut butter in it and my daughter is allergic.",
    "We asked for the gluten-free pizza for my husband and got a normal one, he's been ill all night.",
    "Your driver swore at my elderly father when he asked to see ID.",
    "The waiter was rude to my wife and laughed at her in front of everyone.",
    "The receptionist spoke to my grandmother as if she were a child.",
    "The sofa came with a long tear down one arm.",
    "Your technician scratched our kitchen floor dragging the fridge out.",
    "My son came back from your holiday club with a cut on his head and nobody told us.",
    "The coach driver left my twelve-year-old behind at the service station.",
    "I'm quite upset, the cake says Happy Birthday Sarah and her name is Sara.",
    "I feel really disappointed by how your staff treated my mum yesterday.",
]

# The semantic heads (trained by `make models`) read these as a complaint: the playbook's phrases
# and examples cannot overrule a head, only retraining it can. Kept so that a retrain that fixes
# them is seen (strict: an unexpected pass fails).
HEAD_OVER_READS = {
    "Can I move my booking to the 14th instead?": "outside_stress head",
    "I'd like a table for four on Saturday, one of us can't eat almonds.": "unmet_expectations head",
    "We're moving the shop's phone number over to you next week, what do I need to do?": "level head",
    "Not upset at all, just wondering when the refund usually lands.": "level and cause heads",
}

CALM = [
    "Could you tell me whether the concert starts at seven or eight?",
    "Thanks so much, the replacement tickets are perfect.",
    "Does the dessert menu list the allergens anywhere?",
    "My son loved the swimming lessons, please thank his instructor for us.",
    "What's the difference between the standard and the deluxe rooms?",
    "Lovely evening, your staff were so kind to my mum on her birthday.",
    *(pytest.param(text, marks=pytest.mark.xfail(reason=why, strict=True))
      for text, why in HEAD_OVER_READS.items()),
]

NOT_TAKEOVER = [
    "Customers ringing me get 'number not recognised'",  # reported: routed to security
    "My fitness app says 'number not recognised' when I type my mobile in, is that on your side?",
    "The parking app keeps telling me my number plate isn't recognised.",
    "Since I moved my number to you, callers to the shop hear 'this number is not recognised'.",
    "I don't recognise the new website layout, where has the order history gone?",
    "Our landline transfer failed and people ringing us get a dead tone.",
]


def _is_complaint(analysis: Analysis) -> bool:
    """The coach's rule (`DraftContext.complaint`): above calm, or a root cause named."""
    return analysis.anger.level != "calm" or bool(analysis.causes)


@pytest.mark.parametrize("text", COMPLAINTS)
def test_a_plainly_worded_complaint_reads_as_one(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert _is_complaint(analysis), (analysis.anger.level, analysis.causes)


@pytest.mark.parametrize("text", CALM)
def test_a_calm_look_alike_stays_calm_and_uncaused(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.anger.level == "calm", analysis.anger
    assert not analysis.causes, [(c.label, c.reason) for c in analysis.causes]


@pytest.mark.parametrize("text", NOT_TAKEOVER)
def test_a_number_or_fault_not_recognised_is_no_takeover(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert "account_security" not in {f.label for f in analysis.flags}, analysis.flags
    assert not analysis.escalate.routes, analysis.escalate


@pytest.mark.parametrize("text", [
    "I got a text with a login code I never asked for and now my number's not recognised.",
    "There's a £60 payment I didn't make. Also my phone number isn't recognised any more.",
])
def test_a_takeover_with_its_context_in_the_message_still_flags(analyzer: Analyzer, text: str) -> None:
    """The account, code or payment may be named in another sentence than the one read as a
    takeover: the message is its context."""
    assert "account_security" in {f.label for f in analyzer.analyze(text).flags}
