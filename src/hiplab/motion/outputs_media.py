"""plot.png (angles over time, events marked) and annotated.mp4 (skeleton and live angles).

Conventions
-----------
* ``plot.png``: matplotlib without pyplot (no global state), imported when
  called; one panel per group of angles that has measured samples (side-view
  joints, segment angles, front-view angles), time in seconds, events as
  dashed vertical lines labelled at the top. No metadata that changes
  between runs.
* ``annotated.mp4``: a second streaming pass over the video
  (:func:`hiplab.motion.video.iter_scaled_frames`: FFmpeg decodes and scales
  in a background thread while this thread draws and encodes; rotation
  honoured; a few frames in memory), scaled so its longer side is at most the
  encoder's ``max_side`` (even sizes), the cleaned keypoints drawn as a skeleton
  (subject's left blue, right orange; only measured keypoints), the chosen
  angles written next to their joints (H hip, K knee, A ankle, V valgus), and
  the frame, time and latest event in a banner. VP9 in MP4, which Chromium
  plays, from one of two encoders (:data:`ENCODERS`, the first available):

  - ``pyav``: libvpx-vp9 through PyAV (the ``av`` package, when installed) in
    real-time mode (``deadline=realtime``, ``cpu-used=8``, ``crf=32``):
    about 2 ms a frame at 640 × 360 here;
  - ``opencv``: OpenCV's FFmpeg writer, fourcc ``vp09`` (H.264 is not in
    that build). It cannot be told to encode fast: about 70 ms a frame at
    480 × 270, so it writes smaller frames.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import HiplabError
from hiplab.motion.output_files import atomic_file, measured
from hiplab.motion.series import TimeSeries

FloatArray = NDArray[np.float64]
ImageArray = NDArray[np.uint8]
ANNOTATED_MAX_SIDE = 480
"""Longer side of annotated.mp4 with the OpenCV encoder (slow: keep frames small)."""
PYAV_MAX_SIDE = 640
"""Longer side of annotated.mp4 with the PyAV encoder."""
FOURCC = "vp09"
PYAV_OPTIONS = {"deadline": "realtime", "cpu-used": "8", "row-mt": "1", "crf": "32", "b": "0"}
EVENT_LABEL_S = 0.6
PLOT_DPI = 100
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("side-view joints (deg)", ("hip_flexion", "knee_flexion", "ankle_dorsiflexion")),
    ("segments (deg)", ("thigh_angle", "trunk_lean")),
    ("front-view angles (deg)", ("knee_fppa", "pelvic_drop", "trunk_lateral_lean")),
)
BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    *(
        (f"{s}_{a}", f"{s}_{b}")
        for s in ("left", "right")
        for a, b in (
            ("shoulder", "elbow"),
            ("elbow", "wrist"),
            ("shoulder", "hip"),
            ("hip", "knee"),
            ("knee", "ankle"),
            ("ankle", "heel"),
            ("heel", "foot_index"),
            ("ankle", "foot_index"),
        )
    ),
)
JOINT_OF = {
    "hip_flexion": "hip",
    "knee_flexion": "knee",
    "ankle_dorsiflexion": "ankle",
    "knee_fppa": "knee",
    "thigh_angle": "hip",
}
LABEL_TAGS = {"hip_flexion": "H", "knee_flexion": "K", "ankle_dorsiflexion": "A", "knee_fppa": "V"}
LEFT_BGR = (235, 140, 40)
RIGHT_BGR = (40, 140, 250)


class EncodingError(HiplabError):
    """The annotated video could not be encoded."""


def _channels(series: TimeSeries, names: Sequence[str]) -> list[str]:
    out = []
    for name in names:
        for channel in (f"left_{name}", f"right_{name}", name):
            if channel in series.data and np.isfinite(measured(series, channel)).any():
                out.append(channel)
    return out


def write_plot(path: Path, series: TimeSeries, events: Sequence[tuple[str, int]]) -> None:
    """Write ``plot.png``: the measured angles over time with the events marked."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [(title, _channels(series, names)) for title, names in PANELS]
    panels = [(title, names) for title, names in panels if names] or [("angles (deg)", [])]
    figure = Figure(figsize=(10, 2.6 * len(panels) + 0.6), dpi=PLOT_DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (title, names) in zip(axes, panels, strict=True):
        for name in names:
            style = "--" if name.startswith("left_") else "-"
            ax.plot(series.time, measured(series, name), style, linewidth=1.4, label=name)
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(True, alpha=0.3)
        if names:
            ax.legend(fontsize=8, loc="upper right", ncols=2)
        for _, frame in events:
            if 0 <= frame < series.frames:
                ax.axvline(series.time[frame], color="0.3", linestyle=":", linewidth=1.0)
    top = axes[0]
    for label, frame in events:
        if 0 <= frame < series.frames:
            top.annotate(
                label.replace("_", " "),
                (series.time[frame], 1.0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                fontsize=7,
                va="top",
                ha="right",
            )
    axes[-1].set_xlabel("time (s)")
    figure.tight_layout()
    with atomic_file(path) as tmp:
        figure.savefig(tmp, format="png", metadata={"Software": None})


def _scaled_size(width: int, height: int, max_side: int) -> tuple[int, int, float]:
    scale = min(1.0, max_side / max(width, height))
    w = max(2, round(width * scale / 2) * 2)
    h = max(2, round(height * scale / 2) * 2)
    return w, h, w / width


def _points(series: TimeSeries) -> dict[str, FloatArray]:
    names = {n[: -len("_x")] for n in series.data if n.endswith("_x")}
    return {
        n: np.stack([measured(series, f"{n}_x"), measured(series, f"{n}_y")], axis=1)
        for n in names
        if f"{n}_y" in series.data
    }


def _text(cv2: Any, image: ImageArray, text: str, at: tuple[int, int], scale: float) -> None:
    for color, thick in (((0, 0, 0), 3), ((255, 255, 255), 1)):
        cv2.putText(image, text, at, cv2.FONT_HERSHEY_SIMPLEX, scale, color, thick, cv2.LINE_AA)


def _draw(cv2: Any, image: ImageArray, frame: int, scale: float, ctx: dict[str, Any]) -> None:
    points: dict[str, FloatArray] = ctx["points"]

    def at(name: str) -> tuple[int, int] | None:
        p = points.get(name)
        if p is None or frame >= p.shape[0] or not np.isfinite(p[frame]).all():
            return None
        return round(float(p[frame, 0]) * scale), round(float(p[frame, 1]) * scale)

    for a, b in BONES:
        pa, pb = at(a), at(b)
        if pa and pb:
            color = LEFT_BGR if a.startswith("left_") else RIGHT_BGR
            cv2.line(image, pa, pb, color, 2, cv2.LINE_AA)
    for name in points:
        p = at(name)
        if p:
            cv2.circle(image, p, 3, LEFT_BGR if name.startswith("left_") else RIGHT_BGR, -1)
    for channel, values in ctx["labels"].items():
        value = values[frame] if frame < values.shape[0] else math.nan
        side, _, angle = channel.partition("_")
        joint = at(f"{side}_{JOINT_OF.get(angle, 'hip')}")
        if joint and math.isfinite(value):
            tag = LABEL_TAGS.get(angle, "")
            _text(cv2, image, f"{tag}{value:.0f}", (joint[0] + 6, joint[1] - 6), 0.45)
    banner = f"frame {frame}  {frame / ctx['fps']:.2f} s"
    recent = [label for label, f in ctx["events"] if 0 <= frame - f < EVENT_LABEL_S * ctx["fps"]]
    if recent:
        banner += f"  {recent[-1].replace('_', ' ')}"
    _text(cv2, image, banner, (8, 20), 0.5)


class OpenCvWriter:
    """VP9 in MP4 through OpenCV's FFmpeg (fourcc ``vp09``)."""

    max_side = ANNOTATED_MAX_SIDE

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        import cv2

        self._writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*FOURCC), fps, size)
        if not self._writer.isOpened():
            raise EncodingError(f"cannot encode {path.name}: OpenCV's FFmpeg has no VP9 encoder")

    def write(self, image: ImageArray) -> None:
        """Encode one frame."""
        self._writer.write(image)

    def close(self) -> None:
        """Flush and close the file."""
        self._writer.release()


class PyAvWriter:
    """VP9 in MP4 through PyAV's libvpx in real-time mode."""

    max_side = PYAV_MAX_SIDE

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        from fractions import Fraction
        from importlib import import_module

        av: Any = import_module("av")  # optional dependency: imported by name, untyped
        self._container = av.open(str(path), mode="w", format="mp4")
        try:
            rate = Fraction(fps).limit_denominator(1001)
            self._stream = self._container.add_stream("libvpx-vp9", rate=rate, options=PYAV_OPTIONS)
            self._stream.width, self._stream.height = size
            self._stream.pix_fmt = "yuv420p"
        except Exception as exc:
            self._container.close()
            raise EncodingError(f"cannot encode {path.name} with PyAV: {exc}") from exc
        self._frame_type = av.VideoFrame

    def write(self, image: ImageArray) -> None:
        """Encode one frame."""
        frame = self._frame_type.from_ndarray(image, format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        """Flush and close the file."""
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        finally:
            self._container.close()


ENCODERS: dict[str, type[OpenCvWriter] | type[PyAvWriter]] = {
    "pyav": PyAvWriter,
    "opencv": OpenCvWriter,
}


def available_encoder() -> str:
    """Return the first encoder of :data:`ENCODERS` whose library is installed."""
    from importlib.util import find_spec

    return "pyav" if find_spec("av") is not None else "opencv"


def write_annotated_video(
    path: Path,
    *,
    video: Path,
    series: TimeSeries,
    events: Sequence[tuple[str, int]],
    labels: Sequence[str],
    encoder: str | None = None,
) -> str:
    """Write ``annotated.mp4`` from a second pass over ``video``; return the encoder used."""
    import cv2

    from hiplab.motion.video import iter_scaled_frames, probe_video

    name = encoder or available_encoder()
    kind = ENCODERS[name]
    info = probe_video(video)
    width, height, scale = _scaled_size(info.width, info.height, kind.max_side)
    ctx = {
        "points": _points(series),
        "labels": {c: measured(series, c) for c in labels if c in series.data},
        "events": list(events),
        "fps": info.fps,
    }
    with atomic_file(path) as tmp:
        writer = kind(tmp, info.fps, (width, height))
        try:
            # decoded and scaled in a background thread, overlapping drawing and encoding
            for frame in iter_scaled_frames(info, (width, height)):
                image = frame.image
                _draw(cv2, image, frame.index, scale, ctx)
                writer.write(image)
        finally:
            writer.close()
    return name
