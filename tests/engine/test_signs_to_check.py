"""One sign to check per danger, with all its evidence (engine/analyzer.py `signs_to_check`).

The fast path and the semantic tier may each see a weaker sign of the same danger in one
message ("that login was me" and the sentence that reads like a takeover); the console showed two
"check: account security?" badges for it. A sign of a danger that is flagged in the same message
adds nothing but its evidence to the flag.
"""

from __future__ import annotations

from calmline.engine.analyzer import Analyzer, signs_to_check
from calmline.signals.base import Evidence, Finding

PHRASE = Evidence(0, 6, "hacked", "pattern", "watch.account_security.cleared", 1.0)
SENTENCE = Evidence(0, 30, "hacked, but it was me all along", "semantic", "watch.account_security", 0.4)


def _watch(label: str, score: float, *evidence: Evidence, detector: str = "semantic") -> Finding:
    return Finding(label, score, detector, f"a weak sign of {label}", evidence, section="watch")


def test_two_signs_of_one_danger_are_one_with_both_evidence() -> None:
    flags, watch = signs_to_check((), [_watch("account_security", 0.4, SENTENCE),
                                       _watch("account_security", 0.5, PHRASE, detector="threats")])
    assert flags == ()
    assert [(w.label, w.score, w.detector) for w in watch] == [("account_security", 0.5, "threats")]
    assert watch[0].evidence == (PHRASE, SENTENCE)
    assert watch[0].section == "watch"


def test_signs_of_different_dangers_stay_apart() -> None:
    _, watch = signs_to_check((), [_watch("violence", 0.3, SENTENCE), _watch("self_harm", 0.3, PHRASE)])
    assert [w.label for w in watch] == ["violence", "self_harm"]


def test_a_sign_of_a_flagged_danger_joins_the_flag() -> None:
    flag = Finding("violence", 0.8, "threats", "threat of violence",
                   (Evidence(0, 9, "I'll kill", "pattern", "flags.violence"),), route="security")
    flags, watch = signs_to_check((flag,), [_watch("violence", 0.25, SENTENCE)])
    assert watch == ()
    assert [(f.label, f.score, f.route, f.reason) for f in flags] == [
        ("violence", 0.8, "security", "threat of violence")]
    assert flags[0].evidence == (*flag.evidence, SENTENCE)


def test_a_message_shows_one_sign_of_one_danger(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("got a text saying someone logged in from a new device but that was "
                                "me, i got a new phone, so it's fine, i just wanted to check")
    watch = [f for f in analysis.extra if f.section == "watch"]
    assert [f.label for f in watch] == ["account_security"]
    assert {e.source for e in watch[0].evidence} == {"pattern", "semantic"}
    assert not analysis.escalate.escalate
