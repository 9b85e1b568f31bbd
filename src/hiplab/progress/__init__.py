"""Progress over time: test values against norms and measurement error, adherence, pain.

:func:`~hiplab.progress.build.build_progress` turns a person's stored data into a
typed :class:`~hiplab.progress.models.ProgressReport`; the renderers draw it as
terminal text (:mod:`hiplab.progress.text`), a static PNG with matplotlib
(:mod:`hiplab.progress.png`) or a standalone interactive HTML page with plotly
(:mod:`hiplab.progress.html`). The renderers import their heavy libraries only
when called; importing this package loads no plotting library.
"""

from __future__ import annotations

from hiplab.progress.build import build_progress, gather_progress
from hiplab.progress.models import ProgressReport

__all__ = ["ProgressReport", "build_progress", "gather_progress"]
