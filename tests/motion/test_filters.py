"""Gap filling, zero-lag low-pass, angular velocity and the filter registry."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiplab.errors import InputError
from hiplab.motion import filters
from hiplab.motion.filters import (
    FILTERS,
    ButterworthFilter,
    MedianFilter,
    NoFilter,
    angular_velocity,
    butterworth,
    default_cutoff,
    fill_gaps,
    make_filter,
    moving_median,
    runs,
)

NAN = np.nan


def test_docstring_examples_run() -> None:
    assert doctest.testmod(filters, raise_on_error=True).attempted > 0


def test_runs_finds_true_runs() -> None:
    assert runs(np.array([False, True, True, False, True])) == [(1, 3), (4, 5)]
    assert runs(np.array([], dtype=bool)) == []
    assert runs(np.ones(3, dtype=bool)) == [(0, 3)]


def test_linear_fill_is_exact_on_a_line_and_marks_filled() -> None:
    values = np.array([0.0, 2.0, NAN, NAN, 8.0, 10.0])
    result = fill_gaps(values, np.isfinite(values), max_gap=2)
    np.testing.assert_allclose(result.values, [0, 2, 4, 6, 8, 10])
    assert result.filled.tolist() == [False, False, True, True, False, False]
    assert result.open_gaps == ()


def test_gaps_longer_than_max_gap_stay_nan_and_are_reported() -> None:
    values = np.array([0.0, NAN, NAN, NAN, 4.0, NAN, 6.0])
    result = fill_gaps(values, np.isfinite(values), max_gap=2)
    assert np.isnan(result.values[1:4]).all()
    assert result.values[5] == pytest.approx(5.0)
    assert result.filled.tolist() == [False, False, False, False, False, True, False]
    assert [(g.start, g.stop) for g in result.open_gaps] == [(1, 4)]


def test_gaps_at_the_ends_are_never_extrapolated() -> None:
    values = np.array([NAN, 1.0, 2.0, NAN])
    result = fill_gaps(values, np.isfinite(values), max_gap=5)
    assert np.isnan(result.values[[0, 3]]).all()
    assert not result.filled.any()
    assert len(result.open_gaps) == 2


def test_max_gap_zero_fills_nothing_and_negative_is_refused() -> None:
    values = np.array([0.0, NAN, 2.0])
    assert not fill_gaps(values, np.isfinite(values), max_gap=0).filled.any()
    with pytest.raises(InputError, match="max_gap"):
        fill_gaps(values, np.isfinite(values), max_gap=-1)


def test_unusable_samples_are_ignored_even_if_finite() -> None:
    values = np.array([0.0, 99.0, 2.0])
    result = fill_gaps(values, np.array([True, False, True]), max_gap=1)
    assert result.values[1] == pytest.approx(1.0)


def test_cubic_fill_is_exact_on_a_cubic() -> None:
    t = np.arange(12, dtype=float)
    values = 0.1 * t**3 - t**2 + 3 * t
    usable = np.ones(12, dtype=bool)
    usable[5:7] = False
    result = fill_gaps(values, usable, max_gap=2, method="cubic")
    np.testing.assert_allclose(result.values, values, atol=1e-9)


def test_keypoint_arrays_fill_x_and_y_together() -> None:
    xy = np.zeros((5, 2, 2))
    xy[:, 0, 0] = np.arange(5)
    xy[:, 0, 1] = 10 * np.arange(5)
    usable = np.ones((5, 2), dtype=bool)
    usable[2, 0] = False
    xy[2, 0] = NAN
    result = fill_gaps(xy, usable, max_gap=1)
    np.testing.assert_allclose(result.values[2, 0], [2.0, 20.0])
    assert result.filled.shape == (5, 2)
    assert result.filled[2, 0] and not result.filled[2, 1]


def test_mask_shape_must_prefix_values_shape() -> None:
    with pytest.raises(ValueError, match="prefix"):
        fill_gaps(np.zeros((4, 2)), np.ones(3, dtype=bool), max_gap=1)


def test_default_cutoff_by_fps() -> None:
    assert default_cutoff(30.0) == 6.0
    assert default_cutoff(60.0) == 6.0
    assert default_cutoff(120.0) == 12.0
    assert default_cutoff(240.0) == 12.0
    assert default_cutoff(10.0) == pytest.approx(3.0)


def test_filtfilt_has_zero_lag_the_peak_stays_on_its_frame() -> None:
    fps = 30.0
    t = np.arange(90) / fps
    signal = np.sin(2 * np.pi * 1.0 * t)  # peaks at t = 0.25 s + k
    noisy = signal + np.random.default_rng(1).normal(0, 0.05, t.size)
    smooth = butterworth(noisy, np.ones(t.size, dtype=bool), fps=fps, cutoff_hz=6.0).values
    for peak in (np.argmax(signal[:30]), 30 + np.argmax(signal[30:60])):
        window = slice(peak - 4, peak + 5)
        assert peak - 4 + int(np.argmax(smooth[window])) == peak


def test_cutoff_is_corrected_for_the_double_pass() -> None:
    fps, cutoff = 100.0, 6.0
    t = np.arange(2000) / fps
    result = butterworth(
        np.sin(2 * np.pi * cutoff * t), np.ones(t.size, bool), fps=fps, cutoff_hz=cutoff
    )
    middle = result.values[500:1500]
    assert np.max(np.abs(middle)) == pytest.approx(1 / np.sqrt(2), abs=0.02)


def test_low_frequencies_pass_and_noise_is_reduced() -> None:
    fps = 60.0
    t = np.arange(600) / fps
    slow = np.sin(2 * np.pi * 0.5 * t)
    noisy = slow + np.random.default_rng(2).normal(0, 1.0, t.size)
    smooth = butterworth(noisy, np.ones(t.size, bool), fps=fps).values
    assert np.std(smooth - slow) < 0.5 * np.std(noisy - slow)


def test_filter_runs_per_segment_and_reports_short_ones() -> None:
    values = np.concatenate([np.ones(20), [NAN], np.ones(5) * 3, [NAN], np.ones(30)])
    result = butterworth(values, np.isfinite(values), fps=30.0)
    assert np.isnan(result.values[[20, 26]]).all()
    np.testing.assert_allclose(result.values[21:26], 3.0)  # left as it is
    assert [(s.start, s.stop) for s in result.unfiltered] == [(21, 26)]
    np.testing.assert_allclose(result.values[:20], 1.0, atol=1e-9)  # no bleed across the gap


def test_cutoff_above_nyquist_is_refused_with_the_limit() -> None:
    with pytest.raises(InputError, match="cutoff_hz must be > 0 and < "):
        butterworth(np.zeros(50), np.ones(50, bool), fps=30.0, cutoff_hz=20.0)
    with pytest.raises(InputError, match="cutoff_hz"):
        butterworth(np.zeros(50), np.ones(50, bool), fps=30.0, cutoff_hz=0.0)


def test_angular_velocity_in_units_per_second() -> None:
    t = np.arange(6) / 50.0
    angle = 10.0 + 100.0 * t  # 100 deg/s
    velocity, ok = angular_velocity(angle, np.ones(6, bool), t)
    np.testing.assert_allclose(velocity, 100.0)
    assert ok.all()


def test_angular_velocity_does_not_cross_gaps_and_needs_two_samples() -> None:
    t = np.arange(6) / 10.0
    angle = np.array([0.0, 1.0, NAN, 5.0, NAN, 0.0])
    velocity, ok = angular_velocity(angle, np.isfinite(angle), t)
    np.testing.assert_allclose(velocity[:2], 10.0)
    assert np.isnan(velocity[2:]).all()
    assert ok.tolist() == [True, True, False, False, False, False]


def test_moving_median_removes_a_spike_without_crossing_gaps() -> None:
    values = np.array([1.0, 1.0, 50.0, 1.0, 1.0, NAN, 7.0])
    result = moving_median(values, np.isfinite(values), window=3)
    np.testing.assert_allclose(result.values[:5], 1.0)
    assert np.isnan(result.values[5])
    assert result.values[6] == 7.0
    with pytest.raises(InputError, match="window"):
        moving_median(values, np.isfinite(values), window=4)


def test_registry_builds_typed_filters_by_name() -> None:
    assert set(FILTERS) == {"butterworth", "median", "none"}
    assert make_filter("butterworth", cutoff_hz=8.0) == ButterworthFilter(cutoff_hz=8.0)
    assert make_filter("median", window=3) == MedianFilter(window=3)
    assert make_filter("none") == NoFilter()
    values = np.array([1.0, NAN, 3.0])
    out = make_filter("none").apply(values, np.isfinite(values), fps=30.0).values
    np.testing.assert_array_equal(np.isnan(out), [False, True, False])


def test_registry_names_what_is_allowed() -> None:
    with pytest.raises(
        InputError, match=r"filter must be one of \['butterworth', 'median', 'none'\]; got 'kalman'"
    ):
        make_filter("kalman")
    with pytest.raises(InputError, match="unknown \\['cutoff'\\]"):
        make_filter("butterworth", cutoff=5.0)


@given(
    slope=st.floats(-50, 50),
    offset=st.floats(-100, 100),
    start=st.integers(1, 10),
    length=st.integers(1, 4),
)
def test_property_linear_fill_reproduces_any_line(
    slope: float, offset: float, start: int, length: int
) -> None:
    t = np.arange(20, dtype=float)
    values = offset + slope * t
    usable = np.ones(20, dtype=bool)
    usable[start : start + length] = False
    result = fill_gaps(np.where(usable, values, NAN), usable, max_gap=4)
    np.testing.assert_allclose(
        result.values, values, atol=1e-9 * (1 + abs(slope) * 20 + abs(offset))
    )
    assert result.filled.sum() == length
