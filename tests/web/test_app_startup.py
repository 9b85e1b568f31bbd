"""A web server loads its slow imports at start-up, not in its first requests (issue 11 §7).

Imported by the first plan or assessment, the solver (``scipy.optimize``, about 0.6 s)
held the import lock while every other request of that process waited.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from hiplab.settings import Settings
from hiplab.web.app import create_app
assert "scipy.optimize" not in sys.modules, "imported before the app"
create_app(Settings(database_url=sys.argv[1], data_dir=sys.argv[2]), run_jobs=False)
print("scipy.optimize" in sys.modules)
"""


def test_the_app_has_the_solver_loaded_before_its_first_request(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
