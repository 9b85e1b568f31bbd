"""What every output writer shares: atomic files and a channel's measured values.

Both :mod:`hiplab.motion.outputs` (the text files) and
:mod:`hiplab.motion.outputs_media` (plot and video) import this module, and
neither imports the other at module level, so there is no import cycle.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.series import TimeSeries

FloatArray = NDArray[np.float64]


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds.

    The temporary name keeps the suffix (``.annotated.tmp.mp4``) so that writers
    that pick a container from the extension still do.
    """
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) atomically."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def measured(series: TimeSeries, name: str) -> FloatArray:
    """Return a channel's measured values (NaN elsewhere; all NaN if absent)."""
    if name not in series.data:
        return np.full(series.frames, np.nan)
    return np.asarray(series.channel(name), dtype=np.float64)
