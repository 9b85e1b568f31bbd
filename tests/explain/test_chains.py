import pytest

from hiplab.assess import assess
from hiplab.assess.parse import validate
from hiplab.assess.result import Finding
from hiplab.explain.chains import active_chains
from hiplab.library import default_library

PERSON = {"age": 30, "sex": "male"}


def chains_for(tests: dict):
    return {
        c.id: c
        for c in assess(validate({"person": PERSON, "tests": tests}), default_library()).chains
    }


def finding(fid: str) -> Finding:
    return Finding(
        id=fid,
        side="left",
        severity="mild",
        value=1.0,
        norm=None,
        unit="deg",
        test="t",
        summary="s",
    )


@pytest.mark.parametrize(
    ("tests", "chain", "because"),
    [
        (
            {"thomas": {"left": {"thigh_angle_deg": 10}}},
            "hip_flexors->lumbar_overcompensation",
            ("hip_flexors_tight",),
        ),
        (
            {"thomas": {"left": {"thigh_angle_deg": 10}}},
            "hip_flexors->glute_inhibition",
            ("hip_flexors_tight",),
        ),
        (
            {"single_leg_bridge_s": {"left": 10}},
            "glute_inhibition->quad_dominance",
            ("glute_endurance_low",),
        ),
        (
            {"hip_internal_rotation_deg": {"left": 15}},
            "limited_hip_mobility->squat_compensation",
            ("hip_internal_rotation_limited",),
        ),
        (
            {"landing_peak_knee_flexion_deg": {"left": 70}},
            "stiff_landing->poor_impact_absorption",
            ("stiff_landing",),
        ),
    ],
)
def test_required_chains_appear_with_their_findings(
    tests: dict, chain: str, because: tuple[str, ...]
) -> None:
    found = chains_for(tests)
    assert chain in found
    assert found[chain].because == because
    assert found[chain].sources and len(found[chain].explanation) > 40


def test_no_findings_no_chains() -> None:
    assert chains_for({"hip_internal_rotation_deg": {"left": 40, "right": 40}}) == {}


def test_chains_appear_only_when_their_findings_do() -> None:
    found = chains_for({"knee_to_wall_cm": {"left": 5}})
    assert set(found) == {
        "ankle_restriction->squat_compensation",
        "ankle_restriction->patellar_tendon_load",
    }


def test_contested_link_is_graded_and_does_not_propagate() -> None:
    found = chains_for({"thomas": {"left": {"thigh_angle_deg": 10}}})
    assert found["hip_flexors->glute_inhibition"].evidence == "contested"
    assert found["hip_flexors->anterior_pelvic_tilt"].evidence == "contested"
    assert "glute_inhibition->quad_dominance" not in found


def test_moderate_link_propagates_and_is_marked_inferred() -> None:
    found = chains_for({"landing_peak_knee_flexion_deg": {"left": 70}})
    chained = found["poor_impact_absorption->knee_load"]
    assert chained.inferred and chained.because == ("stiff_landing",)
    assert not found["stiff_landing->poor_impact_absorption"].inferred


def test_every_edge_can_fire_from_some_finding() -> None:
    lib = default_library()
    all_findings = [finding(f) for f in lib.findings]
    assert {c.id for c in active_chains(lib.chains, all_findings)} == {
        e.id for e in lib.chains.edges
    }
