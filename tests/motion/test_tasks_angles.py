"""Angles task and the task registry."""

from __future__ import annotations

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion.tasks import TASKS, TaskOptions, get_task
from hiplab.motion.tasks.angles_task import analyze_angles

from .task_helpers import task_input


def test_ranges_of_each_angle() -> None:
    knee = np.array([0.0, 30.0, 90.0, 30.0, np.nan])
    result = analyze_angles(task_input({"right_knee_flexion": knee, "trunk_lean": np.zeros(5)}))
    r = result.angles["right_knee_flexion"]
    assert (r.min_deg, r.max_deg, r.range_deg, r.min_frame, r.max_frame) == (0.0, 90.0, 90.0, 0, 2)
    assert r.mean_deg == pytest.approx(37.5)
    assert r.measured_fraction == pytest.approx(0.8)
    assert r.uncertainty_deg == pytest.approx(3.0)
    assert set(result.angles) == {"right_knee_flexion", "trunk_lean"}


def test_a_channel_never_measured_is_flagged() -> None:
    result = analyze_angles(task_input({"left_knee_flexion": np.full(4, np.nan)}))
    assert result.angles["left_knee_flexion"].max_deg is None
    assert "never_measured" in {w.code for w in result.warnings}


def test_registry_names_and_errors() -> None:
    assert set(TASKS) == {"squat", "landing", "thomas", "hold", "angles"}
    assert get_task("landing").landing
    assert get_task("hold").needs_exercise
    with pytest.raises(InputError, match="task 'jump' is not a task; allowed: squat, landing"):
        get_task("jump")
    with pytest.raises(InputError, match="exercise is needed by the hold task"):
        get_task("hold").measure(task_input({"trunk_lean": np.zeros(3)}), TaskOptions())
