"""What happened to the customer, when it is no object with a problem ("my TV arrived cracked").

Customers often tell what was done to them rather than what is wrong with a thing: "your driver
threw my parcel over the gate", "the courier left it in the rain", "I'm locked out of my account",
"still no update on ticket 4471", "you took $89 from my card after I cancelled", "where is my
refund??". Naming only the thing ("the problem with your parcel") or the thing next to it
("the problem with your email" to someone on their fourth email about a refund) tells them the
reply was not written for them. `what_happened` says it back, in the customer's own words turned
to the agent's voice by the caller's `voice` (engine.phrases.second_person), as a noun phrase
and a clause, or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from calmline.signals.grammar import MONTH, WEEKDAYS

# Who acts for the company, as customers name them ("your driver", "the delivery guy").
STAFF = frozenset("""engineer engineers technician technicians driver drivers courier couriers fitter
    fitters installer installers plumber electrician rep agent agents carer nurse surveyor staff member
    members employee employees worker workers cashier receptionist pharmacist postman manager
    assistant adviser advisor operator guard waiter waitress porter workman workmen builder builders
    roofer roofers cleaner cleaners decorator decorators gardener gardeners mechanic mechanics""".split())
# People who are staff only when the customer says which ("the delivery guy", "the man on the phone").
_PEOPLE = frozenset("guy guys man men woman women lady bloke lad person".split())
_WHO = (r"(?P<who>(?P<own>[Yy]our|[Tt]he|[Oo]ur)\s+(?P<kind>[A-Za-z-]+\s+)?(?P<staff>[A-Za-z]+)"
        r"(?P<where>\s+(?:at|in|from|on)\s+(?:the\s+)?(?:[A-Za-z0-9-]+\s+){0,2}?[A-Za-z0-9-]+)?)")
# What they did: how they behaved that day ("was really rude to my dad"; not what they are: "your
# pharmacist is an arrogant idiot" is an insult, not said back), or a deed that did harm.
_MANNER = (r"(?:was|were|got|has been|have been)\s+(?:(?:really|very|so|incredibly|extremely|quite|"
           r"completely|totally|absolutely|a bit|a little|just)\s+)?(?:rude|aggressive|abusive|"
           r"unhelpful|dismissive|condescending|patroni[sz]ing|threatening|racist|sexist|hostile|"
           r"careless|smoking|swearing|shouting|drunk|laughing)")
_DEED = (r"(?:threw|thrown|chucked|dumped|dropped|left|kicked|broke|smashed|damaged|scratched|dented|"
         r"lost|shouted|swore|yelled|laughed|hung up|refused|ignored|lied|blocked|crashed|spilled|"
         r"spilt|ruined|missed|forgot|skipped|insulted|accused|humiliated|pushed|grabbed|threatened|"
         r"stole|tore|ripped|flooded|overcharged|mis-?sold|walked off|drove off|ran over|reversed into|"
         r"backed into|drove into|knocked (?:down|over)|"
         r"spoke|talked|treated|handled|dealt)")
# How they spoke to or treated someone is the issue only as "the way your staff spoke to my
# daughter": "the rep spoke to my manager" says nothing went wrong.
_MANNER_ONLY = frozenset("spoke talked treated handled dealt".split())
# The rest of their clause, up to where another begins ("... over the gate and now the lamp").
_STOP = r"(?:and|but|so|because|which|when|then|now|was|were|is|are|has|had|who|while|even|after|until)"
_REST = r"(?P<rest>(?:\s+(?!" + _STOP + r"\b)[\w'’£$€-]+){0,9}?)(?=\s*(?:[.,;:!?)\n]|$)|\s+" + _STOP + r"\b)"
_STAFF_DID = re.compile(r"\b" + _WHO + r"\s+(?P<did>" + _MANNER + r"|" + _DEED + r")\b" + _REST)
_WHERE = re.compile(r"\bwhere(?:['’]s|\s+is|\s+are|s)\s+(?P<own>my|our|the)\s+(?P<obj>[A-Za-z][\w-]*"
                    r"(?:\s+(?!now\b|then\b|please\b)[A-Za-z][\w-]*)?)(?=\s*(?:[.,;:!?\n]|$))",
                    re.IGNORECASE)
_LOCKED = re.compile(r"\blocked out of (?P<own>my|our|the) (?P<obj>(?:online |[A-Za-z]+ )?account|app|"
                     r"online banking|email)\b", re.IGNORECASE)
_NO_WORD = re.compile(r"\b(?P<still>still\s+)?no\s+(?P<what>update|reply|response|answer|news|"
                      r"call[ -]?back)s?"
                      r"(?:\s+(?P<on>on|about|regarding)\s+(?!(?:why|what|when|how|where|who|whether|if)\b)"
                      r"(?P<obj>(?:(?:my|our|the)\s+)?[A-Za-z][\w-]*"
                      r"(?:\s+#?\d[\w-]*)?))?\b", re.IGNORECASE)
_NOBODY = re.compile(r"\b(?:nobody|no one|no-one|noone)\s+(?:has\s+|had\s+|ever\s+)?(?P<did>called|rang|rung|"
                     r"phoned|got back|came back|turned up|showed up|came(?=\s*(?:[.,;!?]|$)))"
                     r"(?:\s+(?:to me|me|us))?"
                     r"(?:\s+back)?\b", re.IGNORECASE)
_TAKEN = re.compile(r"\byou(?:['’]ve|\s+have)?\s+(?:took|taken|charged|billed|debited|deducted)\s+(?:me\s+)?"
                    r"(?P<amt>[£$€]\s?\d[\d,.]*\d|[£$€]\s?\d)"
                    r"(?:\s+(?:from|out of|off)\s+(?:my|our)\s+[A-Za-z]+(?:\s+account)?)?"
                    r"(?P<when>\s+(?:after|even though|although|when|despite|before)\s+[^.,;!?\n]{3,60})?",
                    re.IGNORECASE)

# What was booked when nobody came for it: "Delivery was booked for 14 November; I took the day off
# work and nobody came".
_DAY = "(?:" + "|".join(WEEKDAYS) + ")"
_WHEN = (r"(?P<when>(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+" + MONTH + r"\b|"
         + MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?\b|"
         r"(?:last\s+|this\s+|next\s+)?" + _DAY + r"\b|today\b|yesterday\b)")
_BOOKED = re.compile(r"\b(?:(?:my|our|the)\s+)?(?P<what>delivery|appointment|visit|installation|"
                     r"collection|repair|fitting)\s+(?:was|had been|is|got)\s+(?:booked|scheduled|"
                     r"arranged|due|confirmed|set)\s+(?:in\s+)?(?:for|on)\s+" + _WHEN, re.IGNORECASE)
# ... or the thing that was to be delivered, fitted or collected then: "My sofa was supposed to be
# delivered on 14 November" is "your sofa delivery on 14 November".
_DUE = re.compile(r"\b(?:my|our|the)\s+(?P<obj>(?:[A-Za-z][\w-]*\s+){0,2}?[A-Za-z][\w-]*)\s+(?:was|were|"
                  r"had been|is|are)\s+(?:supposed|meant|due|scheduled|booked|going|set)\s+to\s+(?:be\s+)?"
                  r"(?P<done>delivered|installed|fitted|collected|repaired|fixed|connected|arrive|come)\s+"
                  r"(?:on|for)\s+" + _WHEN, re.IGNORECASE)
_DONE = {"delivered": "delivery", "arrive": "delivery", "come": "delivery", "installed": "installation",
         "fitted": "fitting", "collected": "collection", "repaired": "repair", "fixed": "repair",
         "connected": "connection"}
# A payment they tried to make that did not go through: "I tried to pay three times and it kept
# failing", "tried to make a payment but it was declined".
_PAY_FAILED = re.compile(r"\b(?:tried|trying|try|attempted|attempting)\s+to\s+(?:pay|make\s+(?:a|the|my)\s+"
                         r"payment)\b[^.!?\n]{0,50}?"
                         r"\b(?:it|that|they|the payment|my payment|my card|the card)"
                         r"\s+(?P<how>(?:kept|keeps|keep)\s+(?:failing|being declined|getting declined|"
                         r"bouncing|erroring)|failed|was declined|got declined|(?:didn't|did not|wouldn't|"
                         r"would not|won't) go through)", re.IGNORECASE)
_PAY_SAID = {"failed": ("failing", "failed"), "was declined": ("being declined", "was declined"),
             "got declined": ("being declined", "was declined")}

# What they are told they owe, to their surprise: "I owe £340??", "your app says I owe £340",
# "apparently we owe $89".
_OWE = re.compile(r"(?:^\W*|\b(?:says?|saying|said|shows?|showing|apparently|supposedly|suddenly|now|"
                  r"that)\s+)(?:i|we)\s+(?:now\s+|still\s+|apparently\s+)?owe\s+(?:you\s+)?"
                  r"(?P<amt>[£$€]\s?\d[\d,.]*\d|[£$€]\s?\d)", re.IGNORECASE)

# What came: "it says delivered but nothing came", "Parcel marked as delivered but it isn't here".
_THING = r"(?:parcel|package|order|delivery|item|items|box|shopping|food|letter|card)"
_DELIVERED = re.compile(r"\b(?:marked|shown|showing|shows|show|says|said|listed|updated|logged)\s+"
                        r"(?:(?!but\b)[\w'’]+\s+){0,3}?(?:as\s+)?(?:being\s+|was\s+|were\s+|is\s+)?"
                        r"delivered\b[^.!?\n]{0,60}?\b(?:but|yet)\b"
                        r"[^.!?\n]{0,40}?\b(?:isn't|is not|aren't|not|nothing|never|hasn't|haven't|no sign|"
                        r"wasn't|didn't|no parcel|no package)\b", re.IGNORECASE)
_WHAT_CAME = re.compile(r"\b(?:(?P<own>my|our|the)\s+)?(?P<obj>" + _THING + r")\b", re.IGNORECASE)
# What never came: "ordered a sofa on the 3rd ... still not here", "we ordered a fridge freezer three
# weeks ago and it still hasn't turned up".
_NEVER_CAME = re.compile(r"\b(?:ordered|bought|purchased|paid for)\s+(?P<det>a|an|the|my|our|some|\d+)\s+"
                         r"(?P<obj>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})[^.!?\n]{0,90}?"
                         r"\b(?:still\s+(?:not|isn't|hasn't|haven't|aren't|no sign)|not here yet|not arrived|"
                         r"(?:hasn't|hasnt|has not|haven't|havent|have not|never|didn't|did not)\s+"
                         r"(?:yet\s+)?(?:arrived|come|came|turned up|shown up|showed up|been delivered|"
                         r"arrive|turn up|show up)|no sign of (?:it|them))", re.IGNORECASE)
# Some of them came: "I ordered 4 chairs and only 3 came", "I paid for 6 mugs and the box only had 4".
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_SOME_CAME = re.compile(r"\b(?P<verb>ordered|bought|purchased|paid for)\s+"
                        r"(?:(?:a|one)\s+(?:set|pack|box|case)\s+of\s+)?"
                        r"(?P<n>" + _NUMBER + r")\s+(?P<obj>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})"
                        r"[^.!?\n]{0,40}?\bonly\s+(?:had\s+|got\s+|received\s+)?(?P<m>" + _NUMBER + r")\b",
                        re.IGNORECASE)
# What went up: "Why has my bill gone up by £15", "my monthly price went from £30 to £45".
_MONEY = r"(?:[£$€]\s?\d[\d,.]*\d|[£$€]\s?\d)"
_PRICED = (r"(?:bill|bills|price|prices|payment|payments|debit|tariff|premium|subscription|plan|rent|rate|"
           r"fee|fees|charge|charges|renewal|contract|instalment|instalments|cost)")
_BY = (r"(?P<by>\s+by\s+(?:nearly\s+|almost\s+|over\s+|about\s+)?(?:" + _MONEY + r"|\d+\s?%)"
       r"(?:\s+(?:a|per|every)\s+(?:month|year|week|quarter))?|"
       r"\s+from\s+" + _MONEY + r"\s+to\s+" + _MONEY + r"|\s+to\s+" + _MONEY + r")?")
_WENT_UP = re.compile(r"\b(?P<own>my|our|the)\s+(?P<obj>(?:[A-Za-z-]+\s+){0,2}?" + _PRICED + r")\s+"
                      r"(?:(?:has|have|had|just|suddenly|now|been)\s+)*"
                      r"(?P<up>gone up|go up|went up|increased|increase|jumped|jump|risen|rise|rose|shot up|"
                      r"doubled|double|gone|went|go)" + _BY, re.IGNORECASE)
_STOP_WORDS = frozenset("""on from in at for last and but which that it they this these two three four five
six seven weeks days ago with off via yesterday today back over about only still now""".split())

# "where is the fourth?", "where is the rest": no thing to name
_NO_THING = frozenset("first second third fourth fifth sixth last other rest one ones it them".split())

Voice = Callable[[str], str]


def _ours(who: str, voice: Voice) -> str:
    """The member of staff in the agent's voice: the company's "your driver" and "the driver"
    are "our driver"."""
    said = voice(who)
    first, _, rest = said.partition(" ")
    return f"our {rest}" if first.lower() in ("your", "the", "our") else said


_PREPOSITIONS = frozenset("at to in on for with of from by before without about into".split())
_ORDINAL = re.compile(r"(?:first|second|third|fourth|fifth|last|next|other)\s*$", re.IGNORECASE)


def staff_did(sentence: str, voice: Voice) -> tuple[str, str] | None:
    """(noun phrase, clause) for what a member of staff did to the customer ("the way our driver
    threw your parcel over the gate"), or None. How they behaved ("was rude") or a deed that did
    harm, not an insult ("your staff are morons") nor what they simply did ("checked the hose")."""
    for match in _STAFF_DID.finditer(sentence):
        staff, kind = match.group("staff").lower(), match.group("kind") or ""
        if _ORDINAL.match(kind) or sentence.rstrip().endswith("?"):  # "the first person", a question
            continue
        if staff not in STAFF and not (staff in _PEOPLE and (kind or match.group("where"))):
            continue
        if match.group("did") in _MANNER_ONLY and not re.search(r"\b(?:the way|how)\s+$",
                                                                  sentence[:match.start()], re.IGNORECASE):
            continue
        rest = match.group("rest").split()
        if rest and rest[-1].lower() in _PREPOSITIONS:  # "which door the driver left it at?"
            continue
        if match.group("did") == "left" and (not rest or rest[0].lower() in _PREPOSITIONS | {"early"}):
            continue  # "the delivery guys left before I could check": they went, nothing was left
        who = _ours(match.group("who"), voice)
        did = voice(re.sub(r"\s+", " ", f"{match.group('did')}{match.group('rest')}").strip())
        return f"the way {who} {did}", f"{who} {did}"
    return None


def _their(own: str, obj: str) -> str:
    return f"our {obj}" if own.lower() == "the" and obj.split()[-1].lower() in STAFF else f"your {obj}"


def what_happened(sentence: str, voice: Voice) -> tuple[str, str] | None:
    """(noun phrase, clause) for what was done to the customer in `sentence`, in the agent's
    voice, or None: being locked out, money taken, no word from us, where their thing is.
    `voice` turns their words to the agent's ("my" -> "your", the company's "your" -> "our")."""
    match = _LOCKED.search(sentence)
    if match:
        what = f"locked out of your {match.group('obj').lower()}"
        return f"being {what}", f"you've been {what}"
    match = _TAKEN.search(sentence)
    if match:
        amount = re.sub(r"\s+", "", match.group("amt")) + voice(match.group("when") or "").rstrip()
        return f"being charged {amount}", f"you were charged {amount}"
    match = _OWE.search(sentence)
    if match:
        amount = re.sub(r"\s+", "", match.group("amt"))
        return f"being told you owe {amount}", f"you've been told you owe {amount}"
    match = _NO_WORD.search(sentence)
    if match:
        what = match.group("what").lower().replace("-", " ")
        what = "call back" if what.startswith("call") else what
        article = "an" if what[0] in "aeiou" else "a"
        on = f" {match.group('on').lower()} {voice(match.group('obj'))}" if match.group("obj") else ""
        return f"still having no {what}{on}", f"you still haven't had {article} {what}{on}"
    match = _NOBODY.search(sentence)
    if match:
        did = match.group("did").lower()
        if did in ("turned up", "showed up", "came"):
            return _no_show(sentence, did)
        return NO_CONTACT
    match = _PAY_FAILED.search(sentence)
    if match:
        return _payment_failed(match.group("how").lower())
    found = _came(sentence, voice) or _went_up(sentence, voice)
    if found:
        return found
    match = _WHERE.search(sentence)
    if match and not set(match.group("obj").lower().split()) & _NO_THING:
        their = _their(match.group("own"), match.group("obj"))
        return f"the wait for {their}", f"you're still waiting for {their}"
    return None


# No word from us: the issue only when nothing else went wrong (a no-show outranks it).
NO_CONTACT = ("nobody getting back to you", "nobody has got back to you")


# How a delivery that never came is said back, in the customer's verb ("nobody turned up").
_NEVER = {"came": ("that never came", "never came"), "turned up": ("not turning up", "never turned up"),
          "showed up": ("not showing up", "never showed up")}


def _no_show(sentence: str, did: str) -> tuple[str, str]:
    """Nobody came (`did`: "came", "turned up"), for what they had booked when they say ("your
    delivery on 14 November", "your sofa delivery on 14 November")."""
    due, booked = _DUE.search(sentence), _BOOKED.search(sentence)
    if due and due.group("obj").split()[-1].lower() not in STAFF | _PEOPLE | _NO_THING:
        kind, found = _DONE[due.group("done").lower()], due
        what = f"your {due.group('obj').lower()} {kind}"
    elif booked:
        kind, found = booked.group("what").lower(), booked
        what = f"your {kind}"
    else:
        return "nobody turning up", "nobody turned up"
    what += " on " + " ".join(found.group("when").split())
    if kind in ("delivery", "collection"):
        noun, clause = _NEVER.get(did, _NEVER["came"])
        return f"{what} {noun}", f"{what} {clause}"
    return f"nobody turning up for {what}", f"nobody turned up for {what}"


def _payment_failed(how: str) -> tuple[str, str]:
    """Their payment that did not go through, as they put it ("kept failing")."""
    how = re.sub(r"\s+", " ", how)
    if how in _PAY_SAID:
        noun, clause = _PAY_SAID[how]
        return f"your payment {noun}", f"your payment {clause}"
    if how.startswith(("kept", "keeps", "keep")):
        rest = how.split(" ", 1)[1]
        return f"your payment that kept {rest}", f"your payment kept {rest}"
    return "your payment not going through", "your payment didn't go through"


def _thing(words: str) -> str:
    """The thing they ordered, up to where the rest of their clause begins ("a sofa on the 3rd" ->
    "sofa")."""
    kept = []
    for word in words.split():
        if word.lower() in _STOP_WORDS or word[:1].isdigit():
            break
        kept.append(word)
    return " ".join(kept)


def _came(sentence: str, voice: Voice) -> tuple[str, str] | None:
    """What did not come: a delivery marked as delivered that never reached them, a thing they
    ordered that is still not here, or only some of what they ordered."""
    if _DELIVERED.search(sentence):
        came = _WHAT_CAME.search(sentence)
        what = f"your {came.group('obj').lower()}" if came else "it"
        return (f"{what} showing as delivered when it hasn't reached you",
                f"{what} shows as delivered, but it hasn't reached you")
    match = _SOME_CAME.search(sentence)
    if match:
        thing = _thing(match.group("obj"))
        if thing:
            n, m, verb = match.group("n"), match.group("m"), match.group("verb").lower()
            return (f"only {m} of the {n} {thing} you {verb} arriving",
                    f"only {m} of the {n} {thing} you {verb} arrived")
    match = _NEVER_CAME.search(sentence)
    if match:
        thing = _thing(match.group("obj"))
        det = match.group("det").lower()
        if thing and thing.split()[-1].lower() not in _NO_THING:
            count = "" if det in ("a", "an", "the", "my", "our", "some") else f"{det} "
            what = f"your {count}{thing}"
            many = det not in ("a", "an") and thing.endswith("s") and not thing.endswith("ss")
            return f"the wait for {what}", f"{what} still {'haven' if many else 'hasn'}'t arrived"
    return None


def _went_up(sentence: str, voice: Voice) -> tuple[str, str] | None:
    """A price of theirs that went up ("your bill going up by £15"), by how much if they say."""
    match = _WENT_UP.search(sentence)
    if not match:
        return None
    up, by = match.group("up").lower(), re.sub(r"\s+", " ", match.group("by") or "")
    if up.split()[0] in ("gone", "went", "go") and "up" not in up and not by:
        return None  # "my bill went missing"
    if not by and not any(w in up for w in ("up", "increase", "jump", "rise", "rose", "doubl")):
        return None
    what = _their(match.group("own"), voice(match.group("obj")))
    if "doubl" in up:
        return f"{what} doubling", f"{what} has doubled"
    going = "going from" if by.startswith(" from") or by.startswith(" to") else "going up"
    has = "gone from" if going == "going from" else "gone up"
    by = by.removeprefix(" from") if going == "going from" else by
    return f"{what} {going}{by}", f"{what} has {has}{by}"


__all__ = ["NO_CONTACT", "STAFF", "staff_did", "what_happened"]
