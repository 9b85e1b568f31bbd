"""Docs drift test: every command, option, setting and test id is documented under docs/.

The command tree is read from the real Typer app, so a new command or option fails here until
its page in docs/ mentions it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from hiplab.cli import app
from hiplab.settings import ENV_PREFIX, SETTING_NAMES

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
ALL_DOCS = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
SETTINGS_PAGE = DOCS / "settings.md"
SELF_TESTS_PAGE = DOCS / "self-tests.md"
INDEX_PAGE = DOCS / "index.md"


def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(command path, command)`` for ``command`` and every subcommand below it.

    Typer may vendor Click (``typer._click``), so groups are recognised by their ``commands``
    mapping rather than by ``isinstance(command, click.Group)``.
    """
    yield path, command
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        if not getattr(sub, "hidden", False):
            yield from walk(sub, f"{path} {name}")


ROOT = typer.main.get_command(app)
COMMANDS = list(walk(ROOT, "hiplab"))
SUBCOMMAND_PATHS = [path for path, _ in COMMANDS if path != "hiplab"]
OPTIONS = [
    (path, flag)
    for path, command in COMMANDS
    for param in command.params
    if param.param_type_name == "option" and not getattr(param, "hidden", False)
    for flag in (*param.opts, *param.secondary_opts)
    if flag.startswith("--")
]


def test_the_command_tree_is_found() -> None:
    assert "hiplab assess" in SUBCOMMAND_PATHS
    assert "hiplab db backup" in SUBCOMMAND_PATHS
    assert ("hiplab assess", "--format") in OPTIONS


@pytest.mark.parametrize("path", SUBCOMMAND_PATHS)
def test_every_command_path_is_documented(path: str) -> None:
    assert path in ALL_DOCS, f"{path!r} is not mentioned anywhere under docs/"


@pytest.mark.parametrize("path", SUBCOMMAND_PATHS)
def test_every_command_has_a_heading(path: str) -> None:
    heading = re.compile(rf"^#+ {re.escape(path)}\s*$", re.MULTILINE)
    assert heading.search(ALL_DOCS), f"no heading '# {path}' (or '## {path}') under docs/"


@pytest.mark.parametrize(("path", "flag"), OPTIONS, ids=[f"{p} {f}" for p, f in OPTIONS])
def test_every_option_is_documented(path: str, flag: str) -> None:
    assert flag in ALL_DOCS, f"option {flag} of {path!r} is not mentioned anywhere under docs/"


@pytest.mark.parametrize("name", [*SETTING_NAMES, "settings_file"])
def test_every_setting_and_its_env_var_is_in_settings_page(name: str) -> None:
    text = SETTINGS_PAGE.read_text(encoding="utf-8")
    env = f"{ENV_PREFIX}SETTINGS" if name == "settings_file" else f"{ENV_PREFIX}{name.upper()}"
    assert name in text, f"setting {name!r} is not in docs/settings.md"
    assert env in text, f"environment variable {env} is not in docs/settings.md"


def test_every_library_test_id_is_in_self_tests_page() -> None:
    from hiplab.library import default_library

    text = SELF_TESTS_PAGE.read_text(encoding="utf-8")
    missing = [tid for tid in default_library().tests if f"`{tid}`" not in text]
    assert not missing, f"test ids missing from docs/self-tests.md: {missing}"


def test_every_test_id_in_tests_yaml_is_in_self_tests_page() -> None:
    # Same check straight from the YAML, so it still runs while the whole library does not load.
    from hiplab.library.loader import data_dir

    ids = [t["id"] for t in yaml.safe_load((data_dir() / "tests.yaml").read_text("utf-8"))["tests"]]
    text = SELF_TESTS_PAGE.read_text(encoding="utf-8")
    missing = [tid for tid in ids if f"`{tid}`" not in text]
    assert ids
    assert not missing, f"test ids missing from docs/self-tests.md: {missing}"


def test_index_links_to_every_page() -> None:
    text = INDEX_PAGE.read_text(encoding="utf-8")
    unlinked = [
        page.relative_to(DOCS).as_posix()
        for page in PAGES
        if page != INDEX_PAGE and f"]({page.relative_to(DOCS).as_posix()})" not in text
    ]
    assert not unlinked, f"docs/index.md does not link to: {unlinked}"


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    targets = re.findall(r"\]\(([^)#:\s]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    broken = [t for t in targets if not (page.parent / t).resolve().is_file()]
    assert not broken, f"{page.relative_to(DOCS)} links to missing pages: {broken}"


def test_the_disclaimer_is_on_the_index_page() -> None:
    from hiplab.assess import DISCLAIMER

    text = INDEX_PAGE.read_text(encoding="utf-8")
    assert "not a diagnosis" in text
    assert " ".join(DISCLAIMER.split()) in " ".join(text.replace("**", "").split())


def test_the_safety_page_lists_the_rules_that_are_enforced() -> None:
    """docs/safety.md holds the table written from the safety rules, row for row."""
    from hiplab.assess.safety_doc import rule_rows
    from hiplab.library import default_library

    page = (DOCS / "safety.md").read_text(encoding="utf-8")
    missing = [row for row in rule_rows(default_library()) if row not in page]
    assert not missing, "regenerate with: python -m hiplab.assess.safety_doc\n" + "\n".join(missing)
