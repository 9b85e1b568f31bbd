"""The test lanes hold: a test that starts a slow thing carries that thing's marker.

``make test-fast`` deselects the lanes (``video``, ``browser``, ``terminal``, ``ray``,
``postgres``); tests/conftest.py sets them from fixtures, parameters and imported helpers.
This module reads every test module's source instead (the AST) and finds, per test,
what it reaches in its own module — its parameters (fixtures), the module's fixtures and
helper functions it uses, transitively, and module-level code such as ``pytestmark`` —
and whether any of that imports or names a slow thing: the tmux helpers or ``"tmux"``,
Chromium through Playwright, Ray, the demo video, MediaPipe's task bundle. Fixtures in
conftest.py files count by name too. Then it collects the suite in a subprocess and
checks that each such test carries the marker, so none runs in the fast lane.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_LANE, LANE_OF_FIXTURE, LANES
from tests.lane_report import REPORT_ENV

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

MODULE_LANES = {
    "tests.terminal": "terminal",
    "tests.browser": "browser",
    "playwright": "browser",
    "ray": "ray",
}
"""Importing from one of these modules (or a submodule) brings the names into the lane."""
NAME_LANES = {
    "tests.motion.demo_video": {"demo_video": "video", "build_pose_task": "video"},
    "tests.motion.pose2sim_reference": {"demo": "video"},
    "tests.motion.multicam": {"pose2sim_demo": "video"},
}
"""Helpers (imported by name, or read off the imported module) that reach a demo video or
MediaPipe: the sports2d demo, MediaPipe's task bundle, the Pose2Sim demo and its tracks."""
STRING_LANES = {"tmux": "terminal", "ray": "ray"}
"""Programs started by name (an argument or list item): ``["tmux", ...]``, ``with_name("ray")``."""

Function = ast.FunctionDef | ast.AsyncFunctionDef


def imported_lanes(tree: ast.Module) -> dict[str, str]:
    """Return the names (``mc.camera_track`` as one name) the module imports, with lanes."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                lane = lane_of_module(alias.name)
                if lane:
                    found[(alias.asname or alias.name).split(".")[0]] = lane
        elif isinstance(node, ast.ImportFrom) and node.module:
            lane = lane_of_module(node.module)
            helpers = NAME_LANES.get(node.module, {})
            for alias in node.names:
                bound = alias.asname or alias.name
                if lane or alias.name in helpers:
                    found[bound] = lane or helpers[alias.name]
                for name, helper_lane in NAME_LANES.get(f"{node.module}.{alias.name}", {}).items():
                    found[f"{bound}.{name}"] = helper_lane
    return found


def lane_of_module(module: str) -> str | None:
    for prefix, lane in MODULE_LANES.items():
        if module == prefix or module.startswith(prefix + "."):
            return lane
    return None


def direct_lanes(node: ast.AST, names: dict[str, str]) -> set[str]:
    """Return the lanes of the imported names used and the programs started inside ``node``."""
    lanes = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id in names:
            lanes.add(names[inner.id])
        elif isinstance(inner, ast.Attribute) and ast.unparse(inner) in names:
            lanes.add(names[ast.unparse(inner)])
        elif isinstance(inner, ast.Call | ast.List | ast.Tuple):
            values = inner.args if isinstance(inner, ast.Call) else inner.elts
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    lane = STRING_LANES.get(value.value.split(" ")[0])
                    lanes |= {lane} if lane else set()
    return lanes


def is_fixture(node: Function) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target) in {"pytest.fixture", "fixture"}:
            return True
    return False


def uses(node: Function) -> set[str]:
    """Return the fixtures (a test's or fixture's parameters) and outer names ``node`` reads."""
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    params = {a.arg for a in arguments}
    names = [n for n in ast.walk(node) if isinstance(n, ast.Name)]
    own = {n.id for n in names if isinstance(n.ctx, ast.Store)} | params
    read = {n.id for n in names if isinstance(n.ctx, ast.Load)} - own
    injected = is_fixture(node) or node.name.startswith("test")
    return read | params if injected else read  # a helper's parameters are values, not fixtures


def functions(tree: ast.Module) -> Iterator[tuple[str, Function]]:
    """Yield ``(node id part, function)`` for module functions and test-class methods."""
    for node in tree.body:
        if isinstance(node, Function):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for inner in node.body:
                if isinstance(inner, Function):
                    yield f"{node.name}::{inner.name}", inner


def module_level(tree: ast.Module) -> ast.Module:
    """Return the module without its functions and classes (pytestmark, constants, imports)."""
    body = [n for n in tree.body if not isinstance(n, (*Function.__args__, ast.ClassDef))]
    return ast.Module(body=body, type_ignores=[])


def lanes_by_name(tree: ast.Module, known: dict[str, set[str]]) -> dict[str, set[str]]:
    """Return each function's lanes: direct, or through the functions and fixtures it uses."""
    names = imported_lanes(tree)
    found = {name: direct_lanes(f, names) for name, f in functions(tree)}
    used = {name: uses(f) for name, f in functions(tree)}
    bare = {name.split("::")[-1]: name for name in found}
    changed = True
    while changed:
        changed = False
        for name, reads in used.items():
            reached = set().union(*(known.get(r, set()) for r in reads))
            reached |= set().union(*(found[bare[r]] for r in reads if r in bare))
            if not reached <= found[name]:
                found[name] |= reached
                changed = True
    return found


def conftest_fixture_lanes() -> dict[str, set[str]]:
    """Return the lanes of every fixture in a conftest.py, by name (plus LANE_OF_FIXTURE)."""
    known = {name: {lane} for name, lane in LANE_OF_FIXTURE.items()}
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(TESTS.rglob("conftest.py"))]
    for _ in range(3):  # conftests use each other's fixtures: a few rounds reach them all
        for tree in trees:
            for name, lanes in lanes_by_name(tree, known).items():
                if lanes:
                    known.setdefault(name, set()).update(lanes)
    return known


def expected_lanes() -> dict[str, set[str]]:
    """Return ``{test node id without parameters: lanes}`` for every test with a slow thing."""
    known = conftest_fixture_lanes()
    expected = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        everywhere = direct_lanes(module_level(tree), imported_lanes(tree))
        relative = path.relative_to(ROOT).as_posix()
        for name, lanes in lanes_by_name(tree, known).items():
            if name.split("::")[-1].startswith("test") and lanes | everywhere:
                expected[f"{relative}::{name}"] = lanes | everywhere
    return expected


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Collect the whole suite in a subprocess; return each test's markers."""
    report = tmp_path_factory.mktemp("lanes") / "marks.json"
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*command, "-p", "tests.lane_report", str(TESTS)],
        cwd=ROOT,
        env={**os.environ, REPORT_ENV: str(report)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    marks: dict[str, list[str]] = json.loads(report.read_text(encoding="utf-8"))
    return marks


def test_every_test_that_starts_a_slow_thing_is_in_its_lane(
    collected: dict[str, list[str]],
) -> None:
    expected = expected_lanes()
    missing = []
    for node_id, marks in collected.items():
        lanes = expected.get(node_id.split("[")[0], set())
        missing += [f"{node_id}: not marked {lane}" for lane in sorted(lanes - set(marks))]
    assert not missing, "\n".join(missing)


def test_each_lane_holds_the_tests_expected_of_it(collected: dict[str, list[str]]) -> None:
    expected = expected_lanes()
    for lane in LANES:
        assert any(lane in marks for marks in collected.values()), f"no test is marked {lane}"
        if lane != "postgres":  # PostgreSQL comes from a parameter, which the AST does not see
            assert any(lane in lanes for lanes in expected.values()), f"nothing found for {lane}"


def test_the_reading_finds_what_a_test_reaches() -> None:
    source = """
from tests.terminal import Terminal
from tests.motion.demo_video import demo_video, clip

@pytest.fixture
def screen(tmp_path):
    return Terminal("true", tmp_path)

def helper():
    return demo_video()

def test_a(screen): ...
def test_b(): helper()
def test_c(browser): ...
def test_d(): subprocess.run(["tmux", "ls"])
def test_e(): clip()
"""
    found = lanes_by_name(ast.parse(source), {"browser": {"browser"}})
    assert {name: lanes for name, lanes in found.items() if name.startswith("test")} == {
        "test_a": {"terminal"},
        "test_b": {"video"},
        "test_c": {"browser"},
        "test_d": {"terminal"},
        "test_e": set(),
    }


def test_the_lanes_are_registered_markers_and_the_makefiles_fast_lane() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    registered = {m.split(":")[0] for m in options["tool"]["pytest"]["ini_options"]["markers"]}
    assert set(LANES) <= registered
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f'-m "{FAST_LANE}"' in makefile


def test_screenshots_go_to_the_temporary_folder_not_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.e2e.conftest import artifacts

    monkeypatch.delenv("HIPLAB_ARTIFACTS", raising=False)
    assert not artifacts().resolve().is_relative_to(ROOT)
