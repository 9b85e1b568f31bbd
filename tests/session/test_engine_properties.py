"""Property tests: no sequence of ticks, pauses, skips and backs breaks the engine's promises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hiplab.records.programme import PlanItem
from hiplab.session.engine import SessionEngine

TOLERANCE = 1e-6


@st.composite
def plan_items(draw: st.DrawFn) -> PlanItem:
    hold = draw(st.booleans())
    return PlanItem(
        exercise_id=draw(st.sampled_from(["a", "b", "c"])),
        name="Item",
        kind="activation",
        phase="activation",
        position="supine",
        side=draw(st.sampled_from([None, "left", "right", "both"])),
        sets=draw(st.integers(1, 4)),
        hold_s=draw(st.integers(3, 60)) if hold else None,
        reps=None if hold else draw(st.integers(1, 20)),
        rest_s=draw(st.integers(0, 30)),
        duration_s=1,
    )


ITEMS = st.lists(plan_items(), min_size=1, max_size=4).map(tuple)
TIMES = st.floats(0.0, 8.0)
ACTION = st.one_of(
    st.tuples(st.just("tick"), st.floats(0.0, 6.0) | st.floats(0.0, 120.0)),
    st.tuples(st.sampled_from(["pause", "resume", "skip", "back", "back", "quit"]), st.just(0.0)),
)


def make(items: tuple[PlanItem, ...], get_ready: float, switch: float) -> SessionEngine:
    return SessionEngine(items, get_ready_s=get_ready, switch_s=switch, tempo_s=2.5)


@settings(max_examples=300, deadline=None)
@given(items=ITEMS, get_ready=TIMES, switch=TIMES, actions=st.lists(ACTION, max_size=40))
def test_any_actions_keep_done_within_planned_and_within_unpaused_time(
    items: tuple[PlanItem, ...],
    get_ready: float,
    switch: float,
    actions: list[tuple[str, float]],
) -> None:
    engine = make(items, get_ready, switch)
    unpaused = 0.0
    for action, dt in actions:
        if action == "tick":
            if not engine.paused and not engine.finished:
                unpaused += dt
            engine.tick(dt)
        else:
            getattr(engine, action)()
        for done, planned in zip(engine.done_s, engine.planned_s, strict=True):
            assert 0.0 <= done <= planned + TOLERANCE
        assert sum(engine.done_s) <= unpaused + TOLERANCE
        assert 0.0 <= engine.progress <= 1.0
        assert engine.remaining_s >= 0.0
    for entry in engine.log():
        assert 0 <= entry.done_s <= entry.planned_s
        assert (entry.status == "done") == (entry.done_s == entry.planned_s)
    if engine.finished:
        return
    # Whatever happened, the rest of the session takes exactly the time its steps say.
    engine.resume()
    left = engine.remaining_s + sum(s.duration_s for s in engine.steps[engine.step_index + 1 :])
    if left > 0.01:
        engine.tick(left - 0.01)
        assert not engine.finished
    engine.tick(0.01 + TOLERANCE)
    assert engine.finished


@settings(max_examples=200, deadline=None)
@given(
    items=ITEMS,
    get_ready=TIMES,
    switch=TIMES,
    ticks=st.lists(st.floats(0.01, 50.0), min_size=1, max_size=60),
    pauses=st.lists(st.booleans(), max_size=60),
)
def test_running_every_step_without_skips_completes_every_item(
    items: tuple[PlanItem, ...],
    get_ready: float,
    switch: float,
    ticks: list[float],
    pauses: list[bool],
) -> None:
    engine = make(items, get_ready, switch)
    for dt, pause in zip(ticks, pauses + [False] * len(ticks), strict=False):
        if pause:
            engine.pause()
            engine.tick(dt)
            engine.resume()
        engine.tick(dt)
    while not engine.finished:
        engine.tick(1.0)
    assert engine.done_s == engine.planned_s
    for entry, item, planned in zip(engine.log(), items, engine.planned_s, strict=True):
        assert entry.status == "done"
        assert entry.done_s == entry.planned_s == round(planned)
        work = item.hold_s if item.hold_s is not None else (item.reps or 0) * 2.5
        sides = 2 if item.side == "both" else 1
        assert planned == work * item.sets * sides
