# ruff: noqa: T201
"""Validate one exercise YAML file against the Exercise model (for data authors).

Usage: python scripts/check_exercise_file.py src/hiplab/library/data/exercises/FILE.yaml
Checks model validity and that muscles, motions and sources referenced exist.
Cross-file regression/progression ids are reported as warnings only.
"""

import sys
from pathlib import Path

import yaml
from pydantic import TypeAdapter

from hiplab.library.models import Exercise

data = Path("src/hiplab/library/data")
muscles = {m["id"] for m in yaml.safe_load((data / "muscles.yaml").read_text())["muscle_groups"]}
motions = {m["id"] for m in yaml.safe_load((data / "motions.yaml").read_text())["motions"]}
sources = {s["id"] for s in yaml.safe_load((data / "sources.yaml").read_text())["sources"]}
known = set()
for f in (data / "exercises").glob("*.yaml"):
    known |= {e["id"] for e in yaml.safe_load(f.read_text())["exercises"]}
bad = 0
for path in sys.argv[1:]:
    items = TypeAdapter(list[Exercise]).validate_python(
        yaml.safe_load(Path(path).read_text())["exercises"]
    )
    for e in items:
        for m in e.targets.primary + e.targets.secondary:
            if m not in muscles:
                print(f"ERROR {e.id}: unknown muscle {m}")
                bad += 1
        for m in e.joint_demands:
            if m not in motions:
                print(f"ERROR {e.id}: unknown motion {m}")
                bad += 1
        for s in e.sources:
            if s not in sources:
                print(f"ERROR {e.id}: unknown source {s}")
                bad += 1
        for x in e.regressions + e.progressions:
            if x not in known:
                print(f"warning {e.id}: regression/progression {x} not (yet) defined")
    print(f"{path}: {len(items)} exercises OK" if not bad else f"{path}: {bad} errors")
sys.exit(1 if bad else 0)
