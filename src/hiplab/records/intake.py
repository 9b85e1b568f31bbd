"""The assessment input: a person, screening answers, symptoms and test results.

Every field is validated at the boundary; unknown keys are refused with the
closest known key suggested (see :mod:`hiplab.assess.parse`). All tests are
optional and given per side (``left``/``right``) where the test is sided.

Conventions: angles in degrees, 0 at anatomical neutral; the Thomas
``thigh_angle_deg`` is positive when the thigh rests *above* horizontal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


PERSON_NAME_LENGTH = 120
"""Longest person name: the input's ``person.name``, the ``person.name`` column of the
store and every check and message of a name read it."""


class Person(Strict):
    """Who is assessed."""

    name: str | None = Field(default=None, min_length=1, max_length=PERSON_NAME_LENGTH)
    age: int = Field(ge=5, le=110, description="Age (years)")
    sex: Sex = Field(description="Sex (selects the norms)")
    activities: tuple[Activity, ...] = Field(default=(), description="What you do regularly")
    goals: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = ()


class HipReplacement(Strict):
    """A total hip replacement: side and surgical approach decide the precautions."""

    side: Side = Field(description="Operated side")
    approach: Literal["posterior", "anterior", "lateral"] = Field(
        description="Surgical approach (ask the surgeon if unsure)"
    )
    months_ago: int = Field(ge=0, le=600, description="Months since the operation")


def _ask(question: str) -> Any:
    """Return a yes/no screening field, 'no' by default, asked as ``question``."""
    return Field(default=False, description=question)


class Screening(Strict):
    """Red-flag and precaution questions; all default to 'no'.

    Each field's description is the question as a person reads it (the guided interview and
    the web form both ask it so). What a 'yes' does: :mod:`hiplab.assess.screening` (red
    flags) and :mod:`hiplab.assess.safety` (precautions); docs/referral.md lists every rule.
    """

    night_pain: bool = _ask(
        "Do you have pain at night or at rest that does not ease when you change position?"
    )
    unexplained_weight_loss: bool = _ask("Have you lost weight without trying or knowing why?")
    fever: bool = _ask("Do you have a fever, or feel generally unwell, along with the pain?")
    saddle_numbness: bool = _ask(
        "Is there numbness or tingling around the groin, genitals or inner buttocks "
        "(the 'saddle' area)?"
    )
    bladder_bowel_change: bool = _ask(
        "Have you had new trouble controlling your bladder or bowel "
        "(leaking, or not being able to pass urine)?"
    )
    progressive_weakness: bool = _ask("Is there weakness in a leg that is getting worse?")
    recent_trauma: bool = _ask(
        "Have you had a fall, accident or injury to the hip or back recently?"
    )
    cancer_history: bool = _ask("Have you ever had cancer?")
    long_term_steroids: bool = _ask(
        "Have you taken steroid tablets or injections (such as prednisolone) for three months "
        "or longer?"
    )
    iv_drug_use: bool = _ask("Do you inject drugs, now or in the recent past?")
    limp: bool = _ask("Do you walk with a limp that has no clear reason?")
    obligatory_external_rotation: bool = _ask(
        "Children and teenagers: when you lie on your back and bring one knee up toward the "
        "chest, does that hip turn outward by itself (the knee swings out to the side)?"
    )
    pregnant: bool = _ask("Are you pregnant?")
    pregnancy_weeks: int | None = Field(
        default=None, ge=0, le=45, description="How many weeks pregnant are you?"
    )
    hypermobility: bool = _ask(
        "Are your joints very bendy (hypermobility), for example elbows or knees that bend "
        "backwards?"
    )
    hip_impingement: bool = _ask(
        "Has a doctor or physiotherapist told you that you have hip impingement (FAI)?"
    )
    falls_or_poor_balance: bool = _ask("Have you fallen in the past year, or is your balance poor?")
    hip_replacement: HipReplacement | None = Field(
        default=None, description="Have you had a hip replacement?"
    )

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
    thigh = "thigh"
    knee = "knee"
    hamstring = "hamstring"
    down_the_leg = "down_the_leg"
    calf = "calf"
    wrist = "wrist"
    shoulder = "shoulder"


REGION_WORDS: dict[Region, str] = {
    Region.lower_back: "lower back",
    Region.front_of_hip: "front of the hip",
    Region.groin: "groin",
    Region.buttock: "buttock",
    Region.outer_hip: "outside of the hip",
    Region.thigh: "front or inside of the thigh",
    Region.knee: "knee",
    Region.hamstring: "back of the thigh",
    Region.down_the_leg: "leg (running down it)",
    Region.calf: "calf",
    Region.wrist: "wrist",
    Region.shoulder: "shoulder",
}
"""Each region in plain words, as the interview, the web form and the red flags say it."""


class PainTiming(StrEnum):
    """When a symptom comes on; rest, night and after-injury pain are red flags.

    See docs/referral.md.
    """

    at_rest = "at_rest"
    at_night = "at_night"
    with_activity = "with_activity"
    after_injury = "after_injury"


TIMING_WORDS: dict[PainTiming, str] = {
    PainTiming.at_rest: "at rest (it is there when you sit or lie still)",
    PainTiming.at_night: "at night (it wakes you or keeps you awake)",
    PainTiming.with_activity: "with activity or movement",
    PainTiming.after_injury: "since a fall or an injury",
}
"""Each timing in plain words, as the interview and the web form offer it."""


class Symptom(Strict):
    """A symptom with its side (null for central), pain 0–10, when it comes and what brings it on.

    ``timing`` is structured (the red flags read it); ``trigger`` stays free text for the
    clinician. Both are optional, so symptoms stored before ``timing`` existed still load.
    """

    region: Region = Field(description="Where do you feel it?")
    side: Side | Literal["both"] | None = Field(default=None, description="Which side?")
    pain: int = Field(ge=0, le=10, description="Pain now, 0 = none, 10 = the worst imaginable")
    timing: tuple[PainTiming, ...] = Field(default=(), description="When does it hurt?")
    trigger: str | None = Field(
        default=None, max_length=200, description="What brings it on, in your own words"
    )
    new: bool = Field(default=False, description="Did this pain start recently (it is new)?")


class ThomasSide(Strict):
    """One hanging leg in the modified Thomas test."""

    thigh_angle_deg: float | None = Field(
        default=None, ge=-45, le=60, description="Thigh angle, degrees (+ = above horizontal)"
    )
    knee_flexion_deg: float | None = Field(
        default=None, ge=0, le=160, description="Knee bend, degrees"
    )
    thigh_abducts: bool | None = Field(default=None, description="Thigh drifts out to the side?")


class Thomas(Strict):
    """Modified Thomas test, per side."""

    left: ThomasSide | None = None
    right: ThomasSide | None = None


class Positive(Strict):
    """A provocation or sign: positive or not, and whether it brought on pain."""

    positive: bool = Field(description="Positive?")
    painful: bool = Field(default=False, description="It brought on pain")

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

    thomas: Thomas | None = Field(default=None, description="Modified Thomas test (hip flexors)")
    hip_internal_rotation_deg: Rotation | None = Field(
        default=None, description="Hip internal rotation (thigh turned in), degrees"
    )
    hip_external_rotation_deg: Rotation | None = Field(
        default=None, description="Hip external rotation (thigh turned out), degrees"
    )
    hip_flexion_deg: HipFlexion | None = Field(
        default=None, description="Hip flexion (knee toward the chest), degrees"
    )
    hip_extension_deg: HipExtension | None = Field(
        default=None, description="Hip extension (leg behind you), degrees"
    )
    straight_leg_raise_deg: Slr | None = Field(
        default=None, description="Straight-leg raise (hamstrings), degrees"
    )
    knee_to_wall_cm: KneeToWall | None = Field(
        default=None, description="Knee-to-wall (ankle bend), cm"
    )
    single_leg_bridge_s: BridgeSeconds | None = Field(
        default=None, description="Single-leg bridge hold, seconds"
    )
    single_leg_bridge_reps: BridgeReps | None = Field(
        default=None, description="Single-leg hamstring bridge, repetitions"
    )
    landing_peak_knee_flexion_deg: LandingKnee | None = Field(
        default=None, description="Drop landing: most knee bend, degrees"
    )
    faber: SidedPositive | None = Field(default=None, description="FABER (figure-4) test")
    fadir: SidedPositive | None = Field(
        default=None, description="FADIR test (hip bent, knee across the body, thigh turned in)"
    )
    ober: SidedPositive | None = Field(default=None, description="Ober test (outer thigh)")
    trendelenburg: SidedPositive | None = Field(
        default=None, description="Trendelenburg test (standing on one leg)"
    )
    deep_squat_fms: int | None = Field(
        default=None, ge=0, le=3, description="Deep squat score (FMS, 0 = it hurt, 3 = best)"
    )


class VideoMeasurement(Strict):
    """One test value measured from video, kept with how far it can be trusted.

    ``test`` is the value's place in the tests, dotted (``thomas.right.thigh_angle_deg``,
    ``landing_peak_knee_flexion_deg.right``); the value there must be ``value``. The
    ``measured`` list of an analysis's metrics.json can be given as it is: its verdict
    object (level, reason, text) is kept as its text.
    """

    test: str = Field(
        min_length=1,
        max_length=120,
        pattern=r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$",
        description="Which test value (its place in the tests)",
    )
    label: str = Field(min_length=1, max_length=200, description="The test, in plain words")
    value: float = Field(allow_inf_nan=False, description="The value measured from video")
    unit: Literal["°", "points"] = Field(description="Unit of the value and its uncertainty")
    uncertainty: float | None = Field(
        default=None,
        ge=0,
        le=180,
        allow_inf_nan=False,
        description="Standard uncertainty (± one standard deviation), in the same unit",
    )
    verdict: str = Field(
        min_length=1, max_length=300, description="How far it can be trusted, in plain words"
    )

    @field_validator("verdict", mode="before")
    @classmethod
    def _verdict_text(cls, value: Any) -> Any:
        """Take a verdict object (as metrics.json writes it) as its text."""
        if isinstance(value, Mapping) and "text" in value:
            return value["text"]
        return value


def _tests_value(tests: Tests, path: str) -> Any:
    """Return the value at a dotted place in the tests (None when nothing is there)."""
    node: Any = tests
    for part in path.split("."):
        if not isinstance(node, BaseModel) or part not in type(node).model_fields:
            return None
        node = getattr(node, part)
    return node


Provenance = Literal["self", "clinician", "video"]
"""Who measured: the person, a clinician, or an analysis of a video."""


class AssessmentInput(Strict):
    """A whole assessment as entered by a person, a clinician or measured from video."""

    person: Person = Field(description="About the person")
    screening: Screening = Field(default=Screening(), description="Safety questions")
    symptoms: tuple[Symptom, ...] = Field(default=(), description="Symptoms")
    tests: Tests = Field(default=Tests(), description="Tests")
    provenance: Provenance = Field(default="self", description="Who measured")
    date: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}-\d{2}$", description="Date of the tests"
    )
    video_measurements: tuple[VideoMeasurement, ...] = Field(
        default=(),
        description="Values measured from video, each with its uncertainty and how reliable it is",
    )

    @model_validator(mode="after")
    def _video_values_are_the_tests(self) -> AssessmentInput:
        if self.video_measurements and self.provenance != "video":
            raise ValueError(
                f"video_measurements are given but provenance is {self.provenance!r}; "
                "they belong to an assessment measured from video (provenance: video)"
            )
        seen: set[str] = set()
        for measured in self.video_measurements:
            found = _tests_value(self.tests, measured.test)
            if isinstance(found, bool) or not isinstance(found, int | float):
                raise ValueError(
                    f"video_measurements: {measured.test!r} is no test value given in tests"
                )
            if not math.isclose(float(found), measured.value, abs_tol=1e-6):
                raise ValueError(
                    f"video_measurements: {measured.test!r} is {measured.value:g} but the "
                    f"tests give {found:g}; they must be the same value"
                )
            if measured.test in seen:
                raise ValueError(f"video_measurements: {measured.test!r} is given twice")
            seen.add(measured.test)
        return self
