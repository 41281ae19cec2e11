"""Table-driven: each threat, request and abuse flag, with its route from the playbook."""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from tests.signals.helpers import assert_evidence_points_at_text

FLAGGED = [
    ("You are a useless idiot.", "abuse", "supervisor"),
    ("you people are a bunch of crooks", "abuse", "supervisor"),
    ("You are such a liar", "abuse", "supervisor"),
    ("The guy on the phone was an idiot", "swearing", None),
    ("F*** you and your company", "abuse", "supervisor"),
    ("This is f***ing ridiculous, the parcel is late again", "swearing", None),
    ("I'm going to find you and hurt you", "violence", "security"),
    ("honestly I just want to end it all", "self_harm", "wellbeing"),
    # giving up on life said in passing, after the complaint: the whole sentence read too weakly
    ("My loan payment bounced and now you've added a £25 fee. I've lost my job and honestly I don't "
     "see the point in anything anymore.", "self_harm", "wellbeing"),
    ("what's the point of living like this", "self_harm", "wellbeing"),
    ("They'd all be better off without me.", "self_harm", "wellbeing"),
    ("My lawyer will hear about this", "legal", "legal"),
    ("I'll see you in court", "legal", "legal"),
    ("I am filing a complaint with the ombudsman", "regulator", "compliance"),
    ("I will post this all over Twitter", "public", "social_media"),
    ("Leaving a 1 star review everywhere", "public", "social_media"),
    ("I'm going to cancel my subscription and switch to a competitor", "churn", "retention"),
    ("I will never buy from you again", "churn", "retention"),
    ("Let me speak to a manager", "manager", "supervisor"),
    ("Get me your supervisor NOW", "manager", "supervisor"),
]

NOT_FLAGGED = [
    ("I'm not going to sue anyone, I just want my parcel", "legal"),
    ("The manual says to contact the court of appeals?", "legal"),
    ("This product is a bit disappointing", "abuse"),
    ("Thanks, you have been really helpful", "abuse"),
    ("My parcel is late", "swearing"),
    # reads like a playbook example that swears ("...the bastard boiler still isn't fixed"), but
    # has no swear word: the semantic tier's swearing needs one (target_patterns)
    ("Third time your engineer has 'fixed' my boiler and it's broken again.", "swearing"),
    ("what's the point of calling you, nobody ever answers", "self_harm"),
]


@pytest.mark.parametrize("text, label, route", FLAGGED)
def test_flag_raised_with_route_and_evidence(
    analyzer: Analyzer, text: str, label: str, route: str | None
) -> None:
    analysis = analyzer.analyze(text)
    flag = analysis.flag(label)
    assert flag is not None, [f.label for f in analysis.flags]
    assert flag.route == route
    assert_evidence_points_at_text(analysis, flag)
    if route:
        assert analysis.escalate.escalate and route in analysis.escalate.routes


@pytest.mark.parametrize("text, label", NOT_FLAGGED)
def test_flag_not_raised(analyzer: Analyzer, text: str, label: str) -> None:
    assert analyzer.analyze(text).flag(label) is None


def test_insult_words_count_as_targeted_for_olid(analyzer: Analyzer) -> None:
    from calmline.evaluation.tasks import is_targeted

    assert is_targeted(analyzer.analyze("The guy on the phone was an idiot"))
    assert is_targeted(analyzer.analyze("You are a useless idiot."))
    assert not is_targeted(analyzer.analyze("this shit is broken AGAIN"))


def test_swearing_about_the_situation_is_not_abuse(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("this shit is broken AGAIN")
    assert analysis.flag("abuse") is None
    assert analysis.flag("swearing") is not None
    assert not analysis.escalate.escalate


# The danger word is part of something else the customer tells (PLAYBOOK: a danger sign is never
# dropped; one the playbook says only sounds like it is shown to the agent to check, not routed).
TOLD_OTHERWISE = [
    "i volunteer with a suicide prevention charity and we want to buy 20 phones, do you do bulk deals",
    "After my father's suicide two years ago I was left to deal with his debts.",
    "i literally want to die of embarrassment, i sent that complaint to the wrong company lol",
    "The concert moved and I can't go on the new date, can I get a refund?",
]


@pytest.mark.parametrize("text", TOLD_OTHERWISE)
def test_a_danger_word_told_otherwise_is_a_sign_to_check_not_a_route(fast_analyzer: Analyzer,
                                                                   text: str) -> None:
    analysis = fast_analyzer.analyze(text)
    assert analysis.flag("self_harm") is None
    assert "wellbeing" not in analysis.escalate.routes
    watch = [f for f in analysis.extra if f.section == "watch" and f.label == "self_harm"]
    assert watch and all(e.rule == "watch.self_harm.watch_only" for e in watch[0].evidence)
    assert "check with the customer" in watch[0].reason
    assert_evidence_points_at_text(analysis, watch[0])


@pytest.mark.parametrize("text", [
    "I'm not suicidal but honestly I want to die",  # the denial does not cover the wish beside it
    "the suicide prevention line hung up on me and I want to kill myself",
    "I can't go on like this, the new date is the last straw",
])
def test_a_danger_phrase_beside_such_words_still_flags(fast_analyzer: Analyzer, text: str) -> None:
    analysis = fast_analyzer.analyze(text)
    assert analysis.flag("self_harm") is not None
    assert "wellbeing" in analysis.escalate.routes


def test_the_sentence_around_an_offset() -> None:
    from calmline.signals.flags import sentence_around

    text = "Hi. I can't go on the new date; sorry!\nThanks"
    assert sentence_around(text, text.index("go on")) == (3, " I can't go on the new date;")
    assert sentence_around(text, 0) == (0, "Hi.")
    assert sentence_around(text, len(text) - 1) == (39, "Thanks")
