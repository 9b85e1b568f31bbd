"""Norms and measurement errors say whom and what they were measured on, and stay honest."""

from __future__ import annotations

import re

import pytest

from hiplab.library import default_library, models

LIB = default_library()
MEASURED = [t for t in LIB.tests.values() if t.direction != "flag"]
ID_LIKE = re.compile(r"_|\bref\d+\b")


@pytest.mark.parametrize("test", MEASURED, ids=lambda t: t.id)
def test_every_norm_says_what_it_comes_from_in_plain_words(test: models.TestDef) -> None:
    for norm in test.norms:
        assert norm.basis, f"{test.id}: a norm without a basis"
        for text in (norm.basis, norm.note):
            assert not ID_LIKE.search(text), f"{test.id}: an id in {text!r}"


@pytest.mark.parametrize("test", MEASURED, ids=lambda t: t.id)
def test_unverified_figures_stay_marked_where_a_person_reads_them(test: models.TestDef) -> None:
    for norm in test.norms:
        source = LIB.sources[norm.source]
        if norm.source == "hiplab_heuristic":
            assert "rule of thumb" in norm.basis
        elif not source.verified:
            assert "not checked against the original" in norm.note, (test.id, norm.source)


@pytest.mark.parametrize("test", [t for t in MEASURED if t.error], ids=lambda t: t.id)
def test_every_measured_error_names_the_test_it_was_measured_on(test: models.TestDef) -> None:
    error = test.error
    assert error is not None
    for source in (error.source, error.mdc_cited):
        assert source in LIB.sources
    if error.source != "hiplab_heuristic":
        assert error.measured_on, f"{test.id}: {error.source} without measured_on"
        assert not ID_LIKE.search(error.measured_on)
    if error.sem is not None and error.mdc_source is None:
        # an MDC worked out from the SEM must match it (MDC95 = 1.96·√2·SEM)
        assert error.mdc == pytest.approx(1.96 * 2**0.5 * error.sem, abs=0.1)


def test_thomas_hip_angle_error_comes_from_a_hip_angle_study() -> None:
    thigh = LIB.tests["thomas_thigh_angle"].error
    knee = LIB.tests["thomas_knee_flexion"].error
    assert thigh is not None and knee is not None
    assert thigh.source != knee.source  # the knee-angle study is not cited for the hip angle
    assert "hip angle" in thigh.measured_on and "knee angle" in knee.measured_on
    assert "hip" in LIB.sources[thigh.source].citation.lower()


def test_straight_leg_raise_norms_differ_by_sex_as_measured() -> None:
    norms = {n.sex: n for n in LIB.tests["straight_leg_raise"].norms}
    assert set(norms) == {"female", "male", "any"}
    # Youdas et al. 2005: women about 8° more than men; the pooled norm sits between.
    assert norms["female"].limit - norms["male"].limit == pytest.approx(8)
    assert norms["male"].limit < norms["any"].limit < norms["female"].limit


def test_age_bands_follow_their_sources() -> None:
    extension = [n for n in LIB.tests["hip_extension"].norms if n.sex != "any"]
    assert extension and all((n.age_min, n.age_max) == (45, 69) for n in extension)
    children = [n for n in LIB.tests["hip_flexion"].norms if n.age_max <= 8]
    adult = next(n for n in LIB.tests["hip_flexion"].norms if n.age_max == 120)
    assert {n.sex for n in children} == {"female", "male", "any"}
    assert all(n.typical is not None and adult.typical is not None for n in children)
    assert all(n.typical > adult.typical for n in children)  # type: ignore[operator]


def test_landing_cut_off_names_the_task_it_was_measured_on() -> None:
    (norm,) = LIB.tests["landing_knee_flexion"].norms
    assert "59 cm" in norm.basis and "30 cm" in norm.basis
    assert norm.typical is None  # the soft-landing mean belongs to the other task


def test_norms_without_age_bands_say_which_people_they_come_from() -> None:
    for test_id in ("hip_internal_rotation", "hip_external_rotation"):
        (norm,) = LIB.tests[test_id].norms
        assert "adults aged 20–60" in norm.basis
