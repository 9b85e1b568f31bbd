"""Folders and files readable by their owner only, whatever the umask.

The data folder, the SQLite store (with its ``-wal``, ``-shm`` and ``-journal`` files),
the secret key and backups hold health data and password hashes: the folder is made
0700 and the files 0600. The mode is set explicitly after creating, since a umask such
as 022 only ever takes bits away from what ``mkdir``/``open`` ask for, and a strange one
(``0o277``) could take the owner's own bits too. Only what hiplab creates (or its own
store files) is changed: an existing folder keeps its mode. On Windows ``chmod`` only
sets the read-only flag; there the folder's access-control list decides.

Nothing here imports more than the standard library, so settings can use it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
"""Mode of a folder hiplab creates for its data: the owner may list, enter and write."""
PRIVATE_FILE_MODE = 0o600
"""Mode of a file holding health data or secrets: the owner may read and write."""
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps next to a database (``name.sqlite-wal`` …), with the database's mode."""

_log = logging.getLogger(__name__)


def make_private_dir(path: Path) -> None:
    """Create the folder ``path`` with mode 0700 unless it exists.

    Parameters
    ----------
    path : Path
        The folder. Missing parent folders are created with the usual mode (only the
        folder itself holds the data); an existing folder is left as it is.

    Raises
    ------
    OSError
        If the folder cannot be created.

    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        return
    os.chmod(path, PRIVATE_DIR_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` as a new empty file with mode 0600.

    Parameters
    ----------
    path : Path
        A file that must not exist yet.

    Raises
    ------
    FileExistsError
        If it exists (nothing is changed).
    OSError
        If it cannot be created.

    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    os.close(fd)
    os.chmod(path, PRIVATE_FILE_MODE)


def restrict_file(path: Path) -> None:
    """Take away the group's and others' access to an existing file (mode 0600 at most).

    Parameters
    ----------
    path : Path
        The file; a missing one is skipped. A file that is not the user's to change
        (another owner) keeps its mode, and a warning says so.

    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077 == 0:
        return
    try:
        os.chmod(path, mode & PRIVATE_FILE_MODE)
    except PermissionError:
        _log.warning("%s is readable by others (mode %o) and not yours to change", path, mode)


def private_sqlite_file(path: Path) -> None:
    """Make an SQLite database file 0600 before SQLite opens it, and its companions too.

    SQLite creates ``-wal``, ``-shm`` and ``-journal`` files with the database file's
    mode, so a database created here (empty: SQLite fills it on first use) gets private
    companions. An existing database, and companions left by an older hiplab, are
    restricted to 0600.

    Parameters
    ----------
    path : Path
        The database file. When its folder does not exist nothing is done (opening the
        store then fails with SQLite's own message).

    """
    if not path.parent.is_dir():
        return
    try:
        create_private_file(path)
    except FileExistsError:
        restrict_file(path)
    for suffix in SQLITE_COMPANIONS:
        restrict_file(path.with_name(path.name + suffix))
