"""Plain-words formatting of programme pieces, shared by the handout, text and calendar.

Everything here is a pure function of :mod:`hiplab.records.programme` values and the
standard library, so the calendar writer can use it without loading Jinja2 or
rich.
"""

from __future__ import annotations

from collections.abc import Mapping

from hiplab.records.programme import Change, ItemSide, PlanItem, Programme, ProgressionStep
from hiplab.report._format import fmt_num, humanise, with_unit

PLAN_SIDE_WORDS: Mapping[ItemSide, str] = {
    "left": "left",
    "right": "right",
    "both": "each side",
    None: "—",
}
"""Side of a plan item in words (``None``: a two-legged exercise)."""

RULE_WORDS: Mapping[str, str] = {
    "longer_hold": "longer hold",
    "more_reps": "more repetitions",
    "extra_set": "one more set",
    "harder_variant": "harder variant",
}
"""Progression rules in words."""

VERDICT_WORDS: Mapping[str, str] = {
    "improved_to_norm": "improved to normal",
    "improved": "improved",
    "no_real_change": "no real change",
    "worse": "worse",
}
"""Re-test verdicts in words."""


def fmt_duration(seconds: int) -> str:
    """Say a duration in minutes and seconds.

    Examples
    --------
    >>> fmt_duration(45), fmt_duration(120), fmt_duration(130)
    ('45 s', '2 min', '2 min 10 s')

    """
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def dose_text(item: PlanItem) -> str:
    """Say an item's sets and hold or repetitions (rest and side kept apart).

    Examples
    --------
    >>> from hiplab.records.programme import PlanItem
    >>> item = PlanItem(exercise_id="x", name="X", kind="static_stretch", phase="stretch",
    ...     position="supine", side="both", sets=2, hold_s=30, rest_s=10, duration_s=160)
    >>> dose_text(item)
    '2 × 30 s hold'

    """
    work = []
    if item.reps is not None:
        work.append(f"{item.reps} reps")
    if item.hold_s is not None:
        work.append(f"{item.hold_s} s hold")
    sets = f"{item.sets} set{'s' if item.sets != 1 else ''}"
    return f"{item.sets} × {', '.join(work)}" if work else sets


def rest_text(item: PlanItem) -> str:
    """Say the rest between sets (``'no rest'`` when there is none)."""
    return f"rest {item.rest_s} s" if item.rest_s else "no rest"


def item_line(item: PlanItem) -> str:
    """Say one item on one line: name, side, dose, rest and time.

    Examples
    --------
    >>> from hiplab.records.programme import PlanItem
    >>> item = PlanItem(exercise_id="glute_bridge", name="Glute bridge", kind="activation",
    ...     phase="activation", position="supine", side=None, sets=3, reps=12, rest_s=45,
    ...     duration_s=215)
    >>> item_line(item)
    'Glute bridge: 3 × 12 reps, rest 45 s (3 min 35 s)'

    """
    side = f" ({PLAN_SIDE_WORDS[item.side]})" if item.side else ""
    return (
        f"{item.name}{side}: {dose_text(item)}, {rest_text(item)} ({fmt_duration(item.duration_s)})"
    )


def budget_text(duration_s: int, minutes: int) -> str:
    """Say a session's time against the minutes budget.

    Examples
    --------
    >>> budget_text(1100, 20)
    '18 min 20 s of 20 min'

    """
    return f"{fmt_duration(duration_s)} of {minutes} min"


def programme_names(programme: Programme) -> dict[str, str]:
    """Return exercise id → name for every item of every week."""
    return {item.exercise_id: item.name for week in programme.weeks for item in week.session.items}


def progression_text(step: ProgressionStep, names: Mapping[str, str]) -> str:
    """Say a typed progression step in words.

    ``before`` and ``after`` that are exercise ids are named through ``names``;
    a leading ``"<exercise name>: "`` on both is dropped, as the line names the
    exercise already.

    Examples
    --------
    >>> from hiplab.records.programme import ProgressionStep
    >>> names = {"clamshell": "Clamshell", "banded_clamshell": "Banded clamshell"}
    >>> progression_text(ProgressionStep(exercise_id="clamshell", rule="more_reps",
    ...     before="Clamshell: 2 × 15 reps", after="Clamshell: 2 × 18 reps"), names)
    'Clamshell: more repetitions (2 × 15 reps → 2 × 18 reps)'
    >>> progression_text(ProgressionStep(exercise_id="clamshell", rule="harder_variant",
    ...     before="clamshell", after="banded_clamshell"), names)
    'Clamshell: harder variant (Clamshell → Banded clamshell)'

    """
    name = names.get(step.exercise_id, humanise(step.exercise_id))
    before = names.get(step.before, step.before)
    after = names.get(step.after, step.after)
    prefix = f"{name}: "
    if before.startswith(prefix) and after.startswith(prefix):
        before, after = before.removeprefix(prefix), after.removeprefix(prefix)
    return f"{name}: {RULE_WORDS[step.rule]} ({before} → {after})"


def change_values(change: Change) -> str:
    """Say a re-measured value against the previous one.

    Examples
    --------
    >>> from hiplab.records.programme import Change
    >>> change_values(Change(test="t", side="left", before=12.0, after=4.5, unit="deg",
    ...     verdict="improved", text=""))
    '12° → 4.5°'

    """
    return f"{with_unit(fmt_num(change.before), change.unit)} → " + with_unit(
        fmt_num(change.after), change.unit
    )
