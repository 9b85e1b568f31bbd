"""Keep the subject: choose one person and follow them, or report them lost.

Where things are:

* :mod:`~hiplab.motion.track.params` — :class:`TrackParams`, every threshold
  of the tracker and its gate, with the tuned defaults;
* :mod:`~hiplab.motion.track.geometry` — boxes, body size and anchor of one
  detection (the units every decision is made in);
* :mod:`~hiplab.motion.track.subject` — :class:`Subject`, the followed person's
  state and keypoint memory;
* :mod:`~hiplab.motion.track.identity` — the identity gate (:func:`gate`,
  :func:`rejection`) and :func:`distance_to`;
* :mod:`~hiplab.motion.track.multi_person` — :class:`MultiPersonTracker` for
  inputs that list everyone (OpenPose JSON, multi-person models);
* :mod:`~hiplab.motion.track.crop` — the crop fed to a single-person model and
  its pixels (:func:`crop_region`, :func:`render`, :func:`find_people`);
* :mod:`~hiplab.motion.track.crop_tracker` — :class:`CropTracker`, which drives
  a single-person model (the bundled MediaPipe one) through those crops.

Both trackers share one identity gate and report each frame once, as a
:data:`~hiplab.motion.track.multi_person.Decision`: the subject's detection, or
None when the subject was lost (never somebody else measured instead).
"""

from hiplab.motion.track.crop_tracker import CropState, CropTracker, Look, Viewer, look
from hiplab.motion.track.geometry import Box
from hiplab.motion.track.multi_person import Decision, MultiPersonTracker
from hiplab.motion.track.params import TrackParams
from hiplab.motion.track.subject import Subject

__all__ = [
    "Box",
    "CropState",
    "CropTracker",
    "Decision",
    "Look",
    "MultiPersonTracker",
    "Subject",
    "TrackParams",
    "Viewer",
    "look",
]
