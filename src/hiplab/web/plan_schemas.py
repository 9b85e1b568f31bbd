"""Request and response bodies of the programme and session API (``/api/v1``).

Bodies take plain types; the values are checked by :mod:`hiplab.services.programmes`
and the domain, so the API answers with the CLI's messages (422, ``{"detail": …}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hiplab.plan.edit import DoseChange, Swap
from hiplab.records.programme import Programme
from hiplab.services.programmes import ItemChoices, ItemOutcome, SessionEntry, SessionRow
from hiplab.store import StoredPlan
from hiplab.web.schemas import ApiModel, RecordId

Scope = Literal["week", "following"]


class PlanOptions(ApiModel):
    """Options of a new programme, as ``hiplab plan`` takes them (same limits, same messages)."""

    minutes: int = Field(default=15, description="Time per session, minutes (5–120).")
    sessions_per_week: int = Field(default=3, description="Sessions per week (1–14).")
    weeks: int = Field(default=4, description="Weeks in the block (1–52).")
    equipment: list[str] = Field(default_factory=list, description="Equipment at hand.")
    avoid_positions: list[str] = Field(default_factory=list, description="Positions to avoid.")
    assessment_id: RecordId | None = Field(
        default=None, description="Plan from this assessment of the person (default: latest)."
    )


class PlanOut(ApiModel):
    """A stored plan: who, from which assessment, and the programme tree."""

    id: int
    person_id: int
    assessment_id: int | None
    block: int
    created_at: datetime
    programme: Programme

    @classmethod
    def of(cls, plan: StoredPlan, *, person_id: int) -> PlanOut:
        """Return the API view of a stored plan."""
        return cls(
            id=plan.id,
            person_id=person_id,
            assessment_id=plan.assessment_id,
            block=plan.block,
            created_at=plan.created_at,
            programme=plan.programme,
        )


class PreviewOut(ApiModel):
    """A programme made but not stored, and the assessment it was made from."""

    person_id: int
    assessment_id: int
    programme: Programme


class SwapIn(ApiModel):
    """Swap item ``item`` (1-based) of week ``week`` for one of its listed variants."""

    week: int
    item: int
    exercise_id: str = Field(max_length=200)
    scope: Scope = "week"

    def edit(self) -> Swap:
        """Return the domain edit (its fields are this body's)."""
        return Swap(**dict(self))


class DoseIn(ApiModel):
    """Set the dose of item ``item`` (1-based) of week ``week``; leave out what stays."""

    week: int
    item: int
    sets: int | None = None
    hold_s: int | None = None
    reps: int | None = None
    scope: Scope = "week"

    def edit(self) -> DoseChange:
        """Return the domain edit (its fields are this body's)."""
        return DoseChange(**dict(self))


class ChoiceOut(ApiModel):
    """A variant an item may be swapped for; ``refused`` names the precautions it breaks."""

    exercise_id: str
    name: str
    direction: Literal["easier", "harder"]
    allowed: bool
    refused: list[str]


class ChoicesOut(ApiModel):
    """An item of a plan and its variants."""

    plan_id: int
    week: int
    item: int
    exercise_id: str
    name: str
    choices: list[ChoiceOut]

    @classmethod
    def of(cls, found: ItemChoices) -> ChoicesOut:
        """Return the API view of an item's choices."""
        return cls(
            plan_id=found.plan.id,
            week=found.week,
            item=found.item,
            exercise_id=found.planned.exercise_id,
            name=found.planned.name,
            choices=[
                ChoiceOut(
                    exercise_id=c.exercise.id,
                    name=c.exercise.name,
                    direction=c.direction,
                    allowed=not c.refused,
                    refused=list(c.refused),
                )
                for c in found.choices
            ],
        )


class ItemDoneIn(ApiModel):
    """What happened to one item: its status and the work seconds done."""

    status: Literal["done", "partial", "skipped", "not_reached"]
    done_s: float = Field(ge=0)


class SessionIn(ApiModel):
    """A session as done, one entry per item of the week in order (as ``hiplab session``)."""

    plan_id: RecordId
    week: int
    started_at: str = Field(max_length=64, description="ISO 8601, e.g. 2025-01-31T18:30:00Z")
    finished_at: str = Field(max_length=64)
    items: list[ItemDoneIn] = Field(max_length=200)
    discomfort: int | None = Field(default=None, ge=0, le=10)
    effort: int | None = Field(default=None, ge=0, le=10, description="RPE 0–10")
    quit_early: bool = False

    def entry(self) -> SessionEntry:
        """Return the service's entry."""
        return SessionEntry(
            plan_id=self.plan_id,
            week=self.week,
            started_at=self.started_at,
            finished_at=self.finished_at,
            items=tuple(ItemOutcome(status=i.status, done_s=i.done_s) for i in self.items),
            discomfort=self.discomfort,
            effort=self.effort,
            quit_early=self.quit_early,
        )


class SessionOut(SessionRow, ApiModel):
    """A logged session in a person's session log."""

    @classmethod
    def of(cls, row: SessionRow) -> SessionOut:
        """Return the API view of a session row: the service's row, field for field."""
        return cls(**dict(row))


class SessionsOut(ApiModel):
    """A person's session log (newest first) and adherence to their latest plan."""

    adherence: str
    adherence_ratio: float | None
    sessions: list[SessionOut]


class TodayOut(ApiModel):
    """Today's session of the person's latest plan: items and timed steps with cues."""

    person_id: int
    script: dict[str, Any]


# ----------------------------------------------------------------- page forms
class FormModel(BaseModel):
    """Base of the page forms: text as typed (checked by the service with its messages)."""

    model_config = ConfigDict(extra="ignore")  # the hidden csrf_token is the guard's


class PlanForm(FormModel):
    """The generate/assign form: ``hiplab plan``'s options; ``assessment_id`` to assign."""

    minutes: str = Field(max_length=20)
    sessions_per_week: str = Field(max_length=20)
    weeks: str = Field(max_length=20)
    equipment: list[str] = Field(default_factory=list, max_length=100)
    avoid_positions: list[str] = Field(default_factory=list, max_length=100)
    assessment_id: str = Field(default="", max_length=20)


class EditForm(FormModel):
    """The swap and dose forms of one item; blank dose fields stay as they are."""

    week: str = Field(max_length=20)
    item: str = Field(max_length=20)
    scope: str = Field(default="week", max_length=20)
    exercise_id: str = Field(default="", max_length=200)
    sets: str = Field(default="", max_length=20)
    hold_s: str = Field(default="", max_length=20)
    reps: str = Field(default="", max_length=20)


class ChecklistForm(FormModel):
    """The session checklist of the page without JavaScript."""

    plan_id: str = Field(max_length=20)
    week: str = Field(max_length=20)
    started_at: str = Field(max_length=64)
    done: list[str] = Field(default_factory=list, max_length=200)
    discomfort: str = Field(default="", max_length=20)
    effort: str = Field(default="", max_length=20)
