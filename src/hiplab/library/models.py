"""Typed, frozen models of the hiplab library.

The library is data: YAML files under ``hiplab/library/data`` are loaded into
these models and validated once at load time. Cross references (muscle ids,
motion ids, exercise ids, source ids) are checked by :mod:`hiplab.library.loader`.

Conventions
-----------
* Angles are in degrees. Zero is anatomical neutral (standing, legs straight,
  feet at 90° to the shank). Flexion, dorsiflexion, abduction and rotation
  away from neutral are positive, so a ``joint_demands`` entry is the peak
  excursion the exercise needs in that direction.
* A pose is drawn in the sagittal plane facing +x (right) unless ``view`` is
  ``frontal``. ``trunk_deg`` is the trunk (pelvis → neck) direction measured
  from vertical-up, positive when the trunk tips forward (toward +x):
  0 upright, 90 trunk horizontal pointing forward (prone, forward fold),
  -90 trunk horizontal pointing backward (lying on the back).
* Segment directions (x right, y up, angle a from vertical-up, clockwise
  toward +x, direction = (sin a, cos a)), with trunk angle T = ``trunk_deg``:
  thigh = T + 180 - hip_flexion; shank = thigh + knee_flexion;
  foot = shank - 90 - ankle_dorsiflexion; upper arm = T + 180 - shoulder_flexion;
  forearm = upper arm - elbow_flexion. In the frontal view the figure faces
  the viewer, the subject's right side is drawn on the viewer's left, and
  ``hip_abduction`` swings each thigh away from the midline.
* ``Pose.roll_deg`` turns the whole drawing clockwise about the pelvis before it
  is placed on the floor: a frontal figure with ``roll_deg`` 90 lies on its
  left side, head toward +x, right side on top (side-lying leg lifts).
* A drawing is shifted so its lowest point rests on the floor line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", min_length=2, max_length=60)]


def mid_sentence(label: str) -> str:
    """Lower-case a label's first letter for use inside a sentence (acronyms stay).

    Examples
    --------
    >>> mid_sentence("Short hip flexors"), mid_sentence("TFL tightness")
    ('short hip flexors', 'TFL tightness')

    """
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


class Frozen(BaseModel):
    """Base for library records: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ExerciseKind(StrEnum):
    """What an exercise mainly does."""

    static_stretch = "static_stretch"
    dynamic_mobility = "dynamic_mobility"
    pnf = "pnf"
    activation = "activation"
    strength = "strength"


class Position(StrEnum):
    """Body position an exercise is done in."""

    standing = "standing"
    kneeling = "kneeling"
    half_kneeling = "half_kneeling"
    supine = "supine"
    prone = "prone"
    seated = "seated"
    side_lying = "side_lying"
    quadruped = "quadruped"
    lunge = "lunge"


class EvidenceGrade(StrEnum):
    """How well a claim is supported, strongest first."""

    strong = "strong"
    moderate = "moderate"
    weak = "weak"
    contested = "contested"


EVIDENCE_ORDER: tuple[EvidenceGrade, ...] = tuple(EvidenceGrade)


class Source(Frozen):
    """A citable source; ``verified`` is False for textbook recollections."""

    id: Slug
    citation: str = Field(min_length=5)
    url: str | None = None
    verified: bool = True


class Motion(Frozen):
    """A joint motion, positive in the named direction from neutral."""

    id: Slug
    joint: Literal["hip", "knee", "ankle", "lumbar"]
    name: str
    description: str


class Action(Frozen):
    """A motion a muscle group produces."""

    motion: Slug
    role: Literal["prime", "assist"] = "prime"


class MuscleGroup(Frozen):
    """A muscle group with its relations to others."""

    id: Slug
    lay_name: str
    anatomical_name: str
    region: Literal["hip", "thigh", "leg", "trunk"]
    actions: tuple[Action, ...] = Field(min_length=1)
    antagonists: tuple[Slug, ...] = ()
    synergists: tuple[Slug, ...] = ()
    description: str = ""


class Targets(Frozen):
    """Muscle groups an exercise loads or lengthens."""

    primary: tuple[Slug, ...] = Field(min_length=1)
    secondary: tuple[Slug, ...] = ()


class Dosage(Frozen):
    """Default dose. ``hold_s`` for holds, ``reps`` for repetitions (one of them)."""

    sets: int = Field(ge=1, le=10)
    hold_s: int | None = Field(default=None, ge=3, le=180)
    reps: int | None = Field(default=None, ge=1, le=50)
    rest_s: int = Field(default=15, ge=0, le=180)
    per_side: bool = False

    @model_validator(mode="after")
    def _one_of_hold_or_reps(self) -> Dosage:
        if (self.hold_s is None) == (self.reps is None):
            raise ValueError("dosage needs exactly one of hold_s or reps")
        return self


class LimbAngles(Frozen):
    """Angles of one side in a pose keyframe (degrees, see module conventions)."""

    hip_flexion: float = Field(default=0.0, ge=-40, le=160)
    knee_flexion: float = Field(default=0.0, ge=0, le=160)
    ankle_dorsiflexion: float = Field(default=0.0, ge=-60, le=45)
    hip_abduction: float = Field(default=0.0, ge=-40, le=90)
    shoulder_flexion: float = Field(default=0.0, ge=-60, le=180)
    elbow_flexion: float = Field(default=0.0, ge=0, le=160)


class Keyframe(Frozen):
    """One still of an exercise: trunk direction and both sides' angles."""

    label: str = "hold"
    trunk_deg: float = Field(default=0.0, ge=-180, le=180)
    left: LimbAngles = LimbAngles()
    right: LimbAngles = LimbAngles()


class Pose(Frozen):
    """Keyframes from which a stick-figure picture is drawn."""

    view: Literal["sagittal", "frontal"] = "sagittal"
    roll_deg: float = Field(default=0.0, ge=-180, le=180)
    tolerance_deg: float = Field(default=15.0, gt=0, le=45)
    keyframes: tuple[Keyframe, ...] = Field(min_length=1, max_length=4)


class Condition(StrEnum):
    """A condition of the person that makes some exercises or tests unsafe.

    Each is described in ``conditions.yaml`` (plain label, how hiplab learns of it,
    source) and detected from an assessment by :mod:`hiplab.assess.safety`; a test
    keeps the three in step.
    """

    posterior_tha = "posterior_tha"
    anterior_tha = "anterior_tha"
    lateral_tha = "lateral_tha"
    pregnancy = "pregnancy"
    pregnancy_after_first_trimester = "pregnancy_after_first_trimester"
    hip_impingement = "hip_impingement"
    painful_faber = "painful_faber"
    hypermobility = "hypermobility"
    poor_balance = "poor_balance"
    knee_pain = "knee_pain"
    groin_pain = "groin_pain"
    low_back_pain = "low_back_pain"
    outer_hip_pain = "outer_hip_pain"
    hamstring_pain = "hamstring_pain"
    leg_nerve_pain = "leg_nerve_pain"
    calf_pain = "calf_pain"
    wrist_pain = "wrist_pain"
    shoulder_pain = "shoulder_pain"


class ConditionDef(Frozen):
    """What a condition is called in plain words and how hiplab learns of it."""

    id: Condition
    label: str = Field(min_length=5)
    learned_from: str = Field(min_length=10)
    sources: tuple[Slug, ...] = Field(min_length=1)


class JointDemand(Frozen):
    """The peak excursion a movement needs in one motion, and where that figure comes from."""

    deg: float = Field(ge=0, le=160)
    basis: str = Field(min_length=10)


class Caution(Frozen):
    """A condition an exercise is unsafe for, declared in the data, and why in plain words."""

    condition: Condition
    why: str = Field(min_length=10)


Demands = dict[Slug, JointDemand]


class Movement(Frozen):
    """The safety facts of anything a person is asked to do: an exercise or a test.

    Conventions
    -----------
    * ``joint_demands`` are the peak excursions of the *worked side*: for a one-sided
      movement the leg an item or a test names (the one stretched, trained or
      measured), for a two-sided one both legs. ``other_side_demands`` are those of
      the other leg in a one-sided movement (left empty when it stays near neutral).
    * Every figure carries its ``basis``: the step or the reference it is read from.
    * ``floor_transfer``: the person has to get down to the floor and back up, which
      takes deep hip flexion on both sides (a hip-replacement concern).
    * ``fall_risk``: a real chance of falling or a sudden load (balance on one leg on a
      box, a Nordic curl, a drop landing).
    * ``end_range``: the movement is taken to the end of the range (forcing, bouncing).
    * ``active_abduction``: the side glutes work to hold or move the hip out to the side,
      in open chain (side-lying lifts) or closed chain (single-leg glute work).
    * ``unsafe_for``: conditions the data declares unsafe beyond what the demands,
      position and flags above already rule out, each with why.
    """

    position: Position
    unilateral: bool
    joint_demands: Demands = Field(min_length=1)
    other_side_demands: Demands = {}
    unsafe_for: tuple[Caution, ...] = ()
    floor_transfer: bool
    fall_risk: bool = False
    end_range: bool = False
    active_abduction: bool = False

    @property
    def is_stretch(self) -> bool:
        """Return True for a stretch or mobility drill (it takes a joint toward its range)."""
        return False


class Exercise(Movement):
    """A stretch, mobility drill or activation/strength exercise."""

    id: Slug
    name: str = Field(min_length=3)
    aliases: tuple[str, ...] = ()
    kind: ExerciseKind
    targets: Targets
    equipment: tuple[Slug, ...] = ()
    difficulty: int = Field(default=1, ge=1, le=3)
    dosage: Dosage
    steps: tuple[str, ...] = Field(min_length=2)
    mistakes: tuple[str, ...] = Field(min_length=1)
    regressions: tuple[Slug, ...] = ()
    progressions: tuple[Slug, ...] = ()
    evidence: str = Field(min_length=10)
    sources: tuple[Slug, ...] = ()
    pose: Pose

    @property
    def is_stretch(self) -> bool:
        """Return True for static, PNF and dynamic stretching kinds."""
        return self.kind in (
            ExerciseKind.static_stretch,
            ExerciseKind.pnf,
            ExerciseKind.dynamic_mobility,
        )


class Norm(Frozen):
    """Reference value for a test, optionally by sex and age band.

    ``limit`` is the boundary of normal: a value beyond it in the
    unfavourable ``direction`` is a finding; each further ``step`` raises the
    severity (mild → moderate → severe). ``age_min``/``age_max`` are the ages
    the norm is *used* for; ``basis`` says, in plain words a person reads next
    to the norm, whom or what its figures come from ("norm from adults aged
    20–60", "a hiplab rule of thumb"), so a norm used beyond the people or the
    task it was measured on says so.
    """

    sex: Literal["any", "female", "male"] = "any"
    age_min: int = Field(default=0, ge=0, le=120)
    age_max: int = Field(default=120, ge=0, le=120)
    typical: float | None = None
    limit: float
    step: float = Field(gt=0)
    source: Slug
    basis: str = ""
    note: str = ""


class MeasurementError(Frozen):
    """Smallest change or side difference that is more than noise.

    ``source`` gives the SEM and the side difference (and the MDC unless
    ``mdc_source`` names another source, for example hiplab's rule of thumb
    where a study's MDC is too optimistic for measuring at home).
    ``measured_on`` names the test, people and testers the figures were
    measured on, so a figure is never cited for a test it was not measured on.
    """

    sem: float | None = Field(default=None, gt=0)
    mdc: float = Field(gt=0)
    side_difference: float | None = Field(default=None, gt=0)
    source: Slug
    mdc_source: Slug | None = None
    measured_on: str = ""
    note: str = ""

    @property
    def side_threshold(self) -> float:
        """Return the left/right difference that exceeds measurement error."""
        return self.side_difference or self.mdc

    @property
    def mdc_cited(self) -> str:
        """Return the source of the MDC."""
        return self.mdc_source or self.source

    @property
    def side_threshold_source(self) -> str:
        """Return the source of :attr:`side_threshold`."""
        return self.source if self.side_difference else self.mdc_cited


class TestKind(StrEnum):
    """How a test is entered."""

    bilateral_number = "bilateral_number"
    bilateral_positive = "bilateral_positive"
    thomas = "thomas"
    score = "score"


class TestDef(Movement):
    """A standard test: how to do it, units, norms and what a deficit means.

    Its safety facts (position, demands of the tested side and the other leg) are
    judged by the same rules as an exercise's, so a test is only suggested to a
    person it is safe for. ``unilateral`` follows from ``kind``.
    """

    id: Slug
    name: str
    short_name: str = ""
    input_key: str
    kind: TestKind
    unit: str
    minimum: float
    maximum: float
    direction: Literal["higher_is_better", "lower_is_better", "flag"]
    finding: Slug | None = None
    motion: Slug | None = None
    instructions: tuple[str, ...] = Field(min_length=2)
    pose: Pose | None = None
    norms: tuple[Norm, ...] = ()
    error: MeasurementError | None = None
    reliability: str = ""
    joint_range: bool = False
    """The value is the joint's own range in ``motion`` (not a muscle-length or
    performance test); a distance in cm is a knee-to-wall, turned into dorsiflexion."""
    sources: tuple[Slug, ...] = Field(min_length=1)
    self_test: bool = True

    @model_validator(mode="before")
    @classmethod
    def _sided_from_kind(cls, data: object) -> object:
        if isinstance(data, dict) and "unilateral" not in data:
            return {**data, "unilateral": data.get("kind") != TestKind.score.value}
        return data

    @property
    def label(self) -> str:
        """Return the short name for sentences (the full name if none is given)."""
        return self.short_name or self.name


class FindingDef(Frozen):
    """What a finding means and which muscle groups to stretch or strengthen for it.

    ``stretches_into`` is the hip motion its stretches move the joint into (hip
    extension for short hip flexors): where a precaution limits that motion on a side,
    the finding is not stretched on that side. ``strengthen_through`` is the motion its
    strengthening must train (hip extension for glute work paired with a hip-flexor
    stretch: bridges and hip thrusts, not squats). From ``must_treat_from`` severity on,
    every programme stretches the finding on each side it is found (when any allowed
    exercise can), and pairs it with its strengthening.
    """

    id: Slug
    label: str
    plain: str = Field(min_length=20)
    stretch: tuple[Slug, ...] = ()
    strengthen: tuple[Slug, ...] = ()
    stretches_into: Slug | None = None
    strengthen_through: Slug | None = None
    must_treat_from: Literal["mild", "moderate", "severe"] | None = None
    structural_note: str = ""

    @property
    def label_in_sentence(self) -> str:
        """Return the label for the middle of a sentence (:func:`mid_sentence`)."""
        return mid_sentence(self.label)


class ChainNode(Frozen):
    """A state in the kinetic-chain graph, present when one of its findings is."""

    id: Slug
    label: str
    findings: tuple[Slug, ...] = ()


class ChainEdge(Frozen):
    """A proposed mechanism linking two nodes, with its evidence grade."""

    source: Slug
    target: Slug
    evidence: EvidenceGrade
    explanation: str = Field(min_length=20)
    sources: tuple[Slug, ...] = Field(min_length=1)
    remedies: tuple[Slug, ...] = ()

    @property
    def id(self) -> str:
        """Return the chain id, ``source->target``."""
        return f"{self.source}->{self.target}"


class ChainGraph(Frozen):
    """Nodes and edges of the kinetic-chain explanations."""

    nodes: tuple[ChainNode, ...]
    edges: tuple[ChainEdge, ...]
