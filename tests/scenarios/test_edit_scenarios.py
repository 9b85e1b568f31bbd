"""A coach's edits of each persona's stored plan, through the service the web and API use.

Swaps: for every item, every variant ``swap_choices`` offers as allowed (through
``programmes.item_choices``), applied with ``programmes.edit_plan``, leaves a
plan that still keeps the persona's precautions in every week and whose sessions are still
the sum of their items; every variant it refuses is refused by the service too, with an
``InputError`` naming the exercise and the precaution, and the plan left unchanged.
Dose edits: one valid edit per plan keeps the precautions and the timing; an impossible one
is refused naming the field, the value and the range. A referral is never edited.
After each edit the stored plan is put back, so each check starts from the planned one.
"""

from __future__ import annotations

import pytest

from hiplab.errors import InputError
from hiplab.plan.edit import DOSE_LIMITS, DoseChange, Swap
from hiplab.records.programme import PlanItem, Programme
from hiplab.services import programmes
from hiplab.store import PersonRef, Store
from tests.scenarios.checks import all_items, programme_problems
from tests.scenarios.conftest import LIBRARY, Run


def _restore(store: Store, plan_id: int, original: Programme) -> None:
    store.plans.update(plan_id=plan_id, change=lambda _programme: original)
    assert store.plans.get(plan_id=plan_id).programme == original


def _distinct_items(programme: Programme) -> list[tuple[int, int, PlanItem]]:
    """Return (week, 1-based item, item) for the first time each exercise and side appears."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for week in programme.weeks:
        for n, item in enumerate(week.session.items, start=1):
            key = (item.exercise_id, item.side)
            if key not in seen:
                seen.add(key)
                out.append((week.week, n, item))
    return out


def _planned(run: Run) -> tuple[int, Programme]:
    assert run.plan_id is not None, f"{run.persona.id} has no assigned plan: {run.assign_refusal}"
    return run.plan_id, run.programme


def test_every_swap_offered_keeps_the_precautions(planned_run: Run, scenario_store: Store) -> None:
    run = planned_run
    store = scenario_store
    plan_id, original = _planned(run)
    before = set(programme_problems(run.persona, original, LIBRARY, planned=False))
    problems: list[str] = []
    for week, number, item in _distinct_items(original):
        offered = programmes.item_choices(store=store, plan_id=plan_id, week=week, item=number)
        for choice in offered.choices:
            variant = choice.exercise
            edit = Swap(week=week, item=number, exercise_id=variant.id, scope="following")
            label = f"week {week} item {number} {item.name} ({item.side}) -> {variant.name}"
            if choice.refused:
                try:
                    programmes.edit_plan(store=store, plan_id=plan_id, edit=edit)
                except InputError as exc:
                    message = str(exc)
                    if variant.id not in message and variant.name not in message:
                        problems.append(f"{label}: refused without naming it: {message}")
                    if "precaution" not in message:
                        problems.append(
                            f"{label}: refused without naming the precaution: {message}"
                        )
                    if store.plans.get(plan_id=plan_id).programme != original:
                        problems.append(f"{label}: a refused swap changed the plan")
                        _restore(store, plan_id, original)
                else:
                    problems.append(
                        f"{label}: offered as refused ({'; '.join(choice.refused)}) "
                        "but the service applied it"
                    )
                    _restore(store, plan_id, original)
                continue
            try:
                edited = programmes.edit_plan(store=store, plan_id=plan_id, edit=edit)
            except InputError as exc:
                week_ids = {
                    i.exercise_id for w in original.weeks if w.week == week for i in w.session.items
                }
                if "already has" in str(exc) and variant.id in week_ids:
                    continue  # the variant is in that session already: a clear, safe refusal
                problems.append(f"{label}: offered as allowed but refused: {exc}")
                continue
            after = programme_problems(run.persona, edited.programme, LIBRARY, planned=False)
            problems += [f"{label}: {p}" for p in after if p not in before]  # the plan's own: above
            swapped = [i for _, i in all_items(edited.programme) if i.exercise_id == variant.id]
            if not swapped:
                problems.append(f"{label}: the swap left no {variant.name} in the plan")
            _restore(store, plan_id, original)
    assert not problems, f"{run.persona.id}:\n" + "\n".join(problems)


def _valid_dose(item: PlanItem) -> DoseChange:
    """Return one more set (within the limits) and a slightly longer hold or two more reps."""
    sets = min(item.sets + 1, DOSE_LIMITS["sets"][1])
    if item.hold_s is not None:
        return DoseChange(
            week=1, item=1, sets=sets, hold_s=min(item.hold_s + 5, 60), scope="following"
        )
    assert item.reps is not None
    return DoseChange(
        week=1,
        item=1,
        sets=sets,
        reps=min(item.reps + 2, DOSE_LIMITS["reps"][1]),
        scope="following",
    )


def test_dose_edits_keep_the_precautions_and_the_timing(
    planned_run: Run, scenario_store: Store
) -> None:
    run = planned_run
    store = scenario_store
    plan_id, original = _planned(run)
    first = original.weeks[0].session.items[0]
    edit = _valid_dose(first)
    edited = programmes.edit_plan(store=store, plan_id=plan_id, edit=edit).programme
    before = set(programme_problems(run.persona, original, LIBRARY, planned=False))
    try:
        after = programme_problems(run.persona, edited, LIBRARY, planned=False)
        problems = [p for p in after if p not in before]  # the plan's own are reported above
        for week in edited.weeks:
            for item in week.session.items:
                same = item.exercise_id == first.exercise_id and item.side == first.side
                if same and (item.sets, item.hold_s, item.reps) != (
                    edit.sets,
                    edit.hold_s if first.hold_s is not None else item.hold_s,
                    edit.reps if first.reps is not None else item.reps,
                ):
                    problems.append(
                        f"week {week.week} {item.name} ({item.side}): dose "
                        f"{item.sets}/{item.hold_s}/{item.reps}, the edit set {edit}"
                    )
        assert edited.weeks[0].session.items[0].sets == edit.sets
        assert not problems, f"{run.persona.id}:\n" + "\n".join(problems)
    finally:
        _restore(store, plan_id, original)


def test_impossible_dose_is_refused_naming_field_value_and_range(
    planned_run: Run, scenario_store: Store
) -> None:
    run = planned_run
    store = scenario_store
    plan_id, original = _planned(run)
    low, high = DOSE_LIMITS["sets"]
    with pytest.raises(InputError) as refused:
        programmes.edit_plan(
            store=store, plan_id=plan_id, edit=DoseChange(week=1, item=1, sets=high + 1)
        )
    message = str(refused.value)
    assert "sets" in message and str(high + 1) in message and f"{low} to {high}" in message
    assert store.plans.get(plan_id=plan_id).programme == original


def test_referral_is_never_edited(referral_run: Run, scenario_store: Store) -> None:
    """A referral stored as a plan (as ``hiplab plan --save`` may) cannot be edited or swapped."""
    run = referral_run
    store = scenario_store
    plan_id = store.plans.save(
        person=PersonRef.named(run.persona.id),
        programme=run.programme,
        assessment_id=run.assessment_id,
    )
    for edit in (DoseChange(week=1, item=1, sets=2), Swap(week=1, item=1, exercise_id="x")):
        with pytest.raises(InputError) as refused:
            programmes.edit_plan(store=store, plan_id=plan_id, edit=edit)
        assert "clinician" in str(refused.value) or "referral" in str(refused.value)
    assert store.plans.get(plan_id=plan_id).programme == run.programme
