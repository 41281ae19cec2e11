"""The one extension seam: Detector, Finding, Evidence and the registry that names detectors.

A detector turns one message (plus context) into Findings. Built-in detectors register with
`@register`; other packages expose theirs under the `calmline.detectors` entry-point group,
loaded lazily by `registry()` when an analyzer is built, never on import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from pydantic import ValidationError

from calmline.errors import DetectorError, PlaybookError

if TYPE_CHECKING:
    from calmline.playbook.schema import Playbook
    from calmline.signals.text import NormalizedText

Role = Literal["customer", "agent"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a score is what it is: a span of the original text and the rule that read it.

    `source` names the kind of rule ("lexicon", "pattern", "model", "cue", "context") and `rule`
    the entry itself (e.g. "flags.legal", "anger.lexicon.fed_up", "model:anger feature 'worst'").
    Context evidence (from earlier turns) has start = end = -1.
    """

    start: int
    end: int
    text: str
    source: str
    rule: str
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Finding:
    """One signal in one message. `raw_score` is before context adjusted it into `score`."""

    label: str
    score: float
    detector: str
    reason: str
    evidence: tuple[Evidence, ...] = ()
    raw_score: float | None = None
    route: str | None = None
    value: str | None = None  # a normalised value when the finding is a fact ("2 hours")
    # The playbook section the label belongs to ("flags", "wants", "causes", "areas") when a
    # detector reads several sections: "manager" is both a flag and a want.
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier message of the conversation, as the analyzer receives it for context."""

    role: Role
    text: str
    time: datetime | None = None
    anger: float | None = None  # filled by the analyzer when it scores history
    # A case store's way to fetch the reading it stored with this message (an engine.Analysis, or
    # None): an engine that has not read the turn itself (another worker did, or it restarted)
    # takes that reading instead of reading the turn again. Not part of the turn's identity.
    stored: Callable[[], object] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DetectionContext:
    """What a detector may read besides the text: earlier turns, earlier detectors' findings."""

    playbook: Playbook
    history: Sequence[Turn] = ()
    time: datetime | None = None
    prior: Mapping[str, Sequence[Finding]] = field(default_factory=dict)


class Detector(Protocol):
    """A named signal. Construct with the playbook (cheap; heavy artefacts are cached).

    Optional class attributes, for built-ins and plug-ins alike:
    - `Settings`: a Pydantic model of the detector's own settings. The analyzer validates the
      playbook's `detector_settings.<name>` with it and passes the result as `settings=`.
    - `reads`: the detectors whose findings it reads from `context.prior`. The analyzer checks
      that each of them the playbook lists comes earlier in `detectors`, so the order a detector
      depends on is declared, not implied by where the YAML happens to put it.
    - `needs_encoder`: it takes the semantic encoder as `encoder=`.
    - `sections`: the playbook sections whose entries are its labels (`wants`, `causes`, `areas`,
      or `flags`: the flags that name it as their `detector`). Those labels are the playbook's in
      use, not fixed in code; `labels_of` gives them with the fixed `labels`.
    """

    name: ClassVar[str]
    labels: ClassVar[tuple[str, ...]]

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]: ...


DetectorFactory = Callable[["Playbook"], Detector]


def labels_of(factory: DetectorFactory, playbook: Playbook) -> tuple[str, ...]:
    """The labels a detector may raise with this playbook: its fixed `labels`, then the entries
    of the playbook sections it reads its labels from (`sections`)."""
    found = list(getattr(factory, "labels", ()))
    for section in getattr(factory, "sections", ()):
        if section == "flags":
            name = getattr(factory, "name", None)
            found += [label for label, flag in playbook.flags.items() if flag.detector == name]
        else:
            found += list(getattr(playbook, section))
    return tuple(dict.fromkeys(found))
_BUILTIN: dict[str, DetectorFactory] = {}
ENTRY_POINT_GROUP = "calmline.detectors"


def register(cls: Any) -> Any:
    """Class decorator for built-in detectors; the same registry plugins land in."""
    if cls.name in _BUILTIN:
        raise DetectorError(f"detector {cls.name!r} is registered twice")
    _BUILTIN[cls.name] = cls
    return cls


def registry() -> dict[str, DetectorFactory]:
    """Every detector known: built-ins plus entry-point plugins (loaded now, not on import)."""
    import calmline.signals.builtin  # noqa: F401  (registers the built-in detectors)

    found = dict(_BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            factory = ep.load()
        except Exception as exc:  # a broken plugin must not take calmline down silently
            raise DetectorError(f"detector plugin {ep.name!r} failed to load: {exc}") from exc
        found.setdefault(ep.name, factory)
    return found


def declared_order_problems(names: Sequence[str], factories: Mapping[str, DetectorFactory]
                            ) -> list[str]:
    """Where `names` (the playbook's detectors, in order) runs a detector before one it reads."""
    position = {name: index for index, name in enumerate(names)}
    problems = []
    for name in names:
        for needed in getattr(factories.get(name), "reads", ()):
            if needed in position and position[needed] > position[name]:
                problems.append(f"{name!r} reads the findings of {needed!r}: list {needed!r} "
                                f"before {name!r} in `detectors`")
    return problems


def detector_settings(name: str, factory: DetectorFactory, given: Mapping[str, Any] | None
                      ) -> Any:
    """The validated settings object of one detector (None when it declares no `Settings`)."""
    model = getattr(factory, "Settings", None)
    if model is None:
        if given:
            raise PlaybookError(f"detector_settings.{name}: detector {name!r} takes no settings")
        return None
    try:
        return model.model_validate(dict(given or {}))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or name}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise PlaybookError(f"detector_settings.{name}: {problems}") from exc
