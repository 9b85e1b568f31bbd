"""``hiplab.motion`` is domain code: it imports nothing from the store, services or edges.

Read from each module's syntax tree (imports inside functions count too), so
the check needs no import of the modules and catches lazy imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hiplab.motion

ABOVE = ("hiplab.services", "hiplab.store", "hiplab.cli", "hiplab.web")
MOTION = Path(hiplab.motion.__file__).parent


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def test_motion_imports_nothing_above_the_domain() -> None:
    crossing = [
        f"{path.relative_to(MOTION)}: {name}"
        for path in sorted(MOTION.rglob("*.py"))
        for name in _imports(path)
        if name.startswith(ABOVE)
    ]
    assert crossing == []
    assert len(list(MOTION.rglob("*.py"))) > 20  # the walk saw the package
