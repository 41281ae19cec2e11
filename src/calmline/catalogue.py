"""The one catalogue of labels, routes and stages, read from the playbook (and the coach's YAML).

Every layer that shows or counts a label by name takes it from here or from the playbook itself:
the API serves it at `GET /v1/catalogue`, the console titles its labels from it, and nothing keeps
its own copy of the names. The models double as the API's response schema.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from calmline.engine.stages import STAGES
from calmline.playbook.coach_schema import CoachConfig
from calmline.playbook.schema import LEVELS, Playbook

STAGE_TITLES = {"venting": "Venting", "heard": "Heard", "understood": "Understood",
                "resolving": "Resolving", "agreed": "Agreed",
                "follow_up_scheduled": "Follow-up scheduled", "closed": "Closed"}


class LevelEntry(BaseModel):
    name: str
    min_score: float = Field(description="the least anger score at this level")


class LabelEntry(BaseModel):
    name: str
    reason: str = Field(description="one line shown to people")


class FlagEntry(LabelEntry):
    route: str = Field(description="where the flag routes the case (`none`: nowhere)")
    danger: bool
    threat: bool


class WantEntry(LabelEntry):
    action: bool = Field(description="a request for action (not pure venting)")
    ask: str = Field(description="what they would like, in words (\"a refund\"); empty: the name")


class RouteEntry(BaseModel):
    name: str
    description: str


class StageEntry(BaseModel):
    id: str
    title: str


class MomentEntry(BaseModel):
    name: str
    description: str
    expect: list[str] = Field(description="the coach behaviours this moment calls for")
    routes: list[str] = Field(description="danger routes that choose this moment")


class CueEntry(BaseModel):
    name: str
    title: str = Field(description="short name shown to agents")
    why: str = Field(description="why it matters (behaviour) or why it hurts (anti-pattern)")


class Catalogue(BaseModel):
    """Every label name a layer may show or count, with what it means."""

    levels: list[LevelEntry]
    flags: list[FlagEntry]
    wants: list[WantEntry]
    causes: list[LabelEntry]
    areas: list[LabelEntry]
    routes: list[RouteEntry]
    stages: list[StageEntry]
    moments: list[MomentEntry] = Field(description="the coach's moments (empty without a coach)")
    behaviours: list[CueEntry] = Field(default_factory=list,
                                       description="the coach's good behaviours (team's own included)")
    anti_patterns: list[CueEntry] = Field(default_factory=list,
                                          description="the coach's anti-patterns (team's own included)")


def build_catalogue(playbook: Playbook, coach: CoachConfig | None = None) -> Catalogue:
    """The catalogue of `playbook` (and `coach`), in the playbook's order."""
    bounds: dict[str, float] = {"calm": 0.0, **{str(n): b for n, b in playbook.anger.levels.items()}}
    return Catalogue(
        levels=[LevelEntry(name=n, min_score=bounds[n]) for n in LEVELS],
        flags=[FlagEntry(name=n, reason=f.reason, route=f.route, danger=f.danger, threat=f.threat)
               for n, f in playbook.flags.items()],
        wants=[WantEntry(name=n, reason=w.reason, action=w.action, ask=w.ask)
               for n, w in playbook.wants.items()],
        causes=[LabelEntry(name=n, reason=c.reason) for n, c in playbook.causes.items()],
        areas=[LabelEntry(name=n, reason=a.reason) for n, a in playbook.areas.items()],
        routes=[RouteEntry(name=n, description=r.description) for n, r in playbook.routes.items()],
        stages=[StageEntry(id=s, title=STAGE_TITLES.get(s, s.replace("_", " ").capitalize()))
                for s in STAGES],
        moments=[MomentEntry(name=n, description=m.description, expect=list(m.expect),
                             routes=list(m.routes))
                 for n, m in (coach.moments.items() if coach else ())],
        behaviours=[CueEntry(name=n, title=c.title, why=c.why)
                    for n, c in (coach.behaviours.items() if coach else ())],
        anti_patterns=[CueEntry(name=n, title=c.title, why=c.why)
                       for n, c in (coach.anti_patterns.items() if coach else ())],
    )
