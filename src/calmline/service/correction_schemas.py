"""API schemas of corrections (issue 9.5): what a person says calmline read wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from calmline.cases.corrections import Kind
from calmline.service.schemas import _In, _Out, storable_text


class CorrectionCreate(_In):
    kind: Kind = Field(description="what is wrong: level (the label is the right level), "
                                   "missed_flag|want|cause or wrong_flag|want|cause")
    label: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(storable_text)] = Field(
        description="the level it should have been, or the flag, want or cause concerned "
                    "(one of the running playbook's: GET /v1/corrections/labels)")
    note: Annotated[str | None, Field(max_length=2000), AfterValidator(
        lambda v: None if v is None else storable_text(v))] = None


class CorrectionPublic(_Out):
    id: int
    message_id: int
    conversation_id: int
    kind: str
    label: str
    note: str | None
    created_by: int | None
    created_at: datetime


class CorrectionLabels(BaseModel):
    """Each kind with the labels the running playbook accepts for it."""

    kinds: dict[str, list[str]]
