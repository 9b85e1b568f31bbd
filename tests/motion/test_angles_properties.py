"""Hypothesis properties of the angle functions: rotation, scale and mirror symmetry."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hiplab.motion.angles import (
    angle_channels,
    compute_angles,
    elevation,
    joint_angle,
    signed_angle,
)
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack

COORD = st.floats(-1000, 1000, allow_nan=False)
VECTOR = arrays(np.float64, (2,), elements=COORD)
ANGLE = st.floats(-360.0, 360.0)
SCALE = st.floats(0.05, 20.0)
JOINT_ANGLES = ("hip_flexion", "knee_flexion", "ankle_dorsiflexion")
TOLERANCE_DEG = 1e-6


def rotate(v: np.ndarray, angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], axis=-1)


def same_angle(a: float, b: float, tol: float = TOLERANCE_DEG) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs((a - b + 180.0) % 360.0 - 180.0) <= tol


def long_enough(*vectors: np.ndarray) -> bool:
    return all(float(np.hypot(*v)) > 1.0 for v in vectors)


@given(a=VECTOR, b=VECTOR, angle=ANGLE, sa=SCALE, sb=SCALE)
def test_signed_angle_is_rotation_and_scale_invariant(
    a: np.ndarray, b: np.ndarray, angle: float, sa: float, sb: float
) -> None:
    assume(long_enough(a, b))
    before = float(signed_angle(a, b))
    after = float(signed_angle(sa * rotate(a, angle), sb * rotate(b, angle)))
    assert same_angle(before, after, 1e-6)


@given(a=VECTOR, b=VECTOR)
def test_signed_angle_flips_in_a_mirror_and_when_swapped(a: np.ndarray, b: np.ndarray) -> None:
    assume(long_enough(a, b))
    mirror = np.array([-1.0, 1.0])
    forward = float(signed_angle(a, b))
    assert same_angle(float(signed_angle(a * mirror, b * mirror)), -forward)
    assert same_angle(float(signed_angle(b, a)), -forward)


@given(p=VECTOR, j=VECTOR, d=VECTOR, angle=ANGLE, scale=SCALE, shift=VECTOR)
def test_joint_angle_is_invariant_to_rotation_scale_shift_and_mirror(
    p: np.ndarray, j: np.ndarray, d: np.ndarray, angle: float, scale: float, shift: np.ndarray
) -> None:
    assume(long_enough(p - j, d - j))
    before = float(joint_angle(p, j, d))
    moved = [scale * rotate(x, angle) + shift for x in (p, j, d)]
    assert math.isclose(float(joint_angle(*moved)), before, abs_tol=1e-6)
    mirror = np.array([-1.0, 1.0])
    assert math.isclose(
        float(joint_angle(p * mirror, j * mirror, d * mirror)), before, abs_tol=1e-9
    )
    assert 0.0 <= before <= 180.0


@given(v=VECTOR, scale=SCALE)
def test_elevation_ignores_mirror_and_scale(v: np.ndarray, scale: float) -> None:
    assume(long_enough(v))
    value = float(elevation(v))
    assert -90.0 <= value <= 90.0
    assert math.isclose(float(elevation(v * np.array([-1.0, 1.0]))), value, abs_tol=1e-9)
    assert math.isclose(float(elevation(scale * v)), value, abs_tol=1e-6)


# --- whole tracks of random figures --------------------------------------------------------

BASE: dict[str, tuple[float, float]] = {
    "nose": (215.0, 40.0),
    "shoulder": (200.0, 60.0),
    "elbow": (205.0, 130.0),
    "wrist": (225.0, 190.0),
    "hip": (200.0, 180.0),
    "knee": (200.0, 270.0),
    "ankle": (200.0, 360.0),
    "heel": (185.0, 375.0),
    "foot_index": (245.0, 375.0),
}


def base_figure() -> np.ndarray:
    """A person standing side-on facing image right, near side shifted 20 px forward."""
    xy = np.zeros((len(KEYPOINTS), 2))
    for name, i in INDEX.items():
        part = name.removeprefix("left_").removeprefix("right_")
        x, y = BASE[part]
        xy[i] = (x + (20.0 if name.startswith("right_") else 0.0), y)
    return xy


FIGURE = arrays(np.float64, (2, len(KEYPOINTS), 2), elements=st.floats(-40.0, 40.0)).map(
    lambda jitter: base_figure()[None] + jitter
)


def figure_track(xy: np.ndarray) -> KeypointTrack:
    n = xy.shape[0]
    return KeypointTrack(
        fps=30.0,
        width=400,
        height=400,
        xy=xy,
        score=np.full((n, len(KEYPOINTS)), 0.9),
        lost=np.zeros(n, dtype=bool),
    )


def well_posed(xy: np.ndarray) -> bool:
    """Segments at least 5 px long and clear toe/shank and hip-line signs in every frame."""
    p = {name: xy[:, i] for name, i in INDEX.items()}
    pairs = [
        (f"{s}_{a}", f"{s}_{b}")
        for s in ("left", "right")
        for a, b in (
            ("shoulder", "hip"),
            ("hip", "knee"),
            ("knee", "ankle"),
            ("heel", "foot_index"),
        )
    ] + [("left_hip", "right_hip")]
    if any(np.linalg.norm(p[a] - p[b], axis=1).min() < 5.0 for a, b in pairs):
        return False
    cross = []
    for s in ("left", "right"):
        toe = p[f"{s}_foot_index"] - p[f"{s}_heel"]
        shank = p[f"{s}_knee"] - p[f"{s}_ankle"]
        cross.append(toe[:, 0] * shank[:, 1] - toe[:, 1] * shank[:, 0])
    votes = np.sign(np.concatenate(cross))
    return abs(float(votes.sum())) > 0 and np.abs(np.concatenate(cross)).min() > 25.0


def swap_sides(xy: np.ndarray) -> np.ndarray:
    order = []
    for name in KEYPOINTS:
        if name.startswith("left_"):
            order.append(INDEX["right_" + name[5:]])
        elif name.startswith("right_"):
            order.append(INDEX["left_" + name[6:]])
        else:
            order.append(INDEX[name])
    return xy[:, order]


def other_side(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


@settings(max_examples=60, deadline=None)
@given(xy=FIGURE, angle=ANGLE, scale=st.floats(0.2, 5.0))
def test_joint_angles_of_a_track_ignore_rotation_and_scale(
    xy: np.ndarray, angle: float, scale: float
) -> None:
    assume(well_posed(xy))
    before = compute_angles(figure_track(xy), view="sagittal")
    moved = scale * rotate(xy - 200.0, angle) + 200.0
    after = compute_angles(figure_track(moved), view="sagittal")
    for side in ("left", "right"):
        for name in JOINT_ANGLES:
            channel = f"{side}_{name}"
            for a, b in zip(before.channel(channel), after.channel(channel), strict=True):
                assert same_angle(float(a), float(b), 1e-5), channel


@settings(max_examples=60, deadline=None)
@given(xy=FIGURE, view=st.sampled_from(["sagittal", "frontal"]))
def test_a_mirrored_track_gives_the_same_angles_with_sides_swapped(
    xy: np.ndarray, view: str
) -> None:
    assume(well_posed(xy))
    mirrored = swap_sides(xy * np.array([-1.0, 1.0]) + np.array([400.0, 0.0]))
    before = compute_angles(figure_track(xy), view=view)  # type: ignore[arg-type]
    after = compute_angles(figure_track(mirrored), view=view)  # type: ignore[arg-type]
    for channel in angle_channels(view):  # type: ignore[arg-type]
        # A lean toward the subject's right becomes a lean toward their left in the mirror.
        expected = (
            -before.channel(channel) if channel == "trunk_lateral_lean" else before.channel(channel)
        )
        actual = after.channel(other_side(channel))
        np.testing.assert_allclose(actual, expected, atol=1e-6, err_msg=channel)
