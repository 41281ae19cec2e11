"""API schemas: separate Create (input) and Public (output) models for each resource.

Every input string is checked to be storable text (no NUL, no lone surrogates) and every input
time is normalised to aware UTC, so bad input is a 422 here and never a database error later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from calmline.cases import limits
from calmline.errors import InputError
from calmline.service.analysis_schemas import AnalysisPublic

Channel = Literal["chat", "email", "call", "social", "other"]
Role = Literal["customer", "agent"]
UserRole = Literal["agent", "supervisor", "admin"]
Outcome = Literal["resolved", "escalated", "abandoned", "transferred"]
Level = Literal["calm", "annoyed", "frustrated", "angry", "hostile"]
MAX_ID = 2**31 - 1


def storable_text(value: str) -> str:
    """Text the database can hold: no NUL characters, no lone surrogates."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
    return value


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        out = aware.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("time is out of range") from exc
    if not 1970 <= out.year <= 9998:
        raise ValueError("time must be between 1970 and 9998")
    return out


Text = Annotated[str, AfterValidator(storable_text)]
# short strings sized from the column they go to (calmline.cases.limits), never larger
NameText = Annotated[str, Field(max_length=limits.NAME), AfterValidator(storable_text)]
ExternalId = Annotated[str, Field(max_length=limits.EXTERNAL_ID), AfterValidator(storable_text)]
SubjectText = Annotated[str, Field(max_length=limits.SUBJECT), AfterValidator(storable_text)]
def _iso_only(value: object) -> object:
    """A time is an ISO 8601 string (Python callers may pass a datetime): a number such as `0`, or
    a string of digits, is refused rather than read as seconds since 1970."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[:4].isdigit() and value[4] == "-":
        return value
    raise ValueError("give the time as an ISO 8601 string, e.g. 2026-05-01T09:30:00Z")


Time = Annotated[datetime | None, BeforeValidator(_iso_only), AfterValidator(_utc)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Error(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorBody(BaseModel):
    error: Error


class CustomerIn(_In):
    external_id: ExternalId | None = None
    name: NameText | None = None


class ConversationCreate(_In):
    agent_id: Id | None = Field(None, description="owner; default: the caller if an agent, "
                                                  "else the least loaded agent not on a breather")
    channel: Channel = "chat"
    subject: SubjectText | None = None
    customer: CustomerIn | None = None
    external_id: ExternalId | None = Field(None, description="the helpdesk's id of this conversation")


class Created(BaseModel):
    id: int


class OpenItemPublic(BaseModel):
    label: str
    since: int = Field(description="the customer turn (1-based) that first raised it")
    last: int = Field(description="the customer turn that last raised it")
    times: int
    route: str | None = Field(None, description="flags: the route it escalated to; open until "
                                                "that escalation is resolved")


class CaseReadingPublic(BaseModel):
    """The case-level reading: the whole conversation, not its last message."""

    score: float = Field(description="the case's anger: the peak carried forward, fading per "
                                     "customer turn and per minute; never below the latest message")
    level: Level
    peak_score: float
    peak_level: Level
    peak_turn: int | None = Field(None, description="the customer turn (1-based) of the peak")
    latest_score: float | None
    latest_level: Level | None
    trend: Literal["rising", "steady", "cooling"] | None = Field(
        None, description="over the customer's turns; a calmer message nobody answered is steady")
    customer_turns: int
    open_wants: list[OpenItemPublic] = Field(description="asked for and not yet answered")
    open_flags: list[OpenItemPublic] = Field(description="raised and not yet handled")


class ConversationPublic(_Out):
    id: int
    status: str
    stage: str
    channel: str
    agent_id: int | None
    customer_id: int | None
    external_id: str | None
    subject: str | None
    anger_score: float = Field(description="the case's anger (reading.score), not the last message's")
    anger_level: str
    peak_anger: float
    reading: CaseReadingPublic | None = Field(None, description="null until the first message")
    escalated: bool
    message_count: int
    outcome: str | None
    close_reason: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class MessageCreate(_In):
    role: Role
    text: Text = Field(description="the message; longer than the configured limit gets 413; a "
                                    "customer's must not be blank")
    time: Time = None
    author: NameText | None = None
    channel: Channel | None = None
    override_reason: Annotated[str, Field(max_length=500), AfterValidator(storable_text)] | None = Field(
        None, description="an agent reply the coach blocks (a severe anti-pattern: see the review's "
                          "`verdict`) is refused with 409 unless the agent says why it must go "
                          "as it is; the override and its reason are kept in the audit log")
    followups: Literal["create", "propose"] = Field(
        "create", description="an agent message's promises: `create` files them as follow-ups; "
                              "`propose` only returns them (`proposed_followups`) for the agent to "
                              "confirm, and a confirmed one is created with POST "
                              "/v1/conversations/{id}/followups and its `message_id`")

    @model_validator(mode="after")
    def _customer_says_something(self) -> MessageCreate:
        # A blank customer line would still be scored and move the case's reading. InputError,
        # not ValueError: it passes through pydantic unchanged, so every caller that builds a
        # message (the API's body, the webhook from its event) answers it as the same 422.
        if self.role == "customer" and not self.text.strip():
            raise InputError("a customer message needs text (it is blank)")
        return self


class MessagePublic(_Out):
    id: int
    conversation_id: int
    seq: int
    role: str
    channel: str
    author: str | None
    time: datetime
    text: str
    anger_score: float | None
    stage: str | None
    analysis: AnalysisPublic | None = Field(
        description="what calmline read in a customer message; null for an agent's")


class EscalationPublic(_Out):
    id: int
    conversation_id: int
    message_id: int | None
    route: str
    trigger: str = Field(description="the first of `triggers`")
    triggers: list[str] = Field(default_factory=list,
                                description="every trigger behind it (one escalation per route)")
    reason: str
    evidence: dict[str, Any] | None = Field(
        None, description='{"triggers": [{"trigger", "reason", "spans"}], "spans": [...]}')
    status: str
    raised_by: int | None
    created_at: datetime
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    resolved_by: int | None
    resolved_at: datetime | None
    resolution: str | None


class FollowUpPublic(_Out):
    id: int
    conversation_id: int
    message_id: int | None
    owner_id: int | None
    what: str
    due: datetime | None
    due_text: str | None
    source: str
    status: str
    result: str | None
    created_at: datetime
    completed_at: datetime | None
    overdue: bool = False
    customer_name: str | None = Field(None, description="the case's customer, when known")
    subject: str | None = Field(None, description="the case's subject, when it has one")


class FollowUpCounts(BaseModel):
    """How many follow-ups each filter of `GET /v1/followups` holds (the caller's own for an
    agent): `next` is overdue, undated or due within 48 h; `soon` falls due within the hour."""

    next: int
    open: int
    overdue: int
    due: int
    soon: int
    done: int
    cancelled: int


class Suggestion(BaseModel):
    text: str
    source: str
    score: int
    placeholders: list[str]
    next_move: str


class Assist(BaseModel):
    """Where a conversation stands for the agent's next reply (nothing is posted or stored)."""

    stage: str | None = Field(description="the stage of the conversation (PLAYBOOK §3)")
    moment: str | None = Field(None, description="the coach's moment, when one applies")
    outcome: str | None = Field(None, description="how it reads as ended, at the closed stage")
    next_move: str | None = Field(None, description="the next move, in one sentence and its "
                                                    "wording hints; none at the closed stage")
    suggestions: list[Suggestion] = Field(
        default_factory=list, description="suggested replies, when the customer wrote last")


class FollowUpProposal(BaseModel):
    """A promise found in an agent's message, for the agent to confirm before it is filed."""

    what: str
    due: datetime | None = Field(description="the promised time, or the default due time")
    due_text: str | None
    evidence: str | None = Field(None, description="the words of the promise")


class MessagePosted(MessagePublic):
    """The stored message plus what calmline made of it."""

    outcome: str | None = None
    moment: str | None = None
    next_move: str | None = None
    suggestions: list[Suggestion] = Field(
        default_factory=list, description="suggested replies to a customer's message; none after "
                                          "an agent's (the customer has not answered it yet)")
    escalations: list[EscalationPublic] = Field(default_factory=list)
    followups: list[FollowUpPublic] = Field(default_factory=list)
    proposed_followups: list[FollowUpProposal] = Field(
        default_factory=list, description="with `followups: propose`: the promises, not yet stored")


class ConversationDetail(ConversationPublic):
    messages: list[MessagePublic]
    escalations: list[EscalationPublic]
    followups: list[FollowUpPublic]


class CloseRequest(_In):
    outcome: Outcome
    reason: Annotated[str, Field(max_length=2000), AfterValidator(storable_text)] | None = Field(
        None, description="required to close as resolved while follow-ups are open")


class TurnIn(_In):
    role: Role
    text: Text
    time: Time = None
    author: NameText | None = None


class ConversationIn(_In):
    channel: Channel = "chat"
    messages: list[TurnIn] = Field(default_factory=list, max_length=500)


class ReviewRequest(_In):
    draft: Text
    conversation_id: Id | None = None
    conversation: ConversationIn | None = None
    store: bool = Field(False, description="keep the review with the case (needs conversation_id)")

    @model_validator(mode="after")
    def _one_source(self) -> ReviewRequest:
        if (self.conversation_id is None) == (self.conversation is None):
            raise ValueError("give exactly one of conversation_id or conversation")
        return self


class EscalationCreate(_In):
    route: Annotated[str, Field(min_length=1, max_length=limits.ROUTE)] = Field(
        "supervisor", description="a route declared in the playbook")
    reason: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(storable_text)]


class EscalationResolve(_In):
    resolution: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(storable_text)]


class FollowUpCreate(_In):
    what: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(storable_text)]
    due: Time = None
    owner_id: Id | None = None
    message_id: Id | None = Field(None, description="the agent message whose promise this "
                                                    "confirms (a message of this conversation)")


class FollowUpComplete(_In):
    result: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(storable_text)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("write something (not blank)")
    return value


class FollowUpConfirm(_In):
    keep: bool = Field(True, description="false drops it (not a real promise): cancelled")
    what: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(storable_text),
                    AfterValidator(_not_blank)] = Field(description="the follow-up, as the "
                                                                    "agent words it")
    due: Time = Field(None, description="when it is due (ISO 8601; without a zone, UTC); "
                                        "none keeps the time it has")


class Person(BaseModel):
    name: str


class People(BaseModel):
    """Names for ids, only those the caller may see (agents: the names on their own cases)."""

    agents: dict[int, Person] = Field(description="users by id: all active ones for supervisors "
                                                  "and admins; an agent's own name and the owners "
                                                  "of follow-ups on their conversations for agents")
    customers: dict[int, str] = Field(description="the asked-for customers the caller may see")


class WhisperCreate(_In):
    text: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(storable_text),
                    AfterValidator(_not_blank)] = Field(
        description="a note for the case's agent; the customer never sees it")


class WhisperPublic(_Out):
    id: int
    conversation_id: int
    author_id: int | None
    text: str
    created_at: datetime


class ReassignRequest(_In):
    agent_id: Id = Field(description="the active user to own the case (not one on a breather)")


class AgentLoadPublic(BaseModel):
    agent_id: int
    name: str
    load: float
    breather: bool
    overloaded: bool
    abuse_total: int
    abuse_24h: int
    hostile_messages_24h: int
    last_event: datetime | None
    advice: str
    thresholds: dict[str, float]


class QueueContext(BaseModel):
    """Who has the case, how long its customer has waited, and why it is in the queue."""

    agent_name: str | None = Field(None, description="the owner's name; null when unassigned")
    customer_name: str | None = None
    subject: str | None = None
    waiting_since: datetime | None = Field(
        None, description="the first customer message nobody has answered; null when the agent "
                          "spoke last")
    waited_seconds: int | None = Field(None, description="seconds since `waiting_since`")
    why_hot: list[str] = Field(default_factory=list,
                               description="the reasons, in the team's words: open escalations, "
                                           "the case's anger and trend, flags not yet handled")


class QueueEscalation(EscalationPublic, QueueContext):
    agent_id: int | None = None


class QueueCase(ConversationPublic, QueueContext):
    pass


class SupervisorQueue(BaseModel):
    escalations: list[QueueEscalation]
    hottest: list[QueueCase]
    overloaded: list[AgentLoadPublic]
    overdue_followups: list[FollowUpPublic]


class AuditPublic(_Out):
    id: int
    time: datetime
    actor_id: int | None
    entity: str
    entity_id: int
    action: str
    detail: dict[str, Any] | None


class UserCreate(_In):
    name: Annotated[str, Field(min_length=1, max_length=limits.NAME), AfterValidator(storable_text)]
    role: UserRole = "agent"


class UserCreated(BaseModel):
    id: int
    name: str
    role: str
    key: str = Field(description="the API key: shown this once, only its hash is stored")


class UserPublic(_Out):
    """A user as admins see it: never the key, nor its hash."""

    id: int
    name: str
    role: str
    active: bool
    created_at: datetime


class Me(BaseModel):
    id: int
    name: str
    role: str


class UserKey(BaseModel):
    id: int
    key: str = Field(description="the new API key: shown this once; the previous key no longer works")


class WebhookEvent(_In):
    event_id: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")] = Field(
        description="the helpdesk's unique id of this event (printable ASCII): a redelivered event "
                    "gets the first answer back and is not stored again (ids are kept 24 hours)")
    conversation: ExternalId = Field(description="the helpdesk's conversation id")
    role: Role
    text: Text
    time: Time = None
    author: NameText | None = None
    channel: Channel = "chat"
    customer: CustomerIn | None = None
