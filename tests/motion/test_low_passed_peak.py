"""``low_passed_peak``: a peak read from a copy low-passed at the movement's own band."""

from __future__ import annotations

import numpy as np

from hiplab.motion.tasks import common as c


def _plateau(fps: float, seconds: float, level: float, noise: float, seed: int) -> c.FloatArray:
    """A rep-like curve: up to ``level`` over 1 s, held, down; plus white noise."""
    t = np.arange(round(fps * seconds)) / fps
    shape = np.clip(np.minimum(t, seconds - t), 0.0, 1.0) * level
    return shape + np.random.default_rng(seed).normal(0.0, noise, t.shape)


def _squat_peak(data: c.FloatArray, fps: float = 30.0) -> tuple[int | None, float | None]:
    return c.low_passed_peak(data, 0, data.size, fps=fps, cutoff_hz=c.SQUAT_PEAK_CUTOFF_HZ)


def _value(found: tuple[int | None, float | None]) -> float:
    assert found[1] is not None
    return found[1]


def test_a_noisy_plateau_overshoots_less_than_its_largest_sample() -> None:
    errors_max, errors_low_passed = [], []
    for seed in range(20):
        data = _plateau(30.0, 4.0, level=10.0, noise=1.5, seed=seed)
        errors_max.append(_value(c.peak(data, 0, data.size)) - 10.0)
        errors_low_passed.append(_value(_squat_peak(data)) - 10.0)
    assert np.mean(errors_max) > 2.0  # the bias this reader exists for
    assert abs(np.mean(errors_low_passed)) < np.mean(errors_max) / 2


def test_a_clean_rep_keeps_its_peak() -> None:
    data = _plateau(30.0, 4.0, level=10.0, noise=0.0, seed=0)
    frame, value = _squat_peak(data)
    assert value is not None and abs(value - 10.0) < 0.1
    assert frame is not None and 30 <= frame <= 90


def test_an_unmeasured_frame_is_never_the_peak() -> None:
    data = _plateau(30.0, 4.0, level=10.0, noise=0.0, seed=0)
    data[40:80] = np.nan  # the whole top of the plateau unmeasured
    frame, value = _squat_peak(data)
    assert frame is not None and np.isfinite(data[frame])
    assert value is not None and value <= np.nanmax(data) + 0.5


def test_nothing_measured_is_no_peak_and_a_low_frame_rate_reads_the_data() -> None:
    assert _squat_peak(np.full(50, np.nan)) == (None, None)
    data = _plateau(3.0, 8.0, level=10.0, noise=1.0, seed=1)  # 3 fps: no 2 Hz filter
    assert _squat_peak(data, fps=3.0) == c.peak(data, 0, data.size)
