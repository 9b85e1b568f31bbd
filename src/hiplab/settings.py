"""One typed settings model: defaults < settings file < environment < CLI flags.

Settings
--------
database_url
    SQLAlchemy URL of the store. Environment: ``HIPLAB_DATABASE_URL``.
    Default: a SQLite file ``hiplab.sqlite`` in ``data_dir``.
data_dir
    Folder for the default SQLite store and reports. Environment:
    ``HIPLAB_DATA_DIR``. Default: the platform user-data folder for "hiplab".
    Created with mode 0700 when hiplab makes it; the SQLite files in it are 0600.
host, port
    Where ``hiplab serve`` listens. Default ``127.0.0.1`` and ``8000``.
secret_key
    Key that signs the web app's session cookies (at least 32 characters).
    Default: generated once and kept in ``data_dir/secret_key`` (mode 0600).
cookie_secure
    Send the session cookie over HTTPS only. Default false (set it behind TLS).
session_hours
    How long a login lasts. Default 12.
upload_dir
    Folder of uploaded files, never served directly. Default ``data_dir/uploads``.
keep_uploads
    Keep an uploaded video after its analysis ends. Default false: the source video
    (sensitive health data) is deleted once its job is done or failed; the analysis
    outputs stay.
max_upload_mb
    Largest upload accepted, in MB. Default 200.
login_attempts, login_window_minutes
    Failed logins allowed per client address and e-mail within the window, before
    further attempts are refused (HTTP 429). Default 5 in 15 minutes.
job_lease_seconds
    How long a server's claim on a background job holds without a heartbeat; another
    server on the same store takes the job over once it has expired. Default 30.
forwarded_allow_ips
    Addresses of the reverse proxies (nginx, Caddy) whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` headers are believed, comma-separated, or ``*``. Default
    empty: the headers are ignored and the client address is the connection's.
login_account_attempts, login_backoff_max_minutes
    Failed logins allowed per account from all addresses; each further failure doubles
    the wait before the next try (from 30 seconds), up to the maximum. Default 10 and 15.
writes_per_minute
    State-changing requests (saves, changes, deletions) allowed per login per minute,
    counted by each server process on its own; more are refused (HTTP 429). Default 120.
settings_file
    Optional TOML file with the keys above. Environment: ``HIPLAB_SETTINGS``.
    Default: ``settings.toml`` in the platform user-config folder, if present.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from hiplab.errors import InputError
from hiplab.private_files import make_private_dir

ENV_PREFIX = "HIPLAB_"

DATABASE_URL_ENV = f"{ENV_PREFIX}DATABASE_URL"
"""Environment variable of ``database_url`` (read by :func:`hiplab.store.default_url` too)."""
SQLITE_FILE = "hiplab.sqlite"
"""File name of the default SQLite store in ``data_dir``."""


def sqlite_file_url(folder: Path) -> str:
    """Return the URL of the default SQLite store (:data:`SQLITE_FILE`) in ``folder``.

    Examples
    --------
    >>> sqlite_file_url(Path("/data"))
    'sqlite:////data/hiplab.sqlite'

    """
    return f"sqlite:///{folder / SQLITE_FILE}"


SETTING_NAMES = (
    "database_url",
    "data_dir",
    "host",
    "port",
    "secret_key",
    "cookie_secure",
    "session_hours",
    "upload_dir",
    "keep_uploads",
    "max_upload_mb",
    "login_attempts",
    "login_window_minutes",
    "job_lease_seconds",
    "forwarded_allow_ips",
    "login_account_attempts",
    "login_backoff_max_minutes",
    "writes_per_minute",
)
SECRET_FILE = "secret_key"
"""File in ``data_dir`` that keeps the generated secret key."""
MIN_SECRET = 32


class Settings(BaseModel):
    """Resolved settings; build with :func:`load_settings`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = None
    data_dir: Path | None = None
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: SecretStr | None = Field(default=None, min_length=MIN_SECRET)
    cookie_secure: bool = False
    session_hours: int = Field(default=12, ge=1, le=720)
    upload_dir: Path | None = None
    keep_uploads: bool = False
    max_upload_mb: int = Field(default=200, ge=1, le=10_000)
    login_attempts: int = Field(default=5, ge=1, le=1000)
    login_window_minutes: int = Field(default=15, ge=1, le=1440)
    job_lease_seconds: float = Field(default=30.0, ge=1.0, le=3600.0)
    forwarded_allow_ips: str = Field(default="", max_length=2000)
    login_account_attempts: int = Field(default=10, ge=1, le=1000)
    login_backoff_max_minutes: int = Field(default=15, ge=1, le=1440)
    writes_per_minute: int = Field(default=120, ge=1, le=100_000)

    def resolved_data_dir(self) -> Path:
        """Return ``data_dir`` or the platform user-data folder."""
        if self.data_dir is not None:
            return self.data_dir
        import platformdirs

        return Path(platformdirs.user_data_dir("hiplab"))

    def resolved_database_url(self) -> str:
        """Return ``database_url`` or the default SQLite file URL."""
        if self.database_url:
            return self.database_url
        return sqlite_file_url(self.resolved_data_dir())

    def resolved_upload_dir(self) -> Path:
        """Return ``upload_dir`` or ``data_dir/uploads``."""
        return self.upload_dir or self.resolved_data_dir() / "uploads"

    def resolved_secret_key(self) -> str:
        """Return ``secret_key``, or the key kept in ``data_dir``, made on first use.

        Raises
        ------
        InputError
            If the key file is shorter than 32 characters or cannot be read or written.

        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _kept_secret(self.resolved_data_dir() / SECRET_FILE)


def _kept_secret(path: Path) -> str:
    """Read the key file, or create it (mode 0600; its folder 0700) with a new random key."""
    try:
        make_private_dir(path.parent)
        try:
            # O_EXCL: two servers starting at once never overwrite each other's key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_text(encoding="utf-8").strip()
        else:
            key = secrets.token_urlsafe(48)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(key + "\n")
    except OSError as exc:
        raise InputError(f"secret key file {path}: {exc.strerror}") from None
    if len(key) < MIN_SECRET:
        raise InputError(
            f"secret key file {path} holds {len(key)} characters; allowed: at least {MIN_SECRET}"
        )
    return key


def _default_settings_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("hiplab")) / "settings.toml"


def _read_file(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise InputError(f"settings file {path} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"settings file {path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(SETTING_NAMES))
    if unknown:
        raise InputError(
            f"settings file {path}: unknown keys {unknown}; allowed: {list(SETTING_NAMES)}"
        )
    return data


def load_settings(
    *, environ: dict[str, str] | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Merge the settings file, ``HIPLAB_*`` environment variables and CLI ``overrides``."""
    env = os.environ if environ is None else environ
    explicit = env.get(f"{ENV_PREFIX}SETTINGS")
    merged = _read_file(
        Path(explicit) if explicit else _default_settings_file(), required=bool(explicit)
    )
    merged |= {
        k: env[f"{ENV_PREFIX}{k.upper()}"]
        for k in SETTING_NAMES
        if f"{ENV_PREFIX}{k.upper()}" in env
    }
    merged |= {k: v for k, v in (overrides or {}).items() if v is not None}
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        # Never echo the value of secret_key.
        shown = "" if name == "secret_key" else f" {error.get('input')!r}"
        raise InputError(f"invalid settings: {name}{shown}: {error['msg']}") from None
