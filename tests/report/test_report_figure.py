"""Geometry of pose_points and the pose SVG."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplab.library.models import Keyframe, LimbAngles, Pose
from hiplab.report.figure import (
    FAR_COLOUR,
    HEAD_RADIUS,
    NEAR_COLOUR,
    SEGMENT_LENGTH,
    pose_points,
    pose_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
THIGH = SEGMENT_LENGTH["thigh"]
SHANK = SEGMENT_LENGTH["shank"]


def close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return math.isclose(a[0], b[0], abs_tol=1e-9) and math.isclose(a[1], b[1], abs_tol=1e-9)


def both(**angles: float) -> Keyframe:
    return Keyframe(left=LimbAngles(**angles), right=LimbAngles(**angles))


def test_standing_sagittal_ankles_below_hips_on_the_floor() -> None:
    pts = pose_points(Keyframe(), "sagittal")
    for side in ("left", "right"):
        assert pts[f"{side}_ankle"][0] == pts[f"{side}_hip"][0]
        assert pts[f"{side}_ankle"][1] == 0.0
        assert math.isclose(pts[f"{side}_hip"][1], THIGH + SHANK)
        # neutral ankle: the foot is horizontal and points forward (+x)
        assert pts[f"{side}_toe"][1] == 0.0
        assert pts[f"{side}_toe"][0] > pts[f"{side}_ankle"][0]
    assert pts["neck"][0] == pts["pelvis"][0]
    assert pts["head"][1] > pts["neck"][1] > pts["pelvis"][1]


def test_standing_frontal_ankles_below_hips_and_mirrored() -> None:
    pts = pose_points(Keyframe(), "frontal")
    assert pts["left_hip"] == (-pts["right_hip"][0], pts["right_hip"][1])
    assert pts["left_wrist"] == (-pts["right_wrist"][0], pts["right_wrist"][1])
    for side in ("left", "right"):
        assert math.isclose(pts[f"{side}_ankle"][0], pts[f"{side}_hip"][0])
        assert pts[f"{side}_ankle"][1] == 0.0
    # the subject's right is on the viewer's left
    assert pts["right_hip"][0] < 0 < pts["left_hip"][0]


def test_trunk_90_puts_the_neck_level_with_the_pelvis_in_front() -> None:
    pts = pose_points(Keyframe(trunk_deg=90), "sagittal")
    assert math.isclose(pts["neck"][1], pts["pelvis"][1], abs_tol=1e-9)
    assert math.isclose(pts["neck"][0] - pts["pelvis"][0], SEGMENT_LENGTH["trunk"])


def test_trunk_minus_90_lies_on_the_back_with_the_head_behind() -> None:
    pts = pose_points(Keyframe(trunk_deg=-90), "sagittal")
    assert pts["neck"][0] < pts["pelvis"][0]
    assert math.isclose(pts["neck"][1], pts["pelvis"][1], abs_tol=1e-9)
    # legs at neutral point the other way, forward along +x
    assert pts["left_knee"][0] > pts["pelvis"][0]


def test_hip_flexion_90_puts_the_knee_at_hip_height_in_front() -> None:
    pts = pose_points(both(hip_flexion=90), "sagittal")
    hip, knee = pts["left_hip"], pts["left_knee"]
    assert close(knee, (hip[0] + THIGH, hip[1]))


def test_knee_flexion_90_points_the_shank_backward() -> None:
    pts = pose_points(Keyframe(left=LimbAngles(knee_flexion=90)), "sagittal")
    knee, ankle = pts["left_knee"], pts["left_ankle"]
    assert close(ankle, (knee[0] - SHANK, knee[1]))


def test_dorsiflexion_lifts_the_toes() -> None:
    pts = pose_points(both(ankle_dorsiflexion=20), "sagittal")
    assert pts["left_toe"][1] > pts["left_ankle"][1]
    plantar = pose_points(both(ankle_dorsiflexion=-30), "sagittal")
    assert plantar["left_toe"][1] < plantar["left_ankle"][1]


def test_arm_formulas() -> None:
    up = pose_points(both(shoulder_flexion=180), "sagittal")
    assert up["left_wrist"][1] > up["neck"][1]
    assert math.isclose(up["left_wrist"][0], up["neck"][0], abs_tol=1e-9)
    bent = pose_points(both(elbow_flexion=90), "sagittal")
    elbow, wrist = bent["left_elbow"], bent["left_wrist"]
    assert close(wrist, (elbow[0] + SEGMENT_LENGTH["forearm"], elbow[1]))


def test_frontal_abduction_swings_thighs_away_from_the_midline() -> None:
    pts = pose_points(both(hip_abduction=30), "frontal")
    assert pts["left_knee"][0] > pts["left_hip"][0]
    assert pts["right_knee"][0] < pts["right_hip"][0]
    # straight knee: the shank continues along the thigh
    thigh = (pts["left_knee"][0] - pts["left_hip"][0], pts["left_knee"][1] - pts["left_hip"][1])
    shank = (pts["left_ankle"][0] - pts["left_knee"][0], pts["left_ankle"][1] - pts["left_knee"][1])
    assert math.isclose(thigh[0] * shank[1] - thigh[1] * shank[0], 0.0, abs_tol=1e-9)


def test_frontal_knee_flexion_shows_as_a_bend() -> None:
    pts = pose_points(both(hip_abduction=30, knee_flexion=45), "frontal")
    # thigh goes out, the half-bent knee hangs the shank straight down
    assert pts["left_knee"][0] > pts["left_hip"][0]
    assert math.isclose(pts["left_ankle"][0], pts["left_knee"][0], abs_tol=1e-9)
    clam = pose_points(both(hip_abduction=25, hip_flexion=45, knee_flexion=90), "frontal")
    # knee bent 90: the shank comes back to the midline, feet under the hips
    assert clam["left_knee"][0] > clam["left_hip"][0]
    assert math.isclose(clam["left_ankle"][0], clam["left_hip"][0], abs_tol=1e-9)


def test_frontal_trunk_lean_shortens_the_trunk_without_tilting_it() -> None:
    upright = pose_points(Keyframe(), "frontal")
    leaning = pose_points(Keyframe(trunk_deg=60), "frontal")
    assert leaning["neck"][0] == upright["neck"][0] == 0.0
    trunk_up = upright["neck"][1] - upright["pelvis"][1]
    trunk_lean = leaning["neck"][1] - leaning["pelvis"][1]
    assert math.isclose(trunk_lean, trunk_up * 0.5, abs_tol=1e-9)


def test_frontal_arms_forward_are_foreshortened_and_overhead_is_up() -> None:
    forward = pose_points(both(shoulder_flexion=90), "frontal")
    shoulder, elbow = forward["left_shoulder"], forward["left_elbow"]
    assert math.dist(shoulder, elbow) < SEGMENT_LENGTH["upper_arm"] * 0.5
    overhead = pose_points(both(shoulder_flexion=180), "frontal")
    assert overhead["left_wrist"][1] > overhead["head"][1]
    assert overhead["left_wrist"][0] > overhead["left_shoulder"][0] > 0


def test_one_sided_abduction_moves_only_that_leg() -> None:
    pts = pose_points(Keyframe(left=LimbAngles(hip_abduction=40)), "frontal")
    assert math.isclose(pts["right_ankle"][0], pts["right_hip"][0])
    assert pts["left_ankle"][0] > pts["left_hip"][0]


limb_angles = st.builds(
    LimbAngles,
    hip_flexion=st.floats(-40, 160),
    knee_flexion=st.floats(0, 160),
    ankle_dorsiflexion=st.floats(-60, 45),
    hip_abduction=st.floats(-40, 90),
    shoulder_flexion=st.floats(-60, 180),
    elbow_flexion=st.floats(0, 160),
)
keyframes = st.builds(Keyframe, trunk_deg=st.floats(-180, 180), left=limb_angles, right=limb_angles)


@settings(max_examples=150, deadline=None)
@given(limbs=limb_angles, trunk=st.floats(-180, 180))
def test_frontal_view_mirrors_left_and_right(limbs: LimbAngles, trunk: float) -> None:
    pts = pose_points(Keyframe(trunk_deg=trunk, left=limbs, right=limbs), "frontal")
    for joint in ("hip", "knee", "ankle", "toe", "shoulder", "elbow", "wrist"):
        left, right = pts[f"left_{joint}"], pts[f"right_{joint}"]
        assert math.isclose(left[0], -right[0], abs_tol=1e-6)
        assert math.isclose(left[1], right[1], abs_tol=1e-6)


@settings(max_examples=150, deadline=None)
@given(frame=keyframes, view=st.sampled_from(["sagittal", "frontal"]))
def test_lowest_point_rests_on_the_floor(frame: Keyframe, view: str) -> None:
    pts = pose_points(frame, view)  # type: ignore[arg-type]
    lowest = min(min(y for _, y in pts.values()), pts["head"][1] - HEAD_RADIUS)
    assert math.isclose(lowest, 0.0, abs_tol=1e-6)


@settings(max_examples=150, deadline=None)
@given(frame=keyframes)
def test_sagittal_segments_keep_their_length(frame: Keyframe) -> None:
    pts = pose_points(frame, "sagittal")
    for segment, start, end in (("thigh", "hip", "knee"), ("shank", "knee", "ankle")):
        for side in ("left", "right"):
            length = math.dist(pts[f"{side}_{start}"], pts[f"{side}_{end}"])
            assert math.isclose(length, SEGMENT_LENGTH[segment], abs_tol=1e-6)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


@pytest.mark.parametrize("view", ["sagittal", "frontal"])
def test_svg_is_well_formed_with_ten_limb_lines(view: str) -> None:
    pose = Pose(view=view, keyframes=(both(hip_flexion=30, knee_flexion=40),))
    root = parse(pose_svg(pose))
    limbs = [el for el in root.iter(f"{SVG}line") if "limb" in el.get("class", "").split()]
    assert len(limbs) == 10
    near = [el for el in limbs if "near" in el.get("class", "").split()]
    assert len(near) == 5
    assert {el.get("stroke") for el in near} == {NEAR_COLOUR}
    assert {el.get("stroke") for el in limbs if el not in near} == {FAR_COLOUR}
    assert len(list(root.iter(f"{SVG}circle"))) == 1
    assert root.get("role") == "img"


def test_svg_fits_the_canvas_and_stands_on_the_floor_line() -> None:
    pose = Pose(
        keyframes=(Keyframe(trunk_deg=90, left=LimbAngles(hip_flexion=90, knee_flexion=90)),)
    )
    root = parse(pose_svg(pose, width=200, height=150))
    floor = next(el for el in root.iter(f"{SVG}line") if el.get("class") == "floor")
    floor_y = float(floor.get("y1", "nan"))
    ys = [float(el.get(a, "nan")) for el in root.iter(f"{SVG}line") for a in ("y1", "y2")]
    xs = [float(el.get(a, "nan")) for el in root.iter(f"{SVG}line") for a in ("x1", "x2")]
    assert max(ys) == pytest.approx(floor_y)
    assert min(xs) >= 0 and max(xs) <= 200
    assert min(ys) >= 0


def test_svg_title_is_escaped_and_accessible() -> None:
    pose = Pose(keyframes=(Keyframe(label="hold"),))
    root = parse(pose_svg(pose, title='Pigeon <script>alert("x")</script> & co'))
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'Pigeon <script>alert("x")</script> & co'
    assert root.get("aria-label") == title.text
    default = parse(pose_svg(pose)).find(f"{SVG}title")
    assert default is not None and "hold" in (default.text or "")


def test_svg_is_deterministic_and_picks_the_keyframe() -> None:
    pose = Pose(keyframes=(Keyframe(label="a"), Keyframe(label="b", trunk_deg=45)))
    assert pose_svg(pose, keyframe=1) == pose_svg(pose, keyframe=1)
    assert pose_svg(pose, keyframe=0) != pose_svg(pose, keyframe=1)
    with pytest.raises(ValueError, match="keyframe must be between 0 and 1"):
        pose_svg(pose, keyframe=2)
