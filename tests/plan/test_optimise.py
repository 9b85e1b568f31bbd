"""The optimiser's typed keys and how it reports a solve the time limit stopped."""

from __future__ import annotations

import doctest
from dataclasses import replace

import pytest

from hiplab.assess.parse import load_assessment_file
from hiplab.library import default_library
from hiplab.plan import optimise
from hiplab.plan.generate import time_note
from hiplab.plan.optimise import Selection, select
from hiplab.plan.problem import Preferences, Problem, TargetKey, build_problem
from hiplab.records.programme import SolverReport
from hiplab.services.assessments import assess
from hiplab.services.catalogue import sample_path

LIBRARY = default_library()


@pytest.fixture(scope="module")
def sample_problem() -> Problem:
    data = load_assessment_file(sample_path())
    return build_problem(assess(data, LIBRARY), LIBRARY, Preferences(minutes=15))


def test_the_status_examples_hold() -> None:
    assert doctest.testmod(optimise, raise_on_error=True).attempted > 0


def test_keys_order_by_mode_subject_then_side_with_no_side_first() -> None:
    keys = [
        TargetKey("surround", "adductors"),
        TargetKey("stretch", "short_hip_flexors", "right"),
        TargetKey("strength", "weak_glutes", None),
        TargetKey("stretch", "short_hip_flexors", None),
        TargetKey("stretch", "short_hip_flexors", "left"),
    ]
    assert sorted(keys) == [
        TargetKey("strength", "weak_glutes", None),
        TargetKey("stretch", "short_hip_flexors", None),
        TargetKey("stretch", "short_hip_flexors", "left"),
        TargetKey("stretch", "short_hip_flexors", "right"),
        TargetKey("surround", "adductors"),
    ]


def test_every_option_covers_only_keys_of_the_problems_targets(sample_problem: Problem) -> None:
    keys = {t.key for t in sample_problem.targets}
    assert sample_problem.options
    assert all(set(o.cover) <= keys for o in sample_problem.options)


def test_the_shipped_solve_of_the_sample_is_optimal(sample_problem: Problem) -> None:
    selection = select(sample_problem, LIBRARY)
    assert selection.report.status == "optimal"
    assert "limit" not in time_note(sample_problem, selection, 15 * 60, LIBRARY)


def test_a_solve_stopped_before_any_programme_says_so_not_that_nothing_fits(
    sample_problem: Problem,
) -> None:
    selection = select(sample_problem, LIBRARY, time_limit_s=0.0)
    assert selection.report.status == "time_limit"
    assert selection.chosen == ()
    note = time_note(sample_problem, selection, 0, LIBRARY)
    assert "stopped at its 0-second limit before it found a programme" in note
    assert "no safe exercise" not in note


def test_a_programme_found_when_time_ran_out_is_not_presented_as_the_best(
    sample_problem: Problem,
) -> None:
    optimal = select(sample_problem, LIBRARY)
    stopped = replace(
        optimal,
        report=optimal.report.model_copy(update={"status": "time_limit"}),
        time_limit_s=10.0,
    )
    used = sum(o.total_seconds() for o in optimal.chosen)
    note = time_note(sample_problem, stopped, used, LIBRARY)
    assert note.startswith("The planner stopped at its 10-second limit")
    assert "not one proven best" in note


def test_plans_stored_as_feasible_read_back_as_stopped_by_the_time_limit() -> None:
    stored = {"name": "HiGHS", "status": "feasible", "objective": 1.5, "candidates": 40}
    assert SolverReport.model_validate(stored).status == "time_limit"


def test_a_selection_remembers_its_time_limit(sample_problem: Problem) -> None:
    selection: Selection = select(sample_problem, LIBRARY, time_limit_s=5.0)
    assert selection.time_limit_s == 5.0
