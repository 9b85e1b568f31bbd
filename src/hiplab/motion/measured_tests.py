"""The assessment tests a video measured: which values of a task's result can be stored.

A task measures candidate values (the landing's peak knee flexion, the deep
squat's capped score, the Thomas test's thigh angle and knee bend); only a
``reliable`` one (:mod:`hiplab.motion.verdicts`) inside the range the
assessment takes is offered for storing, as a :class:`MeasuredTest` with its
uncertainty and verdict; the others are left out with the reason in plain
words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hiplab.motion.tasks.common import Model, TaskResult
from hiplab.motion.verdicts import Verdict

if TYPE_CHECKING:
    from hiplab.records.intake import Tests


class MeasuredTest(Model):
    """One assessment test value measured from the video, as it is stored.

    ``test`` is its place in the assessment's tests (dotted:
    ``thomas.left.thigh_angle_deg``), ``label`` its plain name, ``uncertainty``
    its standard uncertainty in ``unit`` (None for a score) and ``verdict`` how far
    it can be trusted (:mod:`hiplab.motion.verdicts`).
    """

    test: str
    label: str
    value: float
    unit: Literal["°", "points"]
    uncertainty: float | None = None
    verdict: Verdict


def _in_schema(model: type[Any], field_name: str, value: float | None) -> bool:
    """Return True when ``value`` passes the assessment schema's bounds for the field."""
    from pydantic import ValidationError

    if value is None:
        return False
    try:
        model.model_validate({field_name: value})
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class _Candidate:
    """A test value a task measured: its place in the tests, in the result, and its name."""

    test: str
    metric: str
    label: str
    value: float
    unit: Literal["°", "points"] = "°"


def _candidates(result: TaskResult) -> list[_Candidate]:
    data = result.model_dump()
    found: list[_Candidate] = []
    if result.task == "landing" and data.get("peak_knee_flexion_deg") is not None:
        side = data.get("measured_side") or "right"
        found.append(
            _Candidate(
                f"landing_peak_knee_flexion_deg.{side}",
                "peak_knee_flexion_deg",
                f"drop landing, {side} knee's most bend",
                data["peak_knee_flexion_deg"],
            )
        )
    fms = (data.get("summary") or {}).get("fms_deep_squat") if result.task == "squat" else None
    if fms is not None:
        score = fms["best_possible_score"]
        found.append(_Candidate("deep_squat_fms", "", "deep squat score (FMS)", score, "points"))
    for side in ("left", "right") if result.task == "thomas" else ():
        leg = data.get(side) or {}
        for key, name in (("thigh_angle_deg", "thigh angle"), ("knee_flexion_deg", "knee bend")):
            if leg.get(key) is not None:
                label = f"Thomas test, {side} {name}"
                found.append(_Candidate(f"thomas.{side}.{key}", f"{side}.{key}", label, leg[key]))
    return found


def _out_of_range(candidate: _Candidate) -> str | None:
    """Return why the assessment cannot take the value, or None when it can."""
    from hiplab.records.intake import LandingKnee, ThomasSide

    *_, field_name = candidate.test.split(".")
    model: type[Any] | None = {
        "landing_peak_knee_flexion_deg": LandingKnee,
        "thomas": ThomasSide,
    }.get(candidate.test.split(".")[0])
    if candidate.test == "deep_squat_fms":
        if candidate.value >= 3:
            return "every filmed criterion holds, but a video cannot confirm a 3"
        return None
    if model is not None and not _in_schema(model, field_name, candidate.value):
        return f"{candidate.value:g}° is outside the range the assessment takes"
    return None


def _nest(raw: dict[str, Any], path: str, value: float) -> None:
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def measured_tests(
    result: TaskResult,
    verdicts: Mapping[str, Verdict] | None = None,
    overall: Verdict | None = None,
) -> tuple[Tests | None, list[MeasuredTest], list[str]]:
    """Return the assessment tests a task measured reliably, their details and what was left out.

    Only a ``reliable`` value is offered for storing (a score takes the
    analysis's verdict); a rough one, or one outside the range the assessment
    accepts, is left out with its reason in plain words. The verdicts default
    to the result's own (:mod:`hiplab.motion.verdicts`).
    """
    from hiplab.motion.verdicts import analysis_verdict, metric_verdicts
    from hiplab.records.intake import Tests

    if verdicts is None or overall is None:
        document = result.model_dump(mode="json")
        verdicts = metric_verdicts(document)
        overall = analysis_verdict(verdicts, document.get("warnings") or [])

    raw: dict[str, Any] = {}
    kept: list[MeasuredTest] = []
    left_out: list[str] = []
    for found in _candidates(result):
        verdict = verdicts.get(found.metric, overall) if found.metric else overall
        why = _out_of_range(found)
        if why is None and verdict.level != "reliable":
            why = f"{verdict.text} (only reliable measurements are stored)"
        if why is not None:
            left_out.append(f"{found.label}: {why}")
            continue
        sd = result.uncertainty.get(found.metric) if found.metric else None
        _nest(raw, found.test, found.value)
        kept.append(
            MeasuredTest(
                test=found.test,
                label=found.label,
                value=found.value,
                unit=found.unit,
                uncertainty=None if sd is None else round(sd, 1),
                verdict=verdict,
            )
        )
    return (Tests.model_validate(raw) if raw else None), kept, left_out
