"""What kind of message the customer sent, for the situations that call for a reply of their own.

A deadline they gave ("if it's not here by Thursday"), a thank-you for something now sorted, praise,
a repeat contact ("the third time I'm writing") or a fault come back ("late AGAIN"), a death in
the family: each changes which suggestion fits (engine/slots.py marks them, coach.yaml's templates
`need` them). Read from the customer's own words, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from calmline.engine.analysis import Analysis
from calmline.engine.lru import TextMemo
from calmline.engine.phrases import CONTACT_COUNT, once, second_person

_DEADLINE = re.compile(r"\b(today|tonight|right now|immediately|asap|this morning|this afternoon|"
                       r"this evening|by tomorrow|tomorrow|within the hour|in the next hour|by \d{1,2}"
                       r"(?::\d\d)?\s?(?:am|pm)|"
                       # a day they name with the word that makes it a limit ("by Thursday",
                       # "before Friday"): "on Saturday" alone is when something happens
                       r"(?:by|before|until|no later than) (?:this |next )?"
                       r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend))\b",
                       re.IGNORECASE)
_FOR = re.compile(r"\b(?:for|needed)\s+$", re.IGNORECASE)  # "a cake for tomorrow", "needed today"
_QUOTED_RULE = re.compile(r"\b(?:says?|said|told|promised?|promising|advertised|website|site|app|"
                          r"meant to|supposed to|was due|were due)\b", re.IGNORECASE)
_DAY = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)\b", re.IGNORECASE)
_NEED = re.compile(r"\b(?:need|needs|want|wanted|expect|must|has to|have to|got to|by|before|until|"
                   r"no later than|latest|refund|sorted|fixed)\b", re.IGNORECASE)
_RESOLVED_OBJECT = re.compile(r"\b(?:my|our|the)\s+(?:[A-Za-z][\w-]*\s+){0,2}?(?:has\s+|have\s+|"
                              r"is\s+)?(?:just\s+|finally\s+|now\s+)?(?:arrived|come through|came through|"
                              r"been (?:sorted|fixed|resolved)|working (?:again|now)|works (?:now|again|"
                              r"perfectly|fine|great))", re.IGNORECASE)
_REPEAT = re.compile(r"\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|"
                     # "third phone call this week", "my fourth email": a contact counted
                     + CONTACT_COUNT + r"|"
                     r"(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\s+"
                     r"visit to (?:the|your) (?:shop|store|branch)|"
                     r"(?:two|three|four|five|"
                     r"several|multiple|many|\d+)\s+times|again and again|(?:contact|call|email|"
                     r"messag|writ|chas)\w*\s+(?:you\s+)?again|keep (?:having to|chasing|calling|"
                     r"contacting)|already (?:called|contacted|emailed|told|explained)|still waiting)\b",
                     re.IGNORECASE)
_THANKS = re.compile(r"\b(?:thanks|thank you|cheers|ta|appreciate\w*|great job|perfect)\b", re.IGNORECASE)
_RESOLVED = re.compile(r"\b(?:arrived|received|came through|sorted|sorting|resolved|fixed|working (?:again|"
                       r"now|fine)|works (?:now|perfectly|perfect|fine|great)|all good|got it|got the|"
                       r"went through|showed up|turned up|issue closed|been released)\b",
                       re.IGNORECASE)
_OPEN_PROBLEM = re.compile(r"\b(?:but|still|never|again|wrong|broken|missing|problem)\b|n't\b|\?",
                           re.IGNORECASE)


# "I need it for my rent friday": a day they need it by, said without "by"
_NEED_BY_DAY = re.compile(r"\bneed (?:it|this|that|them|the money|my money|it back)\b[^.!?\n]{0,30}?\b"
                          r"(?:on |by |for )?(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|"
                          r"sunday)\b",
                          re.IGNORECASE)
# "We're stuck at the airport with two kids at midnight": nothing can wait until tomorrow
_STRANDED = re.compile(r"\b(?:(?:we['’]re|i['’]m|we are|i am|we've been|i've been|are|now)\s+"
                       r"(?:now\s+|still\s+)?(?:stuck|stranded)\s+(?:at|in|on|outside|by)\s+(?:the\s+|a\s+)?"
                       r"(?:airport|station|terminal|hotel|lobby|roadside|side of the road|motorway|platform|"
                       r"train|street|border|port|ferry|abroad|outside|car park)|stranded|"
                       r"nowhere to (?:stay|sleep)|locked out of (?:my|our|the) (?:house|home|flat|room))\b",
                       re.IGNORECASE)
_NIGHT = re.compile(r"\b(?:tonight|midnight|night|late|dark|\d{1,2}(?::\d\d)?\s?(?:pm|am))\b", re.IGNORECASE)


def deadline(text: str) -> str | None:
    """The deadline the customer gave in `text` ("I need it TODAY", "if it's not here by
    Thursday"), lower case but for a day's name, or None ("it arrived this morning" and "the
    wedding is on Saturday" are no deadline). Someone stranded needs it sorted tonight or now."""
    found = _said_deadline(text)
    if found is None:
        need = _NEED_BY_DAY.search(text)
        found = f"by {need.group('day').capitalize()}" if need else None
    if found is None and _STRANDED.search(text) and not _QUOTED_RULE.search(text):
        found = "tonight" if _NIGHT.search(text) else "right now"
    return found


def _said_deadline(text: str) -> str | None:
    for match in _DEADLINE.finditer(text):
        before = text[max(0, match.start() - 60):match.start()]
        if _QUOTED_RULE.search(before.split(".")[-1]):
            continue  # "Your website says ORDER BY 2PM", "I was told I'd get a call back today":
            # what we said or promised, not the customer's deadline
        day = _DAY.search(match.group(1))
        if day:  # a named day is a limit by its own word, said back as "by" and capitalised
            said = re.sub(r"^(?:until|no later than)\b", "by", match.group(1).lower())
            day_name = day.group(0).lower()
            return said[:said.rfind(" ") + 1] + (day_name if day_name == "weekend" else day_name.capitalize())
        if match.group(1).isupper() or _NEED.search(before.split(".")[-1]) or _FOR.search(before):
            return match.group(1).lower()
    return None


def resolved_clause(text: str) -> str | None:
    """What the customer says is now sorted, in the agent's voice ("your refund arrived")."""
    match = _RESOLVED_OBJECT.search(text)
    if not match:
        return None
    said = second_person(re.sub(r"\s+", " ", match.group(0)))
    # said back mid-sentence ("So the replacement arrived"), not with their capital
    return said if said.startswith("I ") else said[:1].lower() + said[1:]


def lost_someone(text: str, patterns: Sequence[str]) -> str | None:
    """Whom the customer tells us they lost, as theirs ("my late husband's account" -> "your
    husband"; "your loss" when the pattern names no one), or None. `patterns`: coach.yaml
    `customer.loss`, read on lower-case text."""
    low = text.lower().replace("’", "'")
    for pattern in patterns:
        found = re.search(pattern, low)
        if found:
            who = found.groupdict().get("who")
            return f"your {who}" if who else "your loss"
    return None


# "N times" counts what the customer did, which is a contact only when it was asking us: "I
# tried to pay three times", "you charged me 3 times", "refused my payment three times" count
# attempts and payments, not contacts ("I tried to phone three times" is one).
_TIMES = re.compile(r"\b(?:two|three|four|five|several|multiple|many|\d+)\s+times\b", re.IGNORECASE)
_TRIED = re.compile(r"\b(?:tried|try|trying|attempted|attempting)\b", re.IGNORECASE)
_ASKING = re.compile(r"\b(?:contact|call|phone|telephone|ring|rang|e-?mail|reach|speak|talk|get through|"
                     r"chase|complain|message|writ|wrote|ask|report|rais|explain|told|in touch|on to you)\w*",
                     re.IGNORECASE)
# "the third time": of asking us only when the clause says so ("the third time I'm writing"); "That's
# the third time since I cancelled" after a charge counts the charges, "the second time my
# delivery has come without the drinks" the fault
_ORDINAL_TIME = re.compile(r"(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time", re.IGNORECASE)
_PAID = re.compile(r"\b(?:charged|billed|debited|paid|pay|paying|payments?)\b", re.IGNORECASE)


_VAGUE_TIMES = re.compile(r"\b(?:several|multiple|many|countless|loads of|so many)\s+times\b", re.IGNORECASE)


def _asking(clause: str) -> bool:
    """Does a clause that counts times count contacts? Not payments; not attempts at anything
    but reaching us."""
    tried = _TRIED.search(clause)
    if tried:
        return bool(_ASKING.search(clause, tried.end()))
    if _VAGUE_TIMES.search(clause) and not _ASKING.search(clause):
        return False  # "Yes. Obviously. Many times." (restarting the router) counts no contacts
    return not _PAID.search(clause)


_AGAIN = re.compile(r"\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|(?:happened|happening|"
                    r"broken|broke|broken down|down|late|missing|wrong|failed|crashed|stopped|gone up|"
                    r"gone off|cut off|short|damaged|cancelled|not come|not arrived|hasn't come|"
                    r"hasn't arrived|didn't come|didn't turn up) again)\b", re.IGNORECASE)


# "Nobody has called. Again.": the word on its own after what went wrong
_AGAIN_ALONE = re.compile(r"[.!?]\s*again\s*[.!?]+", re.IGNORECASE)


def recurs(texts: Sequence[str]) -> bool:
    """The customer says what went wrong has happened before ("the second time the delivery's come
    without the dips", "late AGAIN", "Nobody has called. Again."): a fault come back, whether or
    not they told us last time."""
    return any(_AGAIN.search(text) or _AGAIN_ALONE.search(text) for text in texts)


def repeat_contact(texts: Sequence[str], memo: TextMemo | None = None) -> bool:
    """The customer says this is not the first time they have had to ask."""
    return any(once(memo, _repeat_in, text) for text in texts)


def _repeat_in(text: str) -> bool:
    for match in _REPEAT.finditer(text):
        counted = _TIMES.fullmatch(match.group(0)) or _ORDINAL_TIME.fullmatch(match.group(0))
        if not counted:
            return True
        start = max(text.rfind(mark, 0, match.start()) for mark in (".", "!", "?", "\n")) + 1
        clause = text[start:match.end()] + " " + " ".join(text[match.end():].split()[:4])
        if _asking(clause) if _TIMES.fullmatch(match.group(0)) else _ASKING.search(clause):
            return True
    return False


# A message that still asks for something is no thank-you, whatever it signs off with ("give me
# my money back in full. Cheers, Rob"; "I just want this sorted"; "or I will go to the ombudsman").
_REQUEST = re.compile(r"\b(?:i'd like|i would like|i (?:just |really |only )?(?:want|need)|we need|could you|"
                      r"can you|would you|will you|could someone|can someone|please (?:confirm|send|call|"
                      r"ring|refund|cancel|close|update|sort|fix|explain|recalculate|credit)|"
                      r"or (?:i|we)(?:'ll| will| shall)|i expect|would be appreciated)\b", re.IGNORECASE)


# words of praise, not of agreement ("great, thanks" and "perfect, that works" agree to an offer)
_PRAISE = re.compile(r"\b(?:lovely|brilliant|amazing|excellent|fantastic|wonderful|superb|helpful|"
                     r"friendly|spot on|so kind|very kind|a star|above and beyond|impressed)\b",
                     re.IGNORECASE)


def praise_only(text: str) -> bool:
    """The message only praises ("the driver was lovely, thank you!"): nothing wrong, nothing
    asked. Sarcasm ("Brilliant. Two hours on hold.") is told apart by the caller, from what the
    analysis read (a cause, a want, a level above calm)."""
    return bool(_PRAISE.search(text) and not _OPEN_PROBLEM.search(text) and not _REQUEST.search(text))


def praised(read: Analysis) -> bool:
    """Only thanks or praise, read calm with nothing wrong, wanted or flagged: "Brilliant. Two hours
    on hold." reads a cause (the wait) in its words, so it is not praise. A cause or want read by
    meaning alone is no word of theirs: "the engineer was brilliant, fixed it in 20 mins" is near
    the playbook's complaints about engineers, and still praise."""
    worded = [f for f in (*read.causes, *read.wants) if any(ev.source != "semantic" for ev in f.evidence)]
    return read.anger.level == "calm" and not worded and not read.flags and praise_only(read.text)


def thanks_only(text: str) -> bool:
    """The message thanks the team for something that is now sorted, with nothing still open and
    nothing asked for."""
    return bool(_THANKS.search(text) and _RESOLVED.search(text) and not _OPEN_PROBLEM.search(text)
                and not _REQUEST.search(text))


# What an agent says is already done ("I've refunded the second one", "your booking has been
# changed"), not promised: a thank-you after it is for that
_DONE_BY_US = re.compile(r"\b(?:(?:I|we)(?:['’]ve|\s+have)\s+(?:now\s+|just\s+|already\s+|also\s+)?|"
                         r"(?:it|that|this|your\s+[a-z]+(?:\s+[a-z]+)?)(?:['’]s|\s+has)\s+(?:now\s+|just\s+)?"
                         r"been\s+)(?:refunded|cancell?ed|sent|issued|processed|credited|fixed|sorted|resolved|"
                         r"reset|unlocked|arranged|booked|rebooked|replaced|removed|reversed|applied|added|updated|"
                         r"changed|closed|waived|reinstated|restored|dispatched|re-?sent)\b", re.IGNORECASE)
_AGREE_THANKS = re.compile(r"^\W*(?:(?:ok(?:ay)?|great|perfect|brilliant|lovely|amazing|fab|fantastic|"
                           r"excellent|wonderful|cool|right|good|nice|that's great|that's brilliant|"
                           r"that's perfect|that's lovely|that's fine|that's good|that's amazing|"
                           r"thanks|thank you|thanks so much|thank you so much|many thanks|cheers|ta|"
                           r"much appreciated|appreciate it|really appreciate it|that's sorted then|"
                           r"sorted|brill)\b[\s,.!:)]*)+$", re.IGNORECASE)


def thanks_for_done(text: str, agent_said: str) -> bool:
    """The customer only thanks us ("ok thanks, that's great") after an agent said the thing is
    done ("I've refunded the second one"): a thank-you for that, with nothing left to agree."""
    return bool(_THANKS.search(text) and _AGREE_THANKS.match(text) and _DONE_BY_US.search(agent_said))


__all__ = ["deadline", "lost_someone", "praise_only", "praised", "recurs", "repeat_contact",
           "resolved_clause", "thanks_for_done", "thanks_only"]
