"""The results page's rows in plain words: a squat's per-repetition uncertainties, no codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hiplab.motion.analyze import AnalyzeRequest, analyze
from hiplab.services.videos import jobs as video_jobs
from hiplab.services.videos import results
from hiplab.services.videos.results import VideoResult
from hiplab.testing import synthetic
from hiplab.web import video_view
from tests.cli.test_analyze_cli import write_openpose


@pytest.fixture(scope="module")
def squat(tmp_path_factory: pytest.TempPathFactory) -> VideoResult:
    """A synthetic squat (3 repetitions, side view) as the results page reads it back."""
    capture = synthetic.squat(synthetic.CaptureOptions(fps=30.0))
    source = write_openpose(tmp_path_factory.mktemp("squat") / "openpose", capture)
    analysis = analyze(AnalyzeRequest(source=source, task="squat", fps=30.0))
    stored = video_jobs.publish(analysis, filename="squat.mp4", outdir=Path("unused"))
    analysis = results.load_analysis(stored["analysis"])  # as a finished job's result
    document = analysis.document()
    return VideoResult(
        analysis=analysis,
        document=document,
        metrics=results._metric_rows(analysis, document),
        warnings=analysis.result.warnings,
        files=(),
        skipped_files={},
        refusal=results.refusal_of(analysis),
    )


def test_the_deepest_knee_bend_takes_its_repetitions_uncertainty(squat: VideoResult) -> None:
    reps = squat.document["reps"]
    deepest = max(range(len(reps)), key=lambda i: reps[i]["peak_knee_flexion_deg"])
    [row] = [r for r in squat.metrics if r.name == "max_knee_flexion_deg"]
    assert row.path == f"reps.{deepest}.peak_knee_flexion_deg"
    assert row.uncertainty == reps[deepest]["uncertainty"]["peak_knee_flexion_deg"]
    assert row.verdict == squat.analysis.verdicts[row.path]
    [shown] = [r for r in video_view.key_rows(squat) if r.label.startswith("deepest knee bend")]
    assert shown.uncertainty == video_view.sd_text(row.uncertainty, "°")
    assert shown.uncertainty.startswith("± ") and shown.verdict == row.verdict.text


def test_every_repetition_shows_its_own_uncertainty_and_verdict(squat: VideoResult) -> None:
    rows = {r.label: r for r in video_view.measurement_rows(squat.document)}
    for i, rep in enumerate(squat.document["reps"]):
        for key, words in (
            ("peak_knee_flexion_deg", "peak knee flexion"),
            ("descent_s", "descent"),
        ):
            row = rows[f"rep {i + 1} {words}"]
            unit = "°" if key.endswith("_deg") else "s"
            assert row.uncertainty == video_view.sd_text(rep["uncertainty"][key], unit)
            assert row.verdict == squat.document["verdicts"][f"reps.{i}.{key}"]["text"]
    assert "depth thigh angle at bottom" in rows  # a summary value, without "summary"


def test_nothing_people_read_is_an_id_or_a_code(squat: VideoResult) -> None:
    context = video_view.results_context(squat)
    rows = [*context["key_rows"], *context["measurement_rows"], *context["stored_rows"]]
    words = [text for r in rows for text in (r.label, r.value, r.uncertainty, r.verdict)]
    words += [n.message for n in context["notes"]] + list(context["advice"])
    words += [context["camera"].view, context["camera"].angle, *context["camera"].frames]
    assert [w for w in words if re.search(r"\b[a-z]+_[a-z_]+\b", w)] == []
