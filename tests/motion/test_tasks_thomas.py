"""Thomas task: the hanging leg's thigh angle and knee flexion, and their reading."""

from __future__ import annotations

import numpy as np
import pytest

from hiplab.motion.tasks.gates import NotTheTaskError
from hiplab.motion.tasks.thomas import analyze_thomas
from hiplab.testing import synthetic

from .task_helpers import capture_input, task_input

ANGLE_DEG = 2.0  # synthetic: median over the still run vs the set angle


def hanging(thigh: float, knee: float, n: int = 90) -> dict[str, np.ndarray]:
    return {
        "right_hip_flexion": np.full(n, -thigh),
        "right_thigh_angle": np.full(n, thigh),
        "right_knee_flexion": np.full(n, knee),
        "left_hip_flexion": np.full(n, 125.0),
        "left_thigh_angle": np.full(n, 60.0),
        "left_knee_flexion": np.full(n, 130.0),
        "trunk_lean": np.full(n, -90.0),
    }


@pytest.mark.parametrize(
    ("thigh", "knee", "iliopsoas", "rectus"),
    [
        (-15.0, 95.0, "normal", "normal"),
        (12.0, 60.0, "short", "short"),
        (-2.0, 78.0, "borderline", "borderline"),
    ],
)
def test_analytic_hanging_leg_and_reading(
    thigh: float, knee: float, iliopsoas: str, rectus: str
) -> None:
    result = analyze_thomas(task_input(hanging(thigh, knee)))
    assert result.left is None
    assert result.right is not None
    assert result.right.thigh_angle_deg == pytest.approx(thigh)
    assert result.right.knee_flexion_deg == pytest.approx(knee)
    assert result.right.iliopsoas == iliopsoas
    assert result.right.rectus_femoris == rectus
    assert result.right.still
    assert "right thigh" in result.right.interpretation
    assert result.uncertainty["right.thigh_angle_deg"] == pytest.approx(3.0)


def test_no_hanging_leg_is_refused() -> None:
    channels = hanging(-10.0, 80.0)
    channels["right_hip_flexion"] = np.full(90, 120.0)
    with pytest.raises(NotTheTaskError, match="no leg hanging"):
        analyze_thomas(task_input(channels))


def test_standing_is_not_a_thomas_position() -> None:
    channels = hanging(-80.0, 5.0)
    channels["trunk_lean"] = np.full(90, 5.0)
    channels["right_thigh_angle"] = np.full(90, -30.0)
    with pytest.raises(NotTheTaskError, match="upright"):
        analyze_thomas(task_input(channels))


def test_a_leg_lying_straight_on_the_table_is_not_hanging() -> None:
    """The second leg lies flat (thigh and knee 0°): not measured as a hanging leg."""
    channels = hanging(-12.0, 85.0)
    channels |= {
        "left_hip_flexion": np.zeros(90),
        "left_thigh_angle": np.zeros(90),
        "left_knee_flexion": np.zeros(90),
    }
    result = analyze_thomas(task_input(channels))
    assert result.right is not None
    assert result.left is None
    assert "other_knee_not_held" in {w.code for w in result.warnings}


def test_front_view_cannot_measure_it() -> None:
    result = analyze_thomas(task_input(hanging(-10.0, 80.0), view="frontal"))
    assert result.right is None
    assert "not_measurable_in_view" in {w.code for w in result.warnings}


@pytest.mark.parametrize(
    ("side", "facing", "thigh", "knee"),
    [("right", "right", -10.0, 80.0), ("left", "left", 8.0, 60.0), ("left", "right", -20.0, 100.0)],
)
def test_synthetic_thomas_matches_truth(
    side: synthetic.Side, facing: synthetic.Facing, thigh: float, knee: float
) -> None:
    capture = synthetic.thomas_test(side=side, facing=facing, thigh_angle=thigh, knee_flexion=knee)
    result = analyze_thomas(capture_input(capture))
    leg = getattr(result, side)
    other = getattr(result, "left" if side == "right" else "right")
    assert other is None
    assert leg is not None
    assert leg.thigh_angle_deg == pytest.approx(thigh, abs=ANGLE_DEG)
    assert leg.knee_flexion_deg == pytest.approx(knee, abs=ANGLE_DEG)
    assert ("far_leg" in {w.code for w in result.warnings}) == (side != facing)
