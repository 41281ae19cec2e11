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
