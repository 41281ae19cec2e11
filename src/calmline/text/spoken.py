"""Speech disfluencies, as call transcripts keep them: "um", "uh", "the the".

A transcribed call reads "the um the tracking hasn't moved"; the phrase rules that find what a
customer is writing about expect "the tracking hasn't moved". Only the sounds that are never words
in a written message, and a word said twice in a row (not "had had" or "that that", which
are grammar), are taken out, so a chat or email message
reads the same before and after.
"""

from __future__ import annotations

import re

_FILLER = re.compile(r"(?<![\w'’-])(?:um+|uh+|erm+|er|uhm+|hmm+|mm+)(?![\w'’-])[,.]*\s*", re.IGNORECASE)
_REPEATED = re.compile(r"\b(?!(?:had|that)\b)([A-Za-z]+(?:['’][a-z]+)?)(?:\s+\1\b)+", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]{2,}")


def without_fillers(text: str) -> str:
    """`text` without filler sounds and stuttered repeats ("yeah hi the um the the tracking" ->
    "yeah hi the tracking"); anything else, line breaks and case included, is kept."""
    text = _FILLER.sub("", text)
    text = _REPEATED.sub(r"\1", text)
    return _SPACES.sub(" ", text)


__all__ = ["without_fillers"]
