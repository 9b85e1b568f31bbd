from pathlib import Path

import pytest

from hiplab.errors import InputError
from hiplab.settings import load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    return path


def test_defaults_use_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    s = load_settings(environ={"HIPLAB_DATA_DIR": str(tmp_path)})
    assert s.resolved_database_url() == f"sqlite:///{tmp_path / 'hiplab.sqlite'}"


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = write(tmp_path, 'database_url = "sqlite:///from-file.sqlite"\ndata_dir = "/from/file"\n')
    env = {"HIPLAB_SETTINGS": str(path)}
    assert load_settings(environ=env).database_url == "sqlite:///from-file.sqlite"
    env["HIPLAB_DATABASE_URL"] = "sqlite:///from-env.sqlite"
    from_env = load_settings(environ=env)
    assert from_env.database_url == "sqlite:///from-env.sqlite"
    assert from_env.data_dir == Path("/from/file")
    flags = load_settings(environ=env, overrides={"database_url": "sqlite:///flag.sqlite"})
    assert flags.database_url == "sqlite:///flag.sqlite"


def test_unknown_key_in_settings_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'databse_url = "x"\n')
    with pytest.raises(InputError, match="unknown keys \\['databse_url'\\]"):
        load_settings(environ={"HIPLAB_SETTINGS": str(path)})


def test_bad_toml_and_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not valid TOML"):
        load_settings(environ={"HIPLAB_SETTINGS": str(write(tmp_path, "database_url = ["))})
    with pytest.raises(InputError, match="does not exist"):
        load_settings(environ={"HIPLAB_SETTINGS": str(tmp_path / "none.toml")})
