"""The task registry: every list of task names, metrics, titles and result types comes from it.

A new task needs only its module's ``SPEC`` (and its name in ``TaskName``): these
tests fail when an entry lacks a renderer, names a test the library does not have,
or a derived list drifts from the registry.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from hiplab.library.loader import default_library
from hiplab.motion.tasks import TASK_NAMES, TASKS, TaskName, TaskOptions, TaskResult, TaskSpec
from hiplab.motion.tasks.registry import MEASURING_TASKS
from hiplab.testing import synthetic

from .task_helpers import capture_input, physical_landing

SRC = Path(__file__).resolve().parents[2] / "src" / "hiplab"
TASK_MODULES = ("squat", "landing", "thomas", "hold", "angles_task")


def measured(name: str) -> TaskResult:
    """Measure a synthetic clip of the task with its registry entry."""
    options = TaskOptions()
    if name == "squat":
        capture = synthetic.squat(synthetic.CaptureOptions(fps=30.0))
    elif name == "landing":
        capture = physical_landing(120.0)
    elif name == "thomas":
        capture = synthetic.thomas_test()
    else:
        capture = synthetic.hold(  # the deep squat hold's pose (as in test_tasks_hold)
            synthetic.CaptureOptions(fps=30.0),
            facing="left",
            target_knee=140.0,
            target_ankle=35.0,
            target_trunk=25.0,
        )
        options = TaskOptions(exercise=default_library().exercises["deep_squat_hold"])
    spec = TASKS[name]
    return spec.measure(capture_input(capture, landing=spec.landing), options)


def test_the_names_are_the_registry_keys_in_order() -> None:
    assert tuple(TASKS) == TASK_NAMES == get_args(TaskName)
    assert all(name == spec.name for name, spec in TASKS.items())


@pytest.mark.parametrize("name", TASK_NAMES)
def test_every_entry_measures_renders_and_summarises_its_own_result(name: str) -> None:
    spec = TASKS[name]
    result = measured(name)
    assert type(result) is spec.result_type
    document = result.model_dump(mode="json")
    metrics = spec.key_metrics(document)
    assert metrics, "a task shows at least one key metric"
    assert any(value is not None for value in metrics.values())
    assert all(isinstance(line, str) and line for line in spec.text_lines(document))
    assert spec.result_type.model_validate(document) == result  # a stored result reads back


def test_the_measured_tests_exist_in_the_library() -> None:
    tests = default_library().tests
    for spec in TASKS.values():
        assert set(spec.measured_tests) <= set(tests), spec.name
        assert (spec.measured_words is None) == (not spec.measured_tests) == (not spec.stored_words)
    assert tuple(n for n, s in TASKS.items() if s.measured_tests) == MEASURING_TASKS


def test_task_modules_import_only_the_spec_type_not_the_registry() -> None:
    for module in TASK_MODULES:
        tree = ast.parse((SRC / "motion" / "tasks" / f"{module}.py").read_text())
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        }
        assert "hiplab.motion.tasks.registry" not in imported, module
        assert "hiplab.motion.tasks.spec" in imported, module
    package = ast.parse((SRC / "motion" / "tasks" / "__init__.py").read_text())
    eager = [n for n in package.body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [getattr(n, "module", None) for n in eager] == ["__future__", None, "typing"]


def test_spec_fields_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        TaskSpec("angles")  # type: ignore[misc, call-arg]


def test_the_derived_lists_read_the_registry() -> None:
    import hiplab.cli.analyze_cmd as analyze_cmd
    from hiplab.motion import analyze
    from hiplab.services.videos.uploads import parse_options
    from hiplab.web import video_view

    assert [g.task for g in video_view.guides()] == list(TASK_NAMES)
    assert [g.title for g in video_view.guides()] == [s.title for s in TASKS.values()]
    assert [parse_options(task=name).task for name in TASK_NAMES if name != "hold"] == [
        n for n in TASK_NAMES if n != "hold"
    ]
    assert analyze_cmd.TaskName is TaskName  # the CLI's --task choices
    assert get_args(analyze.TaskName) == TASK_NAMES
    assert {
        n: s.measured_words for n, s in TASKS.items() if s.measured_words
    } == analyze.MEASURED_TESTS
