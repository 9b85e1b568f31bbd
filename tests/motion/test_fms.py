"""FMS deep squat from a side view: the filmed criteria and the best score they allow."""

from __future__ import annotations

import pytest

from hiplab.motion.measured_tests import measured_tests
from hiplab.motion.tasks.fms import (
    TORSO_TIBIA_TOLERANCE_DEG,
    FmsRepCriteria,
    best_possible_score,
    fms_deep_squat,
    rep_criteria,
)
from hiplab.motion.tasks.squat import analyze_squat
from hiplab.motion.verdicts import Verdict
from hiplab.testing import synthetic
from tests.motion.task_helpers import capture_input


@pytest.mark.parametrize(
    ("femur", "torso", "heels_down", "score"),
    [
        (True, True, True, 3),
        (True, True, False, 2),
        (False, True, True, 2),
        (True, False, True, 2),
        (False, True, False, 1),
        (True, False, False, 1),
        (None, None, None, 3),  # nothing filmed: nothing caps it
    ],
)
def test_best_possible_score_table(
    femur: bool | None, torso: bool | None, heels_down: bool | None, score: int
) -> None:
    criteria = FmsRepCriteria(
        femur_below_horizontal=femur, torso_parallel_to_tibia=torso, heels_down=heels_down
    )
    assert best_possible_score(criteria) == score


def test_rep_criteria_thresholds() -> None:
    ok = rep_criteria(
        thigh_at_bottom=5.0, trunk_at_bottom=40.0, ankle_at_bottom=35.0, heel_rises=False
    )
    assert (ok.femur_below_horizontal, ok.torso_parallel_to_tibia, ok.heels_down) == (
        True,
        True,
        True,
    )
    lean = 35.0 + TORSO_TIBIA_TOLERANCE_DEG + 0.1
    bad = rep_criteria(
        thigh_at_bottom=0.0, trunk_at_bottom=lean, ankle_at_bottom=35.0, heel_rises=True
    )
    assert (bad.femur_below_horizontal, bad.torso_parallel_to_tibia, bad.heels_down) == (
        False,
        False,
        False,
    )
    unknown = rep_criteria(
        thigh_at_bottom=None, trunk_at_bottom=30.0, ankle_at_bottom=None, heel_rises=None
    )
    assert unknown.model_dump() == {
        "femur_below_horizontal": None,
        "torso_parallel_to_tibia": None,
        "heels_down": None,
    }


def test_best_rep_is_the_one_allowing_most() -> None:
    reps = [
        FmsRepCriteria(femur_below_horizontal=False, torso_parallel_to_tibia=True, heels_down=True),
        FmsRepCriteria(femur_below_horizontal=True, torso_parallel_to_tibia=True, heels_down=True),
    ]
    found = fms_deep_squat(reps)
    assert found is not None
    assert (found.best_rep, found.best_possible_score) == (2, 3)
    assert fms_deep_squat([]) is None


def test_deep_upright_squat_allows_3_and_is_not_stored() -> None:
    result = analyze_squat(
        capture_input(synthetic.squat(peak_knee=140.0, peak_ankle=35.0, peak_trunk=35.0))
    )
    fms = result.summary.fms_deep_squat
    assert fms is not None
    assert fms.best_possible_score == 3
    assert fms.criteria.femur_below_horizontal is True
    tests, _, left_out = measured_tests(result)
    assert tests is None
    assert any("cannot confirm a 3" in note for note in left_out)


def test_shallow_squat_caps_the_score_and_is_stored_as_a_measured_test() -> None:
    result = analyze_squat(capture_input(synthetic.squat(peak_knee=70.0, peak_trunk=25.0)))
    fms = result.summary.fms_deep_squat
    assert fms is not None
    assert fms.criteria.femur_below_horizontal is False
    assert fms.best_possible_score == 2
    tests, kept, _ = measured_tests(result, {}, Verdict(level="reliable"))
    assert tests is not None
    assert tests.deep_squat_fms == 2
    assert [(m.test, m.unit, m.verdict.level) for m in kept] == [
        ("deep_squat_fms", "points", "reliable")
    ]


def test_a_rough_analysis_stores_no_fms_score() -> None:
    result = analyze_squat(capture_input(synthetic.squat(peak_knee=70.0, peak_trunk=25.0)))
    rough = Verdict(level="rough", reason="the camera is 30° off a side view")
    tests, kept, left_out = measured_tests(result, {}, rough)
    assert tests is None and kept == []
    assert left_out == [
        "deep squat score (FMS): rough — the camera is 30° off a side view "
        "(only reliable measurements are stored)"
    ]


def test_front_view_gives_no_fms_criteria() -> None:
    result = analyze_squat(capture_input(synthetic.frontal_squat()))
    assert result.summary.fms_deep_squat is None
