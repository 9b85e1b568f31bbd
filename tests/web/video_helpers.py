"""Inputs for the video tests: small real videos, and a finished analysis job without a video.

:func:`finished_analysis_job` analyses a synthetic clip (OpenPose JSON) with the real
pipeline into a fresh upload folder, and records it as a done ``video_analysis`` job the
way the worker does (:func:`hiplab.services.videos.jobs.publish`). The clips:

* ``thomas`` (the default): a modified Thomas test filmed square from the side at 30 fps;
  its two values are *reliable*, so "use these measurements" stores them;
* ``landing``: a drop landing at 120 fps (peak knee flexion 75°: a stiff landing);
* ``rough_landing``: a drop landing at 120 fps whose keypoints jitter by 8 px (a blurred
  clip): measured, but only *rough*, so nothing is offered for storing.

It takes a second, where a real video takes the pose model ~15 s, so the results page,
the file routes and "use these measurements" are tested on every run; the demo video
covers the full upload → worker path (tests/web/test_videos.py).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Literal

import numpy as np

from hiplab.motion.analyze import AnalyzeRequest, analyze
from hiplab.motion.tasks.names import TaskName
from hiplab.services.videos import jobs as video_jobs
from hiplab.services.videos import uploads
from hiplab.settings import Settings
from hiplab.store import Store, StoredJob
from hiplab.testing import synthetic
from tests.cli.test_analyze_cli import write_openpose
from tests.motion.task_helpers import physical_landing


def gray_video(path: Path, *, frames: int = 8, fourcc: str = "MJPG") -> bytes:
    """Write a real, decodable video with nobody in it (AVI for MJPG, MP4 for mp4v)."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), 30.0, (64, 48))
    assert writer.isOpened()
    for _ in range(frames):
        writer.write(np.full((48, 64, 3), 90, dtype=np.uint8))
    writer.release()
    return path.read_bytes()


def corrupt_mp4() -> bytes:
    """An MP4 ``ftyp`` box followed by noise: sniffed as MP4, but no decodable stream."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return head + bytes(range(256)) * 64


Clip = Literal["thomas", "landing", "rough_landing"]
CLIPS: dict[Clip, tuple[float, str]] = {
    "thomas": (30.0, "thomas <1>.mp4"),
    "landing": (120.0, "landing <1>.mp4"),
    "rough_landing": (120.0, "landing <1>.mp4"),
}
ROUGH_NOISE_PX = 8.0
"""Keypoint jitter of the rough landing: its knee angles come out wider than 7° (rough)."""
"""Each synthetic clip's frame rate and the file name it is shown under."""


def _capture(clip: Clip) -> synthetic.Capture:
    fps = CLIPS[clip][0]
    if clip == "thomas":
        return synthetic.thomas_test(synthetic.CaptureOptions(fps=fps))
    if clip == "rough_landing":
        return synthetic.drop_landing(synthetic.CaptureOptions(fps=fps, noise_px=ROUGH_NOISE_PX))
    return physical_landing(fps, peak_knee=75.0)


def finished_analysis_job(
    store: Store,
    settings: Settings,
    *,
    person_id: int,
    owner_id: int | None,
    workdir: Path,
    clip: Clip = "thomas",
    task: TaskName | None = None,
) -> StoredJob:
    """Analyse a synthetic clip (as the task ``task``, default the clip's) and store a done job."""
    fps, filename = CLIPS[clip]
    task = task or ("thomas" if clip == "thomas" else "landing")
    source = write_openpose(workdir / f"openpose-{uuid.uuid4().hex[:8]}", _capture(clip))
    upload_id = uuid.uuid4().hex
    outdir = settings.resolved_upload_dir() / upload_id / "out"
    analysis = analyze(AnalyzeRequest(source=source, task=task, fps=fps, outdir=outdir))
    job_input = video_jobs.VideoJobInput(
        upload_id=upload_id,
        video="video.mp4",
        filename=filename,
        options=uploads.VideoOptions(task=task, fps=fps),
    )
    job = store.jobs.enqueue(
        kind=video_jobs.JOB_KIND,
        payload=job_input.payload(size=1000, container="MP4/QuickTime"),
        owner_id=owner_id,
        person_id=person_id,
    )
    claimed = store.jobs.claim(owner="test-worker", kinds=(video_jobs.JOB_KIND,))
    assert claimed is not None and claimed.id == job.id
    result = video_jobs.publish(analysis, filename=job_input.filename, outdir=outdir)
    store.jobs.finish(job_id=job.id, owner="test-worker", result=result)
    return store.jobs.get(job_id=job.id)
