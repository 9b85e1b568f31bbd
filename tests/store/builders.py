"""Literal plan items, programmes and session logs for the store, progress and session tests."""

from __future__ import annotations

from hiplab.records.programme import (
    ItemLog,
    ItemSide,
    PlanItem,
    Programme,
    Session,
    SessionLog,
    SolverReport,
    Week,
)

EXERCISES: dict[str, dict[str, str]] = {
    "isometric_glute_bridge": {
        "name": "Isometric glute bridge",
        "kind": "activation",
        "phase": "activation",
        "position": "supine",
    },
    "half_kneeling_hip_flexor_stretch": {
        "name": "Half-kneeling hip flexor stretch",
        "kind": "static_stretch",
        "phase": "stretch",
        "position": "kneeling",
    },
    "clamshell": {
        "name": "Clamshell",
        "kind": "activation",
        "phase": "activation",
        "position": "side_lying",
    },
    "couch_stretch": {
        "name": "Couch stretch",
        "kind": "static_stretch",
        "phase": "stretch",
        "position": "kneeling",
    },
    "pigeon_stretch": {
        "name": "Pigeon stretch",
        "kind": "static_stretch",
        "phase": "stretch",
        "position": "prone",
    },
}
"""What the library says of each exercise the literal items use: name, kind, phase, position."""


def plan_item(
    exercise_id: str,
    *,
    side: ItemSide,
    sets: int,
    rest_s: int,
    duration_s: int,
    hold_s: int | None = None,
    reps: int | None = None,
    addresses: tuple[str, ...] = (),
    why: str = "",
) -> PlanItem:
    """Return an item of one of :data:`EXERCISES` with this dose (the timing is the caller's)."""
    return PlanItem(
        exercise_id=exercise_id,
        **EXERCISES[exercise_id],
        side=side,
        sets=sets,
        hold_s=hold_s,
        reps=reps,
        rest_s=rest_s,
        duration_s=duration_s,
        addresses=addresses,
        why=why,
    )


def weekly_programme(
    session: Session,
    *,
    person: str,
    weeks: int,
    sessions_per_week: int,
    minutes: int,
    retest_week: int | None,
    candidates: int,
    block: int = 1,
    disclaimer: str = "",
    refer: bool = False,
    reason: str = "",
) -> Programme:
    """Return a programme running the same ``session`` every week for ``weeks`` weeks."""
    return Programme(
        refer=refer,
        reason=reason,
        person=person,
        sessions_per_week=sessions_per_week,
        minutes=minutes,
        weeks=tuple(Week(week=n, session=session) for n in range(1, weeks + 1)),
        retest_week=retest_week,
        solver=SolverReport(
            name="literal", status="not_run", objective=None, candidates=candidates
        ),
        block=block,
        disclaimer=disclaimer,
    )


def make_programme(
    *, person: str = "Alice", sessions_per_week: int = 3, weeks: int = 4, block: int = 1
) -> Programme:
    """Return a small valid programme: one 60-second item per session, ``weeks`` weeks."""
    item = plan_item(
        "pigeon_stretch",
        side="both",
        sets=1,
        hold_s=30,
        rest_s=0,
        duration_s=60,
        addresses=("hip_external_rotation_limited",),
        why="Literal test item.",
    )
    return weekly_programme(
        Session(duration_s=60, items=(item,)),
        person=person,
        weeks=weeks,
        sessions_per_week=sessions_per_week,
        minutes=10,
        retest_week=weeks,
        candidates=1,
        block=block,
        disclaimer="Not a diagnosis.",
    )


def make_log(
    *,
    person: str = "Alice",
    plan_id: int | None = None,
    started_at: str = "2024-03-04T18:00:00+01:00",
    finished_at: str = "2024-03-04T18:10:00+01:00",
    done_s: int = 60,
    discomfort: int | None = 2,
    week: int = 1,
) -> SessionLog:
    """Return a session log of one 60-second item of which ``done_s`` seconds were done."""
    status = "done" if done_s >= 60 else ("partial" if done_s else "skipped")
    return SessionLog(
        person=person,
        plan_id=plan_id,
        week=week,
        started_at=started_at,
        finished_at=finished_at,
        items=(
            ItemLog(
                exercise_id="pigeon_stretch",
                side="both",
                planned_s=60,
                done_s=done_s,
                status=status,
            ),
        ),
        discomfort=discomfort,
        effort=5,
        quit_early=done_s < 60,
    )
