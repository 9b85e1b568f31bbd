"""Storage of people, assessments, test results and reports (SQLite or PostgreSQL).

Open a store with :func:`open_store`; see :mod:`hiplab.store.store` for the methods,
:mod:`hiplab.store.tables` for the tables and :mod:`hiplab.store.backup` for the
backup formats. Importing this package does no I/O.
"""

from __future__ import annotations

from hiplab.store.models import (
    AssessmentSummary,
    PersonSummary,
    StoredAssessment,
    StoredReport,
    StoredTestResult,
)
from hiplab.store.store import CSV_COLUMNS, Store, default_url, open_store

__all__ = [
    "CSV_COLUMNS",
    "AssessmentSummary",
    "PersonSummary",
    "Store",
    "StoredAssessment",
    "StoredReport",
    "StoredTestResult",
    "default_url",
    "open_store",
]
