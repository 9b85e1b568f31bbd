"""annotated.mp4: a second pass over the video, VP9 in MP4, and it plays in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hiplab.motion.kinematics import track_to_series
from hiplab.motion.outputs_media import ENCODERS, FOURCC, write_annotated_video
from hiplab.testing import synthetic

WIDTH, HEIGHT, FRAMES = 640, 360, 30


def make_video(path: Path, capture: synthetic.Capture) -> None:
    """Write a small MJPEG video with the figure's keypoints as dots (the 'recording')."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (WIDTH, HEIGHT))
    assert writer.isOpened()
    for i in range(FRAMES):
        image = np.full((HEIGHT, WIDTH, 3), 60, dtype=np.uint8)
        for x, y in capture.track.xy[i]:
            if np.isfinite(x) and np.isfinite(y):
                cv2.circle(image, (round(x), round(y)), 4, (255, 255, 255), -1)
        writer.write(image)
    writer.release()


@pytest.fixture(scope="module", params=list(ENCODERS))
def annotated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    encoder = str(request.param)
    if encoder == "pyav":
        pytest.importorskip("av", reason="PyAV (the av package) is not installed")
    folder = tmp_path_factory.mktemp(f"video-{encoder}")
    options = synthetic.CaptureOptions(
        width=WIDTH, height=HEIGHT, body=synthetic.Body(height_px=260.0)
    )
    capture = synthetic.squat(options, reps=1, rep_s=0.6)
    source = folder / "input.avi"
    make_video(source, capture)
    series, _ = track_to_series(capture.track)
    out = folder / "annotated.mp4"
    used = write_annotated_video(
        out,
        video=source,
        series=series,
        events=[("bottom", 15)],
        labels=["right_knee_flexion", "right_hip_flexion"],
        encoder=encoder,
    )
    assert used == encoder
    return out


def max_side(annotated: Path) -> int:
    return ENCODERS[annotated.parent.name.split("-")[1].rstrip("0123456789")].max_side


def test_annotated_video_is_vp9_in_mp4_with_every_frame(annotated: Path) -> None:
    import cv2

    data = annotated.read_bytes()
    assert data[4:8] == b"ftyp"
    assert FOURCC.encode() in data  # the MP4 sample entry of a VP9 track
    assert [p.name for p in annotated.parent.iterdir() if p.name.startswith(".")] == []
    capture = cv2.VideoCapture(str(annotated))
    try:
        fourcc = int(capture.get(cv2.CAP_PROP_FOURCC))
        codec = "".join(chr((fourcc >> (8 * i)) & 0xFF) for i in range(4))
        assert codec == "VP90"  # FFmpeg's name for VP9 as OpenCV reports it
        assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == FRAMES
        side = max_side(annotated)
        assert int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)) == side
        ok, image = capture.read()
        assert ok and image.shape == (side * HEIGHT // WIDTH, side, 3)
    finally:
        capture.release()


def test_annotated_video_plays_in_chromium(annotated: Path, browser: Any) -> None:
    page_file = annotated.parent / "play.html"
    page_file.write_text(
        '<!doctype html><video id="v" src="annotated.mp4" muted preload="metadata"></video>',
        encoding="utf-8",
    )
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        facts = page.evaluate(
            """() => new Promise((resolve) => {
                const v = document.getElementById('v');
                const done = () => resolve({w: v.videoWidth, h: v.videoHeight, d: v.duration,
                                            error: v.error ? v.error.code : 0});
                if (v.readyState >= 1) { done(); return; }
                v.addEventListener('loadedmetadata', done);
                v.addEventListener('error', done);
            })"""
        )
    finally:
        page.close()
    assert facts["error"] == 0
    assert facts["w"] == max_side(annotated) and facts["h"] > 0
    assert facts["d"] > 0
