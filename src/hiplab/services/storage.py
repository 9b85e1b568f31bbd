"""Opening the store a person's settings name."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hiplab.settings import Settings
    from hiplab.store.store import Store


def open_store_for(settings: Settings) -> Store:
    """Open the store named by ``settings`` (migrating it to the latest schema).

    The folder of an SQLite file is created if missing, mode 0700 (it holds health data).
    """
    from hiplab.private_files import make_private_dir
    from hiplab.store.store import open_store

    url = settings.resolved_database_url()
    if url.startswith("sqlite:///"):
        make_private_dir(Path(url.removeprefix("sqlite:///")).parent)
    return open_store(url)
