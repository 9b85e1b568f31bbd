"""A coach's edits of a programme: swaps to listed variants, dose changes, precautions."""

from __future__ import annotations

import pytest

from hiplab.errors import InputError
from hiplab.library import default_library
from hiplab.plan.build import Slot, make_session
from hiplab.plan.dosage import base_dose
from hiplab.plan.edit import DOSE_LIMITS, DoseChange, Swap, apply_edit, locate, swap_choices
from hiplab.records.assessment import JointLimit, Precaution
from hiplab.records.programme import Programme, SolverReport, Week

LIB = default_library()
POSTERIOR_THA: tuple[Precaution, ...] = tuple(
    JointLimit(
        joint="hip",
        side="left",
        motion=motion,
        max_deg=0.0 if motion != "hip_flexion" else 90.0,
        condition="posterior_tha",
        reason="posterior hip replacement (left); your surgeon's rules come first",
    )
    for motion in ("hip_flexion", "hip_adduction", "hip_internal_rotation")
)


def slot(exercise_id: str, *, extra_side: str | None = None, sets: int | None = None) -> Slot:
    exercise = LIB.exercises[exercise_id]
    dose = base_dose(exercise, age=34)
    if sets is not None:
        dose = dose.model_copy(update={"sets": sets})
    return Slot(exercise, dose, extra_side, ("hip_flexor_tightness",), "Planner's reason.")


def programme(*weeks: list[Slot], refer: bool = False) -> Programme:
    return Programme(
        refer=refer,
        reason="test",
        person="Test Person",
        sessions_per_week=3,
        minutes=60,
        weeks=tuple(
            Week(week=n, session=make_session(slots)) for n, slots in enumerate(weeks, start=1)
        ),
        retest_week=None,
        solver=SolverReport(name="none", status="not_run", objective=None, candidates=0),
    )


def edit(plan: Programme, change: Swap | DoseChange, precautions=()) -> Programme:
    return apply_edit(plan, change, library=LIB, precautions=precautions, age=34)


def shape(plan: Programme, week: int) -> list[tuple[str, str | None, int, int]]:
    items = plan.weeks[week - 1].session.items
    return [(i.exercise_id, i.side, i.sets, i.duration_s) for i in items]


def test_dose_limits_are_the_librarys() -> None:
    assert DOSE_LIMITS == {"sets": (1, 10), "hold_s": (3, 180), "reps": (1, 50)}


def test_swapping_a_split_item_swaps_both_sides_timed_like_the_planner() -> None:
    plan = programme([slot("side_lying_abduction_knee_bent", extra_side="left")])
    assert [i.side for i in plan.weeks[0].session.items] == ["left", "right"]

    after = edit(plan, Swap(week=1, item=2, exercise_id="side_lying_abduction"))

    harder = Slot(
        LIB.exercises["side_lying_abduction"],
        base_dose(LIB.exercises["side_lying_abduction"], age=34).model_copy(
            update={"sets": plan.weeks[0].session.items[1].sets}
        ),
        "left",
        (),
        "",
    )
    expected = make_session([harder])
    assert shape(after, 1) == [
        (i.exercise_id, i.side, i.sets, i.duration_s) for i in expected.items
    ]
    assert after.weeks[0].session.duration_s == expected.duration_s
    first = after.weeks[0].session.items[0]
    assert first.addresses == ("hip_flexor_tightness",)
    assert first.why.startswith("Coach's choice in place of Side-lying hip abduction, knee bent.")


def test_a_two_legged_exercise_for_a_one_legged_one_takes_the_fewer_sets() -> None:
    plan = programme([slot("half_frog_stretch", extra_side="right", sets=2)])
    assert [(i.side, i.sets) for i in plan.weeks[0].session.items] == [("right", 3), ("left", 2)]

    after = edit(plan, Swap(week=1, item=1, exercise_id="butterfly_stretch"))

    butterfly = LIB.exercises["butterfly_stretch"]
    dose = base_dose(butterfly, age=34).model_copy(update={"sets": 2})
    assert shape(after, 1) == [
        (i.exercise_id, i.side, i.sets, i.duration_s)
        for i in make_session([Slot(butterfly, dose, None, (), "")]).items
    ]


def test_a_one_legged_exercise_for_a_two_legged_one_is_done_on_each_side() -> None:
    plan = programme([slot("glute_bridge")])
    after = edit(plan, Swap(week=1, item=1, exercise_id="marching_bridge"))
    assert [(i.exercise_id, i.side) for i in after.weeks[0].session.items] == [
        ("marching_bridge", "both")
    ]


def test_a_swap_must_be_a_listed_variant() -> None:
    plan = programme([slot("glute_bridge")])
    with pytest.raises(InputError) as caught:
        edit(plan, Swap(week=1, item=1, exercise_id="pigeon_stretch"))
    assert str(caught.value) == (
        "exercise_id 'pigeon_stretch' is not an easier or harder variant of Glute bridge in the "
        "library; allowed: isometric_glute_bridge, marching_bridge, banded_glute_bridge"
    )


def test_a_swap_to_deep_flexion_is_refused_after_a_posterior_hip_replacement() -> None:
    plan = programme([slot("wall_butterfly")])
    with pytest.raises(InputError) as caught:
        edit(plan, Swap(week=1, item=1, exercise_id="butterfly_stretch"), POSTERIOR_THA)
    message = str(caught.value)
    assert message.startswith("Butterfly stretch would break this person's precautions")
    assert "hip flexion of 110° on the left side, more than 90°: posterior hip" in message
    # Without the precaution the same swap is fine.
    assert shape(edit(plan, Swap(week=1, item=1, exercise_id="butterfly_stretch")), 1)[0][0] == (
        "butterfly_stretch"
    )


def test_swap_choices_name_what_a_precaution_forbids() -> None:
    choices = swap_choices(LIB.exercises["high_box_squat"], library=LIB, precautions=POSTERIOR_THA)
    assert [(c.exercise.id, c.direction) for c in choices] == [("box_squat", "harder")]
    assert choices[0].refused == (
        "it needs hip flexion of 110° on the left side, more than 90°: posterior hip "
        "replacement (left); your surgeon's rules come first",
    )
    plain = swap_choices(LIB.exercises["high_box_squat"], library=LIB, precautions=())
    assert plain[0].refused == ()


def test_scope_week_changes_one_week_and_following_changes_the_later_ones() -> None:
    plan = programme(
        [slot("glute_bridge"), slot("wall_butterfly")],
        [slot("glute_bridge"), slot("wall_butterfly")],
        [slot("glute_bridge", sets=3), slot("wall_butterfly")],
    )
    only = edit(plan, Swap(week=2, item=1, exercise_id="isometric_glute_bridge"))
    assert [shape(only, w)[0][0] for w in (1, 2, 3)] == [
        "glute_bridge",
        "isometric_glute_bridge",
        "glute_bridge",
    ]
    later = edit(
        plan, Swap(week=2, item=1, exercise_id="isometric_glute_bridge", scope="following")
    )
    assert [shape(later, w)[0][0] for w in (1, 2, 3)] == [
        "glute_bridge",
        "isometric_glute_bridge",
        "isometric_glute_bridge",
    ]
    assert shape(later, 3)[0][2] == 3  # week 3 keeps its own sets
    assert plan.weeks[1].session.items[0].exercise_id == "glute_bridge"  # input unchanged


def test_an_exercise_appears_once_per_session() -> None:
    plan = programme([slot("glute_bridge"), slot("marching_bridge")])
    with pytest.raises(InputError, match="week 1 already has Marching bridge"):
        edit(plan, Swap(week=1, item=1, exercise_id="marching_bridge"))


def test_dose_change_sets_the_dose_and_recomputes_the_time() -> None:
    plan = programme([slot("wall_butterfly")], [slot("wall_butterfly")])
    after = edit(plan, DoseChange(week=1, item=1, sets=3, hold_s=45))

    item = after.weeks[0].session.items[0]
    assert (item.sets, item.hold_s, item.reps) == (3, 45, None)
    wall = LIB.exercises["wall_butterfly"]
    dose = base_dose(wall, age=34).model_copy(update={"sets": 3, "hold_s": 45})
    assert item.duration_s == make_session([Slot(wall, dose, None, (), "")]).duration_s
    assert after.weeks[0].session.duration_s == item.duration_s
    assert after.weeks[1] == plan.weeks[1]


def test_dose_following_changes_the_same_exercise_and_side_only() -> None:
    plan = programme(
        [slot("side_lying_abduction_knee_bent", extra_side="left")],
        [slot("side_lying_abduction_knee_bent", extra_side="left")],
    )
    after = edit(plan, DoseChange(week=1, item=2, reps=15, scope="following"))
    assert [(i.side, i.reps) for w in after.weeks for i in w.session.items] == [
        ("left", 12),
        ("right", 15),
        ("left", 12),
        ("right", 15),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (DoseChange(week=1, item=1, sets=11), "sets 11 is outside the allowed range 1 to 10"),
        (DoseChange(week=1, item=1, hold_s=2), "hold_s 2 is outside the allowed range 3 to 180"),
        (
            DoseChange(week=1, item=1, reps=10),
            "reps: Butterfly stretch with back against a wall is dosed as a hold; give hold_s "
            "(3 to 180 s) instead of reps",
        ),
        (
            DoseChange(week=1, item=1),
            "give at least one of sets, hold_s or reps to change the dose",
        ),
        (DoseChange(week=3, item=1, sets=2), "week 3 is not in this plan; allowed: 1 to 1"),
        (DoseChange(week=1, item=2, sets=2), "item 2 is not in week 1; allowed: 1 to 1"),
        (
            DoseChange(week=1, item=1, sets=2, scope="all"),  # type: ignore[arg-type]
            "scope 'all' is not allowed; allowed: week, following",
        ),
    ],
)
def test_bad_dose_changes_name_the_field(change: DoseChange, message: str) -> None:
    plan = programme([slot("wall_butterfly")])
    with pytest.raises(InputError) as caught:
        edit(plan, change)
    assert str(caught.value) == message


def test_reps_exercises_take_reps_not_holds() -> None:
    plan = programme([slot("glute_bridge")])
    with pytest.raises(InputError, match=r"^hold_s: Glute bridge is dosed in repetitions"):
        edit(plan, DoseChange(week=1, item=1, hold_s=30))
    assert edit(plan, DoseChange(week=1, item=1, reps=50)).weeks[0].session.items[0].reps == 50


def test_a_dose_change_on_a_now_forbidden_exercise_is_refused() -> None:
    plan = programme([slot("butterfly_stretch")])
    with pytest.raises(
        InputError, match="would break this person's precautions: it needs hip flexion"
    ):
        edit(plan, DoseChange(week=1, item=1, sets=1), POSTERIOR_THA)


def test_a_referral_is_never_edited() -> None:
    plan = programme(refer=True)
    with pytest.raises(InputError, match="this plan is a referral"):
        edit(plan, DoseChange(week=1, item=1, sets=2))


def test_locate_is_one_based() -> None:
    plan = programme([slot("glute_bridge"), slot("wall_butterfly")])
    week, index = locate(plan, week=1, item=2)
    assert week.session.items[index].exercise_id == "wall_butterfly"
