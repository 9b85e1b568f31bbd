"""Inputs for the video tests: small real videos, and a finished analysis job without a video.

:func:`finished_analysis_job` analyses a synthetic drop landing (OpenPose JSON, 120 fps,
peak knee flexion 75°: a stiff landing) with the real pipeline into a fresh upload
folder, and records it as a done ``video_analysis`` job the way the worker does
(:func:`hiplab.video_service.publish`). It takes a second, where a real video takes
the pose model ~15 s, so the results page, the file routes and "use these
measurements" are tested on every run; the demo video covers the full upload → worker
path (tests/web/test_videos.py).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np

from hiplab import video_service
from hiplab.motion.analyze import AnalyzeRequest, TaskName, analyze
from hiplab.settings import Settings
from hiplab.store import Store, StoredJob
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


def finished_analysis_job(
    store: Store,
    settings: Settings,
    *,
    person_id: int,
    owner_id: int | None,
    task: TaskName = "landing",
    workdir: Path,
) -> StoredJob:
    """Analyse a synthetic landing into an upload folder and store it as a done job."""
    capture = physical_landing(120.0, peak_knee=75.0)
    source = write_openpose(workdir / f"openpose-{uuid.uuid4().hex[:8]}", capture)
    upload_id = uuid.uuid4().hex
    outdir = settings.resolved_upload_dir() / upload_id / "out"
    analysis = analyze(AnalyzeRequest(source=source, task=task, fps=120.0, outdir=outdir))
    job_input = video_service.VideoJobInput(
        upload_id=upload_id,
        video="video.mp4",
        filename="landing <1>.mp4",
        options=video_service.VideoOptions(task=task, fps=120.0),
    )
    job = store.enqueue_job(
        kind=video_service.JOB_KIND,
        payload=job_input.payload(size=1000, container="MP4/QuickTime"),
        owner_id=owner_id,
        person_id=person_id,
    )
    claimed = store.claim_job(kinds=(video_service.JOB_KIND,))
    assert claimed is not None and claimed.id == job.id
    result = video_service.publish(analysis, filename=job_input.filename, outdir=outdir)
    store.finish_job(job_id=job.id, result=result)
    return store.get_job(job_id=job.id)
