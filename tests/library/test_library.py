import shutil
from pathlib import Path

import pytest
import yaml

from hiplab.assess.parse import validate
from hiplab.assess.safety import allowed, allowed_sides, precautions
from hiplab.errors import LibraryError, NotFoundError
from hiplab.library import default_library, load_library
from hiplab.library.integrity import find_cycle
from hiplab.library.loader import data_dir
from hiplab.records.assessment import Precaution

MOTIONS = {
    "hip_flexion",
    "hip_extension",
    "hip_abduction",
    "hip_adduction",
    "hip_internal_rotation",
    "hip_external_rotation",
    "knee_flexion",
    "ankle_dorsiflexion",
    "lumbar_flexion",
    "lumbar_extension",
}
REQUIRED_MUSCLES = {
    "iliopsoas",
    "rectus_femoris",
    "tfl_itb",
    "glute_max",
    "glute_med_min",
    "deep_rotators",
    "adductors",
    "hamstrings",
    "vasti",
    "gastroc_soleus",
    "quadratus_lumborum",
    "lumbar_erectors",
    "abdominals",
    "obliques",
}


def test_bundled_library_loads_with_required_sizes() -> None:
    lib = default_library()
    assert set(lib.motions) == MOTIONS
    assert len(lib.muscles) >= 15 and set(lib.muscles) >= REQUIRED_MUSCLES
    assert len(lib.exercises) >= 60
    assert len(lib.tests) >= 12


def test_every_muscle_group_has_names_actions_and_relations() -> None:
    lib = default_library()
    for m in lib.muscles.values():
        assert m.lay_name and m.anatomical_name and m.actions
    assert "glute_max" in lib.muscles["iliopsoas"].antagonists
    assert "iliopsoas" in lib.muscles["glute_max"].antagonists


def test_every_measured_norm_has_a_source_that_exists() -> None:
    lib = default_library()
    for t in lib.tests.values():
        for n in t.norms:
            assert n.source in lib.sources
        assert t.sources


def test_all_exercise_kinds_and_positions_are_represented() -> None:
    lib = default_library()
    assert {e.kind.value for e in lib.exercises.values()} == {
        "static_stretch",
        "dynamic_mobility",
        "pnf",
        "activation",
        "strength",
    }
    assert len({e.position for e in lib.exercises.values()}) >= 8


def test_pigeon_joint_demands_as_specified() -> None:
    pigeon = default_library().exercise("pigeon_stretch")
    # The front (stretched) leg folds well past 90° with the shin across the mat ...
    assert {m: d.deg for m, d in pigeon.joint_demands.items()} == {
        "hip_flexion": 120,
        "hip_external_rotation": 45,
        "hip_abduction": 20,
        "knee_flexion": 110,
    }
    # ... while the back leg lies straight behind, a little past neutral.
    assert {m: d.deg for m, d in pigeon.other_side_demands.items()} == {"hip_extension": 10}
    assert pigeon.floor_transfer and pigeon.end_range
    assert {c.condition.value for c in pigeon.unsafe_for} == {"knee_pain"}


def test_unknown_exercise_suggests_close_ids() -> None:
    with pytest.raises(NotFoundError, match="did you mean 'pigeon_stretch'"):
        default_library().exercise("pigeon_strech")


def test_find_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    cycle = find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]})
    assert cycle is not None and cycle[0] == cycle[-1]


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    return root


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_copy_of_library_loads(library_copy: Path) -> None:
    assert len(load_library(library_copy).exercises) == len(default_library().exercises)


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "exercises/hip_rotators.yaml",
            lambda d: d["exercises"][0]["targets"].update(primary=["psoas_minorish"]),
            "unknown muscle",
        ),
        (
            "exercises/hip_rotators.yaml",
            lambda d: d["exercises"][0]["joint_demands"].update(
                hip_twist={"deg": 10, "basis": "a motion the library does not know"}
            ),
            "unknown motion",
        ),
        (
            "exercises/hip_rotators.yaml",
            lambda d: d["exercises"][0].update(regressions=["no_such_exercise"]),
            "unknown exercise",
        ),
        (
            "tests.yaml",
            lambda d: d["tests"][0]["norms"][0].update(source="ref999"),
            "unknown source",
        ),
        (
            "muscles.yaml",
            lambda d: d["muscle_groups"][0].update(antagonists=["nobody"]),
            "unknown muscle",
        ),
        ("chains.yaml", lambda d: d["edges"][0].update(target="nowhere"), "unknown node"),
        ("chains.yaml", lambda d: d["edges"][0].update(evidence="probably"), "evidence"),
        (
            "exercises/hip_rotators.yaml",
            lambda d: d["exercises"][0].update(progressions=["figure_four_supine"]),
            "cycle",
        ),
        (
            "exercises/hip_rotators.yaml",
            lambda d: d["exercises"][0].update(dosage={"sets": 2}),
            "exactly one of hold_s or reps",
        ),
        (
            "exercises/hip_rotators.yaml",
            lambda d: d["exercises"].append(dict(d["exercises"][0])),
            "duplicate",
        ),
    ],
)
def test_broken_library_is_refused_naming_the_problem(
    library_copy: Path, file: str, change, expected: str
) -> None:  # type: ignore[no-untyped-def]
    edit(library_copy / file, change)
    with pytest.raises(LibraryError, match=expected):
        load_library(library_copy)


def _precautions(**screening: object) -> list[Precaution]:
    return precautions(validate({"person": {"age": 40, "sex": "female"}, "screening": screening}))


def test_landing_tibialis_and_hamstring_additions_carry_their_safety_facts() -> None:
    ex = default_library().exercises
    assert ex["drop_and_stick"].fall_risk and not ex["soft_landing_snap_down"].fall_risk
    assert ex["drop_and_stick"].regressions == ("soft_landing_snap_down",)
    assert ex["tibialis_wall_raise"].targets.primary == ("tibialis_anterior",)
    for hamstring_work in ("romanian_deadlift", "hamstring_bridge"):
        assert "hamstrings" in ex[hamstring_work].targets.primary
        assert not ex[hamstring_work].fall_risk
    assert ex["kickstand_rdl"].regressions == ("romanian_deadlift",)


def test_pregnancy_variants_are_allowed_where_the_originals_are_not() -> None:
    ex = default_library().exercises
    later = _precautions(pregnant=True, pregnancy_weeks=20)
    assert "knees_wide_childs_pose" in ex["childs_pose"].regressions
    assert "chair_wide_forward_fold" in ex["seated_forward_fold"].regressions
    assert not ex["chair_wide_forward_fold"].floor_transfer
    for variant in ("knees_wide_childs_pose", "chair_wide_forward_fold"):
        assert allowed(ex[variant], later), variant
    for original in ("childs_pose", "seated_forward_fold", "bent_knee_forward_fold"):
        assert not allowed(ex[original], later), original


def test_one_sided_demands_fall_on_the_hip_that_does_them() -> None:
    ex = default_library().exercises
    anterior_left = _precautions(
        hip_replacement={"side": "left", "approach": "anterior", "months_ago": 6}
    )
    # The back leg's hip extension: the left hip may lead, not trail.
    assert allowed_sides(ex["split_squat"], anterior_left) == ("left",)
    lateral_left = _precautions(
        hip_replacement={"side": "left", "approach": "lateral", "months_ago": 6}
    )
    # Standing on the replaced hip works its side glutes; standing on the other leg does not.
    assert allowed_sides(ex["lateral_step_down"], lateral_left) == ("right",)
    # In a side plank the bottom leg holds the pelvis up, so neither side is allowed.
    assert allowed_sides(ex["side_plank_abduction"], lateral_left) == ()
    posterior_left = _precautions(
        hip_replacement={"side": "left", "approach": "posterior", "months_ago": 6}
    )
    # With a pillow between the knees on a bed: no adduction, no floor transfer.
    assert allowed_sides(ex["clamshell"], posterior_left) == ("left", "right")
