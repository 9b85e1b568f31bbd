"""A request's bad options are structured errors: the field, the value, what is allowed.

No message names a CLI flag: each edge names the option in its own words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hiplab.errors import NOT_GIVEN, InputError
from hiplab.motion.analyze import AnalyzeRequest, check_request

SOURCE = Path("clip.mp4")  # never opened: the options are checked first


def _refusal(request: AnalyzeRequest, *, save: bool = False) -> InputError:
    with pytest.raises(InputError) as refused:
        check_request(request, save=save)
    assert "--" not in str(refused.value), str(refused.value)
    return refused.value


def test_an_exercise_belongs_to_a_hold_only() -> None:
    error = _refusal(AnalyzeRequest(source=SOURCE, task="squat", exercise="deep_squat_hold"))
    assert (error.field, error.value) == ("exercise", "deep_squat_hold")
    assert "not with task squat" in str(error)
    missing = _refusal(AnalyzeRequest(source=SOURCE, task="hold"))
    assert (missing.field, missing.value) == ("exercise", NOT_GIVEN)
    assert "hiplab library" in str(missing)


def test_a_frame_rate_must_be_positive() -> None:
    error = _refusal(AnalyzeRequest(source=SOURCE, task="squat", fps=-2.0))
    assert (error.field, error.value) == ("fps", -2.0)
    assert error.allowed == "a positive number of frames per second"


def test_saving_needs_a_task_that_measures_tests() -> None:
    error = _refusal(AnalyzeRequest(source=SOURCE, task="angles"), save=True)
    assert (error.field, error.value) == ("task", "angles")
    assert error.allowed is not None and "landing" in error.allowed


def test_a_model_file_must_exist(tmp_path: Path) -> None:
    error = _refusal(AnalyzeRequest(source=SOURCE, task="squat", model=tmp_path / "none.task"))
    assert (error.field, error.value) == ("model", str(tmp_path / "none.task"))
