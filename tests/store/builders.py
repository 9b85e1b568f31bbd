"""Literal programmes and session logs for the store and progress tests."""

from __future__ import annotations

from hiplab.plan.models import ItemLog, PlanItem, Programme, Session, SessionLog, SolverReport, Week


def make_programme(
    *, person: str = "Alice", sessions_per_week: int = 3, weeks: int = 4, block: int = 1
) -> Programme:
    """Return a small valid programme: one 60-second item per session, ``weeks`` weeks."""
    item = PlanItem(
        exercise_id="pigeon_stretch",
        name="Pigeon stretch",
        kind="static_stretch",
        phase="stretch",
        position="prone",
        side="both",
        sets=1,
        hold_s=30,
        rest_s=0,
        duration_s=60,
        addresses=("hip_external_rotation_limited",),
        why="Literal test item.",
    )
    session = Session(duration_s=60, items=(item,))
    return Programme(
        refer=False,
        reason="",
        person=person,
        sessions_per_week=sessions_per_week,
        minutes=10,
        weeks=tuple(Week(week=n, session=session) for n in range(1, weeks + 1)),
        retest_week=weeks,
        solver=SolverReport(name="literal", status="not_run", objective=None, candidates=1),
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
