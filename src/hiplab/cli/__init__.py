"""The ``hiplab`` command line: parse, call a service, render, map errors to exit codes.

Exit codes: 0 success, 1 unexpected failure, 2 bad input (bad file, unknown
id, invalid option value), 3 store unavailable.
"""

from __future__ import annotations

from hiplab.cli import analyze_cmd as analyze_cmd
from hiplab.cli import assess_cmd, library_cmd, store_cmd
from hiplab.cli import plan_cmd as plan_cmd
from hiplab.cli import progress_cmd as progress_cmd
from hiplab.cli import session_cmd as session_cmd
from hiplab.cli import web_cmd as web_cmd
from hiplab.cli.app import app, run

__all__ = ["app", "assess_cmd", "library_cmd", "main", "store_cmd"]


def main() -> None:
    """Entry point of the ``hiplab`` console script."""
    run()
