"""hiplab's 2-D angles against a multi-camera reference, per camera angle (real and virtual).

Data: the Pose2Sim single-person demo (:mod:`tests.motion.multicam`: four
synchronised 60 fps cameras around a man who walks, swings his right leg out
to the side with the right arm overhead and steps forward; 100 frames). Its
2-D keypoints are hiplab's own (MediaPipe through
:func:`hiplab.motion.pipeline.extract_track`, cached in the test cache); the
3-D reference is their score-weighted triangulation, low-passed like hiplab's
keypoints (:func:`tests.motion.multicam.smooth_points`).

* Real cameras: each camera's own track goes through
  :func:`hiplab.motion.kinematics.run_kinematics` in the sagittal and the
  frontal view, against the truth from the skeleton triangulated from the
  *other three* cameras (leave-one-out).
* Virtual cameras: the four-camera skeleton filmed by a pinhole camera
  (1280 × 720, f = 1000 px, 3.5 m away) at each yaw of :data:`YAWS` and pitch
  of :data:`PITCHES` from the subject's median heading, keypoint score 0.9,
  white Gaussian noise of the size the real views show (:func:`noise_px`),
  and once noise-free. Like a MediaPipe track they carry the metric 3-D
  pose in camera axes (:func:`tests.motion.multicam.world_landmarks`, exact
  but for the same noise in metres), which hiplab uses to place the camera;
  ``--image-only`` leaves it out (as for OpenPose input).

The truth of a view is hiplab's own angle definitions on the orthographic
projection of the reference onto the subject's body plane
(:func:`tests.motion.multicam.truth_series`). Per angle channel: ``n`` frames
with both values, MAE, RMSE and bias (hiplab - truth) in degrees, ``cov`` the
share of those frames with |error| ≤ 2 × the stated sd (``frame_sd`` per
frame where :class:`~hiplab.motion.series.TimeSeries` has it, else the
channel's ``uncertainty``), ``withheld`` the frames where the truth exists
but hiplab gave no measured value. Nothing is asserted.

Usage: ``.venv/bin/python benchmarks/camera_validation.py [--image-only]``
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.motion import multicam as mc  # noqa: E402

from hiplab.motion.angles import View, angle_channels  # noqa: E402
from hiplab.motion.keypoints import KeypointTrack  # noqa: E402
from hiplab.motion.kinematics import run_kinematics  # noqa: E402
from hiplab.motion.series import TimeSeries  # noqa: E402
from hiplab.motion.view import subject_size_px  # noqa: E402

FloatArray = NDArray[np.float64]
VIEWS: tuple[View, View] = ("sagittal", "frontal")
YAWS: tuple[float, ...] = (0, 15, 30, 45, 60, 75, 90, 180, -90)
PITCHES: tuple[float, ...] = (0, 10, 20, 30)
RAYLEIGH_MEDIAN = math.sqrt(2 * math.log(2))
"""Median distance of a 2-D Gaussian point with unit sd per axis from its centre."""


@dataclass(frozen=True)
class AngleRow:
    """One camera × view × angle channel: hiplab against the truth (degrees)."""

    camera: str
    kind: Literal["real", "virtual"]
    yaw_deg: float
    pitch_deg: float
    noise_px: float
    view: View
    channel: str
    n: int
    mae: float
    rmse: float
    bias: float
    coverage: float
    withheld: int
    truth_frames: int


@dataclass(frozen=True)
class CameraRow:
    """A real camera: true yaw and pitch over the clip, reprojection errors (px)."""

    camera: str
    offset: int
    yaw_median: float
    yaw_low: float
    yaw_high: float
    pitch_median: float
    pitch_low: float
    pitch_high: float
    reprojection_px: float
    leave_one_out_px: float
    subject_px: float
    reference_gap_deg: dict[str, float]
    """Per view, the mean over channels of |truth without this camera - truth with all four|."""


@dataclass(frozen=True)
class Validation:
    """Everything the benchmark measured."""

    cameras: tuple[CameraRow, ...]
    angles: tuple[AngleRow, ...]
    noise_px: float
    residual_fraction: float
    frames: int


def stated_sd(series: TimeSeries, channel: str) -> FloatArray:
    """Return the per-frame stated sd of a channel (``frame_sd`` if hiplab has it)."""
    frame_sd = getattr(series, "frame_sd", None)
    if callable(frame_sd):
        return np.asarray(frame_sd(channel), dtype=np.float64)
    return np.full(series.frames, series.uncertainty.get(channel, math.nan))


def compare(
    series: TimeSeries, truth: TimeSeries, channel: str
) -> tuple[int, float, float, float, float, int, int]:
    """Return ``n, MAE, RMSE, bias, coverage, withheld, truth frames`` of one channel."""
    measured, true = series.channel(channel), truth.channel(channel)
    has_truth = np.isfinite(true)
    both = has_truth & np.isfinite(measured)
    withheld = int((has_truth & ~np.isfinite(measured)).sum())
    if not both.any():
        return 0, math.nan, math.nan, math.nan, math.nan, withheld, int(has_truth.sum())
    error = (measured - true)[both]
    sd = stated_sd(series, channel)[both]
    covered = float(np.mean(np.abs(error) <= 2 * sd))
    return (
        int(both.sum()),
        float(np.mean(np.abs(error))),
        float(np.sqrt(np.mean(error**2))),
        float(np.mean(error)),
        covered,
        withheld,
        int(has_truth.sum()),
    )


def angle_rows(
    track: KeypointTrack,
    reference: FloatArray,
    *,
    camera: str,
    kind: Literal["real", "virtual"],
    yaw: float,
    pitch: float,
    noise: float = 0.0,
) -> list[AngleRow]:
    """Return the rows of one camera: hiplab on its track, per view, against the truth."""
    out = []
    for view in VIEWS:
        series = run_kinematics(track, view=view).series
        truth = mc.truth_series(reference, view, fps=track.fps)
        for channel in angle_channels(view):
            n, mae, rmse, bias, cov, withheld, frames = compare(series, truth, channel)
            out.append(
                AngleRow(
                    camera=camera,
                    kind=kind,
                    yaw_deg=yaw,
                    pitch_deg=pitch,
                    noise_px=noise,
                    view=view,
                    channel=channel,
                    n=n,
                    mae=mae,
                    rmse=rmse,
                    bias=bias,
                    coverage=cov,
                    withheld=withheld,
                    truth_frames=frames,
                )
            )
    return out


def camera_row(ref: mc.DemoReference, k: int) -> CameraRow:
    """Return a real camera's geometry and reprojection errors."""
    camera, fixed = ref.cameras[k], ref.fixed[k]
    yaw, pitch = mc.camera_geometry(camera, ref.points)
    own = mc.reprojection_errors(ref.points, fixed, camera)
    without = ref.leave_one_out(k)
    others = mc.reprojection_errors(without, fixed, camera)
    gaps: dict[str, float] = {}
    for view in VIEWS:
        alone = mc.truth_series(mc.smooth_points(without), view)
        every = mc.truth_series(mc.smooth_points(ref.points), view)
        gaps[view] = float(
            np.nanmean(
                [
                    np.nanmean(np.abs(alone.channel(c) - every.channel(c)))
                    for c in angle_channels(view)
                ]
            )
        )
    return CameraRow(
        camera=camera.name,
        offset=ref.offsets[k],
        yaw_median=float(np.nanmedian(yaw)),
        yaw_low=float(np.nanpercentile(yaw, 5)),
        yaw_high=float(np.nanpercentile(yaw, 95)),
        pitch_median=float(np.nanmedian(pitch)),
        pitch_low=float(np.nanpercentile(pitch, 5)),
        pitch_high=float(np.nanpercentile(pitch, 95)),
        reprojection_px=float(np.nanmedian(own)),
        leave_one_out_px=float(np.nanmedian(others)),
        subject_px=subject_size_px(ref.tracks[k]),
        reference_gap_deg=gaps,
    )


def noise_px(cameras: list[CameraRow], reference: FloatArray) -> tuple[float, float]:
    """Return the virtual keypoint sd (px per axis) and the real residual as a share of size.

    The real residual is the median leave-one-out reprojection distance over
    the subject's size (median over the cameras); the virtual cameras get the
    per-axis sd whose median distance is that share of their subject size.
    """
    fraction = float(np.median([c.leave_one_out_px / c.subject_px for c in cameras]))
    probe = mc.virtual_track(reference, mc.virtual_camera(reference, 0.0, 0.0))
    return fraction * subject_size_px(probe) / RAYLEIGH_MEDIAN, fraction


def rows(folder: Path | None = None, *, world: bool = True) -> Validation:
    """Return every figure of the benchmark (fetching the demo and its tracks if needed).

    ``world``: give the virtual tracks metric 3-D landmarks, as MediaPipe tracks have.
    """
    found = mc.pose2sim_demo() if folder is None else folder
    if isinstance(found, str):
        raise RuntimeError(f"the Pose2Sim demo is unavailable: {found}")
    ref = mc.demo_reference(found)
    cameras = [camera_row(ref, k) for k in range(len(ref.cameras))]
    angles: list[AngleRow] = []
    for k, camera in enumerate(ref.cameras):
        reference = mc.smooth_points(ref.leave_one_out(k))
        row = cameras[k]
        angles += angle_rows(
            ref.tracks[k],
            reference,
            camera=camera.name,
            kind="real",
            yaw=row.yaw_median,
            pitch=row.pitch_median,
        )
    reference = mc.smooth_points(ref.points)
    sd, fraction = noise_px(cameras, reference)
    for noise in (0.0, sd):
        for pitch in PITCHES:
            for yaw in YAWS:
                virtual = mc.virtual_camera(reference, yaw, pitch)
                track = mc.virtual_track(
                    reference, virtual, noise_px=noise, seed=len(angles), world=world
                )
                angles += angle_rows(
                    track,
                    reference,
                    camera=virtual.name,
                    kind="virtual",
                    yaw=yaw,
                    pitch=pitch,
                    noise=noise,
                )
    return Validation(tuple(cameras), tuple(angles), sd, fraction, ref.points.shape[0])


# --- printing ------------------------------------------------------------------------------


def _f(value: float, digits: int = 1) -> str:
    return "—" if not math.isfinite(value) else f"{value:.{digits}f}"


def print_cameras(result: Validation) -> None:
    print(f"Real cameras ({result.frames} synchronised frames, 60 fps)")
    head = f"{'camera':8} {'offset':>6} {'yaw med':>8} {'yaw 5–95%':>14} {'pitch med':>9}"
    print(
        f"{head} {'pitch 5–95%':>12} {'reproj px':>9} {'LOO px':>7} {'size px':>7}"
        f" {'ref gap sag/front deg':>22}"
    )
    for c in result.cameras:
        gap = f"{c.reference_gap_deg['sagittal']:.1f}/{c.reference_gap_deg['frontal']:.1f}"
        print(
            f"{c.camera:8} {c.offset:>6d} {c.yaw_median:>8.1f} "
            f"{f'{c.yaw_low:.0f}…{c.yaw_high:.0f}':>14} {c.pitch_median:>9.1f} "
            f"{f'{c.pitch_low:.0f}…{c.pitch_high:.0f}':>12} {c.reprojection_px:>9.1f} "
            f"{c.leave_one_out_px:>7.1f} {c.subject_px:>7.0f} {gap:>22}"
        )
    print(
        f"Virtual keypoint noise: sd {result.noise_px:.2f} px per axis "
        f"(real leave-one-out residual {100 * result.residual_fraction:.2f}% of the subject size)"
    )


def print_real(result: Validation) -> None:
    print("\nReal cameras, leave-one-out reference (degrees; cov = |err| ≤ 2 sd)")
    head = f"{'camera':8} {'yaw':>5} {'view':9} {'channel':26} {'n':>4} {'MAE':>6} {'RMSE':>6}"
    print(f"{head} {'bias':>6} {'cov':>5} {'withheld':>8}")
    for r in result.angles:
        if r.kind != "real":
            continue
        print(
            f"{r.camera:8} {r.yaw_deg:>5.0f} {r.view:9} {r.channel:26} {r.n:>4d} "
            f"{_f(r.mae):>6} {_f(r.rmse):>6} {_f(r.bias):>6} {_f(100 * r.coverage, 0):>4}% "
            f"{r.withheld:>8d}"
        )


def _short(channel: str) -> str:
    for long, short in (("dorsiflexion", "df"), ("_flexion", "_flex"), ("_angle", "")):
        channel = channel.replace(long, short)
    return (
        channel.replace("right_", "R_").replace("left_", "L_").replace("trunk_lateral", "trunk_lat")
    )


def print_virtual(result: Validation, view: View, noise: float) -> None:
    channels = angle_channels(view)
    print(
        f"\nVirtual cameras, {view} view, keypoint noise {noise:.2f} px: "
        "MAE deg / cov % per channel; withheld frames of all channels"
    )
    print(
        f"{'yaw':>5} {'pitch':>5} " + " ".join(f"{_short(c):>12}" for c in channels) + "  withheld"
    )
    for pitch in PITCHES:
        for yaw in YAWS:
            picked = {
                r.channel: r
                for r in result.angles
                if r.kind == "virtual"
                and r.view == view
                and r.noise_px == noise
                and (r.yaw_deg, r.pitch_deg) == (yaw, pitch)
            }
            cells = [f"{_f(picked[c].mae)}/{_f(100 * picked[c].coverage, 0)}" for c in channels]
            withheld = sum(picked[c].withheld for c in channels)
            print(
                f"{yaw:>5.0f} {pitch:>5.0f} "
                + " ".join(f"{cell:>12}" for cell in cells)
                + f"  {withheld:>8d}"
            )


def main() -> None:
    result = rows(world="--image-only" not in sys.argv[1:])
    print_cameras(result)
    print_real(result)
    for view in VIEWS:
        for noise in (0.0, result.noise_px):
            print_virtual(result, view, noise)


if __name__ == "__main__":
    main()
