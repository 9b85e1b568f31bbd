"""Storage of people, assessments, reports, plans, session logs, logins and jobs.

Open a store with :func:`open_store`; it exposes one repository per aggregate
(``store.people``, ``store.assessments``, ``store.plans``, ``store.logs``,
``store.accounts``, ``store.jobs``, ``store.archive``) and explicit units of work
(:meth:`Store.unit_of_work`, :meth:`Store.reading`). A person is named by a
:class:`PersonRef`. See :mod:`hiplab.store.tables` for the tables and
:mod:`hiplab.store.backup` for the backup formats. Importing this package does no I/O.
"""

from __future__ import annotations

from hiplab.records.refs import PersonRef
from hiplab.store.archive import CSV_COLUMNS
from hiplab.store.assessments import AssessedInput, SavedAssessment
from hiplab.store.core import MAX_RECORD_ID, UnitOfWork, storable
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
from hiplab.store.store import Store, default_url, open_store

__all__ = [
    "CSV_COLUMNS",
    "MAX_RECORD_ID",
    "AssessedInput",
    "AssessmentSummary",
    "NewLogin",
    "PersonRecord",
    "PersonRef",
    "PersonSummary",
    "SavedAssessment",
    "Store",
    "StoredAssessment",
    "StoredJob",
    "StoredPlan",
    "StoredReport",
    "StoredSessionLog",
    "StoredTestResult",
    "StoredUser",
    "UnitOfWork",
    "default_url",
    "open_store",
    "storable",
]
