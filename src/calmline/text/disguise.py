"""Disguised words: leetspeak ("sh1t", "@ss", "b!tch") and masked swearing ("f**k", "f#@%").

The one place that says which characters stand in for letters, which words people disguise, and
which word a disguised spelling stands for. Two readers use it, each keeping only what is its own:

- the linear models' tokenizer (`calmline.models.features`) reads every word as the shipped models
  were trained on (so these rules must not change without retraining them) and calls a mask it
  cannot read `<masked_swear>`;
- the phrase rules' normalised view (`calmline.signals.text`) applies a reading only when it is
  as long as what was typed, so its offsets still point at the customer's characters.
"""

from __future__ import annotations

import re

__all__ = ["INSULTS", "KNOWN", "LEET", "MASK_CHARS", "SWEARS", "WORD", "is_masked", "undisguise",
           "unmask"]

# Swear words, in priority order for resolving masked spellings ("f**k", "sh*t").
SWEARS: tuple[str, ...] = (
    "fuck", "shit", "fucking", "fucked", "fucker", "fuckin", "fucks", "shitty", "bullshit",
    "bitch", "bitches", "ass", "asshole", "assholes", "damn", "dammit", "goddamn", "hell",
    "crap", "cunt", "dick", "dickhead", "bastard", "bastards", "piss", "pissed", "whore",
    "slut", "motherfucker", "motherfucking", "cock", "prick", "twat", "wanker", "douche",
    "douchebag", "jackass", "dumbass", "arse", "arsehole", "bollocks", "tits", "pussy",
    "nigga", "niggas", "nigger", "niggers", "fag", "faggot", "faggots", "hoe", "hoes",
    "retard", "retarded", "shithead", "shite", "bloody", "wtf", "stfu", "gtfo", "af",
)
INSULTS: frozenset[str] = frozenset((
    "idiot", "idiots", "idiotic", "moron", "morons", "moronic", "stupid", "dumb", "loser",
    "losers", "pathetic", "scum", "trash", "garbage", "clown", "clowns", "imbecile", "cretin",
    "jerk", "jerks", "fool", "fools", "ignorant", "disgrace", "disgusting", "worthless",
    "useless", "incompetent", "liar", "liars", "creep", "freak", "coward", "hypocrite",
    "hypocrites", "sucks", "suck", "ugly", "fat", "shut", "scumbag", "dipshit", "numbnuts",
    "racist", "thug", "thugs", "pig", "pigs", "vile", "nasty",
))
# A leet spelling that reads as one of these is that word even where it is not all letters.
KNOWN: frozenset[str] = frozenset(SWEARS) | INSULTS

# Characters that stand for letters: masks hide a letter, leet characters spell one.
MASK_CHARS = frozenset("*#%@$")
_ONLY_MASKS = frozenset("*#%")  # never a leet letter: a word with one is masked for sure
LEET = str.maketrans({"1": "i", "!": "i", "3": "e", "4": "a", "@": "a", "0": "o", "5": "s",
                      "$": "s", "7": "t"})
_LEET_CHARS = frozenset("1!34@05$7")
_ELONG_RE = re.compile(r"([^\W\d_])\1{2,}")
_MASK_RUN_RE = re.compile(r"[*#%@$]+")
_STARTS = frozenset(w[:i] for w in SWEARS for i in range(len(w) + 1))
_ENDS = frozenset(w[i:] for w in SWEARS for i in range(len(w) + 1))

# How a word that may be disguised is spelled: it starts with a letter (or "$"/"@" before one),
# may hold letters, digits, apostrophes, masks and "!" before a letter, and ends with a letter,
# a digit or two or more masks ("f**k", "sh1t", "b!tch", "f***"; not "hello!" or "f*").
WORD = (r"(?:[^\W\d_]|[$@](?=[^\W\d_]))"
        r"(?:(?:[\w'’*#@$%]|!(?=[^\W\d_]))*(?:\w|[*#@$%]{2,}))?")


def unmask(word: str) -> str | None:
    """The swear a masked lower-case word stands for ("f**k", "sh*t", "f#@%"), if any.

    A mask of n characters stands for n letters first ("f***ing" is "fucking"); failing that, for
    any number of them. Ties go to the earlier word of `SWEARS`.
    """
    plain = _MASK_RUN_RE.split(word)
    # What is not masked begins and ends the swear: a word no swear begins and ends so (a handle
    # such as "@acme", an address) is turned down at once, and only the swears that do are tried.
    if plain[0] not in _STARTS or plain[-1] not in _ENDS:
        return None
    fits = [s for s in SWEARS if s.startswith(plain[0]) and s.endswith(plain[-1])]
    parts = [re.escape(p) for p in plain]
    runs = _MASK_RUN_RE.findall(word)
    exact = parts[0] + "".join(f"[a-z]{{{len(r)}}}{p}" for r, p in zip(runs, parts[1:], strict=True))
    loose = parts[0] + "".join(f"[a-z]+{p}" for p in parts[1:])
    for pattern in (re.compile(exact), re.compile(loose)):
        for swear in fits:
            if pattern.fullmatch(swear):
                return swear
    return None


def undisguise(word: str, *, cautious: bool = False) -> str | None:
    """The word a lower-case word with digits or symbols in it stands for, or None.

    Leetspeak first: a leet digit counts only before a letter ("sh1t", not "mp3" or "win10"); the
    reading is taken when it is a known swear or insult, or when it is all letters and nothing in
    the word was a mask. Then masks ("f**k"), read by :func:`unmask`.

    `cautious` (what phrase rules want): a reading other than a known swear or insult is taken
    only from a word that looks like one, not like a code or two words run together: no "!", two
    letters or more, and at most two other characters, no more than its letters ("h3ll0" is
    "hello"; "efh5x41" and "suck!we" stay as typed).
    """
    leet = any(
        c in _LEET_CHARS and (not c.isdigit() or (i + 1 < len(word) and word[i + 1].isalpha()))
        for i, c in enumerate(word)
    )
    if leet:
        mapped = _ELONG_RE.sub(r"\1", word.translate(LEET))
        if mapped in KNOWN:
            return mapped
        if (mapped.replace("'", "").isalpha() and not any(c in MASK_CHARS for c in word)
                and (not cautious or _looks_like_a_word(word))):
            return mapped
    if any(c in MASK_CHARS for c in word) and any(c.isalpha() for c in word):
        return unmask(word)
    return None


def _looks_like_a_word(word: str) -> bool:
    letters = sum(c.isalpha() for c in word)
    others = len(word) - letters - word.count("'")
    return "!" not in word and letters >= 2 and others <= min(letters, 2)


def is_masked(word: str) -> bool:
    """Letters with a mask that is never a leet letter ("*", "#", "%"): a hidden word, read or not."""
    return any(c in _ONLY_MASKS for c in word) and any(c.isalpha() for c in word)
