"""The three legacy MediaPipe pose landmark models, pinned by file name and checksum.

``mediapipe.solutions.pose`` picks its landmark model by ``model_complexity``:
0 ``lite``, 1 ``full``, 2 ``heavy``. Only ``full`` ships in the
``mediapipe==0.10.21`` wheel; mediapipe would download the other two at run
time, which hiplab never lets it do. ``scripts/install_pose_models.py`` takes
all three from the npm package ``@mediapipe/pose`` (pinned below; its ``full``
file is byte-identical to the wheel's) and puts ``lite`` and ``heavy`` next to
``full`` in mediapipe's ``modules/pose_landmark`` folder, where the solution
looks for them.

This table is the one place the pins live: :mod:`hiplab.motion.pose` checks a
model against it before using it, and the install script (standard library
only, run before hiplab's dependencies may be importable) loads this file by
path. So it imports nothing but the standard library and does nothing on import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

PoseModelName = Literal["lite", "full", "heavy"]
"""The model choice people make (``hiplab analyze --model lite|full|heavy``)."""

NPM_PACKAGE: Final = "@mediapipe/pose"
NPM_VERSION: Final = "0.5.1675469404"
"""The npm release the models (and the web runtime beside them) come from."""

MODULES_SUBDIR: Final = ("modules", "pose_landmark")
"""Where, inside the installed ``mediapipe`` package, the solution reads the model files."""


@dataclass(frozen=True)
class PoseModelFile:
    """One landmark model: the complexity that selects it, its file and the file's sha256."""

    name: PoseModelName
    complexity: int
    file: str
    sha256: str
    in_wheel: bool
    """True when the mediapipe wheel itself ships the file (only ``full``)."""


POSE_MODELS: Mapping[PoseModelName, PoseModelFile] = {
    "lite": PoseModelFile(
        name="lite",
        complexity=0,
        file="pose_landmark_lite.tflite",
        sha256="f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
        in_wheel=False,
    ),
    "full": PoseModelFile(
        name="full",
        complexity=1,
        file="pose_landmark_full.tflite",
        sha256="e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
        in_wheel=True,
    ),
    "heavy": PoseModelFile(
        name="heavy",
        complexity=2,
        file="pose_landmark_heavy.tflite",
        sha256="59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
        in_wheel=False,
    ),
}

DEFAULT_POSE_MODEL: Final[PoseModelName] = "full"
"""``full``: neither other model is clearly better for its price (2 cores, no GPU).

``benchmarks/camera_validation.py --models`` (Pose2Sim demo, 4 cameras; each
model's 2-D track against a leave-one-out skeleton triangulated from all
three models' tracks) and ``benchmarks/video_pipeline.py --models``:

* ``heavy``: keypoints 18.8 px from the reference (median over the cameras)
  against 19.9 for ``full``, closer on three cameras and farther on one
  (28.2 against 24.4 px); on the real frames both measured its frontal
  angles are worse (MAE 5.7 against 4.8 deg, 251 frames: knee FPPA 2.8 and
  5.4 deg worse, pelvis and trunk 0.2-0.3 deg better); it withholds fewer
  frames (1522 against 1666 of 1940). For that, ``hiplab analyze`` takes
  1.67 times as long (18.8 against 31.4 fps), 1.83 times the CPU and
  680 MB (over the 500 MB goal).
* ``lite``: 7% faster (33.9 fps) but its keypoints are farther (21.3 px)
  and, filmed square from the front by virtual cameras, hiplab withholds
  6-7 times as many frames of its reference (225 and 169 against 35 and 26).
"""


def model_names() -> str:
    """Return the model names as a message lists them.

    >>> model_names()
    'lite, full or heavy'
    """
    *first, last = POSE_MODELS
    return f"{', '.join(first)} or {last}"
