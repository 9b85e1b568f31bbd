"""Exporting a person's measurements for a clinic system (a FHIR Bundle)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from hiplab.records.refs import PersonRef
from hiplab.report.fhir import person_bundle

if TYPE_CHECKING:
    from hiplab.library.loader import Library
    from hiplab.store.store import Store


def gather_bundle(
    *,
    store: Store,
    library: Library,
    timestamp: datetime,
    person_id: int | None = None,
    person_name: str | None = None,
) -> dict[str, Any]:
    """Read a person and their measurements from the store and build their Bundle.

    The one path of every FHIR export: the web's ``export.fhir.json`` names the person
    by id, ``hiplab export PERSON -f fhir`` by name.

    Parameters
    ----------
    store : Store
        Where the person and their test results are.
    library : Library
        Test names, directions and norms.
    timestamp : datetime
        When the bundle is assembled (timezone-aware).
    person_id : int, optional
        The person's id; give this or ``person_name``.
    person_name : str, optional
        The person's name as stored.

    Raises
    ------
    NotFoundError
        If there is no such person (a name: with the close names stored).

    """
    if (person_id is None) == (person_name is None):
        raise TypeError("gather_bundle needs exactly one of person_id and person_name")
    if person_name is not None:
        results = store.assessments.test_results(
            person=PersonRef.named(person_name)
        )  # unknown: names close ones
        person = store.people.get(person=PersonRef.named(person_name))
    else:
        assert person_id is not None
        person = store.people.get(person=PersonRef.by_id(person_id))
        results = store.assessments.test_results(person=PersonRef.by_id(person.id))
    return person_bundle(person=person, results=results, library=library, timestamp=timestamp)
