"""How the subject is kept: every threshold of the tracker and its identity gate, in one place.

Sizes are in units of the subject's body size
(:func:`hiplab.motion.track.geometry.body_size`) unless a field says pixels
or frames; overlaps are box intersection over union (IoU).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrackParams:
    """How the subject is kept (see the module docstring for the units).

    The defaults are the values tuned on the sports2d demo video and the
    synthetic tracking tests; every tracker, gate and crop function takes one
    explicitly.
    """

    # --- what counts as a person -------------------------------------------------------
    min_score: float = 0.3
    """A keypoint with at least this score counts as found."""
    min_keypoints: int = 6
    """A detection with fewer found keypoints is not used."""

    # --- crops fed to a single-person model -------------------------------------------
    crop_margin: float = 2.0
    """Side of the square crop around the subject, in subject sizes."""
    crop_max_side: int = 512
    """Crops larger than this many pixels are scaled down before inference."""
    search_max_side: int = 960
    """The whole frame, searched to find people, is halved until it is this size or less.

    MediaPipe samples its landmark region from the image without smoothing, so
    a large frame aliases; a smoothed smaller one finds people more often."""
    mask_margin: float = 0.1
    """Masks over other people, and the subject's box kept clear of them, are widened by
    this share of the box's longer side on every side."""
    restart_shift: float = 0.25
    """A crop that moved more than this many sizes since the last call restarts the model
    (its own frame-to-frame tracking would point elsewhere)."""
    same_person_iou: float = 0.5
    """When searching the whole frame, a find overlapping an already masked person at least
    this much is that person again."""

    # --- identity gate -----------------------------------------------------------------
    max_jump: float = 0.35
    """Largest distance from the predicted centre, in sizes, for the same person."""
    max_size_change: float = 1.25
    """Largest ratio between a detection's body size and the subject's."""
    size_change_growth: float = 0.05
    """While lost, the allowed size ratio grows by this share per frame ..."""
    size_change_growth_frames: int = 4
    """... for at most this many frames."""
    unsettled_size_factor: float = 2.0
    """Before the subject is settled the allowed size ratio is this many times wider
    (a model's first fits are loose)."""
    inside_fraction: float = 0.6
    """Share of confident keypoints that must fall inside the widened predicted box."""
    search_growth: float = 0.12
    """While lost, the allowed distance grows by this many sizes per frame."""
    max_search: float = 2.0
    """The allowed distance never exceeds this many sizes: further away is somebody else."""
    confirm_within: int = 3
    """Frames a find after a loss may wait for a frame that agrees (frames with nobody)."""

    # --- the subject's motion model -------------------------------------------------------
    settle_frames: int = 4
    """Confirmations after which a subject's size and speed are trusted."""
    max_speed: float = 0.2
    """Largest predicted speed of the subject's centre, in sizes per frame."""
    predict_frames: int = 10
    """The constant-velocity prediction moves a position for at most this many frames."""
    velocity_smoothing: float = 0.5
    """Weight of the latest torso move in the running velocity (the rest: the old velocity)."""
    size_smoothing: float = 0.2
    """Weight of the latest body size in the running size once settled."""
    memory_frames: int = 15
    """Frames a keypoint's last position is remembered (the pose changes meanwhile).

    Covers a dropout of 0.5 s at 30 fps, 0.125 s at 120 fps."""
    min_shared: int = 4
    """Keypoints a detection must share with the subject's memory to be compared one by one.

    With fewer, the anchors are compared instead
    (:func:`hiplab.motion.track.identity.distance_to`)."""

    # --- choosing the subject among several ------------------------------------------------
    max_people: int = 3
    """People searched for when choosing the subject with a single-person model."""
    warmup_frames: int = 15
    """Frames looked at to choose the main subject among several people."""
    person_box_min_iou: float = 0.1
    """A ``person_box`` selects a person only if it overlaps their box at least this much."""
    link_min_iou: float = 0.3
    """Detections in consecutive frames join one tracklet if their boxes overlap this much."""
    link_max_gap: int = 3
    """A tracklet takes a detection at most this many frames after its last one."""

    # --- distractors (people who are not the subject) ---------------------------------------
    distractor_frames: int = 45
    """Frames a rejected person is remembered and masked out of crops."""
    distractor_growth: float = 0.1
    """A distractor's mask widens by this share of ``mask_margin`` per frame of its age."""
    distractor_min_iou: float = 0.3
    """A detection continues a distractor if it overlaps the distractor's predicted box more
    than the subject's, and more than this."""
    distractor_link_iou: float = 0.2
    """A rejected person overlapping a remembered distractor more than this is that one."""

    def __post_init__(self) -> None:
        checks = {
            "min_score": 0 <= self.min_score <= 1,
            "min_keypoints": self.min_keypoints >= 2,
            "crop_margin": self.crop_margin >= 1,
            "crop_max_side": self.crop_max_side >= 64,
            "search_max_side": self.search_max_side >= 64,
            "mask_margin": self.mask_margin >= 0,
            "restart_shift": self.restart_shift >= 0,
            "same_person_iou": 0 <= self.same_person_iou <= 1,
            "max_jump": self.max_jump > 0,
            "max_size_change": self.max_size_change >= 1,
            "size_change_growth": self.size_change_growth >= 0,
            "size_change_growth_frames": self.size_change_growth_frames >= 0,
            "unsettled_size_factor": self.unsettled_size_factor >= 1,
            "inside_fraction": 0 <= self.inside_fraction <= 1,
            "search_growth": self.search_growth >= 0,
            "max_people": self.max_people >= 1,
            "confirm_within": self.confirm_within >= 1,
            "warmup_frames": self.warmup_frames >= 1,
            "settle_frames": self.settle_frames >= 1,
            "max_speed": self.max_speed >= 0,
            "predict_frames": self.predict_frames >= 1,
            "velocity_smoothing": 0 <= self.velocity_smoothing <= 1,
            "size_smoothing": 0 <= self.size_smoothing <= 1,
            "memory_frames": self.memory_frames >= 0,
            "min_shared": self.min_shared >= 1,
            "person_box_min_iou": 0 <= self.person_box_min_iou <= 1,
            "link_min_iou": 0 <= self.link_min_iou <= 1,
            "link_max_gap": self.link_max_gap >= 1,
            "distractor_growth": self.distractor_growth >= 0,
            "distractor_min_iou": 0 <= self.distractor_min_iou <= 1,
            "distractor_link_iou": 0 <= self.distractor_link_iou <= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"TrackParams.{name} is out of range: {getattr(self, name)!r}")
