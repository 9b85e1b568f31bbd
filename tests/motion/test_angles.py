"""Every angle convention on tiny analytic poses; rows, mirroring, validity, no wraps."""

from __future__ import annotations

import doctest
import math
from collections.abc import Mapping

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion import angles
from hiplab.motion.angles import (
    DEFINITIONS,
    RIGHT_DEFINITIONS,
    Segment,
    angle_channels,
    compute_angles,
    estimate_facing,
    mirror_definition,
    unwrap_runs,
)
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack

Point = tuple[float, float]
Frame = Mapping[str, Point]


def make_track(frames: list[Frame], *, score: float = 0.9, fps: float = 30.0) -> KeypointTrack:
    n = len(frames)
    xy = np.full((n, len(KEYPOINTS), 2), np.nan)
    scores = np.zeros((n, len(KEYPOINTS)))
    for i, frame in enumerate(frames):
        for name, point in frame.items():
            xy[i, INDEX[name]] = point
            scores[i, INDEX[name]] = score
    return KeypointTrack(
        fps=fps, width=640, height=480, xy=xy, score=scores, lost=np.zeros(n, dtype=bool)
    )


def both_sides(points: Mapping[str, Point]) -> dict[str, Point]:
    """Give both sides the same pixel positions (a pure side view)."""
    return {f"{side}_{name}": p for side in ("left", "right") for name, p in points.items()}


def polar(origin: Point, length: float, angle_deg: float) -> Point:
    """Return the pixel point ``length`` away at ``angle_deg`` counter-clockwise (y up)."""
    a = math.radians(angle_deg)
    return origin[0] + length * math.cos(a), origin[1] - length * math.sin(a)


def mirror_x(frame: Frame, width: float = 200.0) -> dict[str, Point]:
    return {name: (width - x, y) for name, (x, y) in frame.items()}


# A person standing straight, facing image right (toes toward +x), pixels y down.
STANDING: dict[str, Point] = {
    "nose": (110.0, 80.0),
    **both_sides(
        {
            "shoulder": (100.0, 100.0),
            "hip": (100.0, 200.0),
            "knee": (100.0, 300.0),
            "ankle": (100.0, 400.0),
            "heel": (90.0, 410.0),
            "foot_index": (130.0, 410.0),
        }
    ),
}


def sagittal(frame: Frame, facing: str | None = None) -> dict[str, float]:
    series = compute_angles(make_track([frame]), view="sagittal", facing=facing)  # type: ignore[arg-type]
    return {name: float(series.channel(name)[0]) for name in angle_channels("sagittal")}


def frontal(frame: Frame) -> dict[str, float]:
    series = compute_angles(make_track([frame]), view="frontal")
    return {name: float(series.channel(name)[0]) for name in angle_channels("frontal")}


def test_docstring_examples_run() -> None:
    assert doctest.testmod(angles, raise_on_error=True).attempted > 0


def test_channel_names_follow_the_issue() -> None:
    assert angle_channels("sagittal") == (
        "right_hip_flexion",
        "right_knee_flexion",
        "right_ankle_dorsiflexion",
        "right_thigh_angle",
        "left_hip_flexion",
        "left_knee_flexion",
        "left_ankle_dorsiflexion",
        "left_thigh_angle",
        "trunk_lean",
    )
    assert angle_channels("frontal") == (
        "right_knee_fppa",
        "right_pelvic_drop",
        "left_knee_fppa",
        "left_pelvic_drop",
        "trunk_lateral_lean",
    )


def test_standing_straight_is_neutral() -> None:
    for frame in (STANDING, mirror_x(STANDING)):
        values = sagittal(frame)
        for side in ("left", "right"):
            assert values[f"{side}_hip_flexion"] == pytest.approx(0.0, abs=1e-9)
            assert values[f"{side}_knee_flexion"] == pytest.approx(0.0, abs=1e-9)
            assert values[f"{side}_ankle_dorsiflexion"] == pytest.approx(0.0, abs=1e-9)
            assert values[f"{side}_thigh_angle"] == pytest.approx(-90.0)
        assert values["trunk_lean"] == pytest.approx(0.0, abs=1e-9)


def test_facing_comes_from_the_toes() -> None:
    assert estimate_facing(make_track([STANDING])) == 1.0
    assert estimate_facing(make_track([mirror_x(STANDING)])) == -1.0


def test_facing_falls_back_to_the_nose() -> None:
    no_feet = {k: v for k, v in STANDING.items() if "heel" not in k and "foot" not in k}
    assert estimate_facing(make_track([no_feet])) == 1.0
    assert estimate_facing(make_track([mirror_x(no_feet)])) == -1.0
    bare = {k: v for k, v in no_feet.items() if k != "nose"}
    assert math.isnan(estimate_facing(make_track([bare])))


def sitting(hip_deg: float, knee_deg: float) -> dict[str, Point]:
    """Upright trunk, thigh ``hip_deg`` forward of vertical, shank bent back by ``knee_deg``."""
    hip = (100.0, 200.0)
    knee = polar(hip, 100.0, -90.0 + hip_deg)
    ankle = polar(knee, 100.0, -90.0 + hip_deg - knee_deg)
    shank = -90.0 + hip_deg - knee_deg
    heel = polar(ankle, 10.0, shank + 180 + 90)
    toe = polar(heel, 40.0, shank + 90.0)
    points = {"shoulder": (100.0, 100.0), "hip": hip, "knee": knee, "ankle": ankle}
    return {"nose": (110.0, 80.0), **both_sides(points | {"heel": heel, "foot_index": toe})}


@pytest.mark.parametrize(
    ("hip", "knee"), [(90.0, 90.0), (30.0, 10.0), (-10.0, 0.0), (120.0, 140.0)]
)
def test_hip_and_knee_flexion_on_both_facings(hip: float, knee: float) -> None:
    for frame in (sitting(hip, knee), mirror_x(sitting(hip, knee))):
        values = sagittal(frame)
        assert values["right_hip_flexion"] == pytest.approx(hip)
        assert values["left_knee_flexion"] == pytest.approx(knee)
        assert values["right_ankle_dorsiflexion"] == pytest.approx(0.0, abs=1e-9)


def test_hip_extension_is_negative_and_thigh_below_horizontal() -> None:
    values = sagittal(sitting(-10.0, 0.0))
    assert values["right_hip_flexion"] == pytest.approx(-10.0)
    assert values["right_thigh_angle"] == pytest.approx(-80.0)


def test_knee_hyperextension_is_negative() -> None:
    frame = STANDING | {"right_ankle": polar((100.0, 300.0), 100.0, -90.0 + 5.0)}
    assert sagittal(frame, "right")["right_knee_flexion"] == pytest.approx(-5.0)


@pytest.mark.parametrize("dorsiflexion", [20.0, -30.0])
def test_ankle_dorsiflexion_toes_toward_shin_positive(dorsiflexion: float) -> None:
    heel = (90.0, 410.0)
    frame = STANDING | {"right_foot_index": polar(heel, 40.0, dorsiflexion)}
    assert sagittal(frame, "right")["right_ankle_dorsiflexion"] == pytest.approx(dorsiflexion)
    mirrored = mirror_x(frame)
    assert sagittal(mirrored, "left")["right_ankle_dorsiflexion"] == pytest.approx(dorsiflexion)


@pytest.mark.parametrize("thigh", [-10.0, 10.0, 0.0])
def test_thigh_angle_above_horizontal_positive_thomas_test(thigh: float) -> None:
    # Supine at a table edge, head at image left, the right leg hanging from the hip.
    hip = (300.0, 200.0)
    knee = polar(hip, 100.0, thigh)
    frame = STANDING | {"right_hip": hip, "right_knee": knee}
    assert sagittal(frame, "right")["right_thigh_angle"] == pytest.approx(thigh)
    assert sagittal(mirror_x(frame, 600.0), "left")["right_thigh_angle"] == pytest.approx(thigh)


@pytest.mark.parametrize("lean", [30.0, -15.0])
def test_trunk_lean_forward_positive(lean: float) -> None:
    shoulder = polar((100.0, 200.0), 100.0, 90.0 - lean)  # forward = +x when facing right
    frame = STANDING | {"left_shoulder": shoulder, "right_shoulder": shoulder}
    assert sagittal(frame)["trunk_lean"] == pytest.approx(lean)
    assert sagittal(mirror_x(frame))["trunk_lean"] == pytest.approx(lean)


def test_hip_flexion_uses_the_same_side_trunk_line() -> None:
    # Bending the trunk 30° forward over a vertical thigh flexes the hip by 30°.
    shoulder = polar((100.0, 200.0), 100.0, 60.0)
    frame = STANDING | {"right_shoulder": shoulder, "left_shoulder": shoulder}
    assert sagittal(frame)["right_hip_flexion"] == pytest.approx(30.0)
    # Only the same side's shoulder counts.
    frame = STANDING | {"left_shoulder": shoulder}
    assert sagittal(frame)["right_hip_flexion"] == pytest.approx(0.0, abs=1e-9)
    assert sagittal(frame)["left_hip_flexion"] == pytest.approx(30.0)


# Frontal view: the subject faces the camera, so their right hip is at image left.
FRONT: dict[str, Point] = {
    "nose": (150.0, 70.0),
    "right_shoulder": (90.0, 100.0),
    "left_shoulder": (210.0, 100.0),
    "right_hip": (100.0, 200.0),
    "left_hip": (200.0, 200.0),
    "right_knee": (100.0, 300.0),
    "left_knee": (200.0, 300.0),
    "right_ankle": (100.0, 400.0),
    "left_ankle": (200.0, 400.0),
}
FPPA_10PX = 2 * math.degrees(math.atan(10.0 / 100.0))


def test_straight_frontal_pose_is_neutral() -> None:
    assert all(v == pytest.approx(0.0, abs=1e-9) for v in frontal(FRONT).values())


@pytest.mark.parametrize("mirror", [False, True])
def test_fppa_valgus_positive_varus_negative(mirror: bool) -> None:
    valgus = FRONT | {"right_knee": (110.0, 300.0), "left_knee": (190.0, 300.0)}
    varus = FRONT | {"right_knee": (90.0, 300.0), "left_knee": (210.0, 300.0)}
    for frame, sign in ((valgus, 1.0), (varus, -1.0)):
        values = frontal(mirror_x(frame, 300.0) if mirror else frame)  # back to the camera
        assert values["right_knee_fppa"] == pytest.approx(sign * FPPA_10PX)
        assert values["left_knee_fppa"] == pytest.approx(sign * FPPA_10PX)


def test_fppa_is_180_minus_the_hip_knee_ankle_angle() -> None:
    frame = FRONT | {"right_knee": (120.0, 300.0), "right_ankle": (95.0, 400.0)}
    inner = angles.joint_angle(
        np.array([100.0, -200.0]), np.array([120.0, -300.0]), np.array([95.0, -400.0])
    )
    assert frontal(frame)["right_knee_fppa"] == pytest.approx(180.0 - float(inner))


@pytest.mark.parametrize("mirror", [False, True])
def test_pelvic_drop_positive_on_the_side_that_drops(mirror: bool) -> None:
    frame = FRONT | {"right_hip": (100.0, 210.0)}
    values = frontal(mirror_x(frame, 300.0) if mirror else frame)
    expected = math.degrees(math.atan(10.0 / 100.0))
    assert values["right_pelvic_drop"] == pytest.approx(expected)
    assert values["left_pelvic_drop"] == pytest.approx(-expected)


@pytest.mark.parametrize("mirror", [False, True])
def test_lateral_trunk_lean_toward_the_subjects_right_positive(mirror: bool) -> None:
    shift = 100.0 * math.tan(math.radians(10.0))
    frame = FRONT | {
        "right_shoulder": (90.0 - shift, 100.0),
        "left_shoulder": (210.0 - shift, 100.0),
    }
    values = frontal(mirror_x(frame, 300.0) if mirror else frame)
    assert values["trunk_lateral_lean"] == pytest.approx(10.0)


def test_left_rows_are_the_right_rows_mirrored() -> None:
    left = [row for row in DEFINITIONS if row.side == "left"]
    assert left == [mirror_definition(row) for row in RIGHT_DEFINITIONS]
    for row in RIGHT_DEFINITIONS:
        assert mirror_definition(mirror_definition(row)) == row
        mirrored = mirror_definition(row)
        assert mirrored.channel == "left_" + row.name
        assert mirrored.sign == row.sign and mirrored.zero == row.zero
        own = [p for p in mirrored.points if p.startswith("left_")]
        assert len(own) >= len(mirrored.points) - 1  # pelvic drop also uses the other hip


def test_rows_are_typed_data() -> None:
    knee = next(row for row in DEFINITIONS if row.channel == "right_knee_flexion")
    assert knee.segment == Segment("right_hip", "right_knee")
    assert knee.reference == Segment("right_knee", "right_ankle")
    assert knee.points == ("right_hip", "right_knee", "right_ankle")
    ankle = next(row for row in DEFINITIONS if row.channel == "left_ankle_dorsiflexion")
    assert ankle.zero == 90.0


def test_mirrored_track_gives_the_same_angles_with_sides_swapped() -> None:
    frame = sitting(70.0, 60.0) | {"left_knee": polar((100.0, 200.0), 100.0, -60.0)}
    original = sagittal(frame)
    swapped = {
        (k.replace("right_", "LEFT_").replace("left_", "right_").replace("LEFT_", "left_")): v
        for k, v in mirror_x(frame).items()
    }
    mirrored = sagittal(swapped)
    for name, value in original.items():
        other = name.replace("right_", "L_").replace("left_", "right_").replace("L_", "left_")
        assert mirrored[other] == pytest.approx(value)


def test_low_scores_and_lost_frames_are_invalid() -> None:
    track = make_track([STANDING, STANDING, STANDING])
    track.score[1, INDEX["right_knee"]] = 0.1
    track.lost[2] = True
    series = compute_angles(track, view="sagittal", min_score=0.3)
    assert series.valid["right_knee_flexion"].tolist() == [True, False, False]
    assert series.valid["right_hip_flexion"].tolist() == [True, False, False]
    assert series.valid["left_knee_flexion"].tolist() == [True, True, False]
    assert series.valid["trunk_lean"].tolist() == [True, True, False]
    assert np.isnan(series.channel("right_knee_flexion")[1])
    assert series.units["right_knee_flexion"] == "deg"
    assert series.units["right_knee_flexion_velocity"] == "deg/s"


def test_filled_keypoints_give_filled_not_valid_angles() -> None:
    track = make_track([STANDING, STANDING])
    track.score[1, INDEX["right_knee"]] = 0.0
    filled = np.zeros((2, len(KEYPOINTS)), dtype=bool)
    filled[1, INDEX["right_knee"]] = True
    series = compute_angles(track, view="sagittal", filled=filled)
    assert series.valid["right_knee_flexion"].tolist() == [True, False]
    assert series.filled["right_knee_flexion"].tolist() == [False, True]
    assert series.channel("right_knee_flexion", include_filled=True)[1] == pytest.approx(0.0)


def test_knee_through_straight_does_not_fold_or_wrap() -> None:
    # Inner angle 170° → 190°: flexion 10 → -10 (hyperextension), no fold back to +10.
    frames = []
    for flexion in np.linspace(10.0, -10.0, 9):
        ankle = polar((100.0, 300.0), 100.0, -90.0 - flexion)
        frames.append(STANDING | {"right_ankle": ankle})
    series = compute_angles(make_track(frames), view="sagittal", facing="right")
    np.testing.assert_allclose(series.channel("right_knee_flexion"), np.linspace(10, -10, 9))
    velocity = series.channel("right_knee_flexion_velocity")
    np.testing.assert_allclose(velocity, -2.5 * 30.0)


def test_trunk_turning_past_180_is_unwrapped() -> None:
    frames = []
    for lean in np.arange(150.0, 215.0, 5.0):  # a roll: the trunk turns upside down
        shoulder = polar((100.0, 200.0), 100.0, 90.0 - lean)
        frames.append(STANDING | {"left_shoulder": shoulder, "right_shoulder": shoulder})
    values = compute_angles(make_track(frames), view="sagittal", facing="right").channel(
        "trunk_lean"
    )
    np.testing.assert_allclose(np.diff(values), 5.0)
    assert -180.0 <= np.median(values) < 180.0


def test_unwrap_runs_branch_and_gaps() -> None:
    values = np.array([-170.0, 175.0, np.nan, 10.0, 20.0])
    out = unwrap_runs(values, np.isfinite(values))
    np.testing.assert_allclose(out[:2], [-170.0, -185.0])
    assert np.isnan(out[2])
    np.testing.assert_allclose(out[3:], [10.0, 20.0])
    np.testing.assert_allclose(unwrap_runs(np.array([350.0]), np.ones(1, bool), wrap=0.0), [350.0])


def test_view_must_be_known() -> None:
    with pytest.raises(InputError, match="view must be 'sagittal' or 'frontal'; got 'top'"):
        compute_angles(make_track([STANDING]), view="top")  # type: ignore[arg-type]
