"""What happened to the customer, said back in the agent's voice (engine.happened, engine.phrases):
what staff did, being locked out, no word from us, money taken, where their thing is."""

from __future__ import annotations

import pytest

from calmline.engine.core import Engine
from calmline.engine.happened import staff_did, what_happened
from calmline.engine.phrases import asked_for, issue_phrase, said_back, second_person, trouble_object
from calmline.engine.slots import build_slots
from tests.coach.support import coach_analyzer, turns
from tests.engine.test_grounded import top


def voice(text: str) -> str:
    return second_person(text, company=True)


@pytest.mark.parametrize(("text", "clause"), [
    ("Your driver threw my parcel over the gate and now the lamp inside is smashed.",
     "our driver threw your parcel over the gate"),
    ("your driver was really rude to my dad on the doorstep and nobody's even acknowledged it",
     "our driver was really rude to your dad on the doorstep"),
    ("The courier left my parcel in the rain on the doorstep and the box was soaked through",
     "our courier left your parcel in the rain on the doorstep"),
    ("the way your staff spoke to my daughter at the front desk yesterday was not okay",
     "our staff spoke to your daughter at the front desk yesterday"),
    ("The delivery guy was smoking in my hallway.", "our delivery guy was smoking in your hallway"),
    ("Your builders left the roof open in the rain while we were away",
     "our builders left the roof open in the rain"),
])
def test_what_our_staff_did_is_said_back_as_ours(text: str, clause: str) -> None:
    found = staff_did(text, voice)
    assert found is not None and found == (f"the way {clause}", clause)


@pytest.mark.parametrize("text", [
    "Your pharmacist is an arrogant idiot.",  # an insult, not what happened
    "Your staff are a bunch of incompetent morons.",
    "your engineer checked the hose so when can someone come back",  # no harm in it
    "The engineer fixed it in ten minutes, thanks!",
    "can you tell me which door the driver left it at?",  # a question
    "The delivery guys left before I could check.",  # they went: nothing was left
    "the first person hung up on me",  # "our first person"
    "the rep spoke to my manager",  # spoke: only "the way" they spoke
])
def test_an_insult_a_question_or_a_harmless_deed_is_not_what_happened(text: str) -> None:
    assert staff_did(text, voice) is None


@pytest.mark.parametrize(("text", "noun"), [
    ("I've been locked out of my account since Tuesday", "being locked out of your account"),
    ("Still no update on ticket 4471. It's been 10 days.", "still having no update on ticket 4471"),
    ("Still no answer on why my DD tripled.", "still having no answer"),
    ("I was promised a callback yesterday. Nobody called.", "nobody getting back to you"),
    ("i had to take a day off work and no one turned up no call no text", "nobody turning up"),
    ("You took $89 from my card after I cancelled in January.",
     "being charged $89 after you cancelled in January"),
    ("This is my FOURTH email. Where is my refund??", "the wait for your refund"),
    ("Logged in and it says I owe £340?? This has to be wrong.", "being told you owe £340"),
    ("I owe £340??", "being told you owe £340"),
])
def test_what_happened_to_them_is_named(text: str, noun: str) -> None:
    found = issue_phrase([text])
    assert found is not None and found.noun == noun


@pytest.mark.parametrize("text", [
    "Where is the fourth?",
    "my bill went missing in the post",
    "I ordered the blue one and it never came",
    "The parcel was delivered yesterday, thanks.",
    "Nobody came down. Nobody apologised.",
    "No tickets. No phone line. Just a bot.",
    "I owe my landlord £340 and my wages are late.",
])
def test_no_thing_no_happening(text: str) -> None:
    assert what_happened(text, voice) is None


def test_the_two_replies_a_new_user_saw_name_the_issue() -> None:
    gate = top("Your driver threw my parcel over the gate")
    assert "threw your parcel over the gate" in gate and "problem with your parcel" not in gate
    fourth = top("This is my FOURTH email. Where is my refund??")
    assert "refund" in fourth and "email" not in fourth


@pytest.mark.parametrize(("text", "clause"), [
    ("Third time my boiler has broken down since your 'repair'.", "your boiler has broken down"),
    ("the fridge stopped cooling 2 weeks after delivery", "your fridge stopped cooling"),
    ("the washing machine you delivered leaks water all over the floor", "your washing machine leaks"),
    ("THREE TIMES THE BOILER HAS BROKEN!!!!", "your boiler has broken"),  # not shouted back
])
def test_a_thing_that_broke_is_named_however_they_put_it(text: str, clause: str) -> None:
    found = issue_phrase([text])
    assert found is not None and found.clause == clause


@pytest.mark.parametrize(("text", "thing"), [
    ("the fridge stopped cooling", "the fridge"),  # not "the problem with the fridge stopped cooling"
    ("Why has my bill gone up by £15 this month?", "your bill"),
    ("I want the delivery charge refunded.", "the delivery charge"),
    ("This is my FOURTH email. Where is my refund??", "your refund"),  # the count is no thing
    ("The first coffee machine leaked, the second one leaked", "the coffee machine"),
    # a clause that goes on is no part of the thing, and the weather is where it happened
    ("I waited by the gate while nobody answered the door", "the gate"),
    ("they left the gate open and the dog got out", "the gate"),
    ("I stood in the rain while your driver sat in his van with my parcel", "your parcel"),
])
def test_a_thing_s_name_stops_where_what_happened_to_it_starts(text: str, thing: str) -> None:
    assert trouble_object([text]) == thing


def test_their_i_d_is_said_back_as_you_d() -> None:
    said = said_back(["I'd like compensation for the ruined weekend."], "the weekend")
    assert said == "you'd like compensation for the ruined weekend"


def test_reimbursed_asks_for_a_refund() -> None:
    assert "refund" in asked_for("I would like my 89 euros reimbursed please")


def recap(text: str) -> str:
    engine = Engine(coach_analyzer())
    return build_slots(engine.moment(turns(("customer", text))), engine.scanner.config).get("recap", "")


def test_a_recap_is_a_clause_not_a_fragment() -> None:
    assert recap("Parcel marked as delivered but it isn't here. Order 771203.").startswith(
        "your parcel shows as delivered, but it hasn't reached you (order 771203)")
    assert recap("hello??? been sat here 15 min") == "it's been 15 min"  # not "what happened, after 15 min"


def test_a_recap_says_the_want_and_the_amount_once() -> None:
    assert recap("This is my FOURTH email. Where is my refund??") == "you're still waiting for your refund"
    charged = recap("You took $89 from my card after I cancelled in January. I want it back.")
    assert charged == "you were charged $89 after you cancelled in January, and you'd like a refund"


def test_a_repeat_contact_is_owned_and_said_back() -> None:
    """A customer on their third try hears their issue said back: the reply the coach would send
    in the moment that expects a repeat-back, not one it marks 'improve'."""
    engine = Engine(coach_analyzer())
    chat = turns(("customer", "Thanks for nothing. Third time I've had to call about my boiler since "
                              "your 'repair'. It has broken down again. I want it fixed properly or "
                              "my money back."))
    best = engine.suggest(chat, limit=1)[0]
    assert best.source == "template:repeat_own_it_recap"
    assert "contact us again" in best.text and "broken down" in best.text, best.text
    assert best.review.verdict == "send"


def test_a_fault_come_back_is_said_back_without_a_contact_again() -> None:
    """"Third time my boiler has broken down" counts breakdowns: their issue said back, and no
    "you've had to contact us again"."""
    engine = Engine(coach_analyzer())
    chat = turns(("customer", "Thanks for nothing. Third time my boiler has broken down since your "
                              "'repair'. I want it fixed properly or my money back."))
    best = engine.suggest(chat, limit=1)[0]
    assert "contact us again" not in best.text and "your boiler has broken down" in best.text, best.text
    assert best.review.verdict == "send"


@pytest.mark.parametrize(("text", "noun"), [
    ("hi ordered a sofa on the 3rd march order 55812 still not here and nobody tells me anything",
     "the wait for your sofa"),
    ("We ordered a fridge freezer three weeks ago and it still hasn't turned up.",
     "the wait for your fridge freezer"),
    ("Ordered a dining table on the 2nd, it was due last Friday and there's still no sign of it.",
     "the wait for your dining table"),
    ("Parcel marked as delivered but it isn't here.",
     "your parcel showing as delivered when it hasn't reached you"),
    ("Tracking says the package was delivered at 2pm but nothing came.",
     "your package showing as delivered when it hasn't reached you"),
    ("It says delivered but it's not here", "it showing as delivered when it hasn't reached you"),
    ("Why has my bill gone up by £15 this month?", "your bill going up by £15"),
    ("Why has my direct debit gone up by £22 a month?", "your direct debit going up by £22 a month"),
    ("My monthly price went from £30 to £45 and I never agreed to that.",
     "your monthly price going from £30 to £45"),
    ("my water bill has doubled", "your water bill doubling"),
    ("I ordered 4 chairs and only 3 came.", "only 3 of the 4 chairs you ordered arriving"),
    ("I paid for 6 mugs and the box only had 4 in it.", "only 4 of the 6 mugs you paid for arriving"),
    ("Bought a set of 8 wine glasses, only 5 arrived.", "only 5 of the 8 wine glasses you bought arriving"),
])
def test_what_never_came_or_went_up_is_named_in_their_words(text: str, noun: str) -> None:
    found = what_happened(text, voice)
    assert found is not None and found[0] == noun


def test_the_vague_names_a_previous_user_saw_are_their_issue_now() -> None:
    sofa = top("hi ordered a sofa on the 3rd march order 55812 still not here and nobody tells me anything "
               "when will it come")
    assert "sofa" in sofa and "not going the way you were promised" not in sofa
    parcel = top("Parcel marked as delivered but it isn't here. Neighbours don't have it either. "
                 "Order 771203.")
    assert "shows as delivered" in parcel and "delay" not in parcel
    bill = top("Why has my bill gone up by £15 this month? Nobody told me about any price rise.")
    assert "gone up by £15" in bill and "problem with your bill" not in bill
    chairs = top("I ordered 4 chairs and only 3 came. Where is the fourth?")
    assert "only 3 of the 4 chairs" in chairs


@pytest.mark.parametrize(("sentence", "topic", "said"), [
    ("ffs the app crashed again mid payment and took my money", "the app",
     "the app crashed again mid payment and took your money"),
    ("Got my meter reading bill and it says I used 4000 kWh in a month", "my meter reading bill",
     "you got your meter reading bill and it says you used 4000 kWh in a month"),
    ("got the water bill today and its nearly double, we havent used any more than usual", "the water bill",
     "you got the water bill today and it's nearly double, you haven't used any more than usual"),
    ("omg the website logged me out 😡", "the website", "the website logged you out"),
])
def test_their_sentence_is_said_back_as_a_sentence(sentence: str, topic: str, said: str) -> None:
    assert said_back([sentence], topic) == said
