"""The import walls: the floors table of docs/architecture.md is the contract; the code keeps it.

The table between the ``floors`` markers lists every package and top-level module of
``src/hiplab`` on a floor. A module may import from its own package, from any package
on a lower floor, and from a package on its own floor as long as the packages of that
floor import each other in one direction only. Every import counts: at the top of a
module, inside a function, or under ``TYPE_CHECKING``. ``hiplab.testing`` (generators
for tests and benchmarks) is imported by no runtime module, and only ``store/``
imports the database libraries.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DOC = ROOT / "docs" / "architecture.md"
SQL = {"sqlalchemy", "alembic", "psycopg"}
"""The database libraries: only ``store/`` imports them."""
TABLE = re.compile(r"<!-- floors:start -->(.*?)<!-- floors:end -->", re.S)


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, and where."""

    importer: str
    imported: str
    line: int
    runtime: bool
    """False under ``if TYPE_CHECKING:`` (the import never runs)."""


def floors() -> dict[str, int]:
    """Return the contract: each package (or top-level module) and its floor number."""
    block = TABLE.search(DOC.read_text(encoding="utf-8"))
    assert block, f"{DOC} has no <!-- floors:start --> … <!-- floors:end --> table"
    out: dict[str, int] = {}
    for row in block.group(1).splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].isdigit():
            continue
        for name in re.findall(r"`([\w.]+)/?`", cells[1]):
            out[name.removesuffix(".py")] = int(cells[0])
    return out


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def area(module: str) -> str:
    """Return the package (or top-level module) of ``hiplab`` a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _targets(node: ast.AST, package: str) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, node.module] if node.module else base)
        else:
            module = node.module or ""
        # `from pkg import name`: pkg.name when it is a module (resolved against the files).
        yield from (f"{module}.{a.name}" for a in node.names)


def _module_of(target: str, modules: set[str]) -> str:
    """Return the module an import loads: ``pkg.name`` is ``pkg`` unless ``name`` is a module."""
    while target not in modules and "." in target:
        target = target.rpartition(".")[0]
    return target


@cache
def imports() -> tuple[Import, ...]:
    """Return every import of a hiplab module by a hiplab module."""
    paths = sorted((SRC / "hiplab").rglob("*.py"))
    modules = {module_name(p) for p in paths}
    out = []
    for path in paths:
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = _type_checking_lines(tree)
        for node in ast.walk(tree):
            for target in _targets(node, package):
                if target == "hiplab" or target.startswith("hiplab."):
                    runtime = getattr(node, "lineno", 0) not in typing_only
                    line = getattr(node, "lineno", 0)
                    out.append(Import(name, _module_of(target, modules), line, runtime))
    return tuple(out)


def crossings(found: tuple[Import, ...]) -> list[Import]:
    """Return the imports between two different packages (the ones the walls govern)."""
    return [
        i
        for i in found
        if area(i.importer) != area(i.imported) and area(i.imported) and area(i.importer)
    ]


def upward(found: tuple[Import, ...], placed: dict[str, int]) -> list[str]:
    """Return, in words, each import that reaches a higher floor."""
    return [
        f"{i.importer} (line {i.line}) imports {i.imported}: floor "
        f"{placed[area(i.importer)]} → {placed[area(i.imported)]}"
        for i in crossings(found)
        if placed[area(i.imported)] > placed[area(i.importer)]
    ]


def two_way(found: tuple[Import, ...], placed: dict[str, int]) -> list[tuple[str, str]]:
    """Return the pairs of packages on one floor that import each other."""
    pairs = {
        (area(i.importer), area(i.imported))
        for i in crossings(found)
        if placed[area(i.imported)] == placed[area(i.importer)]
    }
    return sorted((a, b) for a, b in pairs if (b, a) in pairs and a < b)


def test_every_package_of_the_code_is_on_a_floor() -> None:
    placed = floors()
    found = {area(module_name(p)) for p in (SRC / "hiplab").rglob("*.py")} - {""}
    assert found - set(placed) == set(), "add these to the floors table in docs/architecture.md"
    assert set(placed) - found == set(), "the floors table names packages that do not exist"


def test_no_import_reaches_a_higher_floor() -> None:
    assert upward(imports(), floors()) == []


def test_packages_of_one_floor_import_each_other_one_way_only() -> None:
    assert two_way(imports(), floors()) == []


def test_no_runtime_module_imports_the_test_generators() -> None:
    users = [
        f"{i.importer} (line {i.line})"
        for i in imports()
        if area(i.imported) == "testing" and area(i.importer) != "testing"
    ]
    assert users == []


def test_the_checks_report_a_breach() -> None:
    placed = floors()
    breach = (
        Import("hiplab.store.store", "hiplab.services.storage", 3, runtime=False),
        Import("hiplab.report.fhir", "hiplab.progress._format", 5, runtime=True),
        Import("hiplab.progress.text", "hiplab.report._format", 7, runtime=True),
    )
    assert upward(breach, placed) == [
        f"hiplab.store.store (line 3) imports hiplab.services.storage: floor "
        f"{placed['store']} → {placed['services']}"
    ]
    assert two_way(breach, placed) == [("progress", "report")]


def module_cycles(found: tuple[Import, ...], modules: set[str]) -> list[list[str]]:
    """Return the groups of modules that import each other in a circle at run time.

    A package's ``__init__`` importing its own modules and those modules importing a
    sibling is normal; a circle is two modules that each need the other to load.
    """
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for i in found:
        if i.runtime and i.imported in modules and i.imported != i.importer:
            graph[i.importer].add(i.imported)
    return [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                group.append(w)
            out.append([v, *group])

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_two_modules_need_each_other_to_load() -> None:
    modules = {module_name(p) for p in (SRC / "hiplab").rglob("*.py")}
    assert module_cycles(imports(), modules) == []


def test_every_source_path_the_architecture_page_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py|(?:[a-z_]+/)+)`", text))
    missing = sorted(
        p for p in named if not any((base / p).exists() for base in (SRC / "hiplab", ROOT))
    )
    assert len(named) > 20
    assert missing == []


def test_sql_stays_in_the_store() -> None:
    outside = []
    for path in sorted((SRC / "hiplab").rglob("*.py")):
        if area(module_name(path)) == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            outside += [f"{module_name(path)}: {n}" for n in names if n.split(".")[0] in SQL]
    assert outside == []
