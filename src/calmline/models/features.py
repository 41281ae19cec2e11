"""Tokenizer and featurizer shared by model training and inference.

Pure Python (``re`` only) and cheap: it runs on every message.  Every token keeps the
character offsets of the text it came from, so ``text[t.start:t.end]`` is always its source.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from calmline.text.disguise import INSULTS, KNOWN, SWEARS, WORD, is_masked, undisguise

__all__ = [
    "Token",
    "Tokens",
    "Tokenizer",
    "tokenize",
    "features",
    "text_features",
    "feature_names",
    "normalize_word",
    "PROFANITY",
    "INSULTS",
    "ANGER_WORDS",
]


class Token(NamedTuple):
    """A token: ``[start, end)`` offsets into the original text and a normalised form."""

    start: int
    end: int
    norm: str


PROFANITY: frozenset[str] = frozenset(SWEARS)
ANGER_WORDS: frozenset[str] = frozenset((
    "angry", "anger", "mad", "furious", "livid", "fuming", "outraged", "outrageous", "rage",
    "ridiculous", "unacceptable", "absurd", "insane", "disgusting", "disgraceful", "shameful",
    "pathetic", "useless", "incompetent", "worst", "terrible", "horrible", "awful", "hate",
    "hated", "hates", "annoyed", "annoying", "irritated", "irritating", "frustrated",
    "frustrating", "infuriating", "infuriated", "sick", "fed", "joke", "scam", "ripoff",
    "rude", "unbelievable", "seriously", "sucks", "stupid", "idiot", "idiots", "wtf",
    "bullshit", "nonsense", "screw", "damn", "tired", "enough", "never", "why", "complaint",
    "disappointed", "disappointing", "shame", "wrong", "fault", "blame", "lied", "lies",
))
_CUE_WORDS: dict[str, tuple[str, ...]] = {}
for _w in PROFANITY | INSULTS | ANGER_WORDS:
    _cues = tuple(
        cue
        for cue, lex in (("<swear>", PROFANITY), ("<insult>", INSULTS), ("<anger_word>", ANGER_WORDS))
        if _w in lex
    )
    _CUE_WORDS[_w] = _cues

_ELONG_RE = re.compile(r"([^\W\d_])\1{2,}")

_EMOJI = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff"
    "\u3030\u303d\u3297\u3299"
)
_TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    r"|(?P<tag>\[(?:NAME|RELIGION)\])"
    r"|(?P<user>@\w+)"
    r"|(?P<num>[$£€]?\d+(?:[.,:/]\d+)*+[^\W\d_]*+)"
    rf"|(?P<word>{WORD})"
    r"|(?P<hashtag>\#\w+)"
    r"|(?P<punct>[!?]+)"
    r"|(?P<grawlix>[*#@$%&]{3,})"
    rf"|(?P<emoji>[{_EMOJI}])[\ufe0f\u200d\U0001f3fb-\U0001f3ff]*"
)

# A chunk is a whitespace-free run of text; its analysis is tokens and cue features, offsets
# relative to the chunk.
_Rel = tuple[tuple[int, int, str], ...]
_tuple_new = tuple.__new__


class Tokens(list[Token]):
    """``list[Token]`` that also carries the cue features found while tokenising.

    ``cues`` holds ``(start, end, name)`` for ``<caps>`` and ``<elong>``; :func:`features`
    adds them.  A plain list of tokens works too, it just lacks those two cues.
    """

    __slots__ = ("cues",)

    def __init__(self, tokens: Iterable[Token] = (), cues: Iterable[tuple[int, int, str]] = ()
                 ) -> None:
        super().__init__(tokens)
        self.cues: list[tuple[int, int, str]] = list(cues)


def normalize_word(raw: str) -> tuple[str, bool, bool]:
    """Normalise one word: returns ``(norm, is_all_caps, was_elongated)``."""
    low = raw.lower().replace("’", "'")
    collapsed = _ELONG_RE.sub(r"\1", low)
    norm = collapsed
    if not collapsed.replace("'", "").isalpha():
        norm = _normalize_odd(collapsed)
    caps = raw.isupper() and sum(1 for c in raw if c.isalpha()) >= 3
    return norm, caps, collapsed != low


def _normalize_odd(low: str) -> str:
    """Words with digits or symbols inside: leetspeak and masked swearing."""
    word = undisguise(low)
    if word is not None:
        return word
    return "<masked_swear>" if is_masked(low) else low


def _norm_user(raw: str) -> str:
    # "@ss", "@sshole" are leetspeak, not handles
    cand = "a" + raw[1:].lower()
    if cand in KNOWN:
        return cand
    return "<user>"


def _analyse_chunk(chunk: str) -> tuple[_Rel, _Rel]:
    toks: list[tuple[int, int, str]] = []
    cues: list[tuple[int, int, str]] = []
    for m in _TOKEN_RE.finditer(chunk):
        kind = m.lastgroup
        start, end = m.span()
        raw = m.group()
        if kind == "word" or kind == "hashtag":
            norm, caps, elong = normalize_word(raw if kind == "word" else raw[1:])
            if caps:
                cues.append((start, end, "<caps>"))
            if elong:
                cues.append((start, end, "<elong>"))
        elif kind == "punct":
            norm = raw if len(raw) == 1 else "<!!>"
        elif kind == "user":
            norm = _norm_user(raw)
        elif kind == "tag":
            norm = "<name>" if raw == "[NAME]" else "<religion>"
        elif kind == "emoji":  # span includes any modifiers; the base character is the norm
            norm = raw[0]
        elif kind == "grawlix" and raw[0] != "*" and raw.count(raw[0]) == len(raw):
            continue  # "$$$", "###", "%%%": not a masked swear (unlike "****" or "#@%!")
        else:  # url, num, grawlix
            norm = _FIXED_NORMS[kind or ""]
        # Interned, as the models' feature names are: a weight look-up then finds the very
        # same string object (no character comparison).
        toks.append((start, end, sys.intern(norm)))
    return tuple(toks), tuple(cues)


_FIXED_NORMS = {"url": "<url>", "num": "<num>", "grawlix": "<masked_swear>"}


def features(tokens: Sequence[Token]) -> list[tuple[str, int, int]]:
    """Unigrams, bigrams and cue features, each with the ``(start, end)`` span it came from.

    Cues: ``<swear>``, ``<insult>``, ``<anger_word>`` (lexicons), plus ``<caps>`` (ALL-CAPS
    word of 3+ letters) and ``<elong>`` (elongated word) when ``tokens`` came from
    :func:`tokenize`.
    """
    feats: list[tuple[str, int, int]] = []
    append = feats.append
    cue_words = _CUE_WORDS
    prev_norm = ""
    prev_start = -1
    for start, end, norm in tokens:
        append((norm, start, end))
        if prev_start >= 0:
            append((prev_norm + " " + norm, prev_start, end))
        cues = cue_words.get(norm)
        if cues:
            for cue in cues:
                append((cue, start, end))
        prev_norm = norm
        prev_start = start
    for start, end, name in getattr(tokens, "cues", ()):
        append((name, start, end))
    return feats


# A chunk's features as `features` lists them (offsets relative to the chunk; its first token's
# bigram with the chunk before is left out), its first token's norm and end, its last token's
# norm and start, and its <caps>/<elong> cue features.
_ChunkFeats = tuple[tuple[tuple[str, int, int], ...], str, int, str, int, tuple[tuple[str, int, int], ...]]


def _chunk_feats(toks: _Rel, cues: _Rel) -> _ChunkFeats:
    # Interned like the models' feature names (unigrams already are): look-ups compare identity.
    rel = tuple((sys.intern(name), a, b)
                for name, a, b in features([_tuple_new(Token, tok) for tok in toks]))
    return (rel, toks[0][2] if toks else "", toks[0][1] if toks else 0,
            toks[-1][2] if toks else "", toks[-1][0] if toks else 0,
            tuple((name, a, b) for a, b, name in cues))


class Tokenizer:
    """:meth:`tokenize` and :meth:`text_features`, remembering each whitespace chunk's analysis.

    Whoever owns models owns one (each detector hands its own to its models), so no cache is
    process-wide. The memos are bounded (`max_chunks` each, cleared when full; 0 remembers
    nothing) and safe to share between threads: every read and write is a single dict operation,
    and a race at worst works a chunk out twice.
    """

    __slots__ = ("_feats", "_max", "_tokens")

    def __init__(self, max_chunks: int = 100_000) -> None:
        self._max = max_chunks
        self._tokens: dict[str, tuple[_Rel, _Rel]] = {}
        self._feats: dict[str, _ChunkFeats] = {}

    def _keep(self, memo: dict[str, Any], chunk: str, value: Any) -> None:
        if self._max:
            if len(memo) >= self._max:
                memo.clear()
            memo[chunk] = value

    def _analysed(self, chunk: str) -> tuple[_Rel, _Rel]:
        hit = self._tokens.get(chunk)
        if hit is None:
            hit = _analyse_chunk(chunk)
            self._keep(self._tokens, chunk, hit)
        return hit

    def _featured(self, chunk: str) -> _ChunkFeats:
        entry = _chunk_feats(*self._analysed(chunk))
        self._keep(self._feats, chunk, entry)
        return entry

    def tokenize(self, text: str) -> Tokens:
        """Split ``text`` into normalised tokens with offsets into the original string."""
        if not isinstance(text, str):  # defensive: never crash on bad input
            text = str(text)
        out = Tokens()
        append = out.append
        cues = out.cues
        cache = self._tokens
        find = text.find
        pos = 0
        for chunk in text.split():
            s = find(chunk, pos)
            pos = s + len(chunk)
            hit = cache.get(chunk)
            if hit is None:
                hit = self._analysed(chunk)
            toks, chunk_cues = hit
            if s:
                for a, b, norm in toks:
                    append(_tuple_new(Token, (s + a, s + b, norm)))
            else:
                for tok in toks:
                    append(_tuple_new(Token, tok))
            if chunk_cues:
                for a, b, name in chunk_cues:
                    cues.append((s + a, s + b, name))
        return out

    def text_features(self, text: str) -> list[tuple[str, int, int]]:
        """``features(self.tokenize(text))`` in one call, without building the tokens: each
        chunk's features (offsets relative to the chunk) are remembered, and only the bigram
        joining a chunk to the one before is made per message."""
        if not isinstance(text, str):  # as tokenize: never crash on bad input
            text = str(text)
        feats: list[tuple[str, int, int]] = []
        extend = feats.extend
        append = feats.append
        cues: list[tuple[str, int, int]] = []
        cache = self._feats
        find = text.find
        pos = 0
        prev_norm = ""
        prev_start = -1
        for chunk in text.split():
            s = find(chunk, pos)
            pos = s + len(chunk)
            entry = cache.get(chunk)
            if entry is None:
                entry = self._featured(chunk)
            cached, first_norm, first_end, last_norm, last_start, chunk_cues = entry
            if not cached:
                continue
            rel: Sequence[tuple[str, int, int]] = (
                [(name, s + a, s + b) for name, a, b in cached] if s else cached)
            if prev_start >= 0:
                append(rel[0])
                append((prev_norm + " " + first_norm, prev_start, s + first_end))
                extend(rel[1:])
            else:
                extend(rel)
            prev_norm = last_norm
            prev_start = s + last_start
            if chunk_cues:
                cues.extend([(name, s + a, s + b) for name, a, b in chunk_cues] if s else chunk_cues)
        if cues:
            extend(cues)
        return feats


def tokenize(text: str, tokenizer: Tokenizer | None = None) -> Tokens:
    """:meth:`Tokenizer.tokenize` with `tokenizer`, or with one that remembers nothing."""
    return (tokenizer or Tokenizer(0)).tokenize(text)


def text_features(text: str, tokenizer: Tokenizer | None = None) -> list[tuple[str, int, int]]:
    """:meth:`Tokenizer.text_features` with `tokenizer`, or with one that remembers nothing."""
    return (tokenizer or Tokenizer(0)).text_features(text)


def feature_names(text: str, tokenizer: Tokenizer | None = None) -> list[str]:
    """Distinct feature names of ``text``, in first-seen order (training helper)."""
    return list(dict.fromkeys(f for f, _, _ in features(tokenize(text, tokenizer))))
