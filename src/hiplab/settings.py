"""One typed settings model: defaults < settings file < environment < CLI flags.

Settings
--------
database_url
    SQLAlchemy URL of the store. Environment: ``HIPLAB_DATABASE_URL``.
    Default: a SQLite file ``hiplab.sqlite`` in ``data_dir``.
data_dir
    Folder for the default SQLite store and reports. Environment:
    ``HIPLAB_DATA_DIR``. Default: the platform user-data folder for "hiplab".
settings_file
    Optional TOML file with the keys above. Environment: ``HIPLAB_SETTINGS``.
    Default: ``settings.toml`` in the platform user-config folder, if present.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from hiplab.errors import InputError

ENV_PREFIX = "HIPLAB_"
SETTING_NAMES = ("database_url", "data_dir")


class Settings(BaseModel):
    """Resolved settings; build with :func:`load_settings`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = None
    data_dir: Path | None = None

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
        return f"sqlite:///{self.resolved_data_dir() / 'hiplab.sqlite'}"


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
        raise InputError(f"invalid settings: {exc.errors()[0]['msg']}") from None
