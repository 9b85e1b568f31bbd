"""Drift test: a guided session of a generated plan runs exactly as long as the plan says."""

from __future__ import annotations

import pytest

from hiplab.assess.parse import load_assessment_file
from hiplab.plan.generate import PlanRequest, make_programme
from hiplab.records.programme import Programme
from hiplab.services import catalogue
from hiplab.services.assessments import assess
from hiplab.session.ui import plan_engine


def generated(**request: int) -> Programme:
    data = load_assessment_file(catalogue.sample_path())
    return make_programme(
        assessment=assess(data, catalogue.library()),
        person=data.person,
        library=catalogue.library(),
        request=PlanRequest(**request),
        label="Sam Sample",
    )


@pytest.mark.parametrize("minutes", [10, 15, 30])
def test_every_item_of_every_week_runs_for_its_planned_duration(minutes: int) -> None:
    programme = generated(minutes=minutes, weeks=4)
    assert not programme.refer
    for week in programme.weeks:
        engine = plan_engine(week.session.items)
        per_item = [0.0] * len(engine.items)
        for step in engine.steps:
            per_item[step.item_index] += step.duration_s
        assert per_item == [float(item.duration_s) for item in week.session.items]
        assert sum(per_item) == week.session.duration_s
        engine.tick(week.session.duration_s)
        assert engine.finished
        assert all(entry.status == "done" for entry in engine.log())


def test_the_session_page_states_the_planners_set_up_and_switch_times() -> None:
    from pathlib import Path

    from hiplab.library.models import ExerciseKind
    from hiplab.plan.dosage import REP_SECONDS, SETUP_S, SWITCH_S

    page = Path(__file__).resolve().parents[2] / "docs" / "commands" / "session.md"
    text = " ".join(page.read_text(encoding="utf-8").split())
    assert f"{SETUP_S}-second **get ready**" in text
    assert f"{SWITCH_S}-second **switch sides**" in text
    assert REP_SECONDS[ExerciseKind.dynamic_mobility] == 2
    assert REP_SECONDS[ExerciseKind.strength] == 4
    assert REP_SECONDS[ExerciseKind.pnf] == 16
    assert REP_SECONDS[ExerciseKind.activation] == REP_SECONDS[ExerciseKind.static_stretch] == 3
