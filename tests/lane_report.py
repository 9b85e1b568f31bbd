"""A pytest plugin for tests/test_lanes.py: write each collected test's markers to a file.

``python -m pytest --collect-only -p tests.lane_report`` with ``HIPLAB_LANE_REPORT`` set to
a path writes ``{node id: [marker names]}`` there as JSON once collection is done.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPORT_ENV = "HIPLAB_LANE_REPORT"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Write the markers of every collected test (after tests/conftest.py has set the lanes)."""
    target = os.environ.get(REPORT_ENV)
    if target:
        marks = {
            item.nodeid: sorted({m.name for m in item.iter_markers()}) for item in session.items
        }
        Path(target).write_text(json.dumps(marks), encoding="utf-8")
