"""The customer's issue in their own words: the object and what is wrong with it.

A suggestion that says "the delay with your delivery" to someone whose TV arrived cracked tells
them nobody read their message. `issue_phrase` finds, in the customer's sentences, the thing they
are talking about ("my new TV") and the problem with it ("arrived cracked"), and turns it to the
agent's point of view ("your new TV that arrived cracked"). It only ever reuses the customer's own
words; when no sentence has both an object and a problem it says so (None) and the caller falls
back to a generic but correct phrase. What kind of message it is (a deadline, a thank-you, a
repeat contact) is engine/situations.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from calmline.engine.happened import NO_CONTACT, STAFF, staff_did, what_happened
from calmline.engine.lru import TextMemo
from calmline.text.spoken import without_fillers

# What is wrong, as customers write it (a verb or an adjective that can follow the object).
_PROBLEM = (r"(?:arrived|came|turned up|showed up|was delivered)\s+with\s+(?:a|an|the)\s+(?:cracked|"
            r"broken|damaged|smashed|dented|torn|bent|scratched|missing)\s+[A-Za-z]+(?<!\band)"
            r"|(?:arrived|came|turned up|showed up|was delivered)\s+(?:\w+\s+)?(?:cracked|broken|damaged|"
            r"smashed|dented|torn|late|wrong|faulty|open(?:ed)?|crushed|leaking|missing parts|split|snapped|"
            r"chipped|warped|stained|soaked|mouldy|moldy|rotten|expired|melted|defrosted|scratched)"
            r"|(?:is|was|are|were|has been|got|been)\s+(?:\w+\s+)?(?:cracked|broken|damaged|smashed|"
            r"dented|faulty|missing|lost|stolen|late|delayed|cancell?ed|wrong|overcharged|down|offline|"
            r"declined|refused|rejected|blocked|frozen|suspended|charged twice|double charged)"
            r"|(?:has|have|had)\s+(?:\w+\s+)?(?:broken down|broken|stopped working|died|failed|packed up|"
            r"gone missing|cracked)|broke down|stopped [a-z]{3,}ing"
            r"|(?:broke|cracked|stopped working|died|failed|leaks|leaked|keeps? (?:crashing|dropping|"
            r"breaking|failing|freezing|cutting out)|won't (?:turn on|start|charge|work|load|connect)|"
            r"doesn't work|does not work|isn't working|is not working|didn't work|did not work|never worked|"
            r"wasn't working|was not working|weren't working|never arrived|never came|"
            r"hasn't arrived|has not arrived|didn't arrive|did not arrive|still hasn't arrived|"
            r"(?:still )?hasn't (?:come|turned up|shown up)|never turned up|didn't come|"
            r"(?:didn't|did not) (?:turn|show) up|"
            r"never showed up|went missing|is missing|was missing|was lost|got lost|"
            r"was charged twice|was cancell?ed|got cancell?ed|was delayed|is delayed)")
# A thing named with its reference ("order SF-20931", "parcel #88213", "order number 55120").
_REF = r"(?:\s+(?:(?:number|no\.?|ref)\s+)?#?(?=[\w-]*\d)[A-Za-z0-9][A-Za-z0-9-]{2,}(?![\w'’]))"
_OBJECT = r"(?P<obj>(?:[A-Za-z][\w-]*\s+){0,2}?[A-Za-z][\w-]*" + _REF + "?)"
_OWNER = r"\b(?P<own>[Mm]y|[Oo]ur|[Tt]he)\s+"
_SKIP = (r"(?:\s+in\s+(?:room|flat|unit|apartment|cabin|suite)\s+[\w-]+"  # "the air conditioning in room 214"
         r"|\s+(?:I|we)\s+(?:bought|ordered|got|received|paid for|booked)(?:\s+\w+){0,3}?"
         r"|\s+(?:that\s+)?you\s+(?:delivered|sent|sold|installed|fitted|supplied|gave)(?:\s+(?:me|us))?"
         r"(?:\s+\w+){0,2}?)?")
_AFTER = (r"(?:\s+(?:after|within|in)\s+(?:just\s+|only\s+)?(?:a|an|one|two|three|four|five|six|"
         r"\d+)\s+(?:days?|weeks?|months?|hours?|uses?|wash(?:es)?)\b)?")
_WITH_PROBLEM = re.compile(_OWNER + _OBJECT + _SKIP + r"\s+(?P<pred>" + _PROBLEM + r")" + _AFTER
                           + r"\b", re.IGNORECASE)
# ... and one that opens the sentence with its reference and no "my" ("Order SF-20931 never came.")
_REF_PROBLEM = re.compile(r"^\W*(?:(?:hi|hello|hey)\b\W*)?(?P<own>)(?P<obj>[A-Za-z][\w-]*" + _REF + r")"
                          + _SKIP + r"\s+(?P<pred>" + _PROBLEM + r")" + _AFTER + r"\b", re.IGNORECASE)
# What is wrong, as a thing the object has or shows ("my new TV has a black screen", "the kettle
# you sent has a little dent in the side", "the boiler shows an F28 error"): said back as that
# thing on or with theirs ("the black screen on your new TV"), not as "the problem with your TV".
_FAULT = (r"(?P<fault>(?:[\w-]+\s+){0,2}?(?P<kind>screen|screens|crack|cracks|scratch|scratches|dent|dents|"
          r"stain|stains|pixel|pixels|lines|flicker|error|error message|error code|leak|fault|hole|holes|"
          r"tear|rip|noise|rattle|smell|sound|picture|signal|power))")
# ... said as "the black screen on", "the leak from", "the hole in", "the fault with" theirs
_WHERE_FAULT = {
    **dict.fromkeys("""screen screens crack cracks scratch scratches dent dents stain stains pixel pixels
        lines flicker error""".split(), "on"),
    **dict.fromkeys("leak noise rattle smell".split(), "from"),
    **dict.fromkeys("hole holes tear rip".split(), "in"),
}
_HAS_FAULT = re.compile(_OWNER + _OBJECT + _SKIP + r"\s+(?:(?:just|only|now|still|always|keeps?)\s+)?"
                        r"(?P<has>has|have|had|has got|has developed|developed|shows|showed|is showing|"
                        r"keeps showing|displays|is displaying|comes up with|came up with)\s+"
                        r"(?P<det>a|an|no)\s+" + _FAULT + r"\b", re.IGNORECASE)
_ADJ = (r"broken|cracked|damaged|faulty|smashed|dented|missing|lost|late|delayed|cancell?ed|"
        r"double|duplicate|wrong|dead|leaking")
_ADJ_OBJECT = re.compile(r"\b(?P<own>[Mm]y|[Oo]ur)\s+(?P<adj>" + _ADJ + r")\s+"
                         r"(?P<obj>(?:[A-Za-z][\w-]*\s+){0,1}[A-Za-z][\w-]*)", re.IGNORECASE)
_CHARGED = re.compile(r"\b(?:I|we)(?:\s+(?:was|were|got|have been|think I was)|['’]ve been)\s+"
                      r"(?P<what>(?:charged|billed)\s+(?:twice|two times|double|three times)|"
                      r"double[- ]charged|overcharged)", re.IGNORECASE)
_CHARGED_ME = re.compile(r"\b(?:charged|billed)\s+(?:me|"
                         r"us)\s+(?:[$£€]?\d[\d,.]*\s+)?(?P<what>twice|two times|double|three times)\b",
                         re.IGNORECASE)  # "your app charged me twice", "you charged me $480 twice"
_WAITING = re.compile(r"\bwaiting\s+(?:for\s+)?(?P<dur>(?:over\s+|more than\s+|almost\s+)?(?:a|an|one|two|"
                      r"three|four|five|six|\d+)\s+(?:days?|weeks?|months?|hours?)\b)"
                      r"(?:\s+for\s+(?:(?:my|our|the)\s+)?(?P<obj>(?:[A-Za-z][\w-]*\s+){0,1}\w[\w-]*))?",
                      re.IGNORECASE)
# A service they are left without ("6th day with no internet", "no working phone").
_WITHOUT = re.compile(r"\bno (?:working |proper )?(?P<thing>internet|wi-?fi|broadband|power|electricity|"
                      r"heating|"
                      r"hot water|gas|water|signal|landline|phone|TV|connection)(?! line)\b(?!\s+(?:bill"
                      r"|number|"
                      r"call|calls|email|letter|update|contract|company|provider|engineer)s?\b)",
                      re.IGNORECASE)
# Words that end an object too early or are no object at all ("the same", "the way").
_NOT_OBJECT = frozenset("""same way time times thing things problem issue one case point whole fact
it this that day week month money reason end only first last next other all lot i we you they
is was are were has have had be been and but so or because then just still also really
please thanks cheers lawyer lawyers solicitor solicitors attorney ombudsman hell heck
mum mom mother dad father son daughter wife husband partner sister brother niece nephew grandma
grandad grandmother grandfather gran nan family kids children child baby friend neighbour boss
mums moms mothers dads fathers sons daughters wifes husbands partners sisters brothers nans
grandmas friends""".split())  # "for my mums 70th": whose it is, without its apostrophe
_OWNED = re.compile(r"\b(my|our)\s+([A-Za-z][\w-]*)(?=[\s,.!?]|$)", re.IGNORECASE)
_PRONOUN = re.compile(r"(?:^|(?<=\band\s)|(?<=\bbut\s))\b(?:it|they|this|that)\b(?=\s+(?:still\s+|has\s+|"
                      r"have\s+|just\s+)?(?:never|hasn't|has|is|was|arrived|came|broke|stopped|keeps?|"
                      r"won't|doesn't|didn't|went))", re.IGNORECASE)
# A contact counted by its ordinal ("third phone call", "my fourth email"): one pattern for the
# repeat-contact reading (situations.py) and for what is not said back as the issue (said_back)
CONTACT_COUNT = (r"(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\s+(?:phone\s+|e-?mail\s+)?"
                 r"(?:call|e-?mail|message|letter|chat|complaint)")


def plural(noun: str) -> bool:
    """Does `noun` read as a plural ("recipes", "shelves"), for "were"/"are" after it ("glass",
    "bus" are not)?"""
    low = noun.lower()
    return low.endswith("s") and not low.endswith(("ss", "us"))


_SWAPS = {"my": "your", "our": "your", "i": "you", "me": "you", "we": "you", "us": "you",
          "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "am": "are", "mine": "yours",
          "myself": "yourself"}


@dataclass(frozen=True, slots=True)
class IssuePhrase:
    """The issue as a noun phrase ("your TV that arrived cracked") and as a clause ("your TV
    arrived cracked"), both in the agent's voice."""

    noun: str
    clause: str


def second_person(text: str, *, company: bool = False) -> str:
    """The customer's words as the agent says them back ("my TV" -> "your TV"). With `company`,
    their "you" is the company and becomes the agent's "we"/"us" in the same pass ("what do you
    need from me?" -> "what do we need from you?"), as a question put to us is said back."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower().replace("’", "'")
        if company and low in _COMPANY:
            before = text[:match.start()].rstrip().lower()
            subject = low != "you" or not before or before.endswith(",") or before.split()[-1] in _BEFORE_WE
            swapped = _COMPANY[low] if subject else "us"
            return swapped.capitalize() if word[:1].isupper() else swapped
        return _SWAPS.get(low, word)

    said = re.sub(r"\b(?!US\b)[A-Za-z]+(?:['’][a-z]+)?\b", swap, text)  # "the US" is a country
    # "I was told" -> "you were told", not "you was told"
    return re.sub(r"\b([Yy]ou) (was)(n['’]t)?\b", lambda m: f"{m.group(1)} were{m.group(3) or ''}", said)


# The company's "you" in a customer's question, in the agent's voice: a subject after these words
# ("do you", "can you", "and you"), an object elsewhere ("from you" -> "from us").
_COMPANY = {"you": "we", "your": "our", "yours": "ours", "you're": "we're", "you've": "we've",
            "you'll": "we'll", "you'd": "we'd", "yourself": "ourselves", "yourselves": "ourselves"}
_BEFORE_WE = frozenset("do does did can could would will shall should are were have has had if when "
                       "that and or but so why how what where which who whether".split())


def _object_ok(obj: str) -> bool:
    words = obj.lower().split()
    return bool(words) and words[-1] not in _NOT_OBJECT and words[0] not in _NOT_OBJECT - {"new"}


# Where a customer's sentence ends: after its ". ! ?" and the space after it, or at a line break
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """`text` cut into its sentences, as every reading of the customer's words in this package
    cuts it (some may be empty)."""
    return _SENTENCE_BREAK.split(text)


R = TypeVar("R")


def once(memo: TextMemo | None, read: Callable[[str], R], text: str) -> R:
    """`read(text)`, remembered in `memo` when there is one. The readings below that take a
    `memo` are built from such per-message and per-sentence readings, so a caller that reads the
    same messages again (every post re-reads its case's first and latest customer turns) reads
    each of them once."""
    return read(text) if memo is None else memo(read, text)


def _sentences(texts: Iterable[str], memo: TextMemo | None = None) -> list[str]:
    """The sentences of `texts`, a leading "it"/"they" replaced by the object the customer named
    just before ("Where is my parcel? It never arrived" -> "my parcel never arrived")."""
    return [sentence for text in texts for sentence in once(memo, _sentences_of, text)]


def _sentences_of(text: str) -> tuple[str, ...]:
    """`_sentences` of one message (a pronoun only ever stands for a thing named in its own
    message)."""
    out = []
    named = None
    for sentence in split_sentences(without_fillers(text)):
        if named:
            sentence = _PRONOUN.sub(named, sentence)
        owned = _OWNED.findall(sentence)
        named = next((f"{own} {obj}" for own, obj in reversed(owned) if _object_ok(obj)), named)
        if sentence.strip():
            out.append(sentence)
    return tuple(out)


def _company_voice(text: str) -> str:
    return second_person(text, company=True)


def _from_sentence(sentence: str) -> IssuePhrase | None:
    # what our staff did is the issue, before what it did to their thing ("your driver threw my
    # parcel over the gate and now the lamp is smashed")
    done = staff_did(sentence, _company_voice)
    if done:
        return IssuePhrase(*done)
    found = (_wrong_with(sentence) or _sent_wrong(sentence) or _booking_cancelled(sentence)
             or _not_arrived(sentence))
    if found is not None:
        return found
    match = _WITH_PROBLEM.search(sentence) or _ref_problem(sentence)
    if match and _object_ok(match.group("obj")):
        obj = _theirs(match)
        some = _SOME_OF.search(sentence, 0, match.start())  # "one of the shelves arrived split"
        obj = f"{some.group(1).lower()} of {obj}" if some else obj
        pred = second_person(re.sub(r"\s+", " ", _with_noun(match, sentence)))
        return IssuePhrase(f"{obj} that {pred}", f"{obj} {pred}")
    found = _has_fault(sentence)
    if found is not None:
        return found
    match = _ADJ_OBJECT.search(sentence)
    if match and _object_ok(match.group("obj")):
        noun = f"your {match.group('adj').lower()} {match.group('obj')}"
        return IssuePhrase(noun, f"there's a problem with {noun}")
    match = _CHARGED.search(sentence)
    if match:
        what = match.group("what").lower()
        return IssuePhrase(f"being {what}", f"you were {what}")
    match = _CHARGED_ME.search(sentence)
    if match:
        what = f"charged {match.group('what').lower()}"
        return IssuePhrase(f"being {what}", f"you were {what}")
    match = _WITHOUT.search(sentence)
    if match:
        thing = re.sub(r"\s+", " ", match.group("thing")).lower()
        thing = {"tv": "TV", "wi-fi": "wifi"}.get(thing, thing)
        return IssuePhrase(f"being left with no {thing}", f"you've been left with no {thing}")
    match = _WAITING.search(sentence)
    if match:
        dur, obj = match.group("dur"), match.group("obj")
        target = f" for your {obj}" if obj and _object_ok(obj) else ""
        return IssuePhrase(f"waiting {dur}{target}", f"you've been waiting {dur}{target}")
    kept = _done_to_them(sentence)
    if kept is not None:
        return kept
    happened = what_happened(sentence, _company_voice)
    return IssuePhrase(*happened) if happened else None


# "What the hell is wrong with your app, it logs me out every 5 minutes": the thing, and what
# it does when they go on to say ("our app logs you out every 5 minutes")
_WRONG_WITH = re.compile(r"\b(?:what(?:\s+(?:the|on)\s+(?:hell|heck|earth))?(?:['’]s|\s+is)|"
                         r"something(?:['’]s|\s+is)|there(?:['’]s|\s+is)\s+something)\s+(?:going\s+)?wrong\s+"
                         r"with\s+(?P<own>my|our|your|the)\s+(?P<obj>[A-Za-z][\w-]*(?:\s+(?!now\b|today\b)"
                         r"[A-Za-z][\w-]*)?)\b(?:[?!]*,?\s+(?:it|they)\s+(?P<does>[^.!?;]{3,90}))?",
                         re.IGNORECASE)


_SOME_OF = re.compile(r"\b(one|some|two|three|four|a few|several|half|both|all|most)\s+of\s+$", re.IGNORECASE)


def _wrong_with(sentence: str) -> IssuePhrase | None:
    match = _WRONG_WITH.search(sentence)
    if not match or not _object_ok(match.group("obj")) or match.group("obj").split()[-1].lower() in _FUNCTION:
        return None
    obj = _company_voice(f"{match.group('own')} {match.group('obj')}")
    obj = "the" + obj[3:] if obj.lower().startswith("the ") else obj
    does = match.group("does")
    clause = f"{obj} {_company_voice(does.strip())}" if does else f"something is wrong with {obj}"
    return IssuePhrase(f"the problem with {obj}", clause)


# "The dog food subscription sent the wrong food AGAIN": what they were sent
_SENT_WRONG = re.compile(r"\b(?:sent|delivered|gave|brought|shipped)\s+(?:(?:me|us)\s+)?(?:the|a|an)\s+"
                         r"wrong\s+(?P<thing>(?!one\b)[A-Za-z][\w-]*(?:\s+(?!again\b|and\b|but\b|for\b|to\b)"
                         r"[A-Za-z][\w-]*)?)(?P<again>\s+again)?\b", re.IGNORECASE)


def _sent_wrong(sentence: str) -> IssuePhrase | None:
    match = _SENT_WRONG.search(sentence)
    if not match or match.group("thing").split()[-1].lower() in _FUNCTION:
        return None
    thing = _unshouted(match.group("thing"))
    again = " again" if match.group("again") else ""
    return IssuePhrase(f"being sent the wrong {thing}{again}", f"you were sent the wrong {thing}{again}")


# "I booked a table for 8 for my mums 70th ... and you've just emailed to say it's cancelled"
_BOOKING_CANCELLED = re.compile(r"\b(?:I|we)\s+(?:had\s+)?(?P<how>booked|reserved|ordered)\s+"
                                r"(?:a|an|the|my|our)\s+"
                                r"(?P<thing>(?:[a-z]{3,}\s+)?[a-z]{3,})\b[^.!?]{0,100}?\b(?:it|that|they)"
                                r"(?:(?:['’]s|\s+is|\s+was|\s+has\s+been|['’]s\s+been|\s+had\s+been|\s+got|\s+were|"
                                r"\s+are|['’]re|\s+have\s+been)\s+(?:now\s+|just\s+|been\s+)?(?P<done>cancell?ed)|"
                                r"\s+(?P<cant>can['’]?t|cannot|won['’]t)\s+be\s+(?P<what>made|delivered|done|baked|"
                                r"fitted|installed))\b", re.IGNORECASE)


def _booking_cancelled(sentence: str) -> IssuePhrase | None:
    match = _BOOKING_CANCELLED.search(sentence)
    if not match or match.group("thing").lower() in _NOT_OBJECT | _FUNCTION:
        return None
    kind = "order" if match.group("how").lower() == "ordered" else "booking"
    thing = match.group("thing").lower()
    if thing.split()[-1] in _NOT_OBJECT | _FUNCTION or thing.split()[0] in _FUNCTION:
        thing = thing.split()[-1] if thing.split()[0] in _FUNCTION else thing.split()[0]
    named = f"your {thing} {kind}" if thing not in ("booking", "order", "reservation") else f"your {thing}"
    if match.group("cant"):  # "I ordered a birthday cake ... an email saying it can't be made"
        return IssuePhrase(f"being told {named} can't be {match.group('what').lower()}",
                           f"you've been told {named} can't be {match.group('what').lower()}")
    return IssuePhrase(f"{named} being cancelled", f"{named} was cancelled")


# "me order number 55120 not arrive, 3 week now": said back in plain English, not echoed
_NOT_ARRIVED = re.compile(r"^\W*(?:(?:hi|hello|hey|please)\b\W*)?(?:(?:my|me|our|the)\s+)?"
                          r"(?P<obj>order|parcel|package|delivery|item|items|refund|money)(?P<ref>" + _REF
                          + r")?\s+(?:is\s+|it\s+)?(?:still\s+)?(?:(?:not|no)\s+(?:yet\s+)?(?:arrived?|come|"
                          r"deliver(?:ed)?|received?|here)|never\s+(?:arrive|come))\b", re.IGNORECASE)


def _not_arrived(sentence: str) -> IssuePhrase | None:
    match = _NOT_ARRIVED.search(sentence)
    if not match:
        return None
    obj = f"your {match.group('obj').lower()}{match.group('ref') or ''}".replace("#", "")
    plural = match.group("obj").lower() == "items"
    return IssuePhrase(f"{obj} not arriving", f"{obj} {'haven' if plural else 'hasn'}'t arrived")


def _with_noun(match: re.Match[str], sentence: str) -> str:
    """The problem of a `_WITH_PROBLEM` match, not cut short of its noun: "is the wrong" is "is
    the wrong size" when the sentence goes on so, else "is wrong"."""
    said = match.group(0)[match.start("pred") - match.start():]
    if not _CUT_SHORT.search(said):
        return said
    noun = _NOUN_AFTER.match(sentence, match.end())
    if noun and noun.group(1).lower() not in _FUNCTION:
        return said + noun.group(0)
    return re.sub(r"\b(?:the|a|an)\s+(?=[A-Za-z]+$)", "", said, flags=re.IGNORECASE)


def _done_to_them(sentence: str) -> IssuePhrase | None:
    """A promise to them that was not kept, or what the company did to a thing of theirs."""
    match = _PROMISED.search(sentence)
    if match:  # "a written promise of a refund ... and I have had nothing"
        thing = re.sub(r"\s+", " ", match.group("thing")).lower()
        art = "an" if thing[0] in "aeiou" else "a"
        return IssuePhrase(f"the {thing} you were promised",
                           f"you were promised {art} {thing} but haven't had it")
    match = _YOU_DID.search(sentence)
    if match:
        obj = " ".join(w for w in match.group("obj").split() if w.lower() not in _FUNCTION)
        if obj and _object_ok(obj):
            did = _DID_PAST.get(match.group("did").lower(), match.group("did").lower())
            rest = re.sub(r"\s+", " ", match.group("rest") or "")
            was = "were" if plural(obj) else "was"
            return IssuePhrase(f"your {obj} being {did}{rest}", f"your {obj} {was} {did}{rest}")
    return None


# Something they were promised that never came ("I have a written promise of a refund from your
# colleague Mark dated 4 May, and I have had nothing", "I was promised a callback and it never came").
_PROMISED = re.compile(r"\b(?:(?:a|the|my|your)\s+(?:written\s+|verbal\s+)?promise\s+of|"
                       r"(?:I|we)\s+(?:was|were|have been|['’]ve been|had been)\s+promised)\s+"
                       r"(?:a|an|the|my|our)\s+"
                       r"(?P<thing>refund|replacement|repair|call\s?back|credit|compensation|new \w+)\b"
                       r"[^.!?\n]{0,120}?(?:\b(?:I|we)\s*(?:have|['’]ve)\s+(?:had|received|heard|seen|got)\s+"
                       r"nothing|\bnothing\s+(?:has\s+)?(?:happened|arrived|came)|\b(?:it|that|which|they)\s+"
                       r"never\s+(?:came|arrived|happened)|\bstill\s+(?:nothing|no\s+sign|waiting))\b",
                       re.IGNORECASE)


# What the company did to a thing of theirs ("Your platform suspended my shop for a week"),
# said back as done to it ("your shop being suspended for a week").
_YOU_DID = re.compile(r"\b(?:you|your\s+[a-z-]+(?:\s+[a-z-]+)?|the\s+(?:new\s+|latest\s+|last\s+|recent\s+)?"
                      r"(?:update|upgrade|app|system|website|site|software|migration))\s+"
                      r"(?:(?:have|has|had)\s+|['’]ve\s+)?"
                      r"(?:just\s+|now\s+)?(?P<did>suspended|blocked|closed|froze|frozen|cancell?ed|deleted|"
                      r"banned|disabled|locked|deactivated|terminated|restricted|wiped|erased)\s+"
                      r"(?:all\s+(?:of\s+)?)?(?P<own>my|our)\s+"
                      r"(?P<obj>[A-Za-z][\w-]*(?:\s+(?!for\b|with\b|and\b|without\b)[A-Za-z][\w-]*)?)"
                      r"(?P<rest>\s+for\s+(?:a|an|one|two|three|four|five|six|\d+|over\s+a)\s+"
                      r"(?:days?|weeks?|months?|hours?))?\b", re.IGNORECASE)
_DID_PAST = {"froze": "frozen"}


# A problem word that is an adjective before its noun ("is the wrong size", "was a damaged one")
_CUT_SHORT = re.compile(r"\b(?:the|a|an)\s+[A-Za-z]+$", re.IGNORECASE)
_NOUN_AFTER = re.compile(r"\s+([A-Za-z][\w-]*)")


def _ref_problem(sentence: str) -> re.Match[str] | None:
    match = _REF_PROBLEM.search(sentence)
    return match if match and match.group("obj").split()[0].lower() not in _NOT_FIRST else None


def _theirs(match: re.Match[str]) -> str:
    """The object of a match (groups `own` and `obj`) in the agent's voice: the customer's "my
    TV" and "the TV" are "your TV"; "the engineer" they waited for is "our engineer"."""
    named = match.group("obj").replace("#", "")
    if not match.group("own"):  # "Order SF-20931 never came": the capital only opened the sentence
        first, rest = named.split(" ", 1)
        named = f"{first if first.isupper() else first.lower()} {rest}"
    obj = second_person(f"{match.group('own') or 'the'} {named}")
    mine = "our" if match.group("own").lower() == "the" and obj.split()[-1].lower() in STAFF else "your"
    return mine + obj[len(obj.split()[0]):] if obj.split()[0].lower() in ("your", "the") else obj


def _has_fault(sentence: str) -> IssuePhrase | None:
    """A thing of theirs that has or shows something wrong ("the black screen on your new TV")."""
    match = _HAS_FAULT.search(sentence)
    if not match or not _object_ok(match.group("obj")):
        return None
    obj, fault = _theirs(match), re.sub(r"\s+", " ", match.group("fault"))
    has = "has" if match.group("has").lower() in ("has got", "has developed") else match.group("has").lower()
    clause = f"{obj} {has} {match.group('det').lower()} {fault}"
    if match.group("det").lower() == "no":  # "no picture": nothing to name
        return IssuePhrase(f"{obj} that {has} no {fault}", clause)
    where = _WHERE_FAULT.get(match.group("kind").lower().split()[0], "with")
    return IssuePhrase(f"the {fault} {where} {obj}", clause)


def issue_phrase(texts: Sequence[str], memo: TextMemo | None = None) -> IssuePhrase | None:
    """The customer's issue from their messages (latest first), or None when no sentence names
    both an object and what is wrong with it. `memo` remembers each message's sentences and each
    sentence's reading."""
    said = list(reversed(_sentences(texts, memo)))

    def read(sentence: str) -> IssuePhrase | None:
        return once(memo, _from_sentence, sentence)

    for i, sentence in enumerate(said):
        found = read(sentence)
        if found is not None and (found.noun, found.clause) == NO_CONTACT:
            # "nobody came. Nobody called either.": the no-show is what went wrong
            found = next((x for x in map(read, filter(_NO_SHOW.search, said[i + 1:]))
                          if x is not None), found)
        if found is not None:  # "THE BOILER HAS BROKEN" said back is not shouted back
            return IssuePhrase(_unshouted(found.noun), _unshouted(found.clause))
    return None


# Someone who never came: a delivery or an engineer's no-show, before the silence after it.
_NO_SHOW = re.compile(r"\b(?:nobody|no one|no-one|noone)\s+(?:ever\s+)?(?:came|turned up|showed up)\b|"
                      r"\b(?:never|didn't|did not|hasn't|has not)\s+(?:came|come|arrived|arrive|"
                      r"turn(?:ed)? up|show(?:ed)? up)\b", re.IGNORECASE)


_ACRONYMS = frozenset("TV PC SIM PIN MOT ISA USB VAT ATM ISP DVD GPS SSD HDD".split())


def _unshouted(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    shouted = sum(c.isupper() for c in letters) > 0.5 * len(letters)
    return re.sub(r"\b[A-Z]{2,}\b" if shouted else r"\b[A-Z]{3,}\b",
                  lambda m: m.group(0) if m.group(0) in _ACRONYMS else m.group(0).lower(), text)


_FUNCTION = frozenset("""is was are were be been being has have had do does did for to of and or on in at with
from by it its that this these those as about after before when if but so because not no can could
will would should just still even now then there here what which who how why i you we they he she
me him her them my your our their a an the any some all very really also only one two three
again says said say showing shows showed um uh er like yeah today yesterday tomorrow tonight
works work working worked arrived came got went keeps kept off over up out down back into onto
through put took take each every first second third fourth fifth last next nine ten days weeks
months hours while whilst although though unless until whereas whenever during despite without within
against between nobody everybody everyone anybody anyone somebody someone nothing""".split())
_ORDINALS = frozenset("first second third fourth fifth last next same new old".split())
# ... and words that open no thing before a reference ("Since 2019 ...", "About 5521 ...")
_NOT_FIRST = _FUNCTION | frozenset("since around roughly nearly almost approx approximately".split())
# ... and words before a thing that are not it: "my late mother's card" names no "late"
_LEADING = _ORDINALS | {"late", "dear", "poor"}
_DETERMINED = re.compile(r"\b(my|our|the)\s+((?:[A-Za-z][\w'-]*\s+){0,3}[A-Za-z][\w'-]*)", re.IGNORECASE)
# Every thing named with a determiner, overlapping ("for a a paper bill" names "a paper bill").
_ANY_DETERMINED = re.compile(r"\b(my|our|the|this|that|these|those|a|an|one)\s+(?=((?:[A-Za-z][\w'-]*\s+"
                             r"){0,3}"
                             r"[A-Za-z][\w'-]*))", re.IGNORECASE)
# "the" that names no thing of theirs: a set phrase ("out of the box", "for the avoidance of doubt",
# "the end of my rope"), who they are ("I'm the founder"), who they write to ("To the complaints
# department,").
_SET_PHRASE = re.compile(r"\b(?:(?:out of|for|at|to|on|in) (?:the|my|our) (?:box|avoidance|end|moment|"
                         r"rest|least|most|"
                         r"world|way)|on the phone)$", re.IGNORECASE)
_NOT_NAMING = re.compile(r"(?:\b(?:i'm|i am|we're|we are|i was|as)|^\W*(?:to|dear|attn:?))\s+$",
                         re.IGNORECASE)
# What follows a thing's "'s" when it is "is" or "has" ("the dryer's broken", "the card's in the post").
_AFTER_IS = frozenset("""been gone come broken not never still just in on off free late missing stopped died
arrived due going got always finally already down dead""".split())
_NOT_THING = frozenset("""own since across damn bloody so-called guaranteed whole entire actual real going
    twice hell heck fuck frick country world
four five six seven eight nine ten eleven twelve twenty""".split())
# Where they say they will take it ("or I'm calling my bank", "I will take it to the Financial
# Ombudsman"): a threat's address, not what went wrong
_GOING_TO = re.compile(r"\b(?:call(?:ing)?|ring(?:ing)?|phon(?:e|ing)|contact(?:ing)?|"
                       r"go(?:ing)? (?:straight )?to|straight to|take (?:it|this|you|them) to|"
                       r"report(?:ing)? (?:it|this|you|them) to|"
                       r"complain(?:ing)? to)\s+$", re.IGNORECASE)
_WHERE_THEY_GO = frozenset("""bank ombudsman solicitor solicitors lawyer lawyers press papers regulator
    court ofgem ofcom ofwat watchdog""".split())
# "in the rain", "out in the cold": where it happened, not what went wrong
_WEATHER = frozenset("rain snow wind storm weather dark cold heat fog hail sun".split())


# A word after a thing's name that says how, not more of its name ("fix my heating properly",
# "the renewal was processed automatically"); the few things whose names end in "-ly" stay.
_ADVERB = re.compile(r"[a-z]{3,}ly")
_LY_THINGS = frozenset("""supply reply assembly family telly belly jelly rally ally lily holly trolly
    anomaly monopoly butterfly""".split())


# ... and how they left it ("left the gate open", "the van unlocked")
_LEFT = frozenset("open unlocked ajar shut unattended outside behind".split())


def _after_name(word: str) -> bool:
    """Does `word`, after a thing's first word, say how or in what state, not more of its name?"""
    return word.lower() in _LEFT or (bool(_ADVERB.fullmatch(word)) and word not in _LY_THINGS)


# A word after a thing's name that says what happened to it, not more of its name ("the fridge
# stopped cooling", "the delivery charge refunded", "your bill gone up"); "-eed" is "speed", "need".
_VERB_FORM = re.compile(r"[a-z]{3,}(?<!e)ed|gone|went|broke|broken|stopped|keeps|says|said|sent|took|gave|"
                        r"kept|told|brought|sold|lost")
_AFTER_WHICH = re.compile(r"\b(?:the|this|that|each|every|another|first|second|third|fourth|fifth|last|"
                          r"new|old|other)\s+$", re.IGNORECASE)  # "one" is "the one", not a number
# Ways of getting in touch, which an ordinal makes a count of contacts ("my third call").
_CONTACTS = frozenset("email emails call calls message messages letter letters chat chats complaint "
                      "complaints attempt attempts request requests time times ticket tickets".split())


def _named_things(texts: Sequence[str], memo: TextMemo | None = None
                  ) -> list[tuple[str, tuple[str, ...]]]:
    """(owner, words) of every thing the customer names with a determiner, in order."""
    return [thing for text in texts for thing in once(memo, _things_named_in, text)]


def _things_named_in(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`_named_things` of one message."""
    found = []
    clean = without_fillers(text)  # "the um the tracking"
    clean = re.sub(r"(?<!\w)['‘’\"“”]|['‘’\"“”](?!\w)", "", clean)  # the 'fresh' flowers
    for match in _ANY_DETERMINED.finditer(clean):
        line_start = clean.rfind("\n", 0, match.start()) + 1
        before = clean[max(line_start, match.start() - 20):match.start()]
        first = match.group(2).split()[0]
        if _NOT_NAMING.search(before) or _SET_PHRASE.search(f"{before}{match.group(1)} {first}") or (
                first.lower() in _WEATHER and re.search(r"\bin\s+$", before, re.IGNORECASE)) or (
                _GOING_TO.search(before) and _WHERE_THEY_GO.intersection(
                    w.lower().strip(".,!?") for w in match.group(2).split()[:3])):
            continue
        words: list[str] = []
        det = match.group(1).lower()
        pronoun = det in ("that", "this") or (det == "one" and bool(_AFTER_WHICH.search(before)))
        counted = False  # "my FOURTH email" counts their contacts: it is no thing of theirs
        after = clean[match.end(2):match.end(2) + 30].split()
        for i, word in enumerate(split := match.group(2).split()):
            low = word.lower()
            if not words and low in _ORDINALS:  # "the third replacement phone"
                counted = True
                continue
            if not words and low in _LEADING:  # "my late mother's"
                continue
            # "the fridge stopped", "the bill gone up"; "the second one leaked", "that broke"
            # name nothing ("one broken window lock" does)
            if _VERB_FORM.fullmatch(low) and (words or pronoun):
                break
            owned = re.fullmatch(r"([A-Za-z][\w-]+)['’]s", word)  # "the tumble dryer's broken"
            following = (split[i + 1:] or after or [""])[0].lower()
            if owned and low[:-2] not in _FUNCTION | _NOT_OBJECT | _NOT_THING and (
                    following in _AFTER_IS or following.endswith("ed")):  # not "the courier's site"
                words.append(owned.group(1))
                break
            if (low in _FUNCTION or low in _NOT_OBJECT or low in _NOT_THING or "'" in word or "’" in word
                    or (words and _after_name(word))):
                break
            words.append(word)
        if counted and words and words[0].lower() in _CONTACTS:
            continue
        if words and (len(words[-1]) > 2 or (len(words[-1]) == 2 and words[-1].isupper())):  # TV, PC
            found.append((match.group(1).lower(), tuple(words)))
    return tuple(found)


def issue_object(texts: Sequence[str]) -> str | None:
    """The first thing the customer names with "my", "our" or "the" ("the car hire deposit"),
    in the agent's voice ("your deposit"), or None: what they are writing about when no sentence
    says both the object and what is wrong with it."""
    for text in texts:
        clean = without_fillers(text)  # "the um the tracking"
        clean = re.sub(r"(?<!\w)['‘’\"“”]|['‘’\"“”](?!\w)", "", clean)  # the 'fresh' flowers
        for match in _DETERMINED.finditer(clean):
            words: list[str] = []
            for word in match.group(2).split():
                if not words and word.lower() in _LEADING:  # "the third replacement phone"
                    continue
                if word.lower() in _FUNCTION or word.lower() in _NOT_OBJECT or "'" in word:
                    break
                if words and _after_name(word):
                    break
                words.append(word)
            if words and (len(words[-1]) > 2 or (len(words[-1]) == 2 and words[-1].isupper())):  # TV, PC
                owner = "your" if match.group(1).lower() in ("my", "our") else "the"
                return f"{owner} {' '.join(words)}"
    return None


_ASKED_THINGS = frozenset("""refund refunds replacement repair compensation credit apology explanation
manager supervisor discount voucher""".split())


def trouble_object(texts: Sequence[str], prefer: Collection[str] = (), memo: TextMemo | None = None
                   ) -> str | None:
    """What the customer is writing about, for a reply to name: `issue_object`, but skipping set
    phrases and who they are or write to ("out of the box", "I'm the founder", "To the
    complaints department"), and stopping before words that name nothing ("the rep since 10am").
    With `prefer` (stems of what went wrong for them, restate.stems), the first thing whose last word is
    one of them comes first, also named
    with "this" or "that" ("disputing this charge" -> "the charge"), then one named with "a" or
    "one" that holds one of them ("four calls about one broken window lock" -> "the broken window
    lock")."""
    things = _named_things(texts, memo)
    # what they ask for ("I want a refund") is no thing that went wrong
    wrong = [t for t in things if prefer and t[1][-1].lower() not in _ASKED_THINGS]
    chosen = next((t for t in wrong if t[1][-1].lower()[:5] in prefer), None)
    if chosen is None:  # "one broken window lock", "a paper bill"
        chosen = next((t for t in wrong if t[0] in ("a", "an", "one")
                       and any(w.lower()[:5] in prefer for w in t[1])), None)
    if chosen is None:
        chosen = next((t for t in things if t[0] in ("my", "our", "the")), None)
    if chosen is None:
        return None
    owner = "your" if chosen[0] in ("my", "our") else "the"
    return f"{owner} {' '.join(chosen[1])}"


# A question that only asks us to help with what they told us ("what can I do?", "what happens
# now?"): said back, it repeats nothing they asked to know
_HELP_ME = re.compile(r"(?:please,? )?(?:so,? )?(?:what (?:can|should|do|shall|must) (?:i|we|you) do|"
                      r"what (?:i|we) (?:can|should|must) do|what happens(?: now| next)?|what now|what next|"
                      r"what (?:are|will) you (?:going to )?do(?: about (?:it|this|that))?|"
                      r"can (?:you|someone|anyone) help(?: me)?)\W*\??$", re.IGNORECASE)


def question_asked(text: str, most_words: int = 24) -> str | None:
    """The customer's first question in `text`, in the agent's voice and without greetings or
    @handles ("does the 07:12 from Didcot still run on bank holidays?"), or None."""
    for sentence in split_sentences(without_fillers(text)):
        if not sentence.rstrip().endswith("?"):
            continue
        clean = re.sub(r"@\w+|#[\w-]+", "", sentence)
        clean = re.sub(r"^(?:\W*(?:hi|hello|hey|ok|okay|so|um|quick (?:question|one|q)|just a quick one"
                       r"|sorry to bother you|one more thing)\b\W*)+", "", clean.strip(), flags=re.IGNORECASE)
        clean = re.sub(r"\?+$", "?", re.sub(r"\s+", " ", clean)).strip()
        if _HELP_ME.match(clean):
            continue  # "please what I can do?" asks for help with their problem: no question to echo
        if 2 < len(clean.split()) <= most_words:
            said = second_person(clean, company=True)
            return said if said.startswith("I ") else said[:1].lower() + said[1:]
    return None


_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE)) for label, pattern in (
    ("manager", r"\b(?:(?:a|your|the) (?:manager|supervisor)"
                r"(?!'s (?!name|number|details)|\s+(?:at|of|\w+ (?:called|"
                r"said|told|promised))\b|\s+(?:called|said|told|was|is|has)\b)|(?:someone|somebody|"
                r"anyone) (?:more |"
                r"actually )?senior|(?:someone|somebody|anyone) (?:higher up|above (?:you|first-line))|"
                r"(?:the )?head of \w+|"
                r"(?:a|your|the) (?:team ?leader|team lead|super ?visor|boss)\b(?!'s (?!name|number)|\s+"
                r"\w+ (?:called|"
                r"said|told|promised))|"
                r"the person in charge|(?:the )?person \w+ reports to|(?:someone|"
                r"somebody) with (?:\w+ ){0,2}authority"
                r"|whoever "
                r"(?:can (?:actually )?authori[sz]e|runs|is in charge)|(?:anyone|someone) (?:there )?who can "
                r"(?:actually )?make (?:a|the) decision|(?:head office|managing director|ceo's office)\b)"),
    ("refund", r"\b(?:refund(?!\s+(?:policy|was|has|had|is|landed|arrived|approved|processed|went|came)"
               r"\b)|money back|"
               r"reimburs\w*|(?:be|been) reversed|reverse (?:it|the|one)|back in(?:to)? my account|"
               r"release it|"
               r"deposit back|pay (?:me )?back|every penny (?:back|refunded)|(?:get|have|put|"
               r"pop) (?:the )?(?:difference|"
               r"cash|money|charge|second one|\w+ one) back|(?:knock|take) (?:that|it|this|"
               r"the [\w£$€ ]{1,30}?) off|"
               r"(?:want|like|need|get|have|give|put)\s+(?!(?:me|us|you|"
               r"him)\s)(?:[\w£$€.,'-]+\s+){0,3}?(?!(?:call|ring|phone|email|"
               r"text)\s)[\w£$€.,'-]+\s+back\b(?!\s+(?:to|in touch|from|on\b(?!\s+(?:the|my|your|"
               r"our)\b))\b)|give (?:me|us) (?:my|"
               r"our) money|return (?:of )?(?:my|our|the) "
               r"(?:[£$€][\d,.]+ )?deposit|(?:want|like|need|get|"
               r"have) (?:[\w£$€.,'-]+ ){1,4}?(?:refunded|reversed|"
               r"taken off|removed|waived)|(?:remove|waive|refund|reverse) (?:the|that|this|those|these|"
               r"them|"
               r"all)? ?(?:[\w£$€.-]+ ){0,2}(?:charges?|fees?)|cancel (?:the|that|"
               r"this) (?:[\w£$€.-]+ )?(?:charges?|fees?))\b"),
    ("compensation", r"\b(?:compensat\w*|goodwill|pay(?:ing)? for (?:it|the)|covered|something for|"
                     r"(?:pop|put|add) (?:a|some|a bit of|a little) credit on|(?:a|some|proper|any|"
                     r"service) credits?\b(?! card)|"
                     r"(?:a|any|some|loyalty) discount|money off|knock (?:a bit|something|some\w*) off|"
                     r"pay (?:me|"
                     r"us) for|anything you can do (?:on|for|about) (?:my|the|our|loyal))"),
    ("replacement", r"\b(?:replace(?:ment)?(?! bus)|a new one|brand new|send (?:it|them|one) (?:out )?again|"
                    r"reissue|re-issue|swap (?:it|them|this|the|my)|exchange (?:it|them|this)|(?:send|"
                    r"post|get) "
                    r"(?:me |us )?(?:a |an |the )?(?:new|matching|right|correct|another|proper) (?!slot|"
                    r"survey)\w+|"
                    r"send (?:me |us )?(?:a|an|another) \w+ one)\b"),
    ("repair", r"\b(?:repair(?:ed)?(?! (?:slot|shop))|(?:please |pls |to |and |you |can you |could you )fix|"
               r"fix (?:it|this|that|them|the|my|your|our)|(?:get|have|want|need) (?:it|this|that|them|"
               r"(?:the|my|our) \w+) (?:(?:actually|properly|finally|just) )?"
               r"(?:fixed|repaired|looked at|seen to)|back with (?:the|my|our|its?) (?:\w+ )?"
               r"(?:(?:actually|properly|finally) )?(?:fixed|repaired|working)|activate|reconnect|"
               r"sends? (?:someone|somebody|an engineer|"
               r"a technician|an? \w+ (?:round|out))|reinstated|turn(?:ed)? (?:it |them )?back on|(?:it|them|"
               r"internet|power|service|heating|water) back on|(?:get|have) (?:someone|that|it|this|"
               r"them) (?:to )?look(?:ed)? at|sort it(?! with)|(?:take|have) a look|pop (?:round|over)|"
               r"get (?:me|us) back "
               r"(?:in|online|on)|come back (?:tomorrow|today|and)|"
               r"(?:need|want|expect) (?:someone|somebody|an engineer|a technician) "
               r"(?:booked|to come|out|round)|"
               r"(?:want|need) (?:it|this|that|them|(?:the|my|our) \w+) to (?:actually |just |properly )?"
               r"(?:work|let (?:me|us)))\b"),
    ("cancellation", r"\b(?:cancel (?:my|the|it|everything|this|our|her|his|"
                     r"all)(?! (?:[\w£$€.-]+ )?(?:charges?|"
                     r"fees?)\b)|close (?:my|her|his|our|the) (?:\w+ )?(?:account|current)|end (?:my|the"
                     r"|our) "
                     r"(?:contract|tenancy|agreement|membership)|ending (?:my|our|the) (?:contract|tenancy|"
                     r"agreement|membership)|turn off (?:the )?auto-?renew\w*|(?:i'm|i am|we're|"
                     r"we are) cancell?ing|"
                     r"(?:my|our|as|formal|\w+ (?:days|weeks|months)'?) notice\b|so end it|just\W+cancel)"),
))
# "I don't want a refund", "not after money", "Do NOT send me another survey", "we had to cancel
# our holiday": no request.
_DECLINED = re.compile(r"(?:\b(?:don't|do not|didn't|not)\s+(?:really\s+)?(?:want|need|after|asking for|"
                       r"looking for)\s+(?:[\w'-]+\s+){0,2}|\bnot (?:after|looking for|"
                       r"asking for)\s+(?:[\w'-]+"
                       r"\s+){0,2}|"
                       r"^\s*(?:(?:please|and|but|so|just)\s+)?(?:don't|do not|never)\s+|\bhad to\s+)$",
                       re.IGNORECASE)
_IF = re.compile(r"\bif (?:i|we)\s+$", re.IGNORECASE)  # "if I cancel my trial...?" asks what would happen


# What a customer can ask us to cancel or close, and how they say it ("cancel my gym
# membership", "close my current account and savings account", "end the broadband contract").
_CANCELLABLE = frozenset("""account accounts subscription subscriptions membership memberships contract
contracts plan plans policy policies order orders booking bookings line lines debit service services
package bundle insurance cover broadband agreement tariff renewal reservation reservations tickets
ticket card cards deal trial mandate box""".split())
_CANCEL = re.compile(r"\b(?:cancel|close|end|terminate|stop)\s+"
                     r"(?P<own>my|our|the|this|both my|all my|his|her|their|my late \w+'s|my \w+'s)\s+"
                     r"(?P<what>[A-Za-z][\w'-]*(?:\s+(?:and\s+)?[A-Za-z][\w'-]*){0,4})", re.IGNORECASE)


def cancel_object(texts: Sequence[str], memo: TextMemo | None = None) -> str | None:
    """What the customer asks us to cancel, in the agent's voice ("your gym membership", "your
    current account and savings account"), or None: only a thing that can be cancelled, so "I had
    to cancel the trip" or a wrongly read wish never becomes "you'd like to cancel your passport"."""
    return next((found for text in reversed(texts)
                 if (found := once(memo, _cancelled_in, text)) is not None), None)


def _cancelled_in(text: str) -> str | None:
    for match in _CANCEL.finditer(without_fillers(text)):
        words = match.group("what").split()
        for end in range(len(words), 0, -1):
            if words[end - 1].lower().rstrip(".,") in _CANCELLABLE:
                phrase = " ".join(words[:end]).rstrip(".,")
                return second_person(f"{match.group('own').lower()} {phrase}")
    return None


def asked_for(text: str, memo: TextMemo | None = None) -> list[str]:
    """What the customer asks us to do, read from their own words ("Could one be reversed
    please?" asks for a refund), in the playbook's want labels, most specific first."""
    return list(once(memo, _asked_in, text))


def _asked_in(text: str) -> tuple[str, ...]:
    return tuple(label for label, pattern in _ASKED
                 if any(_asks(text, m) and (label != "refund" or _money_back(m.group(0), text))
                        for m in pattern.finditer(text)))


# "I want my van back", "get my account back": a thing of theirs back is no refund; their money
# back ("my £80", "my deposit", "the difference", "it") is.
_THING_BACK = re.compile(r"\b(?:my|our|his|her|their|the)\s+(?:[a-z-]+\s+){0,2}?(?P<thing>[a-z-]+)\s+back\b",
                         re.IGNORECASE)
_MONEY = frozenset("""money cash deposit deposits fee fees charge charges payment payments difference amount
amounts balance refund overpayment credit points pounds quid penny pennies funds one ones rest""".split())


# "is there any way to get them back" (their recipes): "it" or "them" back is money only where
# the message speaks of money
_PRONOUN_BACK = re.compile(r"\b(?:it|them|that|this|those)\s+back\b", re.IGNORECASE)
_MONEY_SAID = re.compile(r"[£$€]|\b(?:money|cash|charged?|charges|paid|pay|payment|fee|fees|refund\w*|"
                         r"deposit|"
                         r"bill|billed|invoice|price|cost|debit\w*|overcharged|pounds|dollars|euros|quid|buy|bought|"
                         r"spent|spend|purchased?)\b",
                         re.IGNORECASE)


def _money_back(asked: str, text: str = "") -> bool:
    match = _THING_BACK.search(asked)
    if match is None and _PRONOUN_BACK.search(asked) and text and not _MONEY_SAID.search(text):
        return False
    return match is None or match.group("thing").lower() in _MONEY


# Who pays, before "pay for": the customer ("I went to pay for the shopping", "trying to pay for
# it", "without paying for it") is no one asking us to pay for something.
_PAYING = re.compile(r"pay(?:ing)?\s+for\b", re.IGNORECASE)
_PAYER = re.compile(r"\b(?:(?P<me>i|we|i'm|we're|i've|we've|i'd|we'd)|you|your|you're|you'll|they|someone|"
                    r"somebody|who|whoever|company)\b", re.IGNORECASE)
_SELF = re.compile(r"\b(?:tried|try|trying|went|go|going|wanted|without|attempted|attempting|when)\b"
                   r"(?:\s+to)?\s+$", re.IGNORECASE)


def _customer_pays(before: str) -> bool:
    subjects = list(_PAYER.finditer(before))
    if subjects:
        return subjects[-1].group("me") is not None
    return bool(_SELF.search(before))


def _asks(text: str, match: re.Match[str]) -> bool:
    """A request, not one declined ("I don't want a refund"), put as a condition ("if I
    cancel my trial") or the customer's own paying ("I went to pay for the shopping")."""
    before = re.split(r"[.!?;,]", text[max(0, match.start() - 60):match.start()])[-1]
    if _PAYING.match(match.group(0)) and _customer_pays(before):
        return False
    return not (_DECLINED.search(before) or _IF.search(before))


_ADDRESSED = re.compile(r"\byou(?:r|rs|rself|['’](?:re|ve|ll|d))?\b", re.IGNORECASE)


# What opens a sentence without saying anything of the issue: a greeting, a filler, an oath.
_OPENER = re.compile(r"^(?:\W*(?:hi|hiya|hello|hey|ok|okay|so|um|yeah|listen|ffs|omg|ugh|argh|wow|lol|fml|"
                     r"jeez|geez|seriously|honestly|well|right|oh|god|christ|look|sigh|quick one|"
                     r"damn(?: it)?|dammit|bloody hell|for god'?s sake|oh my god)\b\W*)+",
                     re.IGNORECASE)
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")
_UNAPOSTROPHISED = re.compile(r"\b(have|has|had|do|does|did|is|are|was|were|could|would|should)nt\b",
                              re.IGNORECASE)
_ITS = re.compile(r"\b([Ii]t)s(?= (?:nearly|almost|now|not|been|still|only|gone|going|just|really|so|very|"
                 r"double|all|a|an|the|over|under|taking|saying|showing|meant)\b)")
# A sentence that starts with what they did, its "I" left out ("got my bill today and...").
_NO_SUBJECT = re.compile(r"(?:got|ordered|bought|received|tried|paid|rang|called|booked|sent|waited|spent|"
                         r"returned|phoned|emailed|checked|opened|came home|woke up)\b", re.IGNORECASE)


# A sentence that tells us what to do ("Refund my order 55210 now please.", "Put me in touch with
# the person Mark reports to."): a request, not a fact about them, so never said back as one
# ("refund your order 55210 now please"). Of those, the verbs in _NOT_WRONG say nothing is wrong
# with the thing they name ("fix my boiler" and "send my parcel to the right address" do).
_IMPERATIVE = re.compile(r"^\W*(?:(?:please|pls|just|so|now|and|then|ok|okay|right)\W+)*"
                         r"(?P<verb>refund|reimburse|reverse|credit|pay|cancel|close|terminate|stop|"
                         r"put|transfer|connect|escalate|call|ring|phone|email|e-mail|contact|"
                         r"give|get|send|return|fix|repair|replace|sort|restore|reconnect|reinstate|"
                         r"activate|unblock|unlock|release|remove|waive|change|move|book|explain)\b",
                         re.IGNORECASE)
_NOT_WRONG = frozenset("""refund reimburse reverse credit pay cancel close terminate put transfer connect
    escalate call ring phone email e-mail contact give""".split())


def is_request(sentence: str) -> bool:
    """Does `sentence` tell us to do something, in the imperative?"""
    return bool(_IMPERATIVE.match(sentence))


def asked_only(texts: Sequence[str], topic: str, memo: TextMemo | None = None) -> bool:
    """Is `topic` ("your order") named only in what they tell us to do with it, in words that say
    nothing went wrong with it ("Refund my order 55210", "Put me in touch with the person Mark
    reports to")? Then it is no problem of theirs to be sorry about."""
    head = topic.split()[-1].lower()
    naming = [s for s in _sentences(texts, memo) if re.search(rf"\b{re.escape(head)}\b", s, re.IGNORECASE)]
    asks = [_IMPERATIVE.match(s) for s in naming]
    return bool(naming) and all(a is not None and a.group("verb").lower() in _NOT_WRONG for a in asks)


# A sentence about their own temper or their apology for it ("I'm getting a bit heated, and I
# apologise"): no part of what went wrong, and said back it reads as a telling-off.
_OWN_TEMPER = re.compile(r"\b(?:i['’]m|i am)\s+(?:(?:getting|being|a bit|a little|so|very|really|quite)\s+)*"
                         r"(?:heated|angry|furious|livid|rude|ranting|shouting|cross|worked up)\b|"
                         r"\bi (?:do )?apologi[sz]e\b|"
                         r"\bsorry (?:for|about) (?:the|my) (?:rant|tone|language|caps)\b",
                         re.IGNORECASE)


def _past_temper(sentence: str) -> str:
    """The sentence after its opening words about their temper ("sorry for my language but this
    meter has billed me..." -> "this meter has billed me...")."""
    parts = re.split(r",?\s*\bbut\b\s*", sentence)
    kept = next((i for i in range(len(parts), 0, -1) if _OWN_TEMPER.search(parts[i - 1])), 0)
    return " but ".join(parts[kept:])


# "third phone call this week about the same broken fridge": a count of their contacts, which the
# repeat-contact reply says in its own words, no sentence to say back
_COUNTED_CONTACT = re.compile(r"\W*(?:(?:this|that|it)(?:['’]s| is)\s+)?(?:my\s+|the\s+|a\s+)?"
                              + CONTACT_COUNT + r"s?\b", re.IGNORECASE)


def said_back(texts: Sequence[str], topic: str, most_words: int = 20, memo: TextMemo | None = None
              ) -> str | None:
    """The customer's own sentence about `topic` ("the discount didn't apply at checkout"), in the
    agent's voice, as a clause to repeat back; None when it is a question or too long. A sentence
    that speaks to the company ("I'm reporting you") is not said back: "you" would have to become
    "us", and a threat or a jab repeated back helps no one."""
    head = topic.split()[-1].lower()
    for sentence in map(_past_temper, _sentences(texts, memo)):
        if (head not in sentence.lower() or sentence.rstrip().endswith("?") or _ADDRESSED.search(sentence)
                or is_request(_OPENER.sub("", sentence.strip())) or _OWN_TEMPER.search(sentence)
                or _COUNTED_CONTACT.match(_OPENER.sub("", sentence.strip()))):
            continue
        clean = _EMOJI.sub("", re.sub(r"@\w+|#[\w-]+", "", sentence))
        clean = _OPENER.sub("", clean.strip())
        clean = re.sub(r"\b(\w+)(\s+\1\b)+", r"\1", re.sub(r"\s+", " ", clean), flags=re.IGNORECASE)
        clean = re.sub(r"\b(?:um|uh|er)\b\s*", "", clean).strip().rstrip(".!,;:")
        clean = _UNAPOSTROPHISED.sub(lambda m: f"{m.group(1)}n't", _ITS.sub(r"\1's", clean))
        if 3 <= len(clean.split()) <= most_words and not re.search(r"[\"“”()]", clean):
            # "got my bill and..." has no subject: it is what they did ("you got your bill")
            said = second_person(f"I {clean[:1].lower()}{clean[1:]}" if _NO_SUBJECT.match(clean) else clean)
            return said if said.startswith("I ") else said[:1].lower() + said[1:]
    return None


__all__ = ["CONTACT_COUNT", "IssuePhrase", "asked_for", "asked_only", "cancel_object", "is_request",
           "issue_object", "issue_phrase", "once", "plural", "question_asked", "said_back", "second_person",
           "split_sentences", "trouble_object"]
