"""The assessment input: a person, screening answers, symptoms and test results.

Every field is validated at the boundary; unknown keys are refused with the
closest known key suggested (see :mod:`hiplab.assess.parse`). All tests are
optional and given per side (``left``/``right``) where the test is sided.

Conventions: angles in degrees, 0 at anatomical neutral; the Thomas
``thigh_angle_deg`` is positive when the thigh rests *above* horizontal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Side = Literal["left", "right"]


class Strict(BaseModel):
    """Input base: unknown keys are errors, values are not silently coerced from strings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Sex(StrEnum):
    """Sex used to select norms; ``other`` uses the pooled norms."""

    female = "female"
    male = "male"
    other = "other"


class Activity(StrEnum):
    """What a person regularly does."""

    desk_work = "desk_work"
    running = "running"
    strength_training = "strength_training"
    jumping_sports = "jumping_sports"
    walking = "walking"
    cycling = "cycling"
    field_sports = "field_sports"
    dance = "dance"
    yoga = "yoga"
    swimming = "swimming"
    manual_work = "manual_work"


class Person(Strict):
    """Who is assessed."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    age: int = Field(ge=5, le=110)
    sex: Sex
    activities: tuple[Activity, ...] = ()
    goals: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = ()


class HipReplacement(Strict):
    """A total hip replacement: side and surgical approach decide the precautions."""

    side: Side
    approach: Literal["posterior", "anterior", "lateral"]
    months_ago: int = Field(ge=0, le=600)


class Screening(Strict):
    """Red-flag and precaution questions; all default to 'no'."""

    night_pain: bool = False
    unexplained_weight_loss: bool = False
    fever: bool = False
    saddle_numbness: bool = False
    bladder_bowel_change: bool = False
    progressive_weakness: bool = False
    recent_trauma: bool = False
    cancer_history: bool = False
    limp: bool = False
    pregnant: bool = False
    pregnancy_weeks: int | None = Field(default=None, ge=0, le=45)
    hypermobility: bool = False
    hip_impingement: bool = False
    falls_or_poor_balance: bool = False
    hip_replacement: HipReplacement | None = None

    @model_validator(mode="after")
    def _weeks_need_pregnancy(self) -> Screening:
        if self.pregnancy_weeks is not None and not self.pregnant:
            raise ValueError("pregnancy_weeks is given but pregnant is false")
        return self


class Region(StrEnum):
    """Where a symptom is felt."""

    lower_back = "lower_back"
    front_of_hip = "front_of_hip"
    groin = "groin"
    buttock = "buttock"
    outer_hip = "outer_hip"
    knee = "knee"
    hamstring = "hamstring"
    down_the_leg = "down_the_leg"
    calf = "calf"
    wrist = "wrist"
    shoulder = "shoulder"


class Symptom(Strict):
    """A symptom with its side (null for central), pain 0–10 and what brings it on."""

    region: Region
    side: Side | Literal["both"] | None = None
    pain: int = Field(ge=0, le=10)
    trigger: str | None = Field(default=None, max_length=200)
    new: bool = False


class ThomasSide(Strict):
    """One hanging leg in the modified Thomas test."""

    thigh_angle_deg: float | None = Field(default=None, ge=-45, le=60)
    knee_flexion_deg: float | None = Field(default=None, ge=0, le=160)
    thigh_abducts: bool | None = None


class Thomas(Strict):
    """Modified Thomas test, per side."""

    left: ThomasSide | None = None
    right: ThomasSide | None = None


class Positive(Strict):
    """A provocation or sign: positive or not, and whether it brought on pain."""

    positive: bool
    painful: bool = False

    @model_validator(mode="after")
    def _pain_means_positive(self) -> Positive:
        if self.painful and not self.positive:
            raise ValueError("painful is true but positive is false: a test that hurt is positive")
        return self


class SidedPositive(Strict):
    """A sign per side."""

    left: Positive | None = None
    right: Positive | None = None


class Rotation(Strict):
    """Hip rotation range per side, degrees."""

    left: float | None = Field(default=None, ge=0, le=90)
    right: float | None = Field(default=None, ge=0, le=90)


class HipFlexion(Strict):
    """Passive hip flexion per side, degrees."""

    left: float | None = Field(default=None, ge=0, le=160)
    right: float | None = Field(default=None, ge=0, le=160)


class HipExtension(Strict):
    """Hip extension per side, degrees (negative = cannot reach neutral)."""

    left: float | None = Field(default=None, ge=-30, le=45)
    right: float | None = Field(default=None, ge=-30, le=45)


class Slr(Strict):
    """Passive straight-leg raise per side, degrees."""

    left: float | None = Field(default=None, ge=0, le=140)
    right: float | None = Field(default=None, ge=0, le=140)


class KneeToWall(Strict):
    """Weight-bearing lunge (knee-to-wall) distance per side, cm."""

    left: float | None = Field(default=None, ge=0, le=25)
    right: float | None = Field(default=None, ge=0, le=25)


class BridgeSeconds(Strict):
    """Single-leg bridge hold per side, seconds."""

    left: float | None = Field(default=None, ge=0, le=600)
    right: float | None = Field(default=None, ge=0, le=600)


class BridgeReps(Strict):
    """Single-leg hamstring bridge repetitions per side."""

    left: int | None = Field(default=None, ge=0, le=200)
    right: int | None = Field(default=None, ge=0, le=200)


class LandingKnee(Strict):
    """Peak knee flexion in a drop landing per side, degrees."""

    left: float | None = Field(default=None, ge=0, le=160)
    right: float | None = Field(default=None, ge=0, le=160)


class Tests(Strict):
    """Test results; every test is optional."""

    thomas: Thomas | None = None
    hip_internal_rotation_deg: Rotation | None = None
    hip_external_rotation_deg: Rotation | None = None
    hip_flexion_deg: HipFlexion | None = None
    hip_extension_deg: HipExtension | None = None
    straight_leg_raise_deg: Slr | None = None
    knee_to_wall_cm: KneeToWall | None = None
    single_leg_bridge_s: BridgeSeconds | None = None
    single_leg_bridge_reps: BridgeReps | None = None
    landing_peak_knee_flexion_deg: LandingKnee | None = None
    faber: SidedPositive | None = None
    fadir: SidedPositive | None = None
    ober: SidedPositive | None = None
    trendelenburg: SidedPositive | None = None
    deep_squat_fms: int | None = Field(default=None, ge=0, le=3)


class AssessmentInput(Strict):
    """A whole assessment as entered by a person, a clinician or measured from video."""

    person: Person
    screening: Screening = Screening()
    symptoms: tuple[Symptom, ...] = ()
    tests: Tests = Tests()
    provenance: Literal["self", "clinician", "video"] = "self"
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
