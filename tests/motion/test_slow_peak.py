"""``slow_peak``: the peak of a slow movement, read from a 2 Hz low-passed copy."""

from __future__ import annotations

import numpy as np

from hiplab.motion.tasks import common as c


def _plateau(fps: float, seconds: float, level: float, noise: float, seed: int) -> c.FloatArray:
    """A rep-like curve: up to ``level`` over 1 s, held, down; plus white noise."""
    t = np.arange(round(fps * seconds)) / fps
    shape = np.clip(np.minimum(t, seconds - t), 0.0, 1.0) * level
    return shape + np.random.default_rng(seed).normal(0.0, noise, t.shape)


def test_a_noisy_plateau_overshoots_less_than_its_largest_sample() -> None:
    errors_max, errors_slow = [], []
    for seed in range(20):
        data = _plateau(30.0, 4.0, level=10.0, noise=1.5, seed=seed)
        errors_max.append(c.peak(data, 0, data.size)[1] - 10.0)  # type: ignore[operator]
        errors_slow.append(c.slow_peak(data, 0, data.size, 30.0)[1] - 10.0)  # type: ignore[operator]
    assert np.mean(errors_max) > 2.0  # the bias this reader exists for
    assert abs(np.mean(errors_slow)) < np.mean(errors_max) / 2


def test_a_clean_rep_keeps_its_peak() -> None:
    data = _plateau(30.0, 4.0, level=10.0, noise=0.0, seed=0)
    frame, value = c.slow_peak(data, 0, data.size, 30.0)
    assert value is not None and abs(value - 10.0) < 0.1
    assert frame is not None and 30 <= frame <= 90


def test_an_unmeasured_frame_is_never_the_peak() -> None:
    data = _plateau(30.0, 4.0, level=10.0, noise=0.0, seed=0)
    data[40:80] = np.nan  # the whole top of the plateau unmeasured
    frame, value = c.slow_peak(data, 0, data.size, 30.0)
    assert frame is not None and np.isfinite(data[frame])
    assert value is not None and value <= np.nanmax(data) + 0.5


def test_nothing_measured_is_no_peak_and_a_low_frame_rate_reads_the_data() -> None:
    assert c.slow_peak(np.full(50, np.nan), 0, 50, 30.0) == (None, None)
    data = _plateau(3.0, 8.0, level=10.0, noise=1.0, seed=1)  # 3 fps: no 2 Hz filter
    assert c.slow_peak(data, 0, data.size, 3.0) == c.peak(data, 0, data.size)
