"""Words of despair said of a deadline, an event, a thing or a place are no sign of self-harm.

"If it's not here by Thursday I don't know what I'll do" (a wedding dress) read as self-harm to
the sentence model: a flag routed to the wellbeing team when said alone, a "check: self harm?"
sign when the dress was named. The playbook's `flags.self_harm.figure_patterns` name such
sentences (not knowing what they'll do, tied to something not arriving or a day or an event;
losing their mind or their temper; not being here, with a move or a trip): the semantic tier
neither flags nor watches them. A sentence that also says despair ("anymore", "can't go on",
"nothing left") is never a figure, the label's own phrases still flag, and another sentence of
the message still reads. A false alarm on a figure of speech is the second worst error calmline
can make; a missed danger is the worst. Written for this check; none is a row of a data set.
"""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer


def _self_harm(analyzer: Analyzer, text: str) -> tuple[bool, bool]:
    """(flagged, watched) as self-harm."""
    analysis = analyzer.analyze(text)
    return ("self_harm" in {f.label for f in analysis.flags},
            "self_harm" in {f.label for f in analysis.extra if f.section == "watch"})


@pytest.mark.parametrize("text", [
    "If it's not here by Thursday I don't know what I'll do",
    "If it's not here by Thursday I don't know what I'll do. It's my wedding dress!",
    "I ordered my wedding dress a month ago. If it's not here by Thursday I don't know what I'll do.",
    "I need the cake stand for my daughter's christening, without it I don't know what we'll do.",
    "If my prescription isn't delivered by tomorrow I don't know what I'll do",
    "Put me through to a supervisor before I lose it completely.",
    "I've been stuck at this barrier for twenty minutes and I'm about to lose my mind in here",
    "After the 20th I won't be around, I'm moving to Canada for work, so please close the account.",
])
def test_a_figure_of_speech_is_neither_flagged_nor_watched(analyzer: Analyzer, text: str) -> None:
    assert _self_harm(analyzer, text) == (False, False)


@pytest.mark.parametrize("text", [
    "I don't know what I'll do anymore, I can't go on",
    "I don't know what I'll do anymore",
    "If this isn't sorted by Friday I'll kill myself",
    "The parcel can wait. I won't be here after Friday.",
    "The order doesn't matter now. If it's not here by Thursday I won't be either.",
])
def test_despair_still_reads(analyzer: Analyzer, text: str) -> None:
    assert _self_harm(analyzer, text)[0]


def test_the_figure_is_read_from_the_playbook(analyzer: Analyzer) -> None:
    """Without `figure_patterns` the sentence model reads the deadline as self-harm again."""
    from calmline.playbook.schema import Playbook

    data = analyzer.playbook.model_dump()
    data["flags"]["self_harm"]["figure_patterns"] = []
    bare = Analyzer(Playbook.model_validate(data), encoder=analyzer.encoder)
    assert _self_harm(bare, "If it's not here by Thursday I don't know what I'll do")[0]
