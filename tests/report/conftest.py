"""Literal assessments and a tiny literal library for the report tests."""

from __future__ import annotations

import pytest

from hiplab.library import default_library
from hiplab.library.loader import Library
from hiplab.library.models import (
    ChainEdge,
    ChainGraph,
    ChainNode,
    Dosage,
    EvidenceGrade,
    Exercise,
    ExerciseKind,
    FindingDef,
    JointDemand,
    Keyframe,
    LimbAngles,
    Motion,
    Norm,
    Pose,
    Position,
    Source,
    Targets,
    TestDef,
    TestKind,
)
from hiplab.records.assessment import (
    Assessment,
    Chain,
    Finding,
    JointLimit,
    NormBand,
    PositionAvoid,
    PracticeAvoid,
    Recommendation,
    RedFlag,
    TestValue,
)

DISCLAIMER = "hiplab screens mobility; it cannot tell what causes pain or stiffness."


def _exercise(exercise_id: str, name: str, pose: Pose) -> Exercise:
    return Exercise(
        id=exercise_id,
        name=name,
        kind=ExerciseKind.static_stretch,
        targets=Targets(primary=("iliopsoas",)),
        position=Position.half_kneeling,
        unilateral=True,
        floor_transfer=True,
        joint_demands={
            "hip_extension": JointDemand(deg=15, basis="the back thigh behind the trunk")
        },
        dosage=Dosage(sets=2, hold_s=30, rest_s=10, per_side=True),
        steps=("Kneel on one knee, the other foot in front.", "Tuck the pelvis and shift forward."),
        mistakes=("Arching the lower back.",),
        evidence="Static stretching increases hip extension range in the short term.",
        sources=("ref28",),
        pose=pose,
    )


@pytest.fixture
def library() -> Library:
    """A library with two tests, one exercise, two sources and a small chain graph."""
    half_kneel = Pose(
        keyframes=(
            Keyframe(
                label="start",
                left=LimbAngles(hip_flexion=90, knee_flexion=90),
                right=LimbAngles(hip_flexion=-10, knee_flexion=90, ankle_dorsiflexion=-30),
            ),
            Keyframe(
                label="stretch",
                trunk_deg=-5,
                left=LimbAngles(hip_flexion=80, knee_flexion=80),
                right=LimbAngles(hip_flexion=-20, knee_flexion=90, ankle_dorsiflexion=-30),
            ),
        )
    )
    thomas = TestDef(
        id="thomas_thigh_angle",
        name="Modified Thomas test — thigh angle",
        input_key="thomas.thigh_angle_deg",
        kind=TestKind.thomas,
        unit="deg",
        minimum=-45,
        maximum=60,
        direction="lower_is_better",
        finding="hip_flexors_tight",
        instructions=("Lie back hugging one knee.", "Measure the hanging thigh angle."),
        position=Position.supine,
        floor_transfer=False,
        joint_demands={"hip_extension": JointDemand(deg=10, basis="the hanging thigh on a table")},
        norms=(Norm(limit=0, typical=-10, step=5, source="ref14"),),
        sources=("ref14",),
    )
    return Library(
        sources={
            "ref14": Source(id="ref14", citation="Thomas test norms (textbook)", url=None),
            "ref28": Source(
                id="ref28",
                citation="Hip extension range and pelvic tilt in healthy adults",
                url="https://example.org/ref28",
            ),
        },
        motions={
            "hip_flexion": Motion(
                id="hip_flexion", joint="hip", name="Hip flexion", description="Knee to chest."
            )
        },
        muscles={},
        exercises={
            "half_kneeling_hip_flexor_stretch": _exercise(
                "half_kneeling_hip_flexor_stretch", "Half-kneeling hip flexor stretch", half_kneel
            )
        },
        tests={"thomas_thigh_angle": thomas},
        findings={
            "hip_flexors_tight": FindingDef(
                id="hip_flexors_tight",
                label="Tight one-joint hip flexors",
                plain="The front of the hip is short, so the thigh cannot drop to horizontal.",
            )
        },
        conditions=default_library().conditions,
        chains=ChainGraph(
            nodes=(
                ChainNode(
                    id="hip_flexors", label="Short hip flexors", findings=("hip_flexors_tight",)
                ),
                ChainNode(
                    id="lumbar_overcompensation", label="The lower back making up the movement"
                ),
            ),
            edges=(
                ChainEdge(
                    source="hip_flexors",
                    target="lumbar_overcompensation",
                    evidence=EvidenceGrade.weak,
                    explanation="The lower back can arch when the hip cannot extend fully.",
                    sources=("ref28",),
                ),
            ),
        ),
    )


def _findings() -> tuple[Finding, ...]:
    band = NormBand(
        limit=0, typical=-10, direction="lower_is_better", source="ref14", label="≤ 0 deg"
    )
    return (
        Finding(
            id="hip_flexors_tight",
            side="left",
            severity="moderate",
            value=8.0,
            norm=band,
            unit="deg",
            test="thomas_thigh_angle",
            summary="Modified Thomas test — thigh angle: left 8 deg, normal ≤ 0 deg",
        ),
        Finding(
            id="hip_flexors_tight",
            side="right",
            severity="mild",
            value=3.0,
            norm=band,
            unit="deg",
            test="thomas_thigh_angle",
            summary="Modified Thomas test — thigh angle: right 3 deg, normal ≤ 0 deg",
        ),
        Finding(
            id="tfl_itb_tight",
            side="left",
            severity="mild",
            value=True,
            norm=None,
            unit="sign",
            test="thomas_thigh_abduction",
            summary="Modified Thomas test — thigh drifts out: positive on the left",
        ),
    )


def _chains() -> tuple[Chain, ...]:
    return (
        Chain(
            id="hip_flexors->lumbar_overcompensation",
            source="hip_flexors",
            target="lumbar_overcompensation",
            evidence=EvidenceGrade.weak,
            because=("hip_flexors_tight",),
            inferred=False,
            explanation="The lower back can arch when the hip cannot extend fully.",
            sources=("ref28",),
        ),
        Chain(
            id="hip_flexors->anterior_pelvic_tilt",
            source="hip_flexors",
            target="anterior_pelvic_tilt",
            evidence=EvidenceGrade.contested,
            because=("hip_flexors_tight",),
            inferred=False,
            explanation="A popular claim that measurements do not support.",
            sources=("ref28", "ref99"),
        ),
    )


def make_assessment(*, refer: bool = False, notes: tuple[str, ...] = ()) -> Assessment:
    """Return a literal assessment; ``refer`` adds two red flags."""
    flags = (
        (
            RedFlag(
                id="saddle_numbness", urgency="emergency", reason="Numbness in the saddle area."
            ),
            RedFlag(id="night_pain", urgency="soon", reason="Pain that wakes you at night."),
        )
        if refer
        else ()
    )
    return Assessment(
        refer=refer,
        red_flags=flags,
        precautions=(
            JointLimit(
                joint="hip",
                side="right",
                motion="hip_flexion",
                max_deg=90,
                reason="Posterior-approach hip replacement.",
            ),
            PositionAvoid(position="side_lying", reason="Painful on the right side."),
            PracticeAvoid(practice="bouncing", reason="Irritable hip."),
        ),
        findings=_findings(),
        chains=_chains(),
        recommendations=(
            Recommendation(
                exercise_id="half_kneeling_hip_flexor_stretch",
                name="Half-kneeling hip flexor stretch",
                kind="static_stretch",
                addresses=("hip_flexors_tight",),
                why="Lengthens the hip flexors that the Thomas test found short.",
            ),
        ),
        missing_tests=("thomas_thigh_angle", "single_leg_squat"),
        values=(TestValue(test="thomas_thigh_angle", side="left", value=8.0, unit="deg"),),
        notes=notes or ("Measured by a helper at home.",),
        disclaimer=DISCLAIMER,
    )


@pytest.fixture
def assessment() -> Assessment:
    """A literal assessment without red flags."""
    return make_assessment()


@pytest.fixture
def referred() -> Assessment:
    """A literal assessment with red flags: refer is true."""
    return make_assessment(refer=True)


@pytest.fixture
def assessment_factory() -> object:
    """The :func:`make_assessment` builder, for tests that vary notes or refer."""
    return make_assessment
