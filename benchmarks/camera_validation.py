"""hiplab's 2-D angles against a multi-camera reference, per camera angle (real and virtual).

Data: the Pose2Sim single-person demo (:mod:`tests.motion.multicam`: four
synchronised 60 fps cameras around a man who walks, swings his right leg out
to the side with the right arm overhead and steps forward; 100 frames). Its
2-D keypoints are hiplab's own (MediaPipe through
:func:`hiplab.motion.pose_extraction.extract_track` with the pose model ``--model``,
default ``full``; cached in the test cache per video and model); the 3-D
reference is their score-weighted triangulation, low-passed like hiplab's
keypoints (:func:`tests.motion.multicam.smooth_points`). The model thus makes
both the real cameras' tracks and the reference the virtual cameras film;
the output names it.

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

``--models`` compares lite, full and heavy in one run (ratios and
differences against ``full``). Each model's own 2-D track of a real camera
is the telling part, and it is scored against one *common* reference: the
skeleton triangulated from all three models' tracks of the other three
cameras (:func:`tests.motion.multicam.pooled_reference`, on the timeline the
twelve tracks agree on). A reference from one model (its own, or heavy's)
shares that model's habits, e.g. where it puts the hip centre, and favours
it; the pooled one weighs the three alike. The summary repeats the real
cameras against each single model's reference, to show whether the ranking
depends on that choice, and a like-for-like table keeps only the frames a
model and full both measured (hiplab withholds different frames per model).
Printed too: per model and camera the reprojection error (own four-camera,
own leave-one-out, pooled leave-one-out), and a compact table of the
virtual pure side (yaw ±90) and front/back (yaw 0, 180) cameras at pitch 0,
each model filming its own reference with noise of its own real residual.

Usage: ``.venv/bin/python benchmarks/camera_validation.py [--model lite|full|heavy | --models]
[--image-only]``
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
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
from hiplab.motion.pose_models import POSE_MODELS, PoseModelName  # noqa: E402
from hiplab.motion.series import TimeSeries  # noqa: E402
from hiplab.motion.view import subject_size_px  # noqa: E402

FloatArray = NDArray[np.float64]
VIEWS: tuple[View, View] = ("sagittal", "frontal")
YAWS: tuple[float, ...] = (0, 15, 30, 45, 60, 75, 90, 180, -90)
PITCHES: tuple[float, ...] = (0, 10, 20, 30)
RAYLEIGH_MEDIAN = math.sqrt(2 * math.log(2))
"""Median distance of a 2-D Gaussian point with unit sd per axis from its centre."""
MODELS: tuple[PoseModelName, ...] = tuple(POSE_MODELS)
"""The pose models ``--models`` compares (lite, full, heavy); ratios are against ``full``."""
BASELINE: PoseModelName = "full"


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
    """Everything the benchmark measured with one pose model (``model``)."""

    model: str
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


def _demo(folder: Path | None) -> Path:
    found = mc.pose2sim_demo() if folder is None else folder
    if isinstance(found, str):
        raise RuntimeError(f"the Pose2Sim demo is unavailable: {found}")
    return found


def real_rows(
    tracks: Sequence[KeypointTrack],
    cameras: Sequence[mc.Camera],
    leave_one_out: Callable[[int], FloatArray],
    geometry: FloatArray,
) -> list[AngleRow]:
    """Return every real camera's rows: its track against the skeleton it did not help build.

    ``leave_one_out(k)`` is the skeleton without camera ``k``; ``geometry`` the
    skeleton the cameras' yaw and pitch are measured on.
    """
    out: list[AngleRow] = []
    for k, (track, camera) in enumerate(zip(tracks, cameras, strict=True)):
        yaw, pitch = mc.camera_geometry(camera, geometry)
        out += angle_rows(
            track,
            mc.smooth_points(leave_one_out(k)),
            camera=camera.name,
            kind="real",
            yaw=float(np.nanmedian(yaw)),
            pitch=float(np.nanmedian(pitch)),
        )
    return out


def virtual_rows(reference: FloatArray, sd: float, *, world: bool, seed: int) -> list[AngleRow]:
    """Return the virtual cameras' rows: the reference filmed noise-free and with noise ``sd``."""
    out: list[AngleRow] = []
    for noise in (0.0, sd):
        for pitch in PITCHES:
            for yaw in YAWS:
                virtual = mc.virtual_camera(reference, yaw, pitch)
                track = mc.virtual_track(
                    reference, virtual, noise_px=noise, seed=seed + len(out), world=world
                )
                out += angle_rows(
                    track,
                    reference,
                    camera=virtual.name,
                    kind="virtual",
                    yaw=yaw,
                    pitch=pitch,
                    noise=noise,
                )
    return out


def rows(
    folder: Path | None = None, *, model: PoseModelName = mc.DEFAULT_MODEL, world: bool = True
) -> Validation:
    """Return every figure of the benchmark with one pose model (fetching what is needed).

    The model makes the real cameras' 2-D tracks and so the triangulated
    reference the virtual cameras film. ``world``: give the virtual tracks
    metric 3-D landmarks, as MediaPipe tracks have.
    """
    ref = mc.demo_reference(_demo(folder), model)
    cameras = [camera_row(ref, k) for k in range(len(ref.cameras))]
    angles = real_rows(ref.tracks, ref.cameras, ref.leave_one_out, ref.points)
    reference = mc.smooth_points(ref.points)
    sd, fraction = noise_px(cameras, reference)
    angles += virtual_rows(reference, sd, world=world, seed=len(angles))
    return Validation(model, tuple(cameras), tuple(angles), sd, fraction, ref.points.shape[0])


@dataclass(frozen=True)
class Paired:
    """One model against ``full`` on the frames both measured (all real cameras)."""

    n: int
    mae: float
    rmse: float
    base_mae: float
    base_rmse: float


def _errors(track: KeypointTrack, reference: FloatArray, view: View) -> dict[str, FloatArray]:
    """Return per channel hiplab's error (degrees, NaN where not measured or no truth)."""
    series = run_kinematics(track, view=view).series
    truth = mc.truth_series(reference, view, fps=track.fps)
    return {c: series.channel(c) - truth.channel(c) for c in angle_channels(view)}


def _paired(x: FloatArray, y: FloatArray) -> Paired:
    if not x.size:
        return Paired(0, math.nan, math.nan, math.nan, math.nan)
    return Paired(
        n=int(x.size),
        mae=float(np.mean(np.abs(x))),
        rmse=float(np.sqrt(np.mean(x**2))),
        base_mae=float(np.mean(np.abs(y))),
        base_rmse=float(np.sqrt(np.mean(y**2))),
    )


def paired_errors(pooled: mc.PooledReference) -> dict[str, dict[str, Paired]]:
    """Return per model and channel (and ``all <view>``) the errors on frames it and full measured.

    Real cameras, the pooled leave-one-out reference, every camera's frames together.
    """
    out: dict[str, dict[str, Paired]] = {}
    references = [mc.smooth_points(pooled.leave_one_out(k)) for k in range(len(pooled.cameras))]
    for model in (m for m in MODELS if m != BASELINE):
        out[model] = {}
        for view in VIEWS:
            mine: dict[str, list[FloatArray]] = {c: [] for c in angle_channels(view)}
            base: dict[str, list[FloatArray]] = {c: [] for c in angle_channels(view)}
            for k, reference in enumerate(references):
                a = _errors(pooled.reference(model).tracks[k], reference, view)
                b = _errors(pooled.reference(BASELINE).tracks[k], reference, view)
                for channel in a:
                    both = np.isfinite(a[channel]) & np.isfinite(b[channel])
                    mine[channel].append(a[channel][both])
                    base[channel].append(b[channel][both])
            for channel in mine:
                out[model][channel] = _paired(
                    np.concatenate(mine[channel]), np.concatenate(base[channel])
                )
            out[model][f"all {view}"] = _paired(
                np.concatenate([x for c in mine for x in mine[c]]),
                np.concatenate([y for c in base for y in base[c]]),
            )
    return out


@dataclass(frozen=True)
class ModelComparison:
    """The three pose models side by side.

    ``own`` is each model's whole benchmark (:func:`rows`, its own reference);
    ``real[reference][model]`` each model's real-camera rows against a
    leave-one-out reference made by ``reference`` (a model's tracks, or
    ``pooled``: all three together), every model on the pooled timeline;
    ``paired`` the pooled-reference errors on frames a model and ``full``
    both measured; ``pooled_px[model]`` per camera the median distance of the
    model's keypoints from the pooled leave-one-out skeleton.
    """

    own: dict[str, Validation]
    real: dict[str, dict[str, list[AngleRow]]]
    paired: dict[str, dict[str, Paired]]
    pooled_px: dict[str, list[float]]
    offsets: tuple[int, ...]


def compare_models(folder: Path | None = None, *, world: bool = True) -> ModelComparison:
    """Return :class:`ModelComparison` for lite, full and heavy (tracking any not cached)."""
    demo = _demo(folder)
    own = {model: rows(demo, model=model, world=world) for model in MODELS}
    pooled = mc.pooled_reference(demo, MODELS)
    makers: dict[str, Callable[[int], FloatArray]] = {"pooled": pooled.leave_one_out}
    makers |= {model: pooled.reference(model).leave_one_out for model in MODELS}
    real = {
        name: {
            model: real_rows(pooled.reference(model).tracks, pooled.cameras, loo, pooled.points)
            for model in MODELS
        }
        for name, loo in makers.items()
    }
    pooled_px = {
        model: [
            float(np.nanmedian(mc.reprojection_errors(pooled.leave_one_out(k), track, camera)))
            for k, (track, camera) in enumerate(
                zip(pooled.reference(model).fixed, pooled.cameras, strict=True)
            )
        ]
        for model in MODELS
    }
    return ModelComparison(own, real, paired_errors(pooled), pooled_px, pooled.offsets)


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


def print_header(result: Validation) -> None:
    print(
        f"Pose model: {result.model} (every real camera's 2-D track; the reference is "
        f"triangulated from the {result.model} tracks, and the virtual cameras film it)\n"
    )


def print_model_cameras(result: ModelComparison) -> None:
    print(
        "Reprojection per model, median px: 'own' = the model's four-camera skeleton, "
        "'LOO' = its skeleton without the camera, 'pooled LOO' = all three models' skeleton "
        "without the camera"
    )
    head = f"{'camera':8}" + "".join(f" {f'{m} own/LOO/pooled LOO':>26}" for m in MODELS)
    print(head)
    names = [c.camera for c in result.own[BASELINE].cameras]
    for k, name in enumerate(names):
        cells = []
        for model in MODELS:
            c = result.own[model].cameras[k]
            cells.append(
                f"{c.reprojection_px:.1f}/{c.leave_one_out_px:.1f}/{result.pooled_px[model][k]:.1f}"
            )
        print(f"{name:8}" + "".join(f" {cell:>26}" for cell in cells))
    medians = []
    for model in MODELS:
        cams = result.own[model].cameras
        own = np.median([c.reprojection_px for c in cams])
        loo = np.median([c.leave_one_out_px for c in cams])
        medians.append(f"{own:.1f}/{loo:.1f}/{np.median(result.pooled_px[model]):.1f}")
    print(f"{'median':8}" + "".join(f" {cell:>26}" for cell in medians))
    alone = "; ".join(f"{m} {tuple(c.offset for c in result.own[m].cameras)}" for m in MODELS)
    print(f"Frame offsets each model's tracks find alone: {alone}; pooled: {result.offsets}")


def _ratio(value: float, base: float) -> str:
    return (
        "—"
        if not (math.isfinite(value) and math.isfinite(base) and base > 0)
        else (f"{value / base:.2f}")
    )


def _diff(value: float, base: float, digits: int = 1) -> str:
    return (
        "—"
        if not (math.isfinite(value) and math.isfinite(base))
        else (f"{value - base:+.{digits}f}")
    )


def _cells(r: AngleRow) -> str:
    return (
        f"{r.n:>3d} {_f(r.mae):>5} {_f(r.rmse):>5} {_f(r.bias):>5} "
        f"{_f(100 * r.coverage, 0):>4} {r.withheld:>3d}"
    )


def print_model_real(result: ModelComparison, reference: str = "pooled") -> None:
    others = [m for m in MODELS if m != BASELINE]
    per_model = result.real[reference]
    print(
        f"\nReal cameras per model, leave-one-out reference from {reference} tracks "
        f"(degrees; cov % = |err| ≤ 2 sd; wh = withheld frames; × = MAE and RMSE ratios to "
        f"{BASELINE}, Δcov in points). Rows where no model measured a frame are listed after."
    )
    head = f"{'n':>3} {'MAE':>5} {'RMSE':>5} {'bias':>5} {'cov':>4} {'wh':>3}"
    titles = f"{'':32} | {BASELINE:^28}" + "".join(
        f" | {m:^28} {'vs ' + BASELINE:^16}" for m in others
    )
    print(titles)
    print(
        f"{'camera':5} {'view':4} {'channel':21} | {head}"
        + f" | {head} {'MAE×':>5} {'RMSE×':>5} {'Δcov':>4}" * len(others)
    )
    empty: list[str] = []
    for i, b in enumerate(per_model[BASELINE]):
        if all(per_model[m][i].n == 0 for m in MODELS):
            empty.append(f"{b.camera} {b.view} {_short(b.channel)}")
            continue
        line = f"{b.camera:5} {b.view[:4]:4} {_short(b.channel):21} | {_cells(b)}"
        for model in others:
            r = per_model[model][i]
            line += (
                f" | {_cells(r)} {_ratio(r.mae, b.mae):>5} {_ratio(r.rmse, b.rmse):>5} "
                f"{_diff(100 * r.coverage, 100 * b.coverage, 0):>4}"
            )
        print(line)
    frames = per_model[BASELINE][0].truth_frames if per_model[BASELINE] else 0
    print(f"All {frames} frames withheld by every model ({len(empty)} rows): " + ", ".join(empty))


def pooled_figures(picked: Sequence[AngleRow]) -> tuple[int, float, float, float, int]:
    """Return ``n, MAE, RMSE, coverage, withheld`` over rows, each frame counting once."""
    used = [r for r in picked if r.n > 0]
    n = sum(r.n for r in used)
    withheld = sum(r.withheld for r in picked)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, withheld
    mae = sum(r.n * r.mae for r in used) / n
    rmse = math.sqrt(sum(r.n * r.rmse**2 for r in used) / n)
    cov = sum(r.n * r.coverage for r in used) / n
    return n, mae, rmse, cov, withheld


def print_model_summary(result: ModelComparison) -> None:
    print(
        "\nReal cameras per model, all cameras and channels of a view, each measured frame "
        "counting once: n, MAE / RMSE (deg), coverage %, withheld frames; by the tracks "
        "that made the leave-one-out reference (all on the pooled timeline)"
    )
    cols = f"{'n':>5} {'MAE/RMSE':>10} {'cov':>4} {'wh':>5}"
    print(f"{'reference':9} {'model':6} {'sagittal':^27}  {'frontal':^27}")
    print(f"{'':9} {'':6} {cols}  {cols}")
    for reference, per_model in result.real.items():
        for model in MODELS:
            cells = []
            for view in VIEWS:
                n, mae, rmse, cov, withheld = pooled_figures(
                    [r for r in per_model[model] if r.view == view]
                )
                cells.append(
                    f"{n:>5d} {f'{_f(mae)}/{_f(rmse)}':>10} {_f(100 * cov, 0):>4} {withheld:>5d}"
                )
            print(f"{reference:9} {model:6} {cells[0]}  {cells[1]}")


def print_model_paired(result: ModelComparison) -> None:
    print(
        f"\nLike for like, pooled reference: the real cameras' frames that a model and "
        f"{BASELINE} both measured (all cameras together), MAE / RMSE deg; channels "
        "without such a frame are left out"
    )
    print(
        f"{'model':6} {'channel':21} {'n':>5} {'model MAE/RMSE':>15} {BASELINE + ' MAE/RMSE':>15}"
    )
    for model, channels in result.paired.items():
        for channel, p in channels.items():
            if p.n == 0 and not channel.startswith("all "):
                continue
            print(
                f"{model:6} {_short(channel):21} {p.n:>5d} {f'{_f(p.mae)}/{_f(p.rmse)}':>15} "
                f"{f'{_f(p.base_mae)}/{_f(p.base_rmse)}':>15}"
            )


SUMMARY_VIEWS: tuple[tuple[str, View, tuple[float, ...]], ...] = (
    ("pure side", "sagittal", (90, -90)),
    ("front/back", "frontal", (0, 180)),
)
"""The virtual cameras of the compact per-model summary (pitch 0): yaws and the view measured."""


def print_model_virtual(result: ModelComparison) -> None:
    for label, view, yaws in SUMMARY_VIEWS:
        channels = angle_channels(view)
        print(
            f"\nVirtual {label} cameras (yaw {', '.join(f'{y:g}' for y in yaws)}, pitch 0), "
            f"{view} view: MAE deg / cov % per channel. Each model films its own "
            "four-camera reference, with keypoint noise of its own real residual"
        )
        print(
            f"{'model':6} {'noise':>5} {'yaw':>4} "
            + " ".join(f"{_short(c):>10}" for c in channels)
            + "  withheld"
        )
        for model in MODELS:
            own = result.own[model]
            for noise in (0.0, own.noise_px):
                for yaw in yaws:
                    picked = {
                        r.channel: r
                        for r in own.angles
                        if r.kind == "virtual"
                        and r.view == view
                        and r.noise_px == noise
                        and (r.yaw_deg, r.pitch_deg) == (yaw, 0)
                    }
                    cells = [
                        f"{_f(picked[c].mae)}/{_f(100 * picked[c].coverage, 0)}" for c in channels
                    ]
                    withheld = sum(picked[c].withheld for c in channels)
                    print(
                        f"{model:6} {noise:>5.2f} {yaw:>4.0f} "
                        + " ".join(f"{cell:>10}" for cell in cells)
                        + f"  {withheld:>8d}"
                    )


def print_models(result: ModelComparison) -> None:
    print(
        "Pose models lite, full and heavy on the same four cameras. Real cameras: each model's "
        "own 2-D track of a camera against one common reference, the skeleton triangulated "
        "from all three models' tracks of the other three cameras (pooled: no model's own "
        "errors shape it more than another's); the summary repeats them against each model's "
        "reference. Virtual cameras: each model's own reference.\n"
    )
    print_model_cameras(result)
    print_model_real(result)
    print_model_summary(result)
    print_model_paired(result)
    print_model_virtual(result)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--model",
        choices=MODELS,
        default=mc.DEFAULT_MODEL,
        help=f"the pose model that tracks the videos (default {mc.DEFAULT_MODEL})",
    )
    which.add_argument(
        "--models", action="store_true", help="compare lite, full and heavy in one run"
    )
    parser.add_argument(
        "--image-only",
        action="store_true",
        help="virtual tracks without MediaPipe's metric 3-D landmarks (as for OpenPose)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.models:
        print_models(compare_models(world=not args.image_only))
        return
    result = rows(model=args.model, world=not args.image_only)
    print_header(result)
    print_cameras(result)
    print_real(result)
    for view in VIEWS:
        for noise in (0.0, result.noise_px):
            print_virtual(result, view, noise)


if __name__ == "__main__":
    main()
