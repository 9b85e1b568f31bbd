"""One plain reliability verdict per measured number and per analysis, and what to do next.

Conventions
-----------
* A metric is a number a task reports with a standard uncertainty under the
  same key (``result.uncertainty``, or a repetition's ``uncertainty``); its key
  in :func:`metric_verdicts` is its dotted path (``reps.0.peak_knee_flexion_deg``).
* Levels (:data:`Level`):

  - ``reliable``: the stated uncertainty is at most :data:`RELIABLE_DEG`
    (angles, keys ending ``_deg``) or :data:`RELIABLE_S` (times, ``_s``;
    ``_ms`` in milliseconds);
  - ``rough``: measured, but more uncertain than that (up to
    :data:`ROUGH_DEG` / :data:`ROUGH_S`) — shown, never stored as a test result;
  - ``not_measured``: no value, or an uncertainty so wide the number says
    nothing (beyond the rough limit).

  A number without an uncertainty is ``rough``: it cannot be shown reliable.
  Metrics in other units (fractions, counts, scores) take the analysis verdict.
* The reason says why in plain words, from the camera warnings that apply
  (camera oblique or tilted, angles withheld, subject small or hidden):
  ``"rough — the camera is 30° off a side view"``.
* The analysis verdict is the worst level of its angle metrics, ``reliable``
  when it has none and no warning.
* :data:`ADVICE` gives, per warning code, what to do next in plain words; the
  codes stay in the JSON only.

RELIABLE_DEG = 7° is the standard error of measurement of the modified Thomas
test (SEM 7°) and inside the range where a change is noise (< 5° same rater,
< 10° different raters; domain.md §1): a reliable video angle is as good as the
clinician's own instrument. ROUGH_DEG = 15° (±30° at two standard
uncertainties) is where a number stops telling a tight hip from a normal one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, computed_field, model_validator

Level = Literal["reliable", "rough", "not_measured"]
RELIABLE_DEG = 7.0
ROUGH_DEG = 15.0
RELIABLE_S = 0.05
ROUGH_S = 0.15
ORDER: Mapping[Level, int] = {"reliable": 0, "rough": 1, "not_measured": 2}
LABELS: Mapping[Level, str] = {
    "reliable": "reliable",
    "rough": "rough",
    "not_measured": "not measured",
}
ADVICE: Mapping[str, str] = {
    "camera_oblique": "film square to the side (or the front), at hip height, 3–4 m away",
    "camera_tilted": "put the camera at hip height, level, not looking down",
    "angles_withheld": "film square to the side (or the front) for the whole movement",
    "wrong_view_for_task": "film from the view the test needs (see the set-up guide)",
    "subject_too_small": "move the camera closer so the whole body fills most of the frame",
    "too_much_occlusion": "keep the whole body in view, nothing in front of the legs",
    "fps_too_low_for_landing": "film a landing at 120 frames per second (slow motion)",
    "facing_unknown": "film with the feet and face in view",
    "implausible_angles": "film square to the side, in good light, in fitted clothes",
    "frames_lost": "keep the whole body in view, in good light, in fitted clothes",
    "not_measurable_in_view": "film from the view the test needs (see the set-up guide)",
    "not_the_task": "film the test as described in the set-up guide",
}
FLAT_REASON = "the camera's angle is only estimated from flat (2-D) keypoints"
FLAT_ADVICE = (
    "analyse the video itself rather than 2-D keypoints: the camera's angle is then "
    "judged from the 3-D pose"
)
STORE_ADVICE = "store the reliable measurements as an assessment, to compare with the next re-test"
RETEST_ADVICE = "re-test in the same set-up after a few weeks of the programme to see the change"
REASONS: Mapping[str, str] = {
    "angles_withheld": "the camera is too far from the view this angle needs",
    "wrong_view_for_task": "the video is not filmed from the view this test needs",
    "not_measurable_in_view": "this camera view cannot measure it",
    "subject_too_small": "the person is small in the frame",
    "too_much_occlusion": "the body is often hidden",
    "camera_tilted": "the camera looks down at the person",
}


class Verdict(BaseModel):
    """How far a number can be trusted, and why, in plain words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: Level
    reason: str = ""

    @model_validator(mode="before")
    @classmethod
    def _drop_text(cls, data: Any) -> Any:
        """Read a verdict's own dump: ``text`` is computed from the level and reason."""
        if isinstance(data, Mapping) and "text" in data:
            return {k: v for k, v in data.items() if k != "text"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """Return the verdict as people read it: ``"rough — the camera is 30° off a side view"``."""
        label = LABELS[self.level]
        return f"{label} — {self.reason}" if self.reason else label


def _limits(key: str) -> tuple[float, float] | None:
    """Return the reliable and rough limits of a metric by its unit suffix (None: no verdict).

    Angular velocities (``_deg_s``) have none: their uncertainty grows with
    the speed itself, and no clinical cut-off uses them.
    """
    name = key.rsplit(".", 1)[-1]
    if name.endswith("_deg_s"):
        return None
    if name.endswith("_deg"):
        return RELIABLE_DEG, ROUGH_DEG
    if name.endswith("_ms"):
        return RELIABLE_S * 1000, ROUGH_S * 1000
    if name.endswith("_s"):
        return RELIABLE_S, ROUGH_S
    return None


def camera_reason(warnings: Sequence[Mapping[str, Any]]) -> str:
    """Return the plain reason the camera warnings give (empty when there is none).

    The oblique camera's own degrees are used: "the camera is 30° off a side view".
    """
    codes = {w["code"]: w for w in warnings}
    oblique = codes.get("camera_oblique")
    if oblique is not None and oblique.get("value") is not None:
        view = "a side" if "side view" in oblique["message"] else "a front"
        return f"the camera is {float(oblique['value']):.0f}° off {view} view"
    for code in ("angles_withheld", "wrong_view_for_task", "camera_tilted"):
        if code in codes:
            return REASONS[code]
    for code in ("subject_too_small", "too_much_occlusion"):
        if code in codes:
            return REASONS[code]
    return ""


def verdict_of(
    key: str, value: Any, sd: float | None, *, reason: str, applied: Sequence[str] = ()
) -> Verdict | None:
    """Return the verdict of one metric, or None for a metric that is not an angle or a time.

    ``applied`` are the codes of task warnings that name this metric.
    """
    limits = _limits(key)
    if limits is None:
        return None
    own = next((REASONS[c] for c in applied if c in REASONS), "")
    if value is None:
        return Verdict(level="not_measured", reason=own or reason or "it was not seen")
    if sd is None or not math.isfinite(sd):
        return Verdict(level="rough", reason=own or reason or "its uncertainty is not known")
    reliable, rough = limits
    if sd <= reliable and not own:
        return Verdict(level="reliable")
    if sd <= rough:
        return Verdict(level="rough", reason=own or reason or "its uncertainty is wide")
    return Verdict(level="not_measured", reason=own or reason or "its uncertainty is too wide")


def value_at(document: Mapping[str, Any], path: str) -> Any:
    """Return the value at a dotted path of a document (list items by index), or None.

    >>> value_at({"reps": [{"knee": 90.0}]}, "reps.0.knee")
    90.0
    """
    node: Any = document
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _uncertainty_maps(node: Any, prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(path prefix, uncertainty map)`` of every level of a result document."""
    if isinstance(node, Mapping):
        found = node.get("uncertainty")
        if isinstance(found, Mapping):
            yield prefix, found
        for key, child in node.items():
            if key != "uncertainty":
                yield from _uncertainty_maps(child, f"{prefix}{key}.")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _uncertainty_maps(child, f"{prefix}{i}.")


def metric_verdicts(result: Mapping[str, Any], *, fallback: str = "") -> dict[str, Verdict]:
    """Return the verdict of every angle and time a result document reports (see conventions).

    ``fallback`` is the reason given when no camera warning explains a wide uncertainty.
    """
    warnings = list(result.get("warnings") or ())
    reason = camera_reason(warnings) or fallback
    out: dict[str, Verdict] = {}
    for prefix, sds in _uncertainty_maps(result):
        for key, sd in sds.items():
            path = f"{prefix}{key}"
            base = key.split(".", 1)[0]
            applied = [w["code"] for w in warnings if base in (w.get("applies_to") or ())]
            found = verdict_of(path, value_at(result, path), sd, reason=reason, applied=applied)
            if found is not None:
                out[path] = found
    return out


def analysis_verdict(
    verdicts: Mapping[str, Verdict], warnings: Sequence[Mapping[str, Any]]
) -> Verdict:
    """Return the verdict of a whole analysis: the worst of its metrics' (see conventions)."""
    measured = [v for v in verdicts.values() if v.level != "not_measured"]
    pool = measured or list(verdicts.values())
    if not pool:
        reason = camera_reason(warnings)
        return Verdict(level="rough", reason=reason) if reason else Verdict(level="reliable")
    return max(pool, key=lambda v: ORDER[v.level])


def advice(warnings: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return what to do next for the warnings (each piece of advice once, in order)."""
    return list(dict.fromkeys(ADVICE[w["code"]] for w in warnings if w["code"] in ADVICE))


UNIT_SUFFIXES = ("_deg_s", "_deg", "_ms", "_s")
WORDS: Mapping[str, str] = {"fppa": "valgus (FPPA)", "fms": "(FMS)", "ic": "contact"}


def metric_label(path: str) -> str:
    """Return a metric's dotted path in plain words.

    >>> metric_label("reps.0.peak_knee_flexion_deg")
    'rep 1 peak knee flexion'
    >>> metric_label("left.thigh_angle_deg")
    'left thigh angle'
    """
    words: list[str] = []
    for part in path.split("."):
        if part.isdigit():
            words[-1:] = [f"rep {int(part) + 1}"] if words[-1:] == ["reps"] else [part]
            continue
        for suffix in UNIT_SUFFIXES:
            if part.endswith(suffix):
                part = part[: -len(suffix)]
                break
        words += [WORDS.get(w, w) for w in part.split("_")]
    return " ".join(words)


def _view_offset(yaw: float) -> tuple[str, float]:
    """Return the nearest pure view of a yaw (see :mod:`hiplab.motion.camera`) and how far off."""
    size = abs(yaw)
    if size <= 45:
        return "front view", size
    if size >= 135:
        return "back view", 180 - size
    side = "right" if yaw > 0 else "left"
    return f"side view from the {side}", abs(90 - size)


def camera_text(camera: Mapping[str, Any]) -> str:
    """Return how the camera stood, in plain words, from an analysis's ``camera`` facts.

    >>> camera_text({"yaw_deg": -75.0, "yaw_sd_deg": 10.0, "pitch_deg": 12.0, "pitch_sd_deg": 7.0})
    'side view from the left, 15° (± 10°) off square; looking down 12° (± 7°)'
    """
    yaw, pitch = camera.get("yaw_deg"), camera.get("pitch_deg")
    if yaw is None:
        return "the camera's angle to the body could not be judged"
    view, off = _view_offset(float(yaw))
    parts = [f"{view}, {off:.0f}° (± {float(camera.get('yaw_sd_deg') or 0):.0f}°) off square"]
    mixed = _mixed_views(camera.get("frames_by_view") or {})
    if mixed:
        parts = [f"the view changed as the person moved ({mixed}); on average {parts[0]}"]
    if pitch is not None:
        look = "down" if pitch >= 0 else "up"
        sd = float(camera.get("pitch_sd_deg") or 0)
        parts.append(f"looking {look} {abs(float(pitch)):.0f}° (± {sd:.0f}°)")
    source = camera.get("geometry_from")
    if source:
        parts.append(f"judged from the {source}")
    return "; ".join(parts)


VIEW_PHRASES: Mapping[str, str] = {
    "front": "from the front",
    "back": "from behind",
    "right_side": "from the right side",
    "left_side": "from the left side",
    "oblique": "at an angle",
    "unknown": "with the view not judged",
}


def _mixed_views(frames_by_view: Mapping[str, int]) -> str:
    """Return the frames per view in words when no one view has 80 % of them, else ''.

    >>> _mixed_views({"front": 60, "oblique": 40})
    '60 frames from the front, 40 frames at an angle'
    >>> _mixed_views({"front": 90, "oblique": 10})
    ''
    """
    total = sum(frames_by_view.values())
    if not total or max(frames_by_view.values()) >= 0.8 * total:
        return ""
    ranked = sorted(frames_by_view.items(), key=lambda item: -item[1])
    return ", ".join(
        f"{n} frame{'' if n == 1 else 's'} {VIEW_PHRASES.get(name, name)}" for name, n in ranked
    )


def unreliable_lines(verdicts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Return one plain line per level and reason naming the metrics that are not reliable.

    >>> unreliable_lines({"peak_knee_flexion_deg": {"level": "rough", "reason": "r"}})
    ['rough (r): peak knee flexion']
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for path, verdict in verdicts.items():
        if verdict["level"] != "reliable":
            key = (LABELS[verdict["level"]], verdict.get("reason") or "")
            groups.setdefault(key, []).append(metric_label(path))
    return [
        f"{label}{f' ({reason})' if reason else ''}: {', '.join(names)}"
        for (label, reason), names in groups.items()
    ]
