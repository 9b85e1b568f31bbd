"""Storage of people, assessments, reports, plans and session logs (SQLite or PostgreSQL).

Open a store with :func:`open_store`; see :mod:`hiplab.store.store` for the methods,
:mod:`hiplab.store.tables` for the tables and :mod:`hiplab.store.backup` for the
backup formats. Importing this package does no I/O.
"""

from __future__ import annotations

from hiplab.store.models import (
    AssessmentSummary,
    PersonSummary,
    StoredAssessment,
    StoredPlan,
    StoredReport,
    StoredSessionLog,
    StoredTestResult,
)
from hiplab.store.store import CSV_COLUMNS, Store, default_url, open_store

__all__ = [
    "CSV_COLUMNS",
    "AssessmentSummary",
    "PersonSummary",
    "Store",
    "StoredAssessment",
    "StoredPlan",
    "StoredReport",
    "StoredSessionLog",
    "StoredTestResult",
    "default_url",
    "open_store",
]
