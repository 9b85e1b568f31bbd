import json

import pytest

from tests.conftest import NO_STORE

from .conftest import Run

pytestmark = NO_STORE  # library commands do not touch the store


def test_library_json_has_full_records(hiplab: Run) -> None:
    result = hiplab("library", "--format", "json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) >= 60
    assert all(
        {"joint_demands", "position", "targets", "dosage", "pose"} <= set(r) for r in records
    )


def test_library_filters_combine(hiplab: Run) -> None:
    records = json.loads(
        hiplab(
            "library", "--target", "iliopsoas", "--kind", "static_stretch", "--format", "json"
        ).stdout
    )
    assert records
    for r in records:
        assert r["kind"] == "static_stretch"
        assert "iliopsoas" in r["targets"]["primary"] + r["targets"]["secondary"]
    supine = json.loads(hiplab("library", "--position", "supine", "--format", "json").stdout)
    assert supine and all(r["position"] == "supine" for r in supine)
    strap = json.loads(hiplab("library", "--equipment", "strap", "--format", "json").stdout)
    assert strap and all("strap" in r["equipment"] for r in strap)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--target", "psoas"], "unknown muscle group 'psoas'"),
        (["--kind", "yoga"], "unknown kind 'yoga'"),
        (["--position", "upside_down"], "unknown position"),
        (["show", "pigeon"], "'pigeon_stretch'"),
    ],
)
def test_library_bad_ids_exit_2(hiplab: Run, args: list[str], expected: str) -> None:
    result = hiplab("library", *args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_library_show_text_svg_html(hiplab: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = hiplab("library", "show", "pigeon_stretch")
    assert text.returncode == 0 and "Pigeon" in text.stdout and "needs: hip flexion" in text.stdout
    assert "not for: A hip replacement done from the back" in text.stdout
    svg = hiplab("library", "show", "pigeon_stretch", "--format", "svg")
    assert svg.stdout.lstrip().startswith("<svg")
    html = hiplab("library", "show", "pigeon_stretch", "--format", "html", "-o", "p.html")
    assert html.returncode == 0
    page = (tmp_path / "p.html").read_text()
    assert "<svg" in page and "Pigeon" in page


def test_tests_guide_and_picture(hiplab: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    listing = hiplab("tests", "--self")
    assert listing.returncode == 0 and "Thomas" in listing.stdout
    one = hiplab("tests", "knee_to_wall", "--picture", "ktw.svg")
    assert one.returncode == 0 and "ref05" in one.stdout
    assert (tmp_path / "ktw.svg").read_text().lstrip().startswith("<svg")
    bad = hiplab("tests", "thomas")
    assert bad.returncode == 2 and "thomas_thigh_angle" in bad.stderr


def test_help_and_version(hiplab: Run) -> None:
    assert hiplab("--version").stdout.startswith("hiplab ")
    help_text = hiplab("--help").stdout
    for command in ("assess", "library", "people", "history", "export", "db", "tests", "demo"):
        assert command in help_text
