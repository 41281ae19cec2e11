"""The phrase families the coach learned to read on the team's drafts (issue 11, part 3), each in
sentences of its own, not the set's: a partner named as the one who failed, advice after the event,
a loaded question about what the customer did, a record or a rule held up against them, a scolding
about their tone. Beside each, the good reply that shares its words and must stay clean; and an
explanation or a rule followed by the agent's own fix is neither an excuse nor a wall."""

from __future__ import annotations

import pytest

from calmline.engine.core import Engine
from calmline.engine.cues import CueScanner, DraftContext
from calmline.playbook.coach_loader import load_coach


@pytest.fixture(scope="module")
def scanner() -> CueScanner:
    return CueScanner(load_coach())


def labels(scanner: CueScanner, draft: str) -> set[str]:
    return set(scanner.scan(draft, DraftContext(complaint=True)).anti_patterns)


@pytest.mark.parametrize(("draft", "label"), [
    # a partner or supplier named as the one who failed: blame as well as the excuse
    ("The lamp was late because our supplier sent the wrong shade, so we had to wait.", "blame"),
    ("There was a problem with our delivery company over the holidays.", "blame"),
    ("The driver works for one of our partners, so I'll pass it on.", "blame"),
    ("Refunds are handled by a separate finance company, not by this office.", "blame"),
    # advice after the event: what the customer should have done
    ("It's always safest to check the size guide before you buy.", "blame"),
    ("Slots go quickly, so it's best to call at 8 rather than later in the morning.", "blame"),
    ("Did you leave the parcel box unlocked?", "blame"),
    ("Your application was missing a payslip. It appears no document was uploaded.", "blame"),
    # a record, a notice or a check held up against what they say
    ("The price change was announced on our website in March.", "argue"),
    ("The booking says two adults, not three.", "argue"),
    ("The app is working fine for everyone else.", "argue"),
    ("Our meters are very accurate.", "argue"),
    ("The reminder was sent to your registered email on Monday.", "argue"),
    ("The driver logged that nobody answered the door.", "argue"),
    # scolding their tone
    ("Please stop shouting at me.", "argue"),
    ("Abusive language may lead to this chat being closed.", "argue"),
    # waving it away
    ("Delays like this are fairly normal in winter.", "minimise"),
    ("It's probably just a blip, there's nothing to worry about.", "minimise"),
    ("Eight weeks is within our normal timescale.", "minimise"),
    # a rule with no way round it
    ("That discount is only for new customers.", "policy"),
])
def test_a_family_the_drafts_taught_is_read(scanner: CueScanner, draft: str, label: str) -> None:
    assert label in labels(scanner, draft)


@pytest.mark.parametrize("draft", [
    "What postcode did you use for the order?",  # a fact asked for, not a loaded question
    "I've spoken to our supplier and the right shade goes out today.",
    "I've logged the leak as an urgent repair, reference R-1101.",
    "I tried calling you this morning; I'll try again at 2pm.",
    "I've refunded the fee, and the add-on you would have been offered is now on your plan.",
    "The assessor was waiting on them, so I've authorised the repair myself today.",
    "Thank you for your photos; they show the car clean, and I've refunded the fee.",
    "It's completely normal for the first bill to show a pro-rata charge.",
    "It's best to leave the house now and call the gas emergency line from outside.",
    "I'm required to ask two security questions, and then I'll unlock it for you.",
])
def test_the_good_reply_with_the_same_words_stays_clean(scanner: CueScanner, draft: str) -> None:
    found = labels(scanner, draft)
    assert not found & {"blame", "argue", "minimise", "policy"}, found


# the fix is often found by the reply heads alone ("I've placed it again"), so these read as reviews
ORDER = [{"role": "customer", "text": "My order was cancelled and I need it for tomorrow. What happened?"}]
CLAIM = [{"role": "customer", "text": "Six weeks with the assessor and still no car. What is going on?"}]


def test_an_explanation_followed_by_the_agents_fix_is_no_excuse(engine: Engine) -> None:
    why = "The order was cancelled automatically because the card check timed out."
    assert engine.review(why, ORDER).flagged("excuse")
    fixed = why + (" I've placed it again and sent it by next-day courier at no extra cost, so it arrives "
                   "tomorrow.")
    review = engine.review(fixed, ORDER)
    assert review.found("solution") and not review.flagged("excuse"), review.anti_patterns


def test_an_excuse_tacked_on_after_the_fix_is_still_one(engine: Engine) -> None:
    draft = ("I've placed the order again at no charge, and it will arrive tomorrow by 1pm. "
             "We've been really busy this week, that's why it was late.")
    assert engine.review(draft, ORDER).flagged("excuse")


def test_a_rule_with_the_fix_in_its_own_sentence_is_no_wall(engine: Engine) -> None:
    draft = ("I'm sorry it has taken so long. I've authorised the repair under your own policy "
             "today, and the garage will call you by Wednesday to book it in.")
    review = engine.review(draft, CLAIM)
    assert not review.flagged("policy") and review.verdict != "blocked", review.anti_patterns
