"""The session engine with literal items and answers worked out by hand.

Timings below use get_ready_s=5, switch_s=5, tempo_s=3:
bridge 5 + 20 + 10 + 20 = 55 s (40 s work); hip flexor 5 + (30 + 10 + 30) + 5 + (30 + 10 + 30)
= 150 s (120 s work); clamshell 5 + 36 + 5 + 36 = 82 s (72 s work, 12 reps × 3 s).
"""

from __future__ import annotations

import doctest
import itertools

import pytest

from hiplab.errors import InputError
from hiplab.records.programme import PlanItem
from hiplab.session import engine as engine_module
from hiplab.session.engine import Event, SessionEngine, Step

from .items import BRIDGE, CLAMSHELL, HIP_FLEXOR, LEFT_ONLY

ITEMS = (BRIDGE, HIP_FLEXOR, CLAMSHELL)


def make(*items: PlanItem) -> SessionEngine:
    return SessionEngine(items or ITEMS, get_ready_s=5, switch_s=5, tempo_s=3)


def kinds(events: list[Event]) -> list[str]:
    return [e.kind if e.value is None else f"{e.kind}:{e.value}" for e in events]


def test_docstring_examples_run() -> None:
    assert doctest.testmod(engine_module).failed == 0


def test_a_both_sides_hold_does_every_set_on_one_side_then_switches_once() -> None:
    steps = make(HIP_FLEXOR).steps
    assert [(s.kind, s.duration_s, s.set_no, s.side) for s in steps] == [
        ("get_ready", 5.0, 1, "left"),
        ("work", 30.0, 1, "left"),
        ("rest", 10.0, 2, "left"),
        ("work", 30.0, 2, "left"),
        ("switch", 5.0, 1, "right"),
        ("work", 30.0, 1, "right"),
        ("rest", 10.0, 2, "right"),
        ("work", 30.0, 2, "right"),
    ]


def test_a_rep_item_works_for_reps_times_tempo_and_carries_the_rep_count() -> None:
    steps = make(CLAMSHELL).steps
    work = [s for s in steps if s.kind == "work"]
    assert [(s.duration_s, s.reps, s.side) for s in work] == [
        (36.0, 12, "left"),
        (36.0, 12, "right"),
    ]
    assert all(s.reps is None for s in steps if s.kind != "work")


def test_one_side_item_and_zero_length_steps_are_left_out() -> None:
    engine = SessionEngine((LEFT_ONLY,), get_ready_s=0, switch_s=0)
    assert [(s.kind, s.side) for s in engine.steps] == [("work", "left")]


def test_planned_seconds_are_work_seconds() -> None:
    engine = make()
    assert engine.planned_s == (40.0, 120.0, 72.0)
    assert sum(s.duration_s for s in engine.steps) == 287.0


def test_the_first_tick_starts_the_first_step() -> None:
    engine = make()
    events = engine.tick(0.0)
    assert kinds(events) == ["step_started"]
    assert events[0].step == Step("get_ready", 0, 5.0, 1, 2)
    assert engine.remaining_s == 5.0


def test_countdown_halfway_and_step_changes_come_in_time_order() -> None:
    engine = make(BRIDGE)
    assert kinds(engine.tick(5.0)) == [
        "step_started",
        "countdown:3",
        "countdown:2",
        "countdown:1",
        "step_finished",
        "step_started",
    ]
    assert kinds(engine.tick(10.0)) == ["halfway"]
    assert kinds(engine.tick(9.5)) == ["countdown:3", "countdown:2", "countdown:1"]
    assert engine.remaining_s == pytest.approx(0.5)
    assert engine.progress == pytest.approx(19.5 / 20)
    assert kinds(engine.tick(0.5)) == ["step_finished", "step_started"]
    assert engine.current_step is not None
    assert engine.current_step.kind == "rest"


def test_running_to_the_end_finishes_every_item_and_logs_it_done() -> None:
    engine = make()
    events = engine.tick(0.0) + engine.tick(1000.0)
    assert kinds(events).count("item_finished") == 3
    assert events[-1].kind == "session_finished"
    assert engine.finished
    assert engine.current_step is None
    assert engine.done_s == (40.0, 120.0, 72.0)
    assert [(i.status, i.planned_s, i.done_s) for i in engine.log()] == [
        ("done", 40, 40),
        ("done", 120, 120),
        ("done", 72, 72),
    ]


def test_small_ticks_and_one_big_tick_reach_the_same_state() -> None:
    one, many = make(), make()
    one.tick(100.0)
    for _ in range(1000):
        many.tick(0.1)
    assert one.step_index == many.step_index
    assert one.remaining_s == pytest.approx(many.remaining_s)
    assert one.done_s == pytest.approx(many.done_s)


def test_paused_time_never_counts() -> None:
    engine = make()
    engine.tick(7.0)
    engine.pause()
    assert engine.paused
    assert engine.tick(60.0) == []
    assert engine.done_s == (2.0, 0.0, 0.0)
    engine.resume()
    engine.tick(1.0)
    assert engine.done_s == (3.0, 0.0, 0.0)


def test_skip_marks_the_item_skipped_and_starts_the_next_items_get_ready() -> None:
    engine = make()
    engine.tick(60.0)  # bridge done (55 s) and the hip flexor's get-ready (5 s)
    engine.tick(10.0)  # 10 s into the left hold
    events = engine.skip()
    assert kinds(events) == ["step_started"]
    assert events[0].step == Step("get_ready", 2, 5.0, 1, 1, "left")
    engine.tick(1000.0)
    assert [(i.status, i.done_s) for i in engine.log()] == [
        ("done", 40),
        ("skipped", 10),
        ("done", 72),
    ]


def test_skipping_the_last_item_finishes_the_session() -> None:
    engine = make(BRIDGE)
    engine.tick(8.0)
    assert kinds(engine.skip()) == ["session_finished"]
    assert engine.finished
    assert engine.log()[0].status == "skipped"


def test_back_mid_item_restarts_it_and_forgets_its_done_seconds() -> None:
    engine = make()
    engine.tick(30.0)  # bridge: 25 s of work done, in the rest
    events = engine.back()
    assert events[0].step_index == 0
    assert engine.done_s[0] == 0.0
    assert engine.remaining_s == 5.0


def test_back_at_an_items_start_goes_to_the_previous_item() -> None:
    engine = make()
    engine.tick(57.0)  # 2 s into the hip flexor's get-ready
    engine.skip()  # hip flexor skipped, now at clamshell's get-ready (step 12)
    assert engine.step_index == 12
    engine.back()
    assert engine.step_index == 4
    assert engine.log()[1].status == "not_reached"
    engine.back()
    assert engine.step_index == 0


def test_back_at_the_very_start_stays_there() -> None:
    engine = make()
    engine.tick(2.0)
    engine.back()
    assert engine.step_index == 0
    assert engine.remaining_s == 5.0


def test_quit_ends_the_session_with_partial_and_not_reached_items() -> None:
    engine = make()
    engine.tick(55.0 + 5.0 + 12.0)  # bridge done, 12 s into the hip flexor's first hold
    engine.quit()
    assert engine.finished
    assert engine.quit_early
    assert engine.tick(10.0) == []
    assert [(i.status, i.done_s) for i in engine.log()] == [
        ("done", 40),
        ("partial", 12),
        ("not_reached", 0),
    ]


def test_next_up_previews_the_following_step() -> None:
    engine = make()
    engine.tick(0.0)
    assert engine.next_up == "Isometric glute bridge, set 1/2 (20 s hold)"
    engine.tick(55.0 + 5.0)
    assert engine.next_up == "Rest 10 s"
    engine.tick(30.0 + 10.0)
    assert engine.next_up == "Switch sides: Half-kneeling hip flexor stretch — right side"
    engine.tick(1000.0)
    assert engine.next_up == "Finished"


def test_log_keeps_the_items_side_and_exercise_id() -> None:
    log = make().log()
    assert [(i.exercise_id, i.side) for i in log] == [
        ("isometric_glute_bridge", None),
        ("half_kneeling_hip_flexor_stretch", "both"),
        ("clamshell", "both"),
    ]


def test_an_item_without_hold_or_reps_is_refused_naming_it() -> None:
    broken = BRIDGE.model_copy(update={"hold_s": None})
    with pytest.raises(InputError, match="isometric_glute_bridge"):
        make(broken)


@pytest.mark.parametrize("kwargs", [{"get_ready_s": -1}, {"switch_s": -1}, {"tempo_s": 0}])
def test_negative_times_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(InputError, match=next(iter(kwargs))):
        SessionEngine(ITEMS, **kwargs)


def test_negative_ticks_are_refused() -> None:
    with pytest.raises(InputError, match="dt_s"):
        make().tick(-0.1)


def test_after_going_back_every_later_step_runs_its_full_length() -> None:
    engine = make()
    engine.tick(58.0)  # 3 s into the hip flexor's get-ready
    engine.back()  # to the bridge, from the start
    events = engine.tick(55.0)  # the whole bridge again
    assert events[-1].step == engine.steps[4]
    assert engine.remaining_s == 5.0  # the hip flexor's get-ready, in full


def test_rep_tempo_can_depend_on_the_items_kind() -> None:
    engine = SessionEngine((CLAMSHELL,), get_ready_s=0, tempo_by_kind={"activation": 2})
    assert [s.duration_s for s in engine.steps if s.kind == "work"] == [24.0, 24.0]
    with pytest.raises(InputError, match=r"tempo_by_kind\['activation'\]"):
        SessionEngine((CLAMSHELL,), tempo_by_kind={"activation": 0})


def test_a_one_side_item_after_the_same_exercise_on_the_other_side_starts_with_a_switch() -> None:
    # How a plan gives the right side an extra set: right 3 sets, then left 2 sets.
    right = CLAMSHELL.model_copy(update={"side": "right", "sets": 3, "rest_s": 30})
    left = CLAMSHELL.model_copy(update={"side": "left", "sets": 2, "rest_s": 30})
    engine = make(right, left, LEFT_ONLY)
    leads = [engine.steps[0]] + [
        later
        for earlier, later in itertools.pairwise(engine.steps)
        if later.item_index != earlier.item_index
    ]
    assert [(s.kind, s.item_index, s.side) for s in leads] == [
        ("get_ready", 0, "right"),
        ("switch", 1, "left"),
        ("get_ready", 2, "left"),  # another exercise: get into position
    ]
