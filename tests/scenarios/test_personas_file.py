"""The scenario data itself: enough personas, every group the issue names, every rule readable.

And the checker is not vacuous: each kind of rule catches a movement the library has, and
each kind of need is met by some exercise, so an expectation can fail.
"""

from __future__ import annotations

from hiplab.assess.parse import validate
from hiplab.errors import InputError
from tests.scenarios.checks import SIDES, Persona, load_bad_inputs, movement_breaches
from tests.scenarios.conftest import LIBRARY, PERSONAS


def _screening(p: Persona) -> dict[str, object]:
    return p.input.get("screening") or {}


def _age(p: Persona) -> int:
    return int(p.input["person"]["age"])


def _activities(p: Persona) -> list[str]:
    return list(p.input["person"].get("activities", ()))


def test_at_least_thirty_personas_with_unique_ids() -> None:
    ids = [p.id for p in PERSONAS]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


def test_every_group_of_the_issue_is_there() -> None:
    replacements = [r for p in PERSONAS if (r := _screening(p).get("hip_replacement"))]
    for approach in ("posterior", "anterior", "lateral"):
        months = [r["months_ago"] for r in replacements if r["approach"] == approach]  # type: ignore[index]
        assert any(m <= 6 for m in months) and any(m >= 24 for m in months), approach
    assert {r["side"] for r in replacements} == set(SIDES)  # type: ignore[index]
    weeks = {
        _screening(p).get("pregnancy_weeks") for p in PERSONAS if _screening(p).get("pregnant")
    }
    assert {10, 20, 34} <= weeks
    assert any(8 <= _age(p) <= 15 and p.refers for p in PERSONAS)
    assert any(_screening(p).get("hip_impingement") for p in PERSONAS)
    assert any(_screening(p).get("hypermobility") for p in PERSONAS)
    assert any(_screening(p).get("falls_or_poor_balance") for p in PERSONAS)
    assert sum(_age(p) >= 65 for p in PERSONAS) >= 3
    for activity in ("desk_work", "running", "jumping_sports", "field_sports"):
        assert any(activity in _activities(p) for p in PERSONAS), activity
    regions = {s["region"] for p in PERSONAS for s in p.input.get("symptoms", ())}
    assert {"knee", "lower_back", "wrist"} <= regions
    tests = {t for p in PERSONAS for t in p.input.get("tests", {})}
    assert {"fadir", "faber", "landing_peak_knee_flexion_deg", "thomas"} <= tests
    assert any(not p.input.get("tests") and not p.refers for p in PERSONAS)
    assert sum(p.refers for p in PERSONAS) >= 10
    assert sum(p.expect.must_not_refer for p in PERSONAS) >= 20


def test_every_persona_says_what_it_expects_and_reads_as_hiplab_input() -> None:
    for p in PERSONAS:
        validate(p.input, source=p.id)  # the shape `hiplab assess` reads
        assert p.refers != p.expect.must_not_refer, f"{p.id}: refer or not, exactly one"
        if p.expect.must_not_refer:
            wants = (
                p.expect.must_not_contain
                or p.expect.must_contain
                or p.expect.has_findings
                or p.expect.stretch_holds_s
                or not p.input.get("tests")
                or p.id.startswith("normal")
            )
            assert wants, f"{p.id} expects nothing beyond no referral"


def test_bad_inputs_are_refused_by_the_parser() -> None:
    for bad in load_bad_inputs():
        try:
            validate(bad.input, source=bad.id)
        except InputError:
            continue
        raise AssertionError(f"{bad.id} is accepted by the parser")


def test_every_rule_kind_can_catch_a_library_movement() -> None:
    """Each rule of every persona matches some library exercise or test on some side.

    A rule nothing could ever break would make its expectation hold by construction.
    """
    movements = [*LIBRARY.exercises.values(), *LIBRARY.tests.values()]
    for p in PERSONAS:
        for rule in (*p.expect.must_not_contain, *p.expect.not_planned):
            caught = any(
                movement_breaches(m, side, [rule])
                for m in movements
                for side in (*SIDES, "both", None)
            )
            assert caught, f"{p.id}: rule '{rule.text}' matches no library movement"


def test_every_need_can_be_met_by_some_exercise() -> None:
    from hiplab.records.programme import PlanItem

    for p in PERSONAS:
        for need in p.expect.must_contain:
            for side in need.sides or (None,):
                met = False
                for e in LIBRARY.exercises.values():
                    item = PlanItem(
                        exercise_id=e.id,
                        name=e.name,
                        kind=e.kind.value,
                        phase="stretch",
                        position=e.position.value,
                        side=side if e.unilateral else None,
                        sets=2,
                        rest_s=10,
                        duration_s=60,
                    )
                    met = met or need.met_by(item, e, side)
                assert met, f"{p.id}: no library exercise gives {need.text} ({side})"
