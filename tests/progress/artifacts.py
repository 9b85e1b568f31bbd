"""Where tests put files for a person to look at: ``$HIPLAB_ARTIFACTS`` or a temp folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def artifacts() -> Path:
    folder = Path(
        os.environ.get("HIPLAB_ARTIFACTS") or Path(tempfile.gettempdir()) / "hiplab-artifacts"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder
