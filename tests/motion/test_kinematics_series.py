"""The TimeSeries extensions the kinematics stage relies on: filled masks and uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from hiplab.motion.series import TimeSeries


def series() -> TimeSeries:
    return TimeSeries(time=np.arange(4) / 10.0, fps=10.0)


def test_filled_samples_are_kept_apart_from_valid_ones() -> None:
    values = np.array([1.0, 2.0, 3.0, np.nan])
    filled = np.array([False, True, False, False])
    s = series().with_channel("knee", values, "deg", np.isfinite(values), filled=filled)
    assert s.valid["knee"].tolist() == [True, False, True, False]
    assert s.filled["knee"].tolist() == filled.tolist()
    np.testing.assert_array_equal(s.channel("knee"), [1.0, np.nan, 3.0, np.nan])
    np.testing.assert_array_equal(s.channel("knee", include_filled=True), [1.0, 2.0, 3.0, np.nan])
    assert s.usable("knee", include_filled=True).tolist() == [True, True, True, False]


def test_replacing_a_channel_without_filled_drops_its_old_mask() -> None:
    s = series().with_channel("a", np.ones(4), "deg", filled=np.ones(4, bool))
    s = s.with_channel("a", np.ones(4), "deg")
    assert "a" not in s.filled
    assert s.valid["a"].all()


def test_channel_without_mask_is_returned_as_is() -> None:
    s = TimeSeries(time=np.arange(2.0), data={"x": np.array([1.0, np.nan])}, units={"x": "px"})
    np.testing.assert_array_equal(s.channel("x"), [1.0, np.nan])


def test_uncertainty_per_channel() -> None:
    s = series().with_channel("knee", np.zeros(4), "deg").with_uncertainty("knee", 3.2)
    assert s.uncertainty == {"knee": 3.2}
    with pytest.raises(KeyError, match="'hip' does not exist"):
        s.with_uncertainty("hip", 1.0)


def test_methods_return_copies() -> None:
    base = series()
    changed = base.with_channel("a", np.zeros(4), "deg", filled=np.zeros(4, bool))
    assert base.data == {} and base.filled == {}
    assert "a" in changed.data
