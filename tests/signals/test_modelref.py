"""A detector owns its models' tokenizer: what it remembers is the detector's, not the process's."""

from __future__ import annotations

from calmline.models.features import Tokenizer
from calmline.playbook.loader import default_playbook
from calmline.signals.abuse import AbuseDetector
from calmline.signals.anger import AngerDetector


def test_each_detector_hands_its_models_its_own_tokenizer() -> None:
    playbook = default_playbook()
    first, second = AngerDetector(playbook), AngerDetector(playbook)
    tokenizers = {id(m.tokenizer) for m in first._models}
    assert first._models and len(tokenizers) == 1
    assert isinstance(first._models[0].tokenizer, Tokenizer)
    assert first._models[0].tokenizer is not second._models[0].tokenizer
    abuse = AbuseDetector(playbook)
    assert abuse._model is not None and abuse._model.tokenizer is not first._models[0].tokenizer
