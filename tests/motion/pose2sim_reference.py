"""The Pose2Sim demo reference, built once per test session for the modules that need it.

:func:`demo` returns the cached :class:`tests.motion.multicam.DemoReference`
(the tracks come from the test cache; building the reference takes a few
seconds), or skips the test when the demo is unavailable, failing instead
with ``HIPLAB_REQUIRE_VIDEO`` set, as ``tests/motion/test_multicam.py`` does.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from tests.motion import multicam as mc
from tests.motion.demo_video import REQUIRE_ENV


@functools.cache
def _build() -> mc.DemoReference | str:
    found = mc.pose2sim_demo()
    if not isinstance(found, Path):
        return found
    return mc.demo_reference(found)


def demo() -> mc.DemoReference:
    """Return the demo reference; skip (or fail with ``HIPLAB_REQUIRE_VIDEO``) if unavailable."""
    built = _build()
    if isinstance(built, mc.DemoReference):
        return built
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but the Pose2Sim demo is unavailable: {built}")
    pytest.skip(f"Pose2Sim demo unavailable: {built}")
