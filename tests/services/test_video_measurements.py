"""Storing a video's measured tests (the one path of the web and ``hiplab analyze --save``).

:func:`~hiplab.services.videos.results.save_measurements` stores only the reliable
values, each with its uncertainty and verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hiplab.errors import InputError
from hiplab.motion.analyze import Analysis, AnalyzeRequest, analyze
from hiplab.motion.verdicts import Verdict
from hiplab.records.intake import Person, Sex
from hiplab.services.storage import open_store_for
from hiplab.services.videos.results import SavedAnalysis, save_measurements, stored_record
from hiplab.settings import Settings
from hiplab.testing import synthetic
from tests.cli.test_analyze_cli import write_openpose
from tests.motion.task_helpers import physical_landing

RECORD = Person(age=40, sex=Sex.male)


def save(analysis: Analysis, settings: Settings) -> SavedAnalysis:
    with open_store_for(settings) as store:
        return save_measurements(
            store=store, settings=settings, analysis=analysis, person="Ann", record=RECORD
        )


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    return Settings(database_url=store_url, data_dir=tmp_path / "data")


def test_a_reliable_thomas_test_is_stored_with_its_uncertainty_and_verdict(
    settings: Settings, tmp_path: Path
) -> None:
    capture = synthetic.thomas_test(synthetic.CaptureOptions(fps=30.0))
    source = write_openpose(tmp_path / "thomas", capture)
    analysis = analyze(AnalyzeRequest(source=source, task="thomas", fps=30.0))
    assert analysis.measured, analysis.measured_tests_left_out
    saved = save(analysis, settings)
    with open_store_for(settings) as store:
        stored = store.assessments.get(assessment_id=saved.assessment_id).data
    assert stored.provenance == "video"
    kept = {m.test: m for m in stored.video_measurements}
    assert set(kept) == {m.test for m in analysis.measured}
    for measured in analysis.measured:
        video = kept[measured.test]
        assert (video.value, video.unit, video.label) == (
            measured.value,
            measured.unit,
            measured.label,
        )
        assert video.uncertainty == measured.uncertainty and video.uncertainty is not None
        assert video.verdict == measured.verdict.text == "reliable"
    assert stored.tests.thomas is not None and stored.tests.thomas.right is not None
    assert stored.tests.thomas.right.thigh_angle_deg == kept["thomas.right.thigh_angle_deg"].value


def test_a_rough_landing_stores_nothing_and_says_why(settings: Settings, tmp_path: Path) -> None:
    source = write_openpose(tmp_path / "landing", physical_landing(120.0, peak_knee=75.0))
    measured = analyze(AnalyzeRequest(source=source, task="landing", fps=120.0))
    # as an analysis of a camera 30° off the side would come out: nothing reliable
    rough = Verdict(level="rough", reason="the camera is 30° off a side view")
    note = (
        f"drop landing, right knee's most bend: {rough.text} "
        "(only reliable measurements are stored)"
    )
    analysis = measured.model_copy(
        update={
            "verdict": rough,
            "measured": (),
            "measured_tests": None,
            "measured_tests_left_out": (note,),
        }
    )
    with pytest.raises(InputError, match="nothing in this analysis is reliable enough") as caught:
        save(analysis, settings)
    assert "only reliable measurements are stored" in str(caught.value)
    with open_store_for(settings) as store:
        assert store.people.summaries() == []


def test_the_age_and_sex_come_from_the_latest_stored_assessment(
    settings: Settings, tmp_path: Path
) -> None:
    with open_store_for(settings) as store, pytest.raises(InputError) as missing:
        stored_record(store=store, person="Nobody")
    assert (missing.value.field, missing.value.value) == ("save", "Nobody")
    assert str(missing.value).startswith("save 'Nobody' has no stored assessment")
    capture = synthetic.thomas_test(synthetic.CaptureOptions(fps=30.0))
    analysis = analyze(
        AnalyzeRequest(source=write_openpose(tmp_path / "t", capture), task="thomas", fps=30.0)
    )
    saved = save(analysis, settings)
    with open_store_for(settings) as store:
        assert stored_record(store=store, person="Ann") == RECORD
        assert [r.id for r in store.assessments.reports(assessment_id=saved.assessment_id)] == [
            saved.report_id
        ]
