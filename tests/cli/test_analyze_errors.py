"""Structured input errors reach the CLI with the field named as its option (subprocess)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiplab.cli.app import CLI_OPTIONS, input_message
from hiplab.errors import InputError
from tests.cli.conftest import Run
from tests.cli.test_analyze_cli import write_openpose
from tests.conftest import NO_STORE
from tests.motion.task_helpers import physical_landing


@pytest.fixture
def landing_json(tmp_path: Path) -> Path:
    return write_openpose(tmp_path / "landing", physical_landing(120.0, peak_knee=75.0))


@NO_STORE
def test_a_structured_error_names_the_option_of_its_field(hiplab: Run, landing_json: Path) -> None:
    done = hiplab("analyze", str(landing_json), "--task", "landing")
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    # openpose.check_fps raises field="fps"; the CLI names it --fps, in one line.
    message = " ".join(done.stderr.split())
    assert message.startswith("error: --fps is required for OpenPose JSON input ("), message
    assert message.endswith("; allowed: a positive number of frames per second"), message


@NO_STORE
def test_a_batch_option_error_names_the_option(hiplab: Run, landing_json: Path) -> None:
    inputs = (str(landing_json), str(landing_json))
    done = hiplab("analyze", *inputs, "--task", "landing", "-o", "out", "--ray", "nonsense")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "error: --ray 'nonsense' is no Ray cluster address" in " ".join(done.stderr.split())


def test_every_field_renders_through_the_one_mapping() -> None:
    for field, option in CLI_OPTIONS.items():
        error = InputError(field=field, value="v", allowed="w")
        assert input_message(error) == f"{option} 'v' is not allowed; allowed: w"
    assert input_message(InputError("a plain message")) == "a plain message"
    assert input_message(InputError(field="colour")) == "colour is not allowed"
