"""Danger moments (PLAYBOOK §2): wellbeing and security outrank every other moment, as data."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
import yaml

from calmline.engine.analysis import Analysis
from calmline.engine.analyzer import Analyzer
from calmline.engine.coach import review, scanner_for
from calmline.engine.composer import suggest
from calmline.engine.moment import Moment, read_moment
from calmline.engine.recommend import move_for_moment
from calmline.engine.slots import build_slots, fill_known
from calmline.errors import PlaybookError
from calmline.playbook.coach_loader import parse_coach
from calmline.playbook.schema import Playbook
from calmline.signals.base import Finding, Turn
from tests.coach.support import coach_analyzer, lexicon_only_playbook, turns

MEDS = turns(("customer", "I've been saving up my meds. honestly what's the point of any of this"))
THREAT = turns(("customer", "wait till your driver shows his face round here again, he won't walk away "
                            "from it"))
TAKEOVER = turns(("customer", "somebody's logged into my account and changed my password, they're "
                              "ordering stuff right now"))
DISCOUNT = ("I'm so sorry to hear that. As a thank you for being a loyal customer, I can offer you a "
            "20% discount to stay with us.")
SIGNPOST = ("I'm really glad you told me, and I'm sorry things feel this heavy right now. Are you safe at "
            "the moment? If you are in danger, please call 999 or your local emergency number, or you "
            "can talk to Samaritans any time on 116 123. I'm here and I'll stay with you while you do.")
SALES = re.compile(r"discount|stay with us|upgrade|offer|voucher|more senior|frustrating the way",
                   re.IGNORECASE)


def _moment(chat: Sequence[dict[str, str]], analyzer: Analyzer | None = None) -> Moment:
    return read_moment(list(chat), analyzer or coach_analyzer(), scanner_for())


def _move(moment: Moment) -> str:
    config = scanner_for().config
    return move_for_moment(config, moment.kind, build_slots(moment, config))


def test_self_harm_is_a_wellbeing_moment_that_signposts() -> None:
    moment = _moment(MEDS)
    assert moment.kind == "wellbeing" and moment.danger
    move = _move(moment)
    assert "safe" in move and "emergency number" in move and "{" not in move
    top = suggest(MEDS, coach_analyzer())[0]
    assert top.source.startswith("template:wellbeing")
    assert top.review.found("safety_check") and top.review.found("signpost")
    assert not SALES.search(top.text), top.text
    assert "[local crisis line]" in top.placeholders


def test_a_retention_offer_in_a_danger_moment_is_flagged_and_scores_low() -> None:
    verdict = review(DISCOUNT, MEDS, coach_analyzer())
    assert verdict.moment == "wellbeing"
    assert verdict.flagged("retention_offer")
    assert verdict.score <= 20, verdict.breakdown
    assert verdict.next_move.startswith("Rewrite")


def test_a_signposting_draft_scores_high() -> None:
    verdict = review(SIGNPOST, MEDS, coach_analyzer())
    assert verdict.score >= 80, (verdict.breakdown, verdict.next_move)
    assert not verdict.anti_patterns


def test_an_offer_outside_danger_is_not_a_retention_line() -> None:
    chat = turns(("customer", "I'm cancelling, your prices went up again and I'm fed up."))
    verdict = review(DISCOUNT, chat, coach_analyzer())
    assert verdict.moment not in ("wellbeing", "security")
    assert not verdict.flagged("retention_offer")


def test_a_threat_to_staff_is_a_security_moment() -> None:
    moment = _moment(THREAT)
    assert moment.kind == "security"
    found = suggest(THREAT, coach_analyzer())
    assert "template:security_threat" in {s.source for s in found}
    assert found[0].source in ("template:security_threat", "template:security_handover")
    for s in found:
        assert "security team" in s.text and not SALES.search(s.text), s.text


def test_an_account_takeover_is_a_security_moment_that_secures_first() -> None:
    moment = _moment(TAKEOVER)
    assert moment.kind == "security"
    move = _move(moment).lower()
    assert "secure the account now" in move and "lock" in move and "recent activity" in move
    assert "delay" not in move and "sorry" not in move
    top = suggest(TAKEOVER, coach_analyzer())[0]
    assert top.source == "template:security_account"
    assert top.review.found("secure") and top.review.found("handover_security")


@pytest.mark.parametrize("text", [
    "Just opened the app and apparently I owe £340?? What is this?",
    "Logged in and it says I owe £340?? This has to be wrong.",
    "Got my card payment refused at the till today, plenty of money in the account. Sort your systems out.",
    # read as account trouble only as a whole message (playbook watch_only_message)
    "This is my third email about the same thing. Your app keeps logging me out every five minutes. "
    "Nobody has replied to the first two.",
])
def test_a_surprising_bill_or_a_refused_card_is_no_account_takeover(text: str) -> None:
    chat = turns(("customer", text))
    analysis = coach_analyzer().analyze(text)
    assert "account_security" not in {f.label for f in analysis.flags}
    top = suggest(chat, coach_analyzer())[0]
    assert top.source != "template:security_account" and "locking your account" not in top.text


@pytest.mark.parametrize("text", [
    "There is a loan for £5,000 on my credit file and apparently I owe it. I never applied.",
    "The app logged me out and someone has changed my email address.",
    "I got logged out and now my password doesn't work and my email has been changed",
])
def test_a_takeover_told_beside_such_words_is_still_a_takeover(text: str) -> None:
    assert "account_security" in {f.label for f in coach_analyzer().analyze(text).flags}


def test_thanks_for_a_driver_is_no_threat_to_him() -> None:
    """"Shoutout to the driver who waited in the rain while I found my keys" read as violence
    (0.75, like "Wait till I see your driver.") and got the security reply."""
    praise = "Shoutout to the driver who waited in the rain while I found my keys. Thank you!"
    assert "violence" not in {f.label for f in coach_analyzer().analyze(praise).flags}
    assert suggest(turns(("customer", praise)), coach_analyzer())[0].source != "template:security_threat"
    # thanks beside a threat, or sarcastic praise of their windows, is still a threat
    for threat in ("Thanks a lot. Wait till I see your driver.",
                   "Brilliant service as always. Big windows on that shop of yours, be a shame."):
        assert "violence" in {f.label for f in coach_analyzer().analyze(threat).flags}, threat


def test_a_whole_message_reading_of_danger_is_not_demoted_for_self_harm() -> None:
    """Only a flag that says so (account_security) lets the whole message's reading be told
    otherwise: grief beside a wish to be with the dead is read together, and still routed."""
    playbook = coach_analyzer().playbook
    assert playbook.flags["account_security"].watch_only_message
    assert not playbook.flags["self_harm"].watch_only_message


def test_danger_stays_after_the_agent_replies() -> None:
    chat = [*MEDS, {"role": "agent", "text": "Thank you for telling me."},
            {"role": "customer", "text": "whatever. can you just cancel my plan"}]
    assert _moment(chat).kind == "wellbeing"


def test_danger_flags_come_from_the_playbook() -> None:
    chat = turns(("customer", "I want to kill myself, there's no point anymore"))
    assert _moment(chat, Analyzer(Playbook.model_validate(lexicon_only_playbook()), encoder=None)
                   ).kind == "wellbeing"
    data = lexicon_only_playbook()
    data["flags"]["self_harm"]["danger"] = False
    assert _moment(chat, Analyzer(Playbook.model_validate(data), encoder=None)).kind == "escalate"


class _Watching:
    """The real analyzer, with a weaker sign of `label` added to the last customer message."""

    def __init__(self, inner: Analyzer, label: str) -> None:
        self.playbook = inner.playbook
        self._inner, self._label = inner, label

    def analyze_conversation(self, turns: Sequence[Turn]) -> list[Analysis | None]:
        found = list(self._inner.analyze_conversation(turns))
        last = max(i for i, a in enumerate(found) if a is not None)
        sign = Finding(self._label, 0.4, "semantic", "a weaker sign", section="watch")
        found[last] = replace(found[last], extra=(*found[last].extra, sign))  # type: ignore[arg-type]
        return found


def test_a_self_harm_watch_suggests_a_check_in_not_a_route() -> None:
    chat = turns(("customer", "I just feel like nothing works anymore, everything's a mess"))
    moment = _moment(chat, _Watching(coach_analyzer(), "self_harm"))  # type: ignore[arg-type]
    assert moment.kind not in ("wellbeing", "security") and moment.watch == "wellbeing"
    assert "If it feels right, ask how they are doing" in _move(moment)
    assert "If it feels right" not in _move(_moment(chat))


NO_AREA = [
    turns(("customer", "This is absolutely ridiculous and I am fed up!!")),
    turns(("customer", "hello?")),
    turns(("customer", "I want to speak to a manager right now.")),
    turns(("customer", "I'm so angry I could scream."), ("agent", "I will refund it."),
          ("customer", "Fine.")),
    turns(("customer", "Nobody ever answers. Useless."), ("agent", "Sorry."),
          ("customer", "Is that all you can say?")),
    turns(("customer", "My order #A-99120 is late and I was on hold for 2 hours!!")),
    MEDS, THREAT, TAKEOVER,
]


@pytest.mark.parametrize("chat", NO_AREA, ids=range(len(NO_AREA)))
def test_no_raw_slot_anywhere(chat: list[dict[str, str]]) -> None:
    moment = _moment(chat)
    texts: list[Any] = [_move(moment)]
    for s in suggest(chat, coach_analyzer()):
        texts += [s.text, s.review.next_move]
    for draft in ("", "ok", "Sorry.", DISCOUNT, "I will look into it."):
        verdict = review(draft, chat, coach_analyzer())
        texts += [verdict.next_move, *(b.hint for b in verdict.behaviours),
                  *(g.move for g in verdict.missing), *(a.rewrite for a in verdict.anti_patterns)]
    for text in texts:
        assert "{" not in text and "}" not in text, text
        assert "  " not in text and " ." not in text, text


def test_fill_known_drops_the_sentence_it_cannot_fill() -> None:
    assert fill_known("Name it. Say sorry about {issue}. Then act.", {}) == "Name it. Then act."
    assert fill_known("About {issue}.", {}) == ""
    assert fill_known("Sorry about {issue|this}.", {}) == "Sorry about this."


def test_a_coaching_line_with_a_slot_and_no_fallback_is_rejected() -> None:
    from importlib import resources

    raw = yaml.safe_load(resources.files("calmline.playbook").joinpath("coach.yaml").read_text("utf-8"))
    raw["behaviours"]["acknowledge"]["hint"] = "Say how frustrating {issue} is."
    with pytest.raises(PlaybookError, match="needs a fallback"):
        parse_coach(yaml.safe_dump(raw), "test")
