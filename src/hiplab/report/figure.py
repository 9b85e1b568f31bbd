"""Stick-figure pictures of exercise poses, drawn from keyframe angles.

Conventions
-----------
Angles and segment directions follow :mod:`hiplab.library.models` exactly:
with ``T = trunk_deg`` and an angle ``a`` measured from vertical-up,
clockwise toward +x (direction ``(sin a, cos a)``),

* trunk (pelvis → neck) = T; the head centre sits beyond the neck along it;
* thigh = T + 180 - hip_flexion; shank = thigh + knee_flexion;
* foot = shank - 90 - ankle_dorsiflexion;
* upper arm = T + 180 - shoulder_flexion; forearm = upper arm - elbow_flexion.

Coordinates are in body heights, x to the right, y up. The pelvis is at
``x = 0`` and the drawing is shifted so its lowest point (a joint or the
bottom of the head) rests on the floor, ``y = 0``.

Sagittal view: the subject faces +x; both hips sit at the pelvis and both
shoulders at the neck. The subject's left side faces the viewer (near side).

Frontal view: the subject faces the viewer, so the subject's right side is
on the viewer's left (-x). Every angle except ``hip_abduction`` turns a
segment in the sagittal plane, toward or away from the viewer, so each
segment is projected onto the picture plane: it keeps the vertical part of
its sagittal direction, its drawn length being its length times ``|cos a|``
(at least :data:`MIN_FORESHORTEN`, or :data:`MIN_TRUNK_FORESHORTEN` for the
trunk, so a segment pointing at the viewer stays visible), drawn up when
``cos a > 0`` and down otherwise. ``trunk_deg`` thus leans the trunk toward
the viewer and shortens it; it never tilts the figure sideways. (Side-lying
leg lifts are drawn with ``trunk_deg`` 0, as if stood up; see the library.)
``hip_abduction`` swings each thigh away from the midline in the picture
plane; the shank continues straight down the limb when the knee is straight
and bends back as the knee flexes (vertical at 45°, mirrored back to the
midline at 90° and beyond), so knee flexion shows as a bend at the knee.
Arms hang slightly away from the body; feet are short outward stubs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from html import escape
from typing import Literal

from hiplab.library.models import Keyframe, LimbAngles, Pose

Point = tuple[float, float]
View = Literal["sagittal", "frontal"]
Side = Literal["left", "right"]

SEGMENT_LENGTH: Mapping[str, float] = {
    "trunk": 0.30,
    "thigh": 0.245,
    "shank": 0.245,
    "foot": 0.08,
    "upper_arm": 0.17,
    "forearm": 0.16,
}
"""Segment lengths as fractions of body height."""

HEAD_RADIUS = 0.06
NECK_TO_HEAD = 0.08
HIP_HALF_WIDTH = 0.07
SHOULDER_HALF_WIDTH = 0.11
MIN_FORESHORTEN = 0.25
MIN_DRAWN_HEIGHT = 0.8
"""Body heights the canvas height always has room for (caps the zoom)."""
MIN_TRUNK_FORESHORTEN = 0.35
ARM_SPREAD_DEG = 8.0

NEAR_COLOUR = "#1f2937"
FAR_COLOUR = "#9ca3af"
TRUNK_COLOUR = "#374151"
FLOOR_COLOUR = "#94a3b8"

LIMBS: tuple[tuple[str, str, str], ...] = (
    ("thigh", "hip", "knee"),
    ("shank", "knee", "ankle"),
    ("foot", "ankle", "toe"),
    ("upper_arm", "shoulder", "elbow"),
    ("forearm", "elbow", "wrist"),
)
"""Limb segments drawn per side: name, proximal point, distal point."""


def direction(angle_deg: float) -> Point:
    """Return the unit vector of an angle from vertical-up, clockwise toward +x.

    Examples
    --------
    >>> [round(c, 6) for c in direction(90.0)]
    [1.0, 0.0]

    """
    rad = math.radians(angle_deg)
    return (math.sin(rad), math.cos(rad))


def _step(start: Point, length: float, angle_deg: float) -> Point:
    dx, dy = direction(angle_deg)
    return (start[0] + length * dx, start[1] + length * dy)


def _limb_angles(trunk: float, limbs: LimbAngles) -> dict[str, float]:
    """Sagittal direction of every limb segment of one side (degrees)."""
    thigh = trunk + 180.0 - limbs.hip_flexion
    shank = thigh + limbs.knee_flexion
    upper_arm = trunk + 180.0 - limbs.shoulder_flexion
    return {
        "thigh": thigh,
        "shank": shank,
        "foot": shank - 90.0 - limbs.ankle_dorsiflexion,
        "upper_arm": upper_arm,
        "forearm": upper_arm - limbs.elbow_flexion,
    }


def _sides(keyframe: Keyframe) -> Iterator[tuple[Side, LimbAngles]]:
    yield "left", keyframe.left
    yield "right", keyframe.right


def _sagittal_points(keyframe: Keyframe) -> dict[str, Point]:
    trunk = keyframe.trunk_deg
    pelvis = (0.0, 0.0)
    neck = _step(pelvis, SEGMENT_LENGTH["trunk"], trunk)
    points = {"pelvis": pelvis, "neck": neck, "head": _step(neck, NECK_TO_HEAD, trunk)}
    for side, limbs in _sides(keyframe):
        angle = _limb_angles(trunk, limbs)
        points[f"{side}_hip"] = pelvis
        points[f"{side}_shoulder"] = neck
        for name, start, end in LIMBS:
            points[f"{side}_{end}"] = _step(
                points[f"{side}_{start}"], SEGMENT_LENGTH[name], angle[name]
            )
    return points


def _frontal_segment(
    start: Point, length: float, sagittal: float, outward: float, sign: float
) -> Point:
    """End of a segment seen from the front (see module conventions).

    ``sagittal`` is the segment's direction in the sagittal plane (degrees from
    vertical-up, as in the side view); only its vertical part shows from the
    front. ``outward`` tilts the segment away from the midline in the picture
    plane; ``sign`` is +1 on the subject's left (viewer's right), -1 on the right.
    """
    vertical = math.cos(math.radians(sagittal))
    drawn = length * max(abs(vertical), MIN_FORESHORTEN)
    up = 1.0 if vertical > 1e-9 else -1.0
    out = math.radians(outward)
    return (start[0] + sign * drawn * math.sin(out), start[1] + up * drawn * math.cos(out))


def _frontal_side(points: dict[str, Point], side: Side, limbs: LimbAngles, trunk: float) -> None:
    sign = 1.0 if side == "left" else -1.0
    angle = _limb_angles(trunk, limbs)
    abduction = limbs.hip_abduction
    bend = abduction * (1.0 - 2.0 * min(1.0, limbs.knee_flexion / 90.0))
    hip = (sign * HIP_HALF_WIDTH, 0.0)
    knee = _frontal_segment(hip, SEGMENT_LENGTH["thigh"], angle["thigh"], abduction, sign)
    ankle = _frontal_segment(knee, SEGMENT_LENGTH["shank"], angle["shank"], bend, sign)
    shoulder = (sign * SHOULDER_HALF_WIDTH, points["neck"][1])
    elbow = _frontal_segment(
        shoulder, SEGMENT_LENGTH["upper_arm"], angle["upper_arm"], ARM_SPREAD_DEG, sign
    )
    points.update(
        {
            f"{side}_hip": hip,
            f"{side}_knee": knee,
            f"{side}_ankle": ankle,
            f"{side}_toe": (ankle[0] + sign * SEGMENT_LENGTH["foot"] * 0.5, ankle[1]),
            f"{side}_shoulder": shoulder,
            f"{side}_elbow": elbow,
            f"{side}_wrist": _frontal_segment(
                elbow, SEGMENT_LENGTH["forearm"], angle["forearm"], ARM_SPREAD_DEG, sign
            ),
        }
    )


def _frontal_points(keyframe: Keyframe) -> dict[str, Point]:
    trunk = keyframe.trunk_deg
    vertical = math.cos(math.radians(trunk))
    lift = max(abs(vertical), MIN_TRUNK_FORESHORTEN) * (1.0 if vertical > -1e-9 else -1.0)
    points: dict[str, Point] = {
        "pelvis": (0.0, 0.0),
        "neck": (0.0, SEGMENT_LENGTH["trunk"] * lift),
        "head": (0.0, (SEGMENT_LENGTH["trunk"] + NECK_TO_HEAD) * lift),
    }
    for side, limbs in _sides(keyframe):
        _frontal_side(points, side, limbs, trunk)
    return points


def pose_points(keyframe: Keyframe, view: View, *, roll_deg: float = 0.0) -> dict[str, Point]:
    """Return the joint positions of a keyframe, in body heights, floor at ``y = 0``.

    Parameters
    ----------
    keyframe
        The still to draw.
    view
        ``"sagittal"`` (side view facing +x) or ``"frontal"`` (facing the viewer).
    roll_deg
        Turn the whole figure clockwise about the pelvis by this many degrees
        (90: a frontal figure lying on its left side, right side on top).

    Returns
    -------
    dict
        ``pelvis``, ``neck``, ``head`` (centre of the head circle, radius
        :data:`HEAD_RADIUS`) and, for ``left`` and ``right``, ``{side}_hip``,
        ``_knee``, ``_ankle``, ``_toe``, ``_shoulder``, ``_elbow``, ``_wrist``.

    Examples
    --------
    >>> pts = pose_points(Keyframe(), "sagittal")
    >>> pts["left_ankle"], round(pts["left_hip"][1], 3)
    ((0.0, 0.0), 0.49)

    """
    raw = _frontal_points(keyframe) if view == "frontal" else _sagittal_points(keyframe)
    if roll_deg:
        raw = _rolled(raw, roll_deg)
    lowest = min(min(y for _, y in raw.values()), raw["head"][1] - HEAD_RADIUS)
    return {name: (_clean(x), _clean(y - lowest)) for name, (x, y) in raw.items()}


def _rolled(points: dict[str, Point], roll_deg: float) -> dict[str, Point]:
    """Rotate points clockwise by ``roll_deg`` about the pelvis."""
    px, py = points["pelvis"]
    c, s = math.cos(math.radians(roll_deg)), math.sin(math.radians(roll_deg))
    return {
        name: (px + (x - px) * c + (y - py) * s, py - (x - px) * s + (y - py) * c)
        for name, (x, y) in points.items()
    }


def _clean(value: float) -> float:
    """Drop floating-point dust so that analytic zeros compare equal."""
    rounded = round(value, 9)
    return 0.0 if rounded == 0 else rounded


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


class _Frame:
    """Maps body-height coordinates onto the SVG canvas."""

    def __init__(self, points: Mapping[str, Point], width: int, height: int) -> None:
        head_x, head_y = points["head"]
        xs = [x for x, _ in points.values()] + [head_x - HEAD_RADIUS, head_x + HEAD_RADIUS]
        ys = [y for _, y in points.values()] + [head_y + HEAD_RADIUS]
        self.margin = max(8.0, 0.06 * min(width, height))
        span_x = max(max(xs) - min(xs), 0.2)
        # a short (lying, kneeling) figure is not blown up past MIN_DRAWN_HEIGHT,
        # so figures of one size keep roughly one scale
        span_y = max(max(ys), MIN_DRAWN_HEIGHT)
        self.scale = min((width - 2 * self.margin) / span_x, (height - 2 * self.margin) / span_y)
        self.centre_x = (max(xs) + min(xs)) / 2
        self.mid = width / 2
        self.floor = height - self.margin

    def at(self, point: Point) -> tuple[str, str]:
        """Return the canvas coordinates of ``point`` as rounded strings."""
        x = self.mid + (point[0] - self.centre_x) * self.scale
        return _num(x), _num(self.floor - point[1] * self.scale)


def _line(frame: _Frame, start: Point, end: Point, css: str, colour: str, width: float) -> str:
    (x1, y1), (x2, y2) = frame.at(start), frame.at(end)
    return (
        f'<line class="{css}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
        f'stroke-width="{_num(width)}" stroke-linecap="round"/>'
    )


def _side_lines(frame: _Frame, points: Mapping[str, Point], side: Side, width: float) -> list[str]:
    near = side == "left"
    css = f"limb {'near' if near else 'far'} {side}"
    colour = NEAR_COLOUR if near else FAR_COLOUR
    return [
        _line(
            frame,
            points[f"{side}_{start}"],
            points[f"{side}_{end}"],
            f"{css} {name}",
            colour,
            width,
        )
        for name, start, end in LIMBS
    ]


def _body(frame: _Frame, points: Mapping[str, Point], view: View, width: float) -> list[str]:
    parts = [_line(frame, points["pelvis"], points["neck"], "trunk", TRUNK_COLOUR, width * 1.15)]
    if view == "frontal":
        for a, b in (("right_hip", "left_hip"), ("right_shoulder", "left_shoulder")):
            parts.append(_line(frame, points[a], points[b], "girdle", TRUNK_COLOUR, width))
    hx, hy = frame.at(points["head"])
    parts.append(
        f'<circle class="head" cx="{hx}" cy="{hy}" r="{_num(HEAD_RADIUS * frame.scale)}" '
        f'fill="#ffffff" stroke="{TRUNK_COLOUR}" stroke-width="{_num(width * 0.75)}"/>'
    )
    return parts


def pose_svg(
    pose: Pose,
    *,
    keyframe: int = 0,
    width: int = 240,
    height: int = 200,
    title: str | None = None,
) -> str:
    """Draw one keyframe of a pose as a self-contained SVG stick figure.

    Parameters
    ----------
    pose
        The pose whose keyframe is drawn, in its own ``view``.
    keyframe
        Index of the keyframe, from 0.
    width, height
        Canvas size in pixels; the figure is scaled to fit with a margin.
    title
        Accessible name of the picture; defaults to the view and keyframe label.

    Returns
    -------
    str
        An ``<svg>`` element with ``role="img"``, an ``aria-label`` and a
        ``<title>``. The subject's left limbs (near side) are dark, the right
        limbs light; coordinates are rounded to 0.1 px so output is stable.

    Raises
    ------
    ValueError
        If ``keyframe`` is not an index of ``pose.keyframes``.

    """
    count = len(pose.keyframes)
    if not 0 <= keyframe < count:
        raise ValueError(
            f"keyframe must be between 0 and {count - 1} for this pose, got {keyframe}"
        )
    frame_data = pose.keyframes[keyframe]
    points = pose_points(frame_data, pose.view, roll_deg=pose.roll_deg)
    frame = _Frame(points, width, height)
    stroke = max(2.0, frame.scale * 0.026)
    name = escape(title or f"Stick figure, {pose.view} view: {frame_data.label}")
    floor_y = _num(frame.floor)
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{name}">',
            f"<title>{name}</title>",
            f'<line class="floor" x1="0.0" y1="{floor_y}" x2="{_num(width)}" y2="{floor_y}" '
            f'stroke="{FLOOR_COLOUR}" stroke-width="1.5"/>',
            *_side_lines(frame, points, "right", stroke),
            *_body(frame, points, pose.view, stroke),
            *_side_lines(frame, points, "left", stroke),
            "</svg>",
        ]
    )
