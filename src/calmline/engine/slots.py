"""The facts of a conversation as template slots, and the one function that fills templates.

Slots only ever hold what the customer said (name, order, product, duration, amount, date, what
they want, what went wrong) or the team's own service times from coach.yaml; a slot that is not
known is left to the template's fallback text, so a suggestion never invents a fact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from calmline.engine.analysis import Fact
from calmline.engine.cost import Cost, what_it_cost
from calmline.engine.moment import Moment
from calmline.engine.phrases import (
    IssuePhrase,
    asked_for,
    asked_only,
    cancel_object,
    issue_phrase,
    plural,
    question_asked,
    said_back,
    second_person,
    split_sentences,
    trouble_object,
)
from calmline.engine.restate import stems
from calmline.engine.situations import (
    deadline,
    lost_someone,
    praised,
    recurs,
    repeat_contact,
    resolved_clause,
    thanks_for_done,
    thanks_only,
)
from calmline.playbook.coach_schema import CoachConfig

_SLOT = re.compile(r"\{(\w+)(?:\|([^{}]*))?\}")
_FACT_SLOTS = {"order": "order_id", "product": "product", "duration": "duration", "amount": "amount",
               "date": "date"}


_ASKS_FOR = re.compile(r"\b(?:refund|replace|replacement|repair|money back|compensat\w*|"
                       r"(?:a|the) manager)\b", re.IGNORECASE)


def customer_wants(moment: Moment) -> list[str]:
    """What the customer wants, first the one to answer: what their own words ask us to do (the
    latest message first), then the actions the analysis read, then a request for words only
    ("refund my £80" asks for more than an explanation). Only the playbook's wants that say how
    to word them (`ask`); which are actions is the playbook's `action`. Read once per moment (its
    memo): the slots and every template's check ask for it, and each read goes over every turn."""
    known = moment.memo.get("customer_wants")
    if known is None:
        known = moment.memo["customer_wants"] = _customer_wants(moment)
    return list(known)


def _customer_wants(moment: Moment) -> list[str]:
    worded = {label for label, want in moment.wants.items() if want.ask}
    literal = [w for text in reversed(_said(moment)) for w in asked_for(text, moment.words)]
    read = [w for a in reversed(moment.customer_analyses()) for w in a.want_labels() if w in worded]
    ordered = [*literal, *(w for w in read if moment.wants[w].action), *read]
    return list(dict.fromkeys(w for w in ordered if w in worded))


# Two things they would accept, one of them the want ("a firm delivery date this week or a full
# refund"): saying back only the refund tells them we did not read the first.
_EITHER = re.compile(r"\b(?:i(?:['’]d| would) (?:like|accept|prefer)|i want|i need|i expect|give me)\s+"
                     r"(?:either\s+)?(?P<both>(?:a|an|my|the)\s+[^,.;:!?\n]{2,50}?\s+or\s+(?:a|an|my|the)\s+"
                     r"[^,.;:!?\n]{2,40}?)(?=\s*(?:[,.;:!?\n]|$)|\s+and\b)", re.IGNORECASE)


def _and_also(moment: Moment, wants: list[str], cost: Cost | None) -> str | None:
    """The second thing they want, when they name it: compensation for what it cost them, next to
    a thing they ask for ("a refund and compensation for the day's wages you lost"). Not after
    "to speak to a manager", and no other second want: the wants read from a message overreach
    ("I don't want it repaired" still reads a repair), so only their own words for the cost say it."""
    first = moment.wants[wants[0]].ask or ""
    if cost is None or "compensation" not in wants[1:] or not first.startswith(("a ", "an ", "some ")):
        return None
    return f"compensation for {cost.noun}"


def _either(moment: Moment, want: str) -> str | None:
    """The customer's own "X or Y" when one of the two is the want they ask for, in our voice."""
    for match in _EITHER.finditer(moment.latest.text if moment.latest is not None else ""):
        both = " ".join(match.group("both").split())
        if want in asked_for(both) and not re.search(r"\b(?:not|never|don't|no)\b", both, re.IGNORECASE):
            return second_person(both)
    return None


def _is_order(value: str) -> bool:
    """An order reference has a digit and no run of small letters: "#fail2024" and
    "#MetroFibre" are hashtags, "#BL-77120" is an order."""
    return any(c.isdigit() for c in value) and not re.search(r"[a-z]{3,}", value)


class MissingSlotError(LookupError):
    """A template needs a slot that this conversation does not provide."""


def fill(template: str, slots: Mapping[str, str], *, sentence: bool = True) -> str:
    """Replace {slot} and {slot|fallback}; raise MissingSlotError for an unknown slot with no fallback.

    With `sentence`, tidy the result as prose: no ", ," or " ." left by empty slots, and a capital
    letter at the start of every sentence."""

    def one(match: re.Match[str]) -> str:
        value = slots.get(match.group(1))
        if value:
            return value
        if match.group(2) is None:
            raise MissingSlotError(match.group(1))
        return match.group(2)

    text = _SLOT.sub(one, template)
    if not sentence:
        return text
    text = re.sub(r"\s+([,.;:?])", r"\1", re.sub(r",\s*,", ",", text))
    text = re.sub(r",([.!?;])", r"\1", text)
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def fill_known(text: str, slots: Mapping[str, str]) -> str:
    """`fill`, dropping each sentence that needs a slot this conversation lacks (a coaching line
    never shows a raw {slot}); "" when every sentence needs one."""
    kept = []
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z{\"“])", text.strip()):
        try:
            kept.append(fill(sentence, slots))
        except MissingSlotError:
            continue
    return " ".join(k for k in kept if k)


_MONEY = re.compile(r"\b(?:money|refund\w*|repa(?:y|id)|pay(?:ment)?|paid|charge\w*|deposit|penny|"
                    r"pounds?|dollars?|euros?|cash|reimburs\w*)\b|[£$€]", re.IGNORECASE)


def _clause_of(text: str, word: str) -> str:
    """The clause of `text` that holds `word` ("I want it reinstated today" of "... today and I
    want that money covered"), or "" when none does."""
    for clause in re.split(r"[.!?;\n]|,|\band\b|\bbut\b|\bor\b", text):
        if re.search(rf"\b{re.escape(word)}\b", clause, re.IGNORECASE):
            return clause
    return ""


_SOON = frozenset({"today", "tonight", "right now", "immediately", "asap", "this morning",
                   "this afternoon", "this evening", "within the hour", "in the next hour", "tomorrow",
                   "by tomorrow"})
# ... and those that cannot wait even until this afternoon: the update is within the hour
_NOW = frozenset({"tonight", "right now", "immediately", "within the hour", "in the next hour"})


# A request, and nothing else: "A refund please.", "I want my money back"
_ASKING = frozenset("""i we want wanted would like need please can could get have give me us my our a an the
    just some full back now asap thanks thank you i'd i'll do for it this that""".split())


def only_asks(text: str) -> bool:
    """Does `text` only ask for something, naming nothing that went wrong?"""
    rest = _ASKS_FOR.sub(" ", text.lower().replace("’", "'"))
    return bool(_ASKS_FOR.search(text)) and all(w in _ASKING for w in re.findall(r"[a-z']+", rest))


_AWAITED = frozenset({"refund", "replacement", "repair", "compensation"})
# What a reply names when the customer only asked for something: "I'm sorry about this", not a
# problem of the coach's guessing ("the problem with your billing" to "A refund please.")
ONLY_ASKED = "this"


def _issue(moment: Moment, config: CoachConfig, slots: Mapping[str, str]) -> str | None:
    """The generic name of what went wrong (coach.yaml `issues`), for a customer whose own words
    give no object and problem; `ONLY_ASKED` when all their words for it are what they ask for."""
    said = [ev.text for a in moment.customer_analyses() for f in (*a.areas, *a.causes)
            if f.label in config.issues for ev in f.evidence if ev.source != "semantic"]
    if (all(map(only_asks, said)) if said else only_asks(" ".join(_said(moment)))):
        # "six weeks to put a refund through": what they ask for is late, and that is the issue
        wants = customer_wants(moment)
        waited = slots.get("duration") and wants and wants[0] in _AWAITED
        return f"the wait for your {wants[0]}" if waited else ONLY_ASKED
    for analysis in reversed(moment.customer_analyses()):
        labels = [f.label for f in (*analysis.areas, *analysis.causes)]
        if "process_friction" in labels and slots.get("duration"):
            duration = slots["duration"]  # "Two hours on hold." -> "waiting two hours"
            return "waiting " + duration[:1].lower() + duration[1:]
        for finding in (*analysis.areas, *analysis.causes):
            if finding.label in config.issues:
                named = fill(config.issues[finding.label], slots, sentence=False)
                return _in_their_words(named, [ev.text for ev in finding.evidence if ev.source != "semantic"])
    return None


# What went wrong, said the way the customer said it, when the coach's name for it shares no word
# with theirs: "being charged" for "the problem with your billing" to someone charged for a paper
# bill, "being kept on hold" for "the long wait" to someone left on hold. _DONE_TO_THEM is what was
# done to them, not a thing; _THEIR_THING a thing of theirs.
_DONE_TO_THEM = frozenset("charged overcharged billed transferred ignored disconnected misled".split())
_THEIR_THING = frozenset("""charge charges fee fees bill bills invoice payment payments price
    queue""".split())


def _in_their_words(named: str, evidence: list[str]) -> str:
    if not evidence or set(stems(named)) & {s for text in evidence for s in stems(text)}:
        return named
    for text in evidence:
        word = text.lower().strip()
        if word == "on hold":
            return "being kept on hold"
        if word in _DONE_TO_THEM:
            return f"being {word}"
        if word in _THEIR_THING:
            return f"the {word}"
    return named


def _recap(slots: Mapping[str, str], phrase: IssuePhrase | None) -> str | None:
    """What the customer told us, as one clause: their issue in their words, the facts that
    belong to it, and what they would like."""
    if slots.get("cancel_what") and not slots.get("said") and slots.get("issue", ONLY_ASKED) == ONLY_ASKED:
        # "Cancel my gym membership please.": what they want is all they told us
        return _and_want(f"you'd like to cancel {slots['cancel_what']}", slots)
    return _their_words(slots, phrase) if phrase is not None or slots.get("topic") else _our_words(slots)


def _their_words(slots: Mapping[str, str], phrase: IssuePhrase | None) -> str:
    """The recap from their own words for the issue (`phrase`) or the thing they named."""
    if phrase is not None:
        # the facts that belong to it, in brackets: "(order SF-20931, £1,249)", not a bare
        # ", £1,249" hanging off the clause
        facts = [shown for shown, value in ((slots.get("order_ref", ""), slots.get("order", "")),
                                            (slots.get("amount", ""), slots.get("amount", "")))
                 if value and value not in phrase.clause and not (value == slots.get("amount")
                                                                  and _amount_asked_back(slots))]
        text = phrase.clause + (f" ({', '.join(facts)})" if facts else "")
        return _and_want(text, slots)
    text = slots.get("said") or _state_of(slots["topic"]) or f"something has gone wrong with {slots['topic']}"
    text += f" ({slots['order_ref']})" if slots.get("order") and slots["order"] not in text else ""
    return _and_want(text, slots)


# A thing named with what is wrong with it ("the same broken fridge"): said as its state ("your
# fridge is broken"), not "something has gone wrong with the broken fridge"
_STATED = re.compile(r"(?:the|your)\s+(?:same\s+)?(?P<adj>broken|faulty|damaged|cracked|smashed|missing|late|"
                     r"delayed|leaking|dead|dented)\s+(?P<obj>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)",
                     re.IGNORECASE)


def _state_of(topic: str) -> str | None:
    match = _STATED.fullmatch(topic)
    if not match:
        return None
    obj = match.group("obj")
    are = "are" if plural(obj) else "is"
    return f"your {obj} {are} {match.group('adj').lower()}"


def _our_words(slots: Mapping[str, str]) -> str | None:
    """The recap from the coach's name for the issue and the facts they gave."""
    if not any(slots.get(k) for k in ("order", "product", "amount", "duration")):
        return None
    text = slots.get("issue", "")
    text = "" if text == ONLY_ASKED else text  # "you're telling me about this" says nothing back
    duration = slots.get("duration", "")
    duration = duration[:1].lower() + duration[1:]  # "Two weeks of emails" -> "after two weeks"
    if text.startswith("the wait for ") and duration:  # "you've been waiting for your refund for two weeks"
        text = f"you've been waiting for {text.removeprefix('the wait for ')} for {duration}"
    text = "you've been " + text if text.startswith("waiting ") else text
    text = "you've been " + text.removeprefix("being ") if text.startswith("being ") else text
    # the coach's name for it is a noun ("the delay with your delivery"): a recap is a clause
    text = text if not text or text.startswith("you") else f"you're telling me about {text}"
    want = slots.get("want", "")
    if not text and want and slots.get("order"):  # "Refund my order 55210": what they want, for it
        for_it = "for" if want.startswith(("a ", "an ", "some ")) else "about"
        text = f"you'd like {want} {for_it} {slots['order_ref']}"
    if not text:  # "what happened, after 15 min" is no sentence
        text = (f"it's been {duration}" if duration
                else f"you're getting in touch about {slots['order_ref']}" if slots.get("order") else "")
    if not text:
        return None
    if slots.get("order") and slots["order"] not in text:
        text += f" on {slots['order_ref']}"
    extras = [slots[k] for k in ("product", "amount") if slots.get(k)]
    if extras:
        text += f" ({', '.join(extras)})"
    if duration and duration not in text:
        text += f", after {duration}"
    return _and_want(text, slots)


def _amount_asked_back(slots: Mapping[str, str]) -> bool:
    """Do they want money back, and name the amount with it ("a full refund of £34.99")?"""
    return bool(slots.get("amount_back")) and slots.get("want") in ("a refund", "a full refund")


def _and_want(text: str, slots: Mapping[str, str]) -> str:
    """The recap with what it cost them and what they would like, unless it already says it
    ("you're still waiting for your refund" needs no "and you'd like a refund")."""
    cost = slots.get("cost")
    # what it cost them, unless the recap is their sentence that already says it
    said = [text, cost] if cost and len(set(stems(cost)) - set(stems(text))) > 1 else [text]
    want = slots.get("want")
    if want and _amount_asked_back(slots) and slots["amount"] not in text:
        want = f"{want} of {slots['amount']}"  # "a refund of £34.99", not "was rude (£34.99)"
    # the playbook's words for it, not their "a firm delivery date or a refund" ("your delivery")
    if want and not set(stems(slots.get("want_ask") or want)) & set(stems(text)):
        said.append(f"you'd like {want}")
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + f", and {said[-1]}"


def _names_loss(issue: str, loss: str, config: CoachConfig) -> bool:
    """Is the issue the death they told us of: does it name whom they lost ("the problem with
    your dog" to someone whose dog died), or tell of someone's death the way the coach's loss
    cues (`customer.loss`, the one list of them) read it, in the customer's own voice again
    ("your mum's funeral")? "your phone that died" and "the bereavement line" are their issue
    still."""
    if not issue:
        return False
    if loss != "your loss" and re.search(rf"\b{re.escape(loss)}\b", issue, re.IGNORECASE):
        return True
    return lost_someone(re.sub(r"\byour\b", "my", issue), config.customer.loss) not in (None, "your loss")


def _loss_slots(latest: str, slots: dict[str, str], config: CoachConfig) -> None:
    """{loss}: whom the latest message tells us they lost; and then no issue, topic or sentence
    of theirs that is the loss itself."""
    loss = lost_someone(latest, config.customer.loss)
    if not loss:
        return
    slots["loss"] = loss
    slots.pop("request", None)  # "My mum passed away and I need to close her account": condolences first
    # "your dog that died" is the loss, not the issue; and the coach's own name for the cause
    # ("the delay with your delivery") is a guess no one grieving should have to correct
    generic = slots.get("issue_read") and not slots.get("issue_own")
    if generic or _names_loss(slots.get("issue", ""), loss, config):
        slots.pop("issue", None)
    # ... nor what they said of it, to say back ("your dog died, and you'd like to cancel")
    for key in ("topic", "said"):
        if _names_loss(slots.get(key, ""), loss, config):
            slots.pop(key)


def _situation(moment: Moment, slots: dict[str, str], config: CoachConfig) -> None:
    """Slots that mark the situation (templates `needs` them): a deadline the latest message
    gives, a repeat contact, a message that only thanks us for something now sorted, a death in
    the family the latest message tells of."""
    latest = moment.latest.text[:SAID_CHARS] if moment.latest else ""
    if latest:
        _loss_slots(latest, slots, config)
    _deadline_slots(latest, slots)
    _history_slots(moment, latest, slots)
    if latest:
        _declined_slots(moment, latest, config, slots)
    # once a fix is agreed, a question ("Thank you. What about food for tonight?") is the next
    # thing to answer, whatever the case was about
    settled = moment.kind in ("agree", "close")
    calm = moment.latest is not None and (moment.latest.anger.level == "calm" or settled)
    asks = _ASKS_FOR.search(latest)  # "Return label and refund please?" asks for a refund
    asked = question_asked(latest) if calm and not asks else None
    if asked and (settled or not slots.get("issue_own")) and not slots.get("thanks"):
        slots["question"] = asked  # a calm question is no problem to apologise for
        if not settled:
            slots.pop("issue", None)
    _thanks_slots(moment, latest, slots)
    if _phishing_check(moment):
        slots["phishing"] = "yes"
    if latest and _only_greets(latest, config):  # "hello?": nothing to apologise for or say back
        slots["greeting"] = "yes"
        for key in ("issue", "question"):
            slots.pop(key, None)


def _thanks_slots(moment: Moment, latest: str, slots: dict[str, str]) -> None:
    """{thanks} for what they say is now sorted, `thanks_done` for what the agent said is done,
    `praise`: none of them a problem to apologise for."""
    if latest and thanks_only(latest):
        topic = slots.get("topic")
        slots["thanks"] = resolved_clause(latest) or (f"{topic} is sorted" if topic else "it's sorted")
        return
    if latest and thanks_for_done(latest, _agent_before(moment)):
        slots["thanks_done"] = "yes"  # "ok thanks, that's great" to "I've refunded the second one"
    elif moment.latest is not None and praised(moment.latest):
        slots["praise"] = "yes"
    else:
        return
    for key in ("issue", "question"):
        slots.pop(key, None)


def _phishing_check(moment: Moment) -> bool:
    """"Is this text really from you?": a check before anything was lost (a takeover read as one
    is the danger moment's, whose reply locks the account)."""
    return (moment.latest is not None and not moment.danger
            and any(r.trigger == "phishing_check" for r in moment.latest.escalate.reasons))


def _agent_before(moment: Moment) -> str:
    """The agent's turn just before the customer's latest, or "" when the customer wrote twice."""
    turns = moment.turns
    after_agent = len(turns) >= 2 and turns[-2].role == "agent" and turns[-1].role == "customer"
    return turns[-2].text if after_agent else ""


def _history_slots(moment: Moment, latest: str, slots: dict[str, str]) -> None:
    """What the conversation so far makes of the latest message: `answered` (an agent has replied
    before it), {repeat} (they have had to ask before), `recurs` (what went wrong came back)."""
    if any(turn.role == "agent" for turn in moment.turns[:-1]) and moment.turns[-1].role == "customer":
        slots["answered"] = "yes"  # their venting is at what we said
    if repeat_contact(_said(moment), moment.words):
        slots["repeat"] = "again"
    elif latest and recurs([latest]):
        slots["recurs"] = "yes"


def _deadline_slots(latest: str, slots: dict[str, str]) -> None:
    """{deadline} the latest message gives, `deadline_money` when it is for their money back, and
    {update_time} before it."""
    due = deadline(latest)
    if not due:
        return
    slots["deadline"] = due
    if _MONEY.search(_clause_of(latest, due.split()[-1])):
        slots["deadline_money"] = "yes"  # "I need the money back TODAY", not "reinstated today"
    if due in _SOON or due != due.lower() or due.endswith("weekend"):  # a named day
        # "within 24 hours" to someone who needs it today is a refusal, and to someone who needs
        # it by Thursday it may be Friday: tell them today
        slots["update_time"] = "within the hour" if due in _NOW else slots.get("callback_time", "today")


def _only_greets(text: str, config: CoachConfig) -> bool:
    """Is the whole message a greeting or a "hello?, anyone there?" (coach.yaml
    `customer.greeting`, each read against the whole message)?"""
    low = " ".join(text.lower().replace("’", "'").split())
    return any(re.fullmatch(pattern, low) for pattern in config.customer.greeting)


def _declined_slots(moment: Moment, latest: str, config: CoachConfig, slots: dict[str, str]) -> None:
    """{declined}: what they turned down of the agent's offer; `declined_asks`: and they say what
    they want instead ("I don't want a voucher, I want a refund")."""
    declined = _declined(moment, latest, config)
    if declined:
        slots["declined"] = declined
        if asked_for(latest):
            slots["declined_asks"] = "yes"
        instead = _OTHER_TIME.search(latest)
        if instead and not slots.get("declined_asks"):  # "Thursday is no good. Saturday?"
            word = instead.group("when")
            slots["instead"] = word if word.lower() in ("the weekend", "next week") else word.capitalize()


def _declined(moment: Moment, latest: str, config: CoachConfig) -> str | None:
    """What the latest message turns down of what the agent offered just before it, said back
    ("Thursday is no good, I'm at work" -> "Thursday is no good, you're at work"), or None. Only
    right after an agent turn that offered a fix, options or a time (coach.yaml
    `customer.decline`)."""
    turns = moment.turns
    if len(turns) < 2 or turns[-1].role != "customer" or turns[-2].role != "agent":
        return None
    scans = moment.agent_scans()
    offered = scans[-1] if scans else None
    if offered is None or not (offered.behaviours.get("solution") or offered.behaviours.get("options")
                               or offered.times):
        return None
    said: list[str] = []
    declined = False
    for sentence in split_sentences(latest):
        low = sentence.lower().replace("’", "'")
        if not any(re.search(pattern, low) for pattern in config.customer.decline):
            continue
        declined = True
        clause = _AND.sub("", sentence.strip()).rstrip(".!? ")
        # "just refund me" is said back as nothing: an order turned round ("just refund you") is
        # no sentence, and a bare "no thanks" says nothing back
        if len(said) < 2 and len(clause.split()) >= 3 and not _ORDERS.search(clause):
            clause = second_person(clause)
            first = clause.split(" ", 1)[0]
            said.append(clause[:1].lower() + clause[1:] if first.lower() in _SMALL_FIRST else clause)
    return (", and ".join(said) or "that doesn't work for you") if declined else None


# the day they offer instead of ours ("Thursday is no good, I'm at work. Saturday?"): a question
# or a plea that names a day ("could you do Saturday", "what about next week?")
_OTHER_TIME = re.compile(r"(?:^|[.!?,]\s*|\b(?:what about|how about|could you do|can you do|can it be|"
                         r"could it be|is|any chance of|or)\s+)(?:on\s+)?(?P<when>monday|tuesday|wednesday|"
                         r"thursday|friday|saturday|sunday|the weekend|next week)\b"
                         r"(?:\s+(?:morning|afternoon|evening|instead|then))?"
                         r"\s*(?:\?|instead\b|please\b|would\b|works?\b|is better\b|suits?\b)", re.IGNORECASE)


# an order to us inside what they turned down ("No thanks, just refund me")
_ORDERS = re.compile(r"(?:^|[,;:]\s*|\b(?:just|please|so)\s+)(?:refund|send|cancel|give|fix|call|ring|"
                     r"email|sort|get|put|take|stop|change|book|move|pay)\b", re.IGNORECASE)


_AND = re.compile(r"^(?:and|but|also|plus)\b,?\s*", re.IGNORECASE)
# a clause said back mid-sentence starts with a small letter, unless it starts with a name
# ("Thursday is no good")
_SMALL_FIRST = frozenset({"that", "that's", "it", "it's", "this", "the", "then", "no", "you", "you're",
                          "your", "a", "an", "sorry"})


# what an offer offers: "I can move you to the annual plan, which works out at..." -> "move you
# to the annual plan"
_OFFER = re.compile(r"\b(?:I|we)\s+(?:can|could|will|'ll|'d be happy to|am happy to|are happy to)\s+"
                    r"(?:also\s+|now\s+|still\s+)?(?!(?:see|understand|imagine|hear|tell|appreciate|"
                    r"only\s+apologi[sz]e|assure|confirm that)\b)((?:[\w£$€'-]+[ ]){1,10}?[\w£$€'-]+)"
                    r"(?=\s*(?:[,;.!?]|$|\s(?:which|so that|if|or|and then|instead)\b))", re.IGNORECASE)


# a promise of what the customer will see ("you'll see it within 3 to 5 working days") is said
# after "I will" as making sure of it
_YOURS = re.compile(r"^you\s*(?:'ll|’ll|\s+will)\b", re.IGNORECASE)
# a plan that is itself the agent checking back ("check on Friday that the refund has landed and
# message you"): a recap adds no second check-in at another time
_CHECKS_BACK = re.compile(r"\b(?:check|update|call|ring|phone|message|email|text|follow up|get back|"
                          r"be in touch|let you know|contact)\b", re.IGNORECASE)


def _plan(moment: Moment) -> tuple[str, bool] | None:
    """What was agreed, and whether it says when the agent checks back: the agent's latest dated
    promise, else the fix the agent last offered ("I can move you to the annual plan" -> "move you
    to the annual plan"), so a recap never shows "[the agreed next step]" where the agent's own
    words say it."""
    for scan in reversed(moment.agent_scans()):
        dated = [c for c in scan.commitments if c.due_text]
        if dated:
            promise = dated[-1]
            what = f"make sure you {promise.what}" if _YOURS.match(promise.evidence.text) else promise.what
            return what, bool(_CHECKS_BACK.search(promise.what))
    for scan in reversed(moment.agent_scans()):
        for found in scan.behaviours.get("solution", ()):
            start = max(scan.text.rfind(mark, 0, found.start) for mark in (". ", "! ", "? ", "\n"))
            offer = _OFFER.search(scan.text, start + 1 if start >= 0 else 0)
            if offer and offer.start() <= found.start < offer.end():
                other = _OTHER_OPTION.match(scan.text, offer.end())
                if not other:
                    return offer.group(1), False
                # "a new copy or a refund": the one the customer's reply names, else not ours to guess
                chosen = _chosen((offer.group(1), other.group(1).strip()), moment)
                return (chosen, False) if chosen else None
    return None


# the second of two options offered: "... today, or refund you in full"
_OTHER_OPTION = re.compile(r",?\s+or\s+(?:if you(?:'d| would) (?:prefer|rather),?\s+)?"
                           r"(?:(?:I|we)\s+(?:can|could)\s+)?([^,.;!?\n]{3,80})", re.IGNORECASE)


def _chosen(options: tuple[str, str], moment: Moment) -> str | None:
    """The option the customer's latest message names ("A new copy please" of "send a new copy
    today" or "refund you in full"), when it names one more than the other."""
    said = set(stems(moment.latest.text)) if moment.latest is not None else set()
    first, second = (len(said & set(stems(option))) for option in options)
    if first == second:
        return None
    return options[0] if first > second else options[1]


SAID_TURNS = (2, 4)  # the customer's first and latest turns: where the issue is said
SAID_CHARS = 2000  # of each: a long email's issue is in its opening, not its quoted thread


def _said(moment: Moment) -> list[str]:
    """The customer's words the issue is read from: their first and latest few turns, each cut
    to its opening, so a long case of long emails costs no more than a short one."""
    turns = [t.text[:SAID_CHARS] for t in moment.turns if t.role == "customer"]
    first, latest = SAID_TURNS
    return turns if len(turns) <= first + latest else [*turns[:first], *turns[-latest:]]


_NO_TROUBLE = re.compile(r"\b(?:nothing(?:'s| is)? wrong|not because of anything|no complaints?|"
                         r"nothing to do with (?:you|the service))\b", re.IGNORECASE)


def _troubled(topic: str, cancelled: str | None, untroubled: bool) -> bool:
    """Is the thing they named something that went wrong? Not when they say nothing did ("I'm
    moving to Spain, nothing wrong": `untroubled`) or when it is only what they ask us to cancel
    ("the problem with your contract" to someone ending it)."""
    if untroubled:
        return False
    return not (cancelled and topic.split()[-1].lower() == cancelled.split()[-1].lower())


def _trouble_stems(moment: Moment, config: CoachConfig) -> set[str]:
    """Stems of the customer's own words for what went wrong: the evidence of the causes and
    areas the coach names (`issues`), not of their life around it (their rent, their mum)."""
    return {stem for analysis in moment.customer_analyses() for finding in (*analysis.areas, *analysis.causes)
            if finding.label in config.issues for ev in finding.evidence if ev.source != "semantic"
            for stem in stems(ev.text)}


def _issue_slots(moment: Moment, config: CoachConfig, slots: dict[str, str]) -> IssuePhrase | None:
    """{issue} in the customer's words (their object and problem, else the thing they named,
    else the coach's name for the cause), {topic} and {said} (their sentence about it)."""
    said = _said(moment)
    # what they named that went wrong comes before the first thing they named ("I like the box,
    # but the last two bills were £3 higher": the bills)
    phrase = issue_phrase(said, moment.words)
    topic = trouble_object(said, prefer=_trouble_stems(moment, config), memo=moment.words)
    if topic:
        slots["topic"] = topic
        said_it = said_back(said, topic, memo=moment.words)
        if said_it:
            slots["said"] = said_it
    untroubled = any(_NO_TROUBLE.search(text) for text in said)
    asked = topic if topic and asked_only(said, topic, moment.words) else None
    if asked:  # "Refund my order 55210": what they want done, no problem
        slots.pop("topic", None)
        topic = None
    named = topic if topic and _troubled(topic, slots.get("cancel_what"), untroubled) else None
    issue = (phrase.noun if phrase else f"the problem with {named}" if named
             else None if untroubled else _issue(moment, config, slots))
    head = asked.split()[-1].lower() if asked else ""
    if not phrase and issue and head in issue.lower().split() and head not in _THEIR_THING:
        # nor the coach's name for it ("the delay with your delivery" to "cancel our subscription
        # after the delivery"); a charge they want back is still what went wrong ("the charge")
        issue = None
    if phrase:
        slots["issue_own"] = "yes"
    if issue and not named and issue != ONLY_ASKED:  # their own problem, or the coach's name for it
        slots["issue_read"] = "yes"
    if issue:
        slots["issue"] = issue
    if _only_requests(moment, issue):
        slots["request"] = "yes"  # "A refund please.": a request, and nothing gone wrong in it yet
    return phrase


# What a customer can ask for without anything having gone wrong ("A refund please.", "I'd like
# to cancel my contract, I'm moving abroad")
_REQUESTABLE = frozenset({"refund", "replacement", "repair", "compensation", "cancellation"})


def _only_requests(moment: Moment, issue: str | None) -> bool:
    """Does the latest message ask for something, naming nothing that went wrong: only words of
    asking, or a short message with no question and no problem we could name?"""
    if moment.latest is None:
        return False
    latest, wants = moment.latest.text, customer_wants(moment)
    if not wants or wants[0] not in _REQUESTABLE:
        return False
    if moment.latest.anger.level in ("angry", "hostile"):
        return False  # "Cancel my account, you shower of thieves" is no calm request
    if issue is None and wants[0] == "cancellation":
        # "I'd like to cancel my broadband contract please, I'm moving abroad": nothing went
        # wrong, and what to cancel is named ("cancel it, cancel the lot" names nothing)
        return "?" not in latest and cancel_object([latest]) is not None  # not "if I cancel...?"
    short = len(latest.split()) <= 8 and "?" not in latest
    return issue == ONLY_ASKED and (only_asks(latest) or short)


def build_slots(moment: Moment, config: CoachConfig) -> dict[str, str]:
    """Every slot this conversation can fill (unknown ones are simply absent). `watch` (no
    template may name it) holds the danger moment whose check-in the latest message calls for.
    Worked out once per moment and coach (every draft and template of the moment asks)."""
    kept = moment.memo.get("slots")
    if kept is not None and kept[0] is config:
        return dict(kept[1])
    slots = _build_slots(moment, config)
    moment.memo["slots"] = (config, dict(slots))
    return slots


_REF_TAIL = re.compile(r"\s*(?:\b(?:is|was)\b|[:#])\s*$", re.IGNORECASE)


def _reference_word(text: str, value: str) -> str:
    """What the customer called their reference ("Flight BA2490" -> "flight", "booking ref X" ->
    "booking ref"), said back with it; "order" when they gave a bare id ("#BL-77120")."""
    before = text[:text.find(value)] if value in text else ""
    word = _REF_TAIL.sub("", before).strip().lower()
    return word if re.fullmatch(r"[a-z][a-z ]{1,30}", word) else "order"


# A length of time that measures something other than their wait: how fast someone else did a
# thing ("it took you six seconds to take the money", "says no in eight seconds"), a time promised
# or due ("your policy says 30 days", "due back in five days"), how long they have had the thing
# ("I've had them three weeks"), a day they took off (what it cost them), how late a thing came
# ("a day late") or someone's age ("a 2 year old").
_NOT_WAIT_BEFORE = re.compile(
    r"(?:\b(?:took|takes?|taking)\s+(?:you|them|him|her|your\s+[\w-]+|the\s+[\w-]+)\s+"
    r"|\b(?:in|within|under)\s+(?:just\s+|only\s+|about\s+|less than\s+)?"
    r"|\b(?:says?|said|promised?|promising|guaranteed?|policy|terms)\b[^.,;!?\n]*"
    r"|\bhad (?:it|them|this|these|those|mine)\s+(?:for\s+)?"
    # how long they have been with us ("a customer for 20 years", "with you for six years")
    r"|\b(?:been|was|were)\s+(?:a\s+|your\s+)?(?:loyal\s+|happy\s+)?(?:customer|member|client|"
    r"subscriber|tenant|with (?:you|your company|you guys|you lot))\s+(?:for\s+)?"
    r"(?:over\s+|nearly\s+|almost\s+|more than\s+)?)$", re.IGNORECASE)
_NOT_WAIT_AFTER = re.compile(r"(?:['’]s?)?\s*-?\s*(?:off\b|old\b|late\b|early\b|"
                             r"of (?:annual leave|holiday|leave|wages|pay)\b|(?:['’]s?\s+)?(?:wages|pay)\b)",
                             re.IGNORECASE)
# a count of things before "a day" ("3 marketing emails a day"): a frequency
_COUNTED = re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple)\s+"
                      r"(?:[a-z-]+\s+){0,2}[a-z-]+s\s+$", re.IGNORECASE)
# ... unless nothing happened in that time ("nobody has called me back once in three weeks") or
# it is how long their thing took to come ("the next day delivery arrived in 3 days")
_NONE_IN = re.compile(r"\b(?:no|not|never|nobody|no one|nothing|once|arrived|came|turned up|showed up|"
                      r"delivered|got here)\b|n['’]t\b", re.IGNORECASE)


def _measures_wait(text: str, fact: Fact) -> bool:
    """Does the duration `fact` of `text` say how long they have waited (or been stuck with the
    problem), not how long something else took, is due to take, or has been theirs?"""
    clause = re.split(r"[.!?;:\n]|,|\b(?:when|but|while|whereas|and)\b", text[:fact.start])[-1]
    if _NOT_WAIT_AFTER.match(text, fact.end):
        return False
    if re.match(r"(?:a|an|per)\s", fact.value, re.IGNORECASE) and _COUNTED.search(clause):
        return False  # "3 marketing emails a day" is how often, not how long
    found = _NOT_WAIT_BEFORE.search(clause)
    if not found:
        return True
    # "in three weeks" is the wait when nothing happened in them
    return bool(re.match(r"(?:in|within|under)\b", found.group(0), re.IGNORECASE)
                and _NONE_IN.search(clause[:found.start()]))


def _joined(durations: Sequence[Fact], text: str) -> list[Fact]:
    """The durations of `text`, with one said in two parts made one again ("an hour and ten
    minutes" is read as "an hour" and "ten minutes"; the wait is the whole of it)."""
    found: list[Fact] = []
    for fact in durations:
        last = found[-1] if found else None
        if last is not None and re.fullmatch(r"\s+and\s+", text[last.end:fact.start]):
            found[-1] = Fact("duration", f"{last.value} and {fact.value}", text[last.start:fact.end],
                             last.start, fact.end)
        else:
            found.append(fact)
    return found


def _the_wait(moment: Moment) -> str | None:
    """{duration}: how long the customer has waited, in their words: the latest length of time
    they say they waited ("waiting seven weeks"), else the latest that measures no other thing."""
    said = [(a.text, f) for a in moment.customer_analyses()
            for f in _joined([f for f in a.facts if f.kind == "duration"], a.text)]
    # the same length said twice is one ("9 days ... NINE DAYS"), said back as first written,
    # not shouted
    other = {f.value.lower() for text, f in said if not _measures_wait(text, f)}
    first = {f.value.lower(): f.value for _, f in reversed(said)}
    waits = [f for _, f in said if f.value.lower() not in other]
    fact = next((f for f in reversed(waits) if f.text != f.value), waits[-1] if waits else None)
    return first[fact.value.lower()].strip() if fact is not None else None


# A count above one before a unit left singular, as customers writing in a second language do
_PLURAL_UNIT = re.compile(r"(\b(?:[2-9]|[1-9]\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                          r"twelve|several|few)\s+(?:minute|hour|day|week|month|year))\b(?!s)", re.IGNORECASE)


def _fact_slots(moment: Moment, slots: dict[str, str]) -> None:
    """{order}, {product}, {amount}, {date}: the latest of each the customer gave; {duration}, the
    wait they tell of (`_the_wait`); and {order_ref}, the order as they called it ("flight BA2490",
    "order SF-20931")."""
    wait = _the_wait(moment)
    if wait:
        slots["duration"] = _PLURAL_UNIT.sub(r"\1s", wait)  # "3 week now" -> "3 weeks"
    for slot, kind in _FACT_SLOTS.items():
        if slot == "duration":
            continue
        fact = next((f for f in reversed(moment.customer.facts) if f.kind == kind), None)
        if fact is not None and (slot != "order" or _is_order(fact.value)):
            slots[slot] = fact.value.lstrip("#").strip()
            if slot == "order":
                slots["order_ref"] = f"{_reference_word(fact.text, fact.value)} {slots['order']}"
            if slot == "amount" and any(fact.value in sentence and _BACK.search(sentence)
                                        for sentence in split_sentences(" ".join(_said(moment)))):
                slots["amount_back"] = "yes"  # "I'd like a full refund of £34.99"


# Words that ask for money back: an amount in the same sentence is the sum they want back.
_BACK = re.compile(r"\b(?:refund\w*|money back|reimburs\w*|compensat\w*|owe|owed|repa(?:y|id)|"
                   r"(?:it|that|this|them) back|deposit back|return\w*)\b", re.IGNORECASE)


_TITLE = re.compile(r"(?:mr|mrs|ms|miss|mx|dr|prof)\.?", re.IGNORECASE)


def _called(author: str) -> str | None:
    """What a reply calls the customer: their first name ("Priya Shah" -> "Priya"), or the whole
    name after a title ("Mr Okafor"); none for a handle or an email address, which nobody is
    called to their face, and none for an initial ("J. Okafor" was "Thank you, J.,")."""
    words = author.split()
    if not words or re.search(r"[@\d_/]", author):
        return None
    if _TITLE.fullmatch(words[0]) and len(words) > 1:
        return " ".join(words[:2])
    return None if len(words[0].rstrip(".")) <= 1 else words[0]


# "get the deposit back", "the return of my £500 deposit": their deposit, in the sentence that asks for it
_DEPOSIT = re.compile(r"\b(?:my|our|the)\s+(?:[\w£$€.,-]+\s+){0,2}?deposit\b", re.IGNORECASE)


_IT_BACK = re.compile(r"\b(?:it|that)\s+back\b", re.IGNORECASE)


def _deposit_back(said: Sequence[str]) -> bool:
    """Do they ask for their deposit back: in the sentence that names it ("the return of my £500
    deposit"), or as "it back" in a message about a deposit that asks no refund by name?"""
    text = " ".join(said)
    sentences = split_sentences(text)
    if any(_DEPOSIT.search(s) and _BACK.search(s) for s in sentences):
        return True
    return bool(_DEPOSIT.search(text) and not re.search(r"\brefund", text, re.IGNORECASE)
                and any(_IT_BACK.search(s) for s in sentences))


def _deposit_or(ask: str, want: str, moment: Moment) -> str:
    """The want as the playbook words it, but a deposit asked back as "your deposit back" (a
    deposit is theirs, returned, not refunded), and a partial refund as one."""
    if want != "refund":
        return ask
    if _deposit_back(_said(moment)):
        return "your deposit back"
    return "a partial refund" if _PARTIAL.search(" ".join(_said(moment))) else ask


_PARTIAL = re.compile(r"\b(?:a\s+)?partial\s+refund\b", re.IGNORECASE)


def _build_slots(moment: Moment, config: CoachConfig) -> dict[str, str]:
    slots: dict[str, str] = dict(config.sla)
    name = _called(moment.name) if moment.name else None
    if name:
        slots["name"] = name
    _fact_slots(moment, slots)
    wants = customer_wants(moment)
    cost = what_it_cost(_said(moment))
    if cost is not None:
        slots["cost"] = cost.clause
    if wants:
        slots["want_ask"] = moment.wants[wants[0]].ask
        slots["want"] = _either(moment, wants[0]) or _deposit_or(slots["want_ask"], wants[0], moment)
        also = _and_also(moment, wants, cost)
        if also:  # "you'd like a refund and compensation for the day's wages you lost"
            slots["want"] += f", and also {also}" if " or " in slots["want"] else f" and {also}"
            if cost is not None and cost.noun in also:  # said once, as what it is for
                slots.pop("cost", None)
    cancelled = cancel_object(_said(moment), moment.words) if "cancellation" in wants else None
    if cancelled:
        slots["cancel_what"] = cancelled
    phrase = _issue_slots(moment, config, slots)
    plan = _plan(moment)
    if plan:
        slots["plan"] = plan[0]
        if plan[1]:
            slots["plan_checks"] = "yes"
    _situation(moment, slots, config)
    if "loss" in slots and "issue" not in slots:
        phrase = None  # their words for the issue told of the loss itself
    recap = _recap(slots, phrase) if "question" not in slots else None
    if recap:
        slots["recap"] = recap
    if moment.watch:
        slots["watch"] = moment.watch
    return slots
