"""Video uploads: the options of an analysis, and the uploaded file kept on disk.

1. :func:`parse_options` checks the task, exercise and frame rate the user chose
   (errors name the field, the value and what is allowed);
2. :func:`store_upload` streams the uploaded bytes to ``upload_dir/<uuid>/video.<ext>``
   in chunks, refusing them once they pass the size limit (:class:`UploadTooLarge`) or
   when their first bytes are no accepted video container (:class:`UnsupportedVideo`) —
   the client's file name never reaches the filesystem, it is kept only to be shown;
3. :func:`remove_upload` and :func:`remove_source` delete an upload, or only its video.

Nothing here speaks HTTP: each refusal carries its status (``http_status``: 413 too
large, 415 not a video, 422 otherwise) for the web app's one error handler.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from hiplab.errors import InputError, StoreError
from hiplab.motion.tasks.names import TASK_NAMES

if TYPE_CHECKING:
    from hiplab.motion.tasks.names import TaskName

CONTAINERS: dict[str, str] = {
    "MP4/QuickTime": "mp4",
    "QuickTime": "mov",
    "Matroska/WebM": "mkv",
    "AVI": "avi",
}
"""Accepted container families (:func:`hiplab.motion.video.container_kind`) → stored extension."""
ALLOWED_WORDS = "MP4, MOV (QuickTime), WebM, MKV (Matroska) or AVI"
NOT_VIDEO_BRANDS = frozenset(
    {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"M4A ", b"M4B ", b"M4P "}
)
"""ISO media brands of still images and audio: an ``ftyp`` box, but no video to analyse."""
CHUNK = 1 << 20
"""Bytes copied at a time (1 MiB): an upload is never held in memory as a whole."""
MIN_FPS, MAX_FPS = 1.0, 1000.0
MAX_NAME = 200
"""Longest display name kept for an uploaded file (characters)."""
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


class UploadTooLarge(InputError):
    """The upload is larger than ``max_upload_mb`` (HTTP 413)."""

    http_status: ClassVar[int] = 413


class UnsupportedVideo(InputError):
    """The upload's content is no accepted video container, whatever its name (HTTP 415)."""

    http_status: ClassVar[int] = 415


@dataclass(frozen=True)
class VideoOptions:
    """How a video is analysed: the task, the exercise of a ``hold``, the frame rate."""

    task: TaskName
    exercise: str | None = None
    fps: float | None = None


@dataclass(frozen=True)
class StoredUpload:
    """An upload kept on disk: its generated id and file name, size, container, display name."""

    upload_id: str
    video: str
    size: int
    container: str
    filename: str


# --- 1. options ---------------------------------------------------------------------------------


def parse_options(
    *, task: str, exercise: str | None = None, fps: str | float | None = None
) -> VideoOptions:
    """Check the options of an analysis as a form or an API call gives them.

    Blank ``exercise`` and ``fps`` mean none (the video's own frame rate).

    Raises
    ------
    InputError
        Naming the field, the value and what is allowed.

    Examples
    --------
    >>> parse_options(task="landing", fps="120")
    VideoOptions(task='landing', exercise=None, fps=120.0)

    """
    name = next((n for n in TASK_NAMES if n == task.strip()), None)
    if name is None:
        raise InputError(field="task", value=task.strip(), allowed=TASK_NAMES)
    chosen = (exercise or "").strip() or None
    if name == "hold":
        _check_exercise(chosen)
    elif chosen is not None:
        raise InputError(
            f"is used only with task hold, not with task {name}",
            field="exercise",
            value=chosen,
            allowed="empty",
        )
    return VideoOptions(task=name, exercise=chosen, fps=_fps(fps))


def _check_exercise(chosen: str | None) -> None:
    """Raise InputError unless ``chosen`` names a library exercise (the pose a hold keeps)."""
    from hiplab.motion.analyze import find_exercise

    allowed = "the id of a library exercise whose pose is held (e.g. pigeon_stretch)"
    if chosen is None:
        raise InputError("is needed by the hold task", field="exercise", allowed=allowed)
    try:
        find_exercise(chosen)
    except InputError as exc:
        # The library's own words say why (close ids, or a hold no side view can check).
        raise InputError(f"cannot be used: {exc}", field="exercise", value=chosen) from None


def _fps(value: str | float | None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    allowed = f"{MIN_FPS:g} to {MAX_FPS:g} frames per second, or empty for the video's own"
    try:
        fps = float(value)
    except (TypeError, ValueError):
        raise InputError("is not a number", field="fps", value=value, allowed=allowed) from None
    if not MIN_FPS <= fps <= MAX_FPS:  # also refuses nan
        raise InputError(field="fps", value=value, allowed=allowed)
    return fps


def clean_filename(name: str) -> str:
    r"""Return a client's file name fit to show: no folders, no control characters, not too long.

    It is only ever shown (escaped); files are stored under generated names.

    >>> clean_filename("C:\\clips\\squat\x00.mp4")
    'squat.mp4'
    """
    base = re.split(r"[/\\]", name)[-1]
    shown = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return shown[:MAX_NAME] or "video"


# --- 2. upload ----------------------------------------------------------------------------------


def store_upload(
    *, stream: BinaryIO, filename: str | None, upload_dir: Path, max_bytes: int
) -> StoredUpload:
    """Copy an upload to ``upload_dir/<uuid>/video.<ext>`` in chunks; refuse it part-way if too big.

    Parameters
    ----------
    stream : binary file
        The uploaded bytes, read in :data:`CHUNK` pieces.
    filename : str or None
        The client's name of the file: shown, never used as a path.
    upload_dir : Path
        Folder of uploads (``Settings.resolved_upload_dir``), never served directly.
    max_bytes : int
        The largest file accepted.

    Raises
    ------
    UploadTooLarge
        As soon as more than ``max_bytes`` arrive (nothing is left on disk).
    UnsupportedVideo
        If the first bytes announce no accepted container (nothing is left on disk).
    InputError
        If the file is empty.
    StoreError
        If the upload folder cannot be written.

    """
    shown = clean_filename(filename or "")
    upload_id = uuid.uuid4().hex
    folder = upload_dir / upload_id
    try:
        upload_dir.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700)
    except OSError as exc:
        raise StoreError(f"cannot keep the upload in {upload_dir}: {exc.strerror}") from None
    try:
        part = folder / "upload.part"
        size = _copy(stream, part, max_bytes=max_bytes, shown=shown)
        container = sniff_container(part, shown=shown)
        video = f"video.{CONTAINERS[container]}"
        part.rename(folder / video)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise StoreError(f"cannot keep the upload in {upload_dir}: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StoredUpload(
        upload_id=upload_id, video=video, size=size, container=container, filename=shown
    )


def too_large(max_bytes: int) -> UploadTooLarge:
    """Return the refusal of an upload over the limit (also used before any byte is read)."""
    return UploadTooLarge(
        f"is larger than the {max_bytes / 2**20:g} MB allowed (max_upload_mb)",
        field="video",
        hint="cut or compress the clip and upload it again",
    )


def _copy(stream: BinaryIO, target: Path, *, max_bytes: int, shown: str) -> int:
    size = 0
    with target.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large(max_bytes)
            out.write(chunk)
    if size == 0:
        raise InputError(
            "is empty (0 bytes)", field="video", value=shown, hint="choose a video file"
        )
    return size


def sniff_container(path: Path, *, shown: str) -> str:
    """Return the accepted container family of a file from its first bytes (never its name).

    Raises
    ------
    UnsupportedVideo
        Naming what the content looks like and what is allowed.

    """
    from hiplab.motion.video import container_kind

    kind = container_kind(path)
    with path.open("rb") as handle:
        head = handle.read(12)
    if kind == "AVI" and head[8:12] != b"AVI ":
        kind = None  # RIFF holds WAV audio and WebP images too
    if kind == "MP4/QuickTime" and head[8:12] in NOT_VIDEO_BRANDS:
        kind = None
    if kind not in CONTAINERS:
        found = f"it is {kind}" if kind else "its content is no video container"
        raise UnsupportedVideo(
            f"is no accepted video: {found}",
            field="video",
            value=shown,
            allowed=f"{ALLOWED_WORDS} (recognised from the content, not the file name)",
        )
    return kind


def remove_upload(*, upload_dir: Path, upload_id: str) -> None:
    """Delete an upload's folder (the video and its outputs)."""
    if UPLOAD_ID.match(upload_id):
        shutil.rmtree(upload_dir / upload_id, ignore_errors=True)


def remove_source(*, upload_dir: Path, upload_id: str) -> None:
    """Delete an upload's video (and any part of it), keeping the analysis outputs (``out/``)."""
    if not UPLOAD_ID.match(upload_id):
        return
    folder = upload_dir / upload_id
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # outputs remain, or the folder is gone
        folder.rmdir()  # only when nothing is left
