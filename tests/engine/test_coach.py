"""Table-driven tests of `review`: behaviours, anti-patterns, gaps, score and next move."""

from __future__ import annotations

import json

import pytest

from calmline.conversation import parse_conversation
from calmline.engine.coach import Review, review
from calmline.errors import InputError
from tests.coach.support import coach_analyzer, turns

LAPTOP = turns(("customer", "Hi, my order #LP-48213, a ThinkBook 14, was supposed to arrive last Friday "
                            "and it still hasn't come. Where is it?"))
BILLING = turns(("customer", "You charged my card twice for the same invoice, $89.99 two times. "
                             "I want a refund."))
VENTING = turns(("customer", "This is absolutely ridiculous. I am so fed up with your company, "
                             "every single time it's the same story."))


def run(draft: str, conversation: list[dict[str, str]] = LAPTOP) -> Review:
    return review(draft, conversation, coach_analyzer())


def assert_spans_quote_draft(result: Review) -> None:
    for item in (*[b for b in result.behaviours if b.found], *result.anti_patterns):
        for ev in item.evidence:
            if ev.start >= 0:
                assert result.draft[ev.start:ev.end] == ev.text, (item.label, ev)


@pytest.mark.parametrize("draft, behaviour", [
    ("That sounds really frustrating, I'm sorry.", "acknowledge"),
    ("I completely understand why you're upset about this.", "acknowledge"),
    ("I'm so sorry about the delay.", "apology"),
    ("Thank you for your patience while I check.", "thanks"),
    ("So your ThinkBook 14 on order LP-48213 was due last Friday and still hasn't arrived, right?",
     "repeat_back"),
    ("Which address was it meant to go to?", "clarifying_question"),
    ("Let me chase the courier for you.", "ownership"),
    ("I can send you a replacement laptop by express delivery.", "solution"),
    ("I can refund it, or if you'd prefer, send a new one. Which would you like?", "options"),
    ("I'll call the depot and update you by 3pm today.", "timeline"),
    ("To confirm, I'll chase the courier today and email you by Thursday.", "confirm"),
    ("Please bear with me while I look into this.", "calm_tone"),
])
def test_good_behaviours_are_found_with_evidence(draft: str, behaviour: str) -> None:
    result = run(draft)
    assert result.found(behaviour), [b.label for b in result.behaviours if b.found]
    check = next(b for b in result.behaviours if b.label == behaviour)
    assert check.evidence
    assert_spans_quote_draft(result)


@pytest.mark.parametrize("draft, anti", [
    ("The courier has had a lot of problems lately, that's why it's late.", "excuse"),
    ("That's the courier's fault, not ours.", "blame"),
    ("You must have typed the wrong address.", "blame"),
    ("Please calm down, it's not a big deal.", "minimise"),
    ("As I already explained, it's on its way.", "argue"),
    ("Did you even check with your neighbours?", "argue"),
    ("WHAT DO YOU WANT ME TO DO ABOUT IT!!!", "hostile_tone"),
    ("Deliveries take 3-5 working days, that's our policy.", "policy"),
    ("I guarantee this will never happen again.", "over_promise"),
    ("I'll sort it out right away.", "instant_promise"),
])
def test_anti_patterns_are_flagged_with_why_and_rewrite(draft: str, anti: str) -> None:
    result = run(draft)
    found = {a.label: a for a in result.anti_patterns}
    assert anti in found, list(found)
    assert found[anti].why and found[anti].rewrite and found[anti].evidence
    assert result.next_move.startswith("Rewrite “")
    assert_spans_quote_draft(result)


@pytest.mark.parametrize("draft, blames", [
    ("You should tell us before you travel so the card isn't blocked.", True),
    ("Please check artwork carefully before sending, as reprints delay orders.", True),
    ("You can cancel in the app, there was no need to wait on hold.", True),
    ("Please check that the address you gave us was correct.", True),
    ("The photos you submitted didn't show the water line, so the adjuster went back.", True),
    ("The payment followed his nomination form, so this was his choice.", True),
    ("The festival was cancelled by the promoter, not by us.", True),
    # the same words where nobody is blamed
    ("Please check the parcel when it arrives and tell me if anything is damaged.", False),
    ("There was no need to apologise, you've been very patient.", False),
    ("It's your choice: a refund today, or a replacement on Friday.", False),
    ("You should receive the refund by Friday.", False),
])
def test_what_the_customer_should_have_done_is_blame(draft: str, blames: bool) -> None:
    assert run(draft).flagged("blame") is blames, [a.label for a in run(draft).anti_patterns]


@pytest.mark.parametrize("draft, anti, named", [
    # saying there is no guarantee is the honest opposite of giving one
    ("I'm afraid there's no guarantee of a car at a specific time, but I've asked the depot.",
     "over_promise", False),
    ("Pre-approval doesn't guarantee a loan; I've checked and your file is with an underwriter.",
     "over_promise", False),
    ("I guarantee it will be there on Friday.", "over_promise", True),
    ("You'll have the money back today, guaranteed.", "over_promise", True),
    # a guaranteed service named, not a promise about this case
    ("I've booked Thursday 8 to 10, with a guaranteed call 30 minutes before.", "over_promise", False),
    ("I've emailed it now from lettings@, so please check your spam if it isn't there.", "blame", False),
    ("Did you check your spam folder?", "blame", True),
    # waving it off as something that happens minimises; it names no circumstance of the company's
    ("Unfortunately these things happen, it should be back later today.", "minimise", True),
    ("Unfortunately these things happen, it should be back later today.", "excuse", False),
    # the record or the small print held up against what the customer says
    ("Our cancellation policy doesn't allow refunds, as it clearly says on the booking page.",
     "argue", True),
    ("As you were told on each of your calls, the claim is with the adjuster.", "argue", True),
    ("I'm afraid the letter was correctly sent to the address we held.", "argue", True),
    ("Missed sessions are not refunded, in line with the terms of booking.",
     "policy", True),
    ("Damage must be reported within 24 hours of delivery.", "policy", True),
    ("I've refunded you in full, and the damage report is in line with what you told me.", "policy",
     False),
    # how small, rare or sure to pass it is, said to someone it has already happened to
    ("There's no reason to cry, the gems will come.", "minimise", True),
    ("Our pharmacists check every order twice, so this is a very rare mistake.", "minimise", True),
    ("If it were serious they would have called, so no news is good news.", "minimise", True),
    ("He'll most likely be fine by next week.", "minimise", True),
    ("Call-backs have slipped a little this week.", "minimise", True),
    # "trained to" and "lots of people" are how a reply argues or minimises, not an excuse
    ("Our drivers are trained to be polite, so I'm sure there's been a misunderstanding.", "excuse",
     False),
])
def test_which_anti_pattern_a_phrase_names(draft: str, anti: str, named: bool) -> None:
    assert run(draft).flagged(anti) is named, [a.label for a in run(draft).anti_patterns]


@pytest.mark.parametrize("draft, conversation, gap, present", [
    ("I can refund you.", BILLING, "no_timeline", True),
    ("I can refund the $89.99 to your card within 3-5 business days.", BILLING, "no_timeline", False),
    ("I can refund the duplicate charge within 3 business days.", BILLING, "never_repeated_back", True),
    ("So you were charged $89.99 twice; I can refund it within 3 business days.", BILLING,
     "never_repeated_back", False),
    ("I will email you the label.", LAPTOP, "promise_without_when", True),
    ("I will email you the label by 5pm today.", LAPTOP, "promise_without_when", False),
    ("Let me check the tracking for you.", LAPTOP, "order_ignored", True),
    ("Let me check the tracking for order LP-48213.", LAPTOP, "order_ignored", False),
])
def test_missing_items_depend_on_the_moment(draft: str, conversation: list[dict[str, str]], gap: str,
                                            present: bool) -> None:
    labels = [g.label for g in run(draft, conversation).missing]
    assert (gap in labels) is present, labels


@pytest.mark.parametrize("draft, counts", [
    ("I understand your issue and I'm looking into it.", False),  # generic: restates nothing
    ("So, just to confirm, you have a problem with something.", False),
    ("Just to check: order LP-48213 was due last Friday and hasn't arrived.", True),
])
def test_repeat_back_needs_the_customers_own_facts(draft: str, counts: bool) -> None:
    assert run(draft).found("repeat_back") is counts


@pytest.mark.parametrize("draft, counts", [
    ("I'll update you soon.", False), ("I'll update you shortly.", False),
    ("I'll update you by Thursday.", True), ("I'll update you within 24 hours.", True),
])
def test_timeline_needs_a_real_time(draft: str, counts: bool) -> None:
    assert run(draft).found("timeline") is counts


@pytest.mark.parametrize("draft, counts", [
    # the rule's time and the record's time, in the sentence that cites the rule or argues
    ("Our cancellation policy doesn't allow refunds within 30 days.", False),
    ("Damage must be reported within 24 hours of delivery.", False),
    # the same kind of time for what the agent will do still counts, even beside such a sentence
    ("Damage must be reported within 24 hours of delivery. I'll send a new one by Friday.", True),
])
def test_a_time_the_rule_or_record_gives_is_no_timeline(draft: str, counts: bool) -> None:
    assert run(draft).found("timeline") is counts


def test_promise_is_a_structured_commitment_resolved_against_the_message_time() -> None:
    chat = [{"role": "customer", "text": "Where is my parcel?", "time": "2026-11-24T10:00:00Z"}]
    result = run("I will call you tomorrow with an update.", chat)
    (commitment,) = result.commitments
    assert commitment.what.startswith("call you tomorrow") and commitment.due_text == "tomorrow"
    assert commitment.due is not None and commitment.due.isoformat() == "2026-11-25T17:00:00+00:00"


def test_third_apology_in_a_conversation_is_a_gap_and_scores_nothing() -> None:
    chat = [*BILLING, {"role": "agent", "text": "I'm so sorry about that."},
            {"role": "customer", "text": "ok"}, {"role": "agent", "text": "Sorry again, checking."},
            {"role": "customer", "text": "fine"}]
    result = run("I'm sorry, I'm still checking.", chat)
    assert "apology_string" in [g.label for g in result.missing]
    assert not result.found("apology")


def test_solution_while_venting_and_an_acknowledgement_instead() -> None:
    fix = run("I can refund you the full amount.", VENTING)
    assert fix.moment == "venting" and fix.flagged("solution_while_venting")
    listen = run("I'm so sorry. That sounds incredibly frustrating, I'm listening.", VENTING)
    assert not listen.flagged("solution_while_venting") and listen.score > fix.score


def test_answering_a_different_question_is_flagged() -> None:
    chat = turns(("customer", "When will my replacement blender arrive?"))
    assert run("Our new range of kettles is on sale this week.", chat).flagged("off_topic")
    assert not run("Your replacement blender will arrive by Thursday.", chat).flagged("off_topic")
    # an excuse sent instead of an answer is named as the excuse, not twice
    excuse = run("We're very short-staffed in the warehouse this month.", chat)
    assert excuse.flagged("excuse") and not excuse.flagged("off_topic"), excuse.anti_patterns
    # the evidence is the reply's opening, past the greeting line, which answers nothing either way
    email = "Dear Sam,\n\nOur new range of kettles is on sale this week.\n\nRegards"
    found = next(a for a in run(email, chat).anti_patterns if a.label == "off_topic")
    assert [e.text for e in found.evidence] == ["Our new range of kettles is on sale this week."]


@pytest.mark.parametrize("good, bad", [
    ("I'm so sorry your ThinkBook 14 hasn't arrived; that must be really frustrating. Order LP-48213 "
     "was due last Friday, so let me chase the courier now and I'll update you by 3pm today.",
     "Calm down, it's the courier's fault and these things happen."),
    ("Thank you for flagging this; being charged twice is really frustrating. So you were charged "
     "$89.99 twice: I'll refund the duplicate within 3-5 business days.",
     "That's our policy, refunds take a while."),
])
def test_good_replies_outscore_bad_ones(good: str, bad: str) -> None:
    conversation = LAPTOP if "ThinkBook" in good else BILLING
    g, b = run(good, conversation), run(bad, conversation)
    assert g.score >= 80 > 40 >= b.score, (g.breakdown, b.breakdown)
    assert sum(g.breakdown.values()) >= g.score - 0.5 or g.score == 100


def test_review_accepts_a_conversation_object_and_serialises_to_json() -> None:
    conversation = parse_conversation({"id": "c1", "messages": LAPTOP})
    result = review("Let me look into order LP-48213 for you.", conversation, coach_analyzer())
    data = json.loads(json.dumps(result.to_dict(), default=str))
    assert data["score"] == result.score and data["next_move"]
    assert {"moment", "extra", "anti_patterns", "missing"} == set(data["breakdown"])


@pytest.mark.parametrize("draft, conversation", [(None, LAPTOP), ("hi", "not a conversation"),
                                                 ("hi", [{"role": "bot", "text": "x"}])])
def test_bad_input_is_an_input_error(draft: object, conversation: object) -> None:
    with pytest.raises(InputError):
        review(draft, conversation, coach_analyzer())  # type: ignore[arg-type]


def test_empty_draft_scores_zero() -> None:
    result = run("   ")
    assert result.score == 0 and not any(b.found for b in result.behaviours)


def test_a_rewrite_adds_no_second_apology_to_a_draft_that_says_sorry() -> None:
    """"I'm sorry about that. Cancellations can take up to 30 days..." was rewritten "I'm sorry
    about that. I'm sorry about being charged £79, and I'm sorting it out for you now.": two
    apologies in a row. A draft that already says sorry gets the anti-pattern's
    replace_after_apology sentence; one that does not still gets the apology."""
    gym = turns(("customer", "I cancelled my gym membership in March and you've taken £79 again. "
                             "I want all of it back."))
    kept = run("I'm sorry about that. Cancellations can take up to 30 days to process, which is why "
               "you were charged.", gym)
    rewrite = next(a for a in kept.anti_patterns if a.label == "excuse").rewrite
    assert rewrite.startswith("I'm sorry about that.") and rewrite.lower().count("sorry") == 1, rewrite
    bare = run("Cancellations can take up to 30 days to process, which is why you were charged.", gym)
    assert next(a for a in bare.anti_patterns if a.label == "excuse").rewrite.startswith("I'm sorry about")
