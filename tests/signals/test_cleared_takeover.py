"""An account takeover the customer clears in their own words, and takeovers that only sound cleared.

"That login was me", "I wasn't hacked, I just forgot my password": the message names a login, an
alert or a payment, so it reads like a takeover, but the customer says it was them. It is a sign
for the agent to check, never routed to security (`flags.account_security.cleared_patterns`, read
over the whole message). A missed takeover costs most, so a message that also denies something,
or says the words of someone's doubt ("I thought it was me but it wasn't", "the bank asked if it
was me"), still flags. Written for this check; none is a row of a data set.
"""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from tests.signals.helpers import assert_evidence_points_at_text

CLEARED = [
    "I thought I'd been hacked because of the login email, but it was me on my old tablet.",
    "Your app flagged a suspicious payment of £220 to an airline and froze my card. That was me, I flew.",
    "There's an alert about a new device logged into my account, it's me, I bought a new phone yesterday.",
    "Someone from your security team called about a sign-in from Berlin. It was me, I was there for work.",
    "My card got blocked for suspicious transactions in Rome. It's definitely me, I'm on holiday.",
    "I wasn't hacked, nobody else uses the account, I just keep mistyping my PIN and now I'm locked out.",
    "I wasn't hacked, I just forgot my password. Can you send a reset link?",
    "Not hacked, I just changed my email address myself yesterday. Can you confirm it worked?",
    "The account was flagged for odd activity but it was only me using a VPN.",
    "Sorry for the panic about the login from Madrid earlier, it was actually me on the hotel wifi.",
    "The new sign-in your email warned me about was me, I reinstalled the app.",
]

TAKEOVERS = [
    "I thought it was me who logged in from the laptop but it wasn't, I haven't used it in weeks.",
    "it wasn't me who logged in last night, I was asleep. Who is in my account?",
    "The bank rang to ask if it was me spending £800 in Manchester. It wasn't, I've never been there.",
    "Hi, it's me again. Somebody is still using my card online, two more charges today.",
    "Hi it's me, someone has changed the email on my account and I can't log in.",
    "Your app says a new device signed in to my account. That wasn't me, I only have one phone.",
    "They said it was me who approved the transfer but I was at work with my phone in a locker.",
    "Three payments on my card today, none of them were me.",
    "Your alert asked whether it was me logging in from Brazil. It definitely was not.",
    "I changed the password myself after my account got hacked, but they're still getting in.",
    "My account hasn't been hacked I don't think, but there's a £90 order I didn't place.",
    "I got hacked last night. That's me locked out now and they've changed the email.",
    "My password's been changed and that's me locked out of everything.",
]


@pytest.mark.parametrize("text", CLEARED)
def test_a_takeover_the_customer_clears_is_a_sign_to_check(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert "account_security" not in {f.label for f in analysis.flags}, analysis.flags
    watches = [f for f in analysis.extra if f.section == "watch" and f.label == "account_security"]
    assert watches, "a cleared takeover is still shown to the agent as a sign to check"
    for watch in watches:
        assert_evidence_points_at_text(analysis, watch)
        assert "the customer says" in watch.reason


@pytest.mark.parametrize("text", TAKEOVERS)
def test_a_takeover_that_only_sounds_cleared_still_flags(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert "account_security" in {f.label for f in analysis.flags}, analysis.extra


def test_the_fast_path_reads_the_clearing_words_too(fast_analyzer: Analyzer) -> None:
    """Without the semantic tier, "hacked" is the phrase that flags: the message still clears it."""
    cleared = fast_analyzer.analyze("I thought I'd been hacked, but it was me on my old tablet.")
    assert "account_security" not in {f.label for f in cleared.flags}
    assert any(f.label == "account_security" and "watch.account_security.cleared" in
               {e.rule for e in f.evidence} for f in cleared.extra)
    hacked = fast_analyzer.analyze("I've been hacked, it was me who got the alert this morning.")
    assert "account_security" in {f.label for f in hacked.flags}
