"""Re-run the stages after pose estimation from an output folder's saved keypoints.

As in Pose2Sim, each stage starts from the previous stage's saved output: an
analysis writes ``keypoints.npz`` (:mod:`hiplab.motion.keypoints_file`) beside
its other files, and :func:`analyse_from_keypoints` reads it back and runs
kinematics, the task, the verdicts and the files again — without the pose
model — so angles and tasks can be worked on, or an old clip re-scored with a
newer hiplab, at no pose-estimation cost. The same track gives the same
numbers: only ``rerun_from`` (and the file paths, when written elsewhere) tell
the re-run's ``metrics.json`` from the original's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hiplab.errors import InputError

if TYPE_CHECKING:
    from hiplab.motion.analyze import Analysis, StageHook
    from hiplab.motion.tasks.names import TaskName


def analyse_from_keypoints(
    outdir: Path,
    *,
    task: TaskName,
    exercise: str | None = None,
    to: Path | None = None,
    on_stage: StageHook | None = None,
) -> Analysis:
    """Analyse the track saved in ``outdir`` again, for ``task``; write the files.

    Parameters
    ----------
    outdir
        An output folder of an earlier analysis (it holds ``keypoints.npz``).
    task
        The task to measure, which may differ from the first analysis's.
    exercise
        The library exercise of a ``hold`` (required for it, refused otherwise).
    to
        The folder to write the files into (default: ``outdir``, overwritten).
    on_stage
        Told when each stage ends: ``kinematics``, ``task``, ``outputs``.

    Returns
    -------
    Analysis
        As :func:`hiplab.motion.analyze.analyze` returns it, with ``rerun_from``
        set to ``outdir``.

    Raises
    ------
    InputError
        For a bad task or exercise, or a folder without readable keypoints
        (none saved, another format version), naming the folder and what is
        missing.

    """
    from hiplab.motion.analyze import analyse_track, check_task, find_exercise
    from hiplab.motion.keypoints_file import FILE_NAME, read_keypoints

    spec = check_task(task, exercise)
    found = find_exercise(exercise) if spec.needs_exercise else None
    if not outdir.is_dir():
        raise InputError(f"cannot re-run an analysis from {outdir}: there is no such folder")
    saved = read_keypoints(outdir / FILE_NAME)
    return analyse_track(
        saved.track,
        spec=spec,
        exercise=found,
        origin=saved.origin,
        outdir=to or outdir,
        rerun_from=outdir,
        on_stage=on_stage,
    )
