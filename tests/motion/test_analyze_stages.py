"""``analyze`` reports each stage as it ends (progress for jobs, timing for the benchmark)."""

from __future__ import annotations

from pathlib import Path

from hiplab.motion.analyze import AnalyzeRequest, analyze
from tests.cli.test_analyze_cli import write_openpose
from tests.motion.task_helpers import physical_landing


def test_stages_are_reported_in_order_and_outputs_only_with_a_folder(tmp_path: Path) -> None:
    folder = write_openpose(tmp_path / "landing", physical_landing(120.0))
    seen: list[str] = []
    request = AnalyzeRequest(source=folder, task="landing", fps=120.0, outdir=tmp_path / "out")
    analysis = analyze(request, on_stage=seen.append)
    assert seen == ["track", "kinematics", "task", "outputs"]
    assert (tmp_path / "out" / "metrics.json").is_file()
    assert analysis.files["metrics_json"] is not None

    seen.clear()
    analyze(AnalyzeRequest(source=folder, task="landing", fps=120.0), on_stage=seen.append)
    assert seen == ["track", "kinematics", "task"]
