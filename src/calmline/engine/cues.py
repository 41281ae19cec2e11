"""Find the coach's good behaviours and anti-patterns in one agent message.

`CueScanner` compiles coach.yaml once; `scan(text, context)` returns every behaviour and
anti-pattern with its evidence spans (offsets into the text as given), after the contextual
checks (repeat-back needs the customer's facts, a timeline needs a real time, …). The reviewer,
the stage machine and the evaluation all read agent messages through this one scanner.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from calmline.engine.commitments import Commitment, TimeRef, extract_commitments, find_times, find_vague
from calmline.engine.lru import LruCache
from calmline.engine.restate import CustomerFacts, fact_mentions, issue_mentions, stems
from calmline.playbook.coach_schema import CoachConfig, Cue
from calmline.signals.base import Evidence
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import PhraseMatcher, compile_patterns
from calmline.signals.negation import is_negated
from calmline.signals.text import NormalizedText, normalize

Spans = tuple[Evidence, ...]
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")  # "$89.99" is not an end
_TAKEN_BACK = re.compile(r"\b(?:but|however|although|though|except)\b")
_STEP = re.compile(r"\b(?:will|'ll|going to|expect|should|booked|scheduled|arriv\w*|receiv\w*|"
                   r"call|email|ring|message|update|ship\w*|deliver\w*|dispatch\w*|send|sent|"
                   r"starts?|goes on|collect\w*|refund\w*|check\w*|follow\w*|reach|contact|hear)\b",
                   re.IGNORECASE)
_OFFER = re.compile(
    r"\b(?:(?:i|we)\s*(?:'ll|will|can|could|'ve|have|'m|am|'d)|let me|shall i|"
    r"would you (?:like|prefer)|you (?:can|could|'ll|will)|here's|here is|"
    r"(?:is|are|has been|have been|will be) (?:now |already )?(?:done|reversed|refunded|booked|"
    r"cancelled|issued|sent|applied|fixed|repaired|replaced|unlocked|restored|credited|waived|"
    r"removed|reinstated|released|unblocked|reconnected)|"
    # or suggests one: "I'd suggest …", "have you tried …", "it might help to …"
    r"i(?:'d| would)? (?:\w+ )?(?:suggest|recommend|advise)|my (?:suggestion|advice)|"
    r"(?:have|had) you (?:\w+ )?(?:tried|considered|thought|looked|asked)|how about|"
    r"what about|why not|(?:maybe|perhaps|just) try|you (?:might|may|should)(?! have)|"
    r"(?:might|may|could|would|should|can|will) (?:also |really )?(?:help|be worth|be a good)|"
    r"worth (?:trying|a try|checking|asking)|a good idea|"
    r"(?:one|another|the best|a good) (?:thing|option|idea|way|step))\b", re.IGNORECASE)
# a restatement's frame ("So you …" opening a sentence, "if I understand correctly, …", not the
# "so you can …" of a purpose) and the words that say nothing
_PARAPHRASE = re.compile(
    r"\b(?:(?P<so>so),? (?:you|your)\b"
    r"(?! (?:can|could|'ll|will|won't|don't|do not|need|should|get|have to|know)\b)|"
    r"(?:it |that )?(?:sounds|seems) (?:like|as if|as though) (?:you|your|the|it)\b|"
    r"if i(?:'ve| have)? (?:understand|understood|got|have) (?:(?:you|this|that|it) )?"
    r"(?:right|correctly)?,?|what i(?:'m| am) hearing(?: is)?,?|"
    r"(?:you're|you are) (?:saying|telling me)|"
    r"(?<!everything )(?<!what )(?<!all )(?:you|you've|you have) (?:mentioned|said|told me|explained)|"
    r"correct me if i(?:'m| am) wrong(?:,? but)?,?|"
    r"(?:to )?(?:confirm|recap|check|clarify)[,:]? (?:that )?(?:you|your|the)\b)",
    re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;:]|\s(?:but|and|so)\s")
_GENERIC = frozenset(stems("problem problems issue issues situation matter concern stuff right correct "
                           "understand understood saying wrong"))
_SHOUT = re.compile(r"\b[A-Z]{4,}\b")
_BANGS = re.compile(r"[!?]*![!?]+|\?{3,}")
_SWEAR = re.compile(r"\b(?:fuck\w*|shit\w*|damn\w*|crap|bloody|bullshit|wtf|piss\w*)\b", re.IGNORECASE)
_FOLLOW_UP = re.compile(r"\b(?:call|ring|phone|e-?mail|text|message|write|get back|come back|follow|"
                        r"update|contact|send|refund|replace|deliver|ship|repair|visit|reply|be in touch|"
                        r"confirm|check in)\w*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DraftContext:
    """What the checks need to know about the conversation around the message."""

    customer: CustomerFacts = field(default_factory=CustomerFacts)
    venting: bool = False
    time: datetime | None = None
    danger: bool = False  # a danger moment (wellbeing, security): `check: danger` cues count
    # the latest customer message is upset or names a problem: something a reply can argue with,
    # wave away or blame them for (a calm question answered plainly cannot)
    complaint: bool = False


@dataclass(frozen=True, slots=True)
class Scan:
    """One agent message read by the coach: what it does, what it gets wrong, what it promises."""

    text: str
    behaviours: dict[str, Spans]
    anti_patterns: dict[str, Spans]
    times: tuple[TimeRef, ...]
    vague: Spans
    commitments: tuple[Commitment, ...]
    handed_over: Spans = ()  # the agent hands the case over ("I've escalated this to …")

    @property
    def apologies(self) -> int:
        return len(self.behaviours.get("apology", ()))

    def has(self, *labels: str) -> bool:
        return any(label in self.behaviours for label in labels)

    def follow_up_promises(self) -> list[Commitment]:
        """Promises to get back to the customer (call, email, refund …), the ones that need a when."""
        return [c for c in self.commitments if _FOLLOW_UP.search(c.what)]


class Sentences(str):
    """A draft's text that knows where its sentences end (found once, in one linear pass).

    A sentence stops after its ". ! ?" run, or before a line break. The scan of one draft asks for
    the sentence around a span many times (one per time, offer or step); each ask is then a binary
    search, so a long draft costs linear time and nothing is remembered beyond the scan.
    """

    ends: tuple[int, ...]
    stops: tuple[int, ...]

    def __new__(cls, text: str) -> Sentences:
        made = super().__new__(cls, text)
        ends: list[int] = []
        stops: list[int] = []
        for m in _SENTENCE_END.finditer(text):
            stops.append(m.start() if m.group() == "\n" else m.end())
            ends.append(m.end())
        made.ends, made.stops = tuple(ends), tuple(stops)
        return made

    def trimmed(self) -> Iterator[tuple[int, int]]:
        """(start, end) of each sentence in turn, white space trimmed off both sides (possibly
        empty): the readers that want the first few stop early."""
        for start, end in zip((0, *self.ends), (*self.stops, len(self)), strict=True):
            while start < end and self[start].isspace():
                start += 1
            while end > start and self[end - 1].isspace():
                end -= 1
            yield start, end


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    """The sentence around `pos`: from the end of the one before to its closing ". ! ?" run
    (or the line's end)."""
    sentences = text if isinstance(text, Sentences) else Sentences(text)
    index = bisect_right(sentences.stops, pos)
    start = sentences.ends[index - 1] if index else 0
    return start, (sentences.stops[index] if index < len(sentences.stops) else len(text))


def _opening(text: str) -> tuple[int, int]:
    """The draft's first sentence of three words or more, trimmed: the reply's opening, past a
    greeting line ("Dear Ines,"), which says nothing about what it answers. The first sentence
    when none is that long."""
    sentences = text if isinstance(text, Sentences) else Sentences(text)
    return next(((start, end) for start, end in sentences.trimmed() if len(text[start:end].split()) >= 3),
                _sentence_of(text, 0))


def _in_sentence_of(text: str, pos: int, spans: Spans) -> bool:
    """Does any of `spans` start in the sentence around `pos`?"""
    start, end = _sentence_of(text, pos)
    return any(start <= e.start < end for e in spans)


def _first(pattern: re.Pattern[str] | None, low: str, text: str) -> Evidence | None:
    found = pattern.search(low) if pattern is not None else None
    if found is None:
        return None
    return Evidence(found.start(), found.end(), text[found.start():found.end()], "cue",
                    "coach.customer")


def _overlaps(ev: Evidence, others: Spans) -> bool:
    return any(ev.start < o.end and o.start < ev.end for o in others if o.start >= 0)


class CueScanner:
    """coach.yaml compiled: build once per CoachConfig, then `scan` many messages."""

    def __init__(self, config: CoachConfig) -> None:
        self.config = config
        self._literals = LiteralIndex()  # one scan per draft for all the cues
        self._behaviours = {k: self._matcher(f"behaviours.{k}", c) for k, c in config.behaviours.items()}
        self._anti = {k: self._matcher(f"anti_patterns.{k}", c) for k, c in config.anti_patterns.items()}
        self._disowned = {k: re.compile("|".join(f"(?:{p})" for p in c.disowned_by))
                          for k, c in config.anti_patterns.items() if c.disowned_by}
        self._escalation = compile_patterns(config.escalation)
        self._agree = compile_patterns(config.customer.agree)
        self._close = compile_patterns(config.customer.close)
        self._decline = compile_patterns(config.customer.decline)
        # the stage machine asks these of every customer turn in the window at every reading
        self._customer: LruCache[str, tuple[Evidence | None, Evidence | None]] = LruCache(1024)

    def customer_says(self, text: str) -> tuple[Evidence | None, Evidence | None]:
        """(the customer agrees, the customer closes the case): the first cue of each, if any. A
        customer who turns the offer down ("No thanks, just refund me") agrees to nothing."""
        def read() -> tuple[Evidence | None, Evidence | None]:
            low = text.lower().replace("’", "'")
            if self._decline is not None and self._decline.search(low):
                return None, _first(self._close, low, text)
            return _first(self._agree, low, text), _first(self._close, low, text)

        return self._customer.get_or_compute(text, read)

    def _matcher(self, rule: str, cue: Cue) -> PhraseMatcher:
        """A cue's patterns as one regex that only runs when one of its literals is present,
        and then only over the patterns whose literals are (see `PhraseMatcher`)."""
        return PhraseMatcher.from_patterns(rule, cue.title, cue.weight, cue.patterns, source="cue",
                                           index=self._literals)

    def hands_over(self, text: str) -> Spans:
        """The agent hands the case over ("I've escalated this to my supervisor")."""
        if self._escalation is None:
            return ()
        norm = text.lower().replace("’", "'")
        return tuple(Evidence(m.start(), m.end(), text[m.start():m.end()], "cue", "coach.escalation")
                     for m in self._escalation.finditer(norm))

    def scan(self, text: str, context: DraftContext | None = None,
             learned: Callable[[str], Mapping[str, Spans]] | None = None,
             bare: Callable[[str], Mapping[str, Spans]] | None = None,
             learned_good: Callable[[str], Mapping[str, Spans]] | None = None) -> Scan:
        """`learned`: more anti-pattern evidence by label (the engine's learned draft heads,
        engine/draft_heads.py), added to the phrase hits before the contextual checks. `bare`:
        for a reply that does none of the behaviours (calm tone aside) and shows no anti-pattern,
        the anti-pattern it reads most like. On the team's drafts every such reply had one: a
        bare explanation, rule or contradiction sent to an upset customer. `learned_good`:
        behaviours the learned reply heads read in the reply as a whole ("I've put a new one in
        the post for you" offers a fix no phrase names), counted when the phrase cues and their
        checks found nothing of that behaviour."""
        context = context or DraftContext()
        plain, text = str(text), Sentences(text)  # the checks below share one sentence index
        norm = normalize(text.replace("’", "'"))
        found_times = find_times(text, context.time)
        times = tuple(t for t in found_times if self._is_step(text, t))
        raw_bad = {k: self._find(norm, text, m, self.config.anti_patterns[k].negatable)
                   for k, m in self._anti.items()}
        for label, spans in (learned(text) if learned is not None else {}).items():
            if label in raw_bad:  # either one finds it; a sentence a phrase already marks adds nothing
                raw_bad[label] += tuple(e for e in spans if not _overlaps(e, raw_bad[label]))
        raw_good = {k: self._find(norm, text, m, self.config.behaviours[k].negatable)
                    for k, m in self._behaviours.items()}
        commitments = tuple(extract_commitments(text, context.time, found_times))
        bad = self._check_anti(text, raw_bad, raw_good, times, context)
        read_good = learned_good(text) if learned_good is not None else {}
        good = self._check_good(text, raw_good, bad, times, commitments, context, read_good)
        walls = {k for k in bad if self.config.anti_patterns[k].check == "no_alternative"}
        if walls:
            # an explanation or a rule followed by the agent's own fix ("... because the card's
            # check timed out. I've placed it again at no charge", "I've authorised the repair
            # under your own policy") is neither an excuse nor a wall: the fix is read in the
            # whole reply, as the reply heads read it too, and in the rule's own sentence, not
            # only in the phrase cues the `no_alternative` check saw. The agent's part comes in or
            # after the explanation's sentence: a "we've been busy" tacked on after the fix is
            # still an excuse
            rest = {k: v for k, v in bad.items() if k not in walls}
            freed = self._check_good(text, raw_good, rest, times, commitments, context, read_good)
            said = min(_sentence_of(text, e.start)[0] for k in walls for e in bad[k])
            if any(k in freed for k in ("solution", "options")) and any(
                    e.start >= said for e in freed.get("ownership", ())):
                bad, good = rest, freed
        # a bare reply is one no phrase cue finds doing anything: a reply head's guess that it
        # offers a fix (a behaviour whose only evidence is the head's) does not stop it being read
        # as the anti-pattern it most resembles
        phrased = {label for label, spans in good.items() if spans != read_good.get(label)}
        if bare is not None and self._only_unanswered(bad) and not context.danger and not any(
                label in phrased for label, cue in self.config.behaviours.items() if cue.check != "tone"):
            found = bare(text)
            if found:
                bad = self._check_anti(text, {k: found.get(k, ()) for k in raw_bad}, raw_good, times,
                                       context)
                good = self._check_good(text, raw_good, bad, times, commitments, context, read_good)
        return Scan(plain, good, bad, times, tuple(find_vague(text)), commitments,
                    self.hands_over(text))

    @staticmethod
    def _find(norm: NormalizedText, text: str, matcher: PhraseMatcher, negatable: bool) -> Spans:
        hits = matcher.find(norm, limit=10)
        low = norm.original.lower()
        return tuple(Evidence(e.start, e.end, text[e.start:e.end], e.source, e.rule, e.weight)
                     for e in hits if not (negatable and is_negated(low, e.start)))

    @staticmethod
    def _is_step(text: str, ref: TimeRef) -> bool:
        start, end = _sentence_of(text, ref.start)
        return bool(_STEP.search(text[start:end]))

    def _check_anti(self, text: str, raw: dict[str, Spans], good: dict[str, Spans],
                    times: tuple[TimeRef, ...], context: DraftContext) -> dict[str, Spans]:
        found: dict[str, Spans] = {}
        fixes = _offered(text, good.get("solution", ())) + good.get("options", ())
        for label, cue in self.config.anti_patterns.items():
            spans = raw[label]
            if label in self._disowned and spans:
                spans = tuple(e for e in spans if not self._disowns(text, e, self._disowned[label]))
            if cue.check == "no_timeline" and times:
                spans = ()
            elif cue.check == "no_alternative" and fixes:
                spans = ()
            elif cue.check == "venting":
                # the fix with no word for how they feel: an apology or an acknowledgement first
                # is the reply the playbook asks for, not this anti-pattern
                heard = good.get("acknowledge") or good.get("apology")
                spans = good.get("solution", ()) if context.venting and not heard else ()
            elif cue.check == "danger" and not context.danger:
                spans = ()
            elif cue.check == "unanswered":
                spans = self._unanswered(text, good, context)
            elif cue.check == "tone":
                spans = _hostile(text)
            if spans:
                found[label] = spans
        # not answering the question is named only when nothing worse is: an excuse or a rule sent
        # instead of an answer is that anti-pattern, and its rewrite answers the question too
        if any(self.config.anti_patterns[label].check != "unanswered" for label in found):
            found = {label: spans for label, spans in found.items()
                     if self.config.anti_patterns[label].check != "unanswered"}
        return found

    @staticmethod
    def _disowns(text: str, hit: Evidence, pattern: re.Pattern[str]) -> bool:
        """Does the draft own what the hit seems to excuse ("Our courier had problems that week,
        which is no excuse, and I've reported it")? Read after the hit, to the end of the next
        sentence; a 'but' after the disclaimer takes it back ("not your fault, but you should
        have...")."""
        _, end = _sentence_of(text, hit.start)
        _, after = _sentence_of(text, end) if end < len(text) else (end, end)
        window = text[hit.end:max(end, after)].replace("’", "'").lower()
        found = pattern.search(window)
        return found is not None and not _TAKEN_BACK.search(window, found.end())

    def _only_unanswered(self, bad: Mapping[str, Spans]) -> bool:
        return all(self.config.anti_patterns[label].check == "unanswered" for label in bad)

    @staticmethod
    def _unanswered(text: str, good: dict[str, Spans], context: DraftContext) -> Spans:
        asked = context.customer.question_terms
        if not asked or len(text.split()) < 4 or good.get("clarifying_question"):
            return ()
        touched = issue_mentions(text, (*asked, *context.customer.issue_terms,
                                        *context.customer.topic_terms))
        if touched or fact_mentions(text, context.customer.facts):
            return ()
        start, end = _opening(text)
        return (Evidence(start, end, text[start:end], "context", "anti_patterns.off_topic"),)

    def _check_good(self, text: str, raw: dict[str, Spans], bad: dict[str, Spans],
                    times: tuple[TimeRef, ...], commitments: tuple[Commitment, ...],
                    context: DraftContext, learned: Mapping[str, Spans] | None = None
                    ) -> dict[str, Spans]:
        # shouted words are flagged as the tone, yet still say what they say ("THANK YOU"), a
        # fix offered too early is still a fix, and the opening of a reply that answers nothing
        # asked still apologises if it does: only the other anti-patterns' evidence cancels a
        # behaviour found inside it
        flagged = tuple(e for label, spans in bad.items() for e in spans
                        if self.config.anti_patterns[label].check not in ("tone", "venting", "unanswered"))
        found: dict[str, Spans] = {}
        for label, cue in self.config.behaviours.items():
            spans = tuple(e for e in raw[label] if not _overlaps(e, flagged))
            if cue.check == "facts":
                spans = self._restated(text, spans, context)
            elif cue.check == "timeline":
                # a time in the sentence that argues, cites a rule or waves it away is the rule's
                # or the record's ("orders placed before 2pm", "tried you at 3:12"), not a when
                # for what the agent will do
                spans = tuple(Evidence(t.start, t.end, t.text, "pattern", "coach.timeline")
                              for t in times if not _in_sentence_of(text, t.start, flagged))
            elif cue.check == "steps":
                spans = tuple(e for e in spans if self._has_step(text, e, times, commitments))
            elif cue.check == "offer":
                spans = _offered(text, spans)
            elif cue.check == "tone":
                # telling someone to calm down (minimise) is not a calm tone, however polite
                calm = not ({"hostile_tone", "argue", "minimise"} & set(bad))
                spans = (spans or (Evidence(0, len(text), text, "context", "coach.tone"),)) if calm else ()
            if not spans and learned and cue.check != "tone":
                # the reply read as a whole does it, shown on its likeliest sentence: not on one
                # that blames or argues ("You should have ordered earlier" is no fix offered)
                spans = tuple(e for e in learned.get(label, ()) if not _overlaps(e, flagged))
            if spans and text.strip():
                found[label] = spans
        return found

    @staticmethod
    def _restated(text: str, cues: Spans, context: DraftContext) -> Spans:
        facts = fact_mentions(text, context.customer.facts)
        issue = issue_mentions(text, context.customer.issue_terms)
        cues = tuple(e for e in cues if not _mid_sentence_so(text, e))
        if cues and not (facts or issue):
            # behind a restating frame ("so, to check, you're asking: …"), the thing they wrote
            # about, or their question, said back restates it as well as their issue would
            issue = issue_mentions(text, context.customer.topic_terms)
            asked = issue_mentions(text, context.customer.question_terms)
            issue = issue or (asked if len(asked) >= 2 else [])
        if (cues and (facts or issue)) or (facts and len(facts) + len(issue) >= 2):
            return tuple(sorted((*cues[:1], *facts, *issue), key=lambda e: e.start))
        return _paraphrased(text, cues)

    @staticmethod
    def _has_step(text: str, ev: Evidence, times: tuple[TimeRef, ...],
                  commitments: tuple[Commitment, ...]) -> bool:
        start, end = _sentence_of(text, ev.start)
        return any(start <= t.start < end for t in times) or any(
            start <= c.evidence.start < end for c in commitments)


def _paraphrased(text: str, cues: Spans) -> Spans:
    """The cues whose sentence restates, in a paraphrase addressed to the customer ("so you were
    charged twice for the annual plan", "it sounds like the replacement never came"), at least two
    content words of their situation in the frame's clause: a restatement even when the reading of
    their message named no fact. "So you have a problem with something" restates nothing."""
    found = []
    for ev in cues:
        start, end = _sentence_of(text, ev.start)
        frame = _PARAPHRASE.search(text, start, end)
        if frame and frame.group("so") and len(text[start:frame.start()].split()) > 1:
            continue  # "so you" opens a restatement, not a clause ("… so your team would have known")
        clause = _CLAUSE_END.split(text[frame.end():end], maxsplit=1)[0] if frame else ""
        if len([w for w in stems(clause) if w not in _GENERIC]) >= 2:
            found.append(ev)
    return tuple(found[:1])


def _mid_sentence_so(text: str, ev: Evidence) -> bool:
    """A "so you …"/"so it …" cue inside a sentence is a purpose or a consequence ("… so it
    can't happen again"), not the "So your order…" that opens a restatement."""
    if not ev.text[:3].lower().startswith(("so ", "so,")):
        return False
    start, _ = _sentence_of(text, ev.start)
    return len(text[start:ev.start].split()) > 1


def _offered(text: str, spans: Spans) -> Spans:
    """The spans whose sentence offers or reports an action ("I can …", "is reversed")."""
    return tuple(e for e in spans if _OFFER.search(text[slice(*_sentence_of(text, e.start))]))


def _hostile(text: str) -> Spans:
    found = [Evidence(m.start(), m.end(), m.group(0), "cue", "coach.tone.caps")
             for m in _SHOUT.finditer(text)]
    if len(found) == 1:  # one shouted word: shouting only when the whole reply is in capitals
        letters = [c for c in text if c.isalpha()]
        if not (len(letters) > 12 and sum(c.isupper() for c in letters) > 0.7 * len(letters)):
            found = []
    found += [Evidence(m.start(), m.end(), m.group(0), "cue", "coach.tone.punctuation")
              for m in _BANGS.finditer(text)]
    found += [Evidence(m.start(), m.end(), m.group(0), "cue", "coach.tone.swearing")
              for m in _SWEAR.finditer(text)]
    return tuple(found[:10])
