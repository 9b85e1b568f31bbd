"""Squat task: repetition frames, peaks, depth, heel rise, tempo and asymmetry."""

from __future__ import annotations

import numpy as np
import pytest

from hiplab.motion.tasks.gates import NotTheTaskError
from hiplab.motion.tasks.reps import segment_reps
from hiplab.motion.tasks.squat import HEEL_RISE_FRACTION, analyze_squat
from hiplab.testing import synthetic

from .task_helpers import (
    assert_sided_within_uncertainty,
    capture_input,
    raised_cosine,
    task_input,
    truth_frames,
)

FPS = 30.0
REP = 60  # frames per repetition (2 s)
STARTS = (15, 75, 135)
N = 210
# Tolerances against exact truth.
ANALYTIC_EVENT_FRAMES = 1
SYNTHETIC_EVENT_FRAMES = 2
SYNTHETIC_PEAK_DEG = 3.0
SYNTHETIC_TRUNK_DEG = 2.0


def bumps(peak: float, base: float = 0.0) -> np.ndarray:
    out = np.full(N, base)
    for start in STARTS:
        out = np.maximum(out, raised_cosine(N, start, REP, peak, base))
    return out


def analytic_channels(thigh_peak: float = 10.0) -> dict[str, np.ndarray]:
    channels: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        channels[f"{side}_hip_flexion"] = bumps(100.0, 5.0)
        channels[f"{side}_knee_flexion"] = bumps(110.0, 3.0)
        channels[f"{side}_ankle_dorsiflexion"] = bumps(30.0)
        channels[f"{side}_thigh_angle"] = bumps(90.0 + thigh_peak, -90.0)
    channels["trunk_lean"] = bumps(35.0, 5.0)
    return channels


def test_segmentation_finds_raised_cosine_reps_exactly() -> None:
    signal = bumps(100.0)
    reps = segment_reps(signal, fps=FPS, min_prominence=25.0)
    assert [(r.start, r.bottom, r.end) for r in reps] == [
        (s, s + REP // 2, s + REP) for s in STARTS
    ]
    assert all(r.complete for r in reps)


def test_segmentation_ignores_small_bumps_and_a_pause_at_the_bottom() -> None:
    signal = bumps(100.0) + raised_cosine(N, 0, 10, 5.0)
    paused = np.concatenate([signal[:45], np.full(20, signal[45]), signal[45:]])
    reps = segment_reps(paused, fps=FPS, min_prominence=25.0)
    assert len(reps) == 3
    assert reps[0].start == STARTS[0]
    assert reps[0].end == STARTS[0] + REP + 20


def test_a_rep_cut_by_the_end_of_the_video_is_incomplete() -> None:
    channels = {k: v[: STARTS[2] + 40] for k, v in analytic_channels().items()}
    result = analyze_squat(task_input(channels))
    assert [r.complete for r in result.reps] == [True, True, False]
    assert result.partial
    assert "incomplete_rep" in {w.code for w in result.warnings}


def test_analytic_rep_metrics() -> None:
    result = analyze_squat(task_input(analytic_channels(thigh_peak=10.0)))
    assert len(result.reps) == 3
    for rep, start in zip(result.reps, STARTS, strict=True):
        assert abs(rep.start_frame - start) <= ANALYTIC_EVENT_FRAMES
        assert rep.bottom_frame == start + REP // 2
        assert abs(rep.end_frame - (start + REP)) <= ANALYTIC_EVENT_FRAMES
        assert rep.peak_hip_flexion_deg == pytest.approx(105.0)
        assert rep.peak_knee_flexion_deg == pytest.approx(113.0)
        assert rep.peak_ankle_dorsiflexion_deg == pytest.approx(30.0)
        assert rep.trunk_lean_at_bottom_deg == pytest.approx(40.0)
        assert rep.hip_knee_ratio == pytest.approx(105.0 / 113.0, abs=0.01)
        assert rep.thigh_angle_at_bottom_deg == pytest.approx(10.0)
        assert rep.at_or_below_parallel is True
        assert rep.descent_s == pytest.approx(1.0, abs=ANALYTIC_EVENT_FRAMES / FPS)
        assert rep.uncertainty["peak_knee_flexion_deg"] == pytest.approx(3.0, abs=0.5)
    assert result.summary.depth is not None
    assert result.summary.depth.reps_at_or_below_parallel == 3
    assert result.summary.tempo.mean_rep_s == pytest.approx(2.0, abs=0.1)
    assert result.summary.asymmetry is None


def test_thigh_below_horizontal_at_the_bottom_is_above_parallel() -> None:
    result = analyze_squat(task_input(analytic_channels(thigh_peak=-15.0)))
    assert result.summary.depth is not None
    assert result.summary.depth.at_or_below_parallel is False
    assert all(r.thigh_angle_at_bottom_deg == pytest.approx(-15.0) for r in result.reps)


def test_no_reps_is_refused() -> None:
    flat = {k: np.full(N, v[0]) for k, v in analytic_channels().items()}
    with pytest.raises(NotTheTaskError, match="no repetition"):
        analyze_squat(task_input(flat))


@pytest.mark.parametrize("facing", ["right", "left"])
def test_synthetic_squat_matches_truth(facing: synthetic.Facing) -> None:
    capture = synthetic.squat(synthetic.CaptureOptions(fps=FPS), facing=facing)
    result = analyze_squat(capture_input(capture))
    starts, bottoms = truth_frames(capture, "rep_start"), truth_frames(capture, "bottom")
    ends = truth_frames(capture, "rep_end")
    assert len(result.reps) == len(starts) == 3
    for rep, s, b, e in zip(result.reps, starts, bottoms, ends, strict=True):
        assert abs(rep.start_frame - s) <= SYNTHETIC_EVENT_FRAMES
        assert abs(rep.bottom_frame - b) <= SYNTHETIC_EVENT_FRAMES
        assert abs(rep.end_frame - e) <= SYNTHETIC_EVENT_FRAMES
        truth = capture.parameters
        assert rep.peak_knee_flexion_deg == pytest.approx(
            truth["peak_knee_flexion"], abs=SYNTHETIC_PEAK_DEG
        )
        assert rep.peak_hip_flexion_deg == pytest.approx(
            truth["peak_hip_flexion"], abs=SYNTHETIC_PEAK_DEG
        )
        assert rep.peak_ankle_dorsiflexion_deg == pytest.approx(
            truth["peak_ankle_dorsiflexion"], abs=SYNTHETIC_PEAK_DEG
        )
        assert rep.trunk_lean_at_bottom_deg == pytest.approx(
            truth["peak_trunk_lean"], abs=SYNTHETIC_TRUNK_DEG
        )
        thigh = capture.truth.channel(f"{facing}_thigh_angle")[b]
        assert rep.thigh_angle_at_bottom_deg == pytest.approx(thigh, abs=SYNTHETIC_PEAK_DEG)
    assert result.summary.heel_rise is not None
    assert result.summary.heel_rise.heels_rise is False


def test_synthetic_heels_rising_are_found() -> None:
    capture = synthetic.squat(synthetic.CaptureOptions(fps=FPS), heel_rise_deg=20.0)
    result = analyze_squat(capture_input(capture))
    assert result.summary.heel_rise is not None
    assert result.summary.heel_rise.heels_rise is True
    assert (result.summary.heel_rise.max_fraction_of_shank or 0) > HEEL_RISE_FRACTION


def test_synthetic_front_view_reports_valgus_only_within_its_uncertainty() -> None:
    """A deep squat's thigh points at the camera, so the valgus angle at the bottom depends
    on a camera yaw known only to about ±17°: each peak is reported within twice its
    stated uncertainty of the truth, or not at all (the deepest frames withheld)."""
    capture = synthetic.frontal_squat(
        synthetic.CaptureOptions(fps=FPS), peak_fppa={"right": 18.0, "left": 2.0}
    )
    result = analyze_squat(capture_input(capture))
    assert len(result.reps) == len(truth_frames(capture, "bottom"))
    for rep, b in zip(result.reps, truth_frames(capture, "bottom"), strict=True):
        assert abs(rep.bottom_frame - b) <= SYNTHETIC_EVENT_FRAMES
        assert rep.peak_knee_flexion_deg is None
        assert_sided_within_uncertainty(
            rep.peak_knee_fppa_deg,
            rep.uncertainty,
            "peak_knee_fppa_deg",
            {"right": 18.0, "left": 2.0},
        )
    assert "not_measurable_in_view" in {w.code for w in result.warnings}
