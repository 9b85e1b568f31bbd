"""Storage of people, assessments, reports, plans, session logs, logins and jobs.

Open a store with :func:`open_store`; see :mod:`hiplab.store.store` for the methods,
:mod:`hiplab.store.tables` for the tables and :mod:`hiplab.store.backup` for the
backup formats. Importing this package does no I/O.
"""

from __future__ import annotations

from hiplab.store.core import MAX_RECORD_ID, storable
from hiplab.store.models import (
    AssessmentSummary,
    NewLogin,
    PersonRecord,
    PersonSummary,
    StoredAssessment,
    StoredJob,
    StoredPlan,
    StoredReport,
    StoredSessionLog,
    StoredTestResult,
    StoredUser,
)
from hiplab.store.store import CSV_COLUMNS, Store, default_url, open_store

__all__ = [
    "CSV_COLUMNS",
    "MAX_RECORD_ID",
    "AssessmentSummary",
    "NewLogin",
    "PersonRecord",
    "PersonSummary",
    "Store",
    "StoredAssessment",
    "StoredJob",
    "StoredPlan",
    "StoredReport",
    "StoredSessionLog",
    "StoredTestResult",
    "StoredUser",
    "default_url",
    "open_store",
    "storable",
]
