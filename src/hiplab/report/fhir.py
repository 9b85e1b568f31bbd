"""A person's measurements as a FHIR R4 Bundle of Observation resources.

Clinic systems take FHIR; :func:`person_bundle` turns a stored person and their test
results into a Bundle of type ``collection``: one Patient (the name and sex the store
has, nothing more) and one Observation per measured value and side. The function is
pure (no clock, no store); :func:`hiplab.services.export.gather_bundle` reads the store
and calls it.

Conventions
-----------
* **Version.** The resources follow FHIR R4 (4.0.1). They are validated with the
  ``fhir.resources`` R4B (4.3.0) models, the R4-compatible release that package ships:
  R4B changed only the medication-definition, evidence and subscription resources, so
  Patient, Observation and Bundle are the same as in R4
  (https://hl7.org/FHIR/r4b-explanation.html).
* **Codes.** ``Observation.code`` names the test in the hiplab code system
  :data:`TESTS_SYSTEM` (code: the library's test id, display: its name). A LOINC coding
  is added only for tests in :data:`LOINC_CODES`, and a code goes there only with a
  citation; none of hiplab's tests has a LOINC code we could cite yet (LOINC's range-of-
  motion codes found were for the shoulder), so the mapping is empty.
* **Category** ``exam`` (HL7 observation-category); **status** ``final``.
* **Sides.** ``bodySite`` carries the laterality as SNOMED CT qualifier values
  (7771000 Left, 24028007 Right: the FHIR body-structure laterality value set);
  unsided tests have no ``bodySite``.
* **Values.** Numbers are ``valueQuantity`` with UCUM units (:data:`UCUM_UNITS`: ``deg``,
  ``cm``, ``s``, ``{reps}``, ``{score}``); yes/no signs (stored as 1.0/0.0) are
  ``valueBoolean``. Where the library has a norm for the person's current age and sex,
  ``referenceRange`` gives its limit (``low`` when higher is better, ``high`` otherwise).
* **Provenance.** ``method`` codes who measured (:data:`PROVENANCE_SYSTEM`: ``self``,
  ``clinician``, ``video``) and ``note`` says it in words.
* **Ids.** Resource ids are UUIDs derived from the person's id and creation time and
  from the assessment, test and side, so exporting again gives the same ids and a
  receiving system can recognise what it already has.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hiplab.library.loader import Library
    from hiplab.library.models import TestDef
    from hiplab.store.models import PersonRecord, StoredTestResult

FHIR_VERSION = "4.0.1"
TESTS_SYSTEM = "https://hiplab.example/fhir/CodeSystem/tests"
"""hiplab's code system of tests: code = the library's test id (``hiplab tests``)."""
PROVENANCE_SYSTEM = "https://hiplab.example/fhir/CodeSystem/provenance"
"""hiplab's code system of who measured a value: ``self``, ``clinician``, ``video``."""
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://hiplab.example/fhir")

LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
"""SNOMED CT laterality qualifiers (FHIR value set ``bodystructure-laterality``)."""
UCUM_UNITS: Mapping[str, tuple[str, str]] = {
    "deg": ("deg", "°"),
    "cm": ("cm", "cm"),
    "s": ("s", "s"),
    "reps": ("{reps}", "repetitions"),
    "score 0–3": ("{score}", "score"),
}
"""Library unit → (UCUM code, unit as shown)."""
LOINC_CODES: Mapping[str, tuple[str, str]] = {}
"""Test id → (LOINC code, display); add a code only together with its citation."""
PROVENANCE_WORDS = {
    "self": "Self-measured by the person",
    "clinician": "Measured by a clinician or coach",
    "video": "Measured from video by hiplab's motion analysis",
}
GENDERS = {"female": "female", "male": "male", "other": "other"}
SIGN_UNIT = "sign"


class BundleInvalidError(RuntimeError):
    """The builder made a resource FHIR refuses: a bug in this module, never bad input."""


def person_bundle(
    *,
    person: PersonRecord,
    results: Sequence[StoredTestResult],
    library: Library,
    timestamp: datetime,
) -> dict[str, Any]:
    """Build and validate the Bundle of a person's measurements.

    Parameters
    ----------
    person : PersonRecord
        Whose measurements they are (name, sex, age for the norms).
    results : sequence of StoredTestResult
        The person's stored values, oldest first (``store.assessments.test_results``).
    library : Library
        Test names, directions and norms.
    timestamp : datetime
        When the bundle was assembled (timezone-aware).

    Returns
    -------
    dict
        The Bundle as plain JSON data, validated with the R4B models.

    Raises
    ------
    BundleInvalidError
        If the result does not validate (a programming error).

    Examples
    --------
    >>> from datetime import date, timezone
    >>> from hiplab.library import default_library
    >>> from hiplab.store.models import PersonRecord, StoredTestResult
    >>> when = datetime(2025, 1, 15, tzinfo=timezone.utc)
    >>> alex = PersonRecord(id=1, name="Alex", age=34, sex="female", coach_id=None,
    ...                     login_email=None, created_at=when)
    >>> ir = StoredTestResult(assessment_id=7, taken_on=date(2025, 1, 15),
    ...                       test="hip_internal_rotation", side="left", value=20.0,
    ...                       unit="deg", provenance="clinician")
    >>> bundle = person_bundle(person=alex, results=[ir], library=default_library(),
    ...                        timestamp=when)
    >>> [e["resource"]["resourceType"] for e in bundle["entry"]]
    ['Patient', 'Observation']
    >>> bundle["entry"][1]["resource"]["valueQuantity"]["code"]
    'deg'

    """
    if timestamp.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware (FHIR instants carry a zone)")
    patient_id = _person_uuid(person)
    entries = [_entry(patient_id, _patient(person, patient_id))]
    seen: dict[str, int] = {}
    for row in results:
        key = f"{row.assessment_id}/{row.test}/{row.side or 'unsided'}"
        seen[key] = seen.get(key, 0) + 1
        observation_id = str(uuid.uuid5(patient_id, f"{key}/{seen[key]}"))
        test = library.tests.get(row.test)
        resource = observation(
            row, test=test, person=person, subject=patient_id, resource_id=observation_id
        )
        entries.append(_entry(uuid.UUID(observation_id), resource))
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(patient_id, "bundle")),
        "type": "collection",
        "timestamp": timestamp.isoformat(),
        "entry": entries,
    }
    validate_bundle(bundle)
    return bundle


def validate_bundle(bundle: Mapping[str, Any]) -> None:
    """Check a Bundle against the FHIR R4B models (R4-compatible for these resources).

    Raises
    ------
    BundleInvalidError
        With the validator's message when it refuses the bundle.

    """
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise BundleInvalidError(f"hiplab built an invalid FHIR bundle: {exc}") from exc


def observation(
    row: StoredTestResult,
    *,
    test: TestDef | None,
    person: PersonRecord,
    subject: uuid.UUID,
    resource_id: str,
) -> dict[str, Any]:
    """Return one measured value of one side as an Observation resource.

    Parameters
    ----------
    row : StoredTestResult
        The stored value, its date, side, unit and provenance.
    test : TestDef or None
        The library's test (None: an id this library does not know; the id names it).
    person : PersonRecord
        Whose norm the reference range uses (current age and sex).
    subject : uuid.UUID
        The Patient's id.
    resource_id : str
        This Observation's id.

    Returns
    -------
    dict
        The resource as plain JSON data.

    """
    name = test.name if test is not None else row.test
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": "exam", "display": "Exam"}]}],
        "code": _code(row.test, name),
        "subject": {"reference": f"urn:uuid:{subject}"},
        "effectiveDateTime": row.taken_on.isoformat(),
    }
    if row.side is not None:
        code, display = LATERALITY[row.side]
        resource["bodySite"] = {
            "coding": [{"system": SNOMED, "code": code, "display": display}],
            "text": f"{row.side} side",
        }
    resource.update(_value(row, test))
    resource["method"] = {
        "coding": [
            {
                "system": PROVENANCE_SYSTEM,
                "code": row.provenance,
                "display": PROVENANCE_WORDS[row.provenance],
            }
        ],
        "text": PROVENANCE_WORDS[row.provenance],
    }
    resource["note"] = [
        {
            "text": f"{PROVENANCE_WORDS[row.provenance]}; hiplab assessment "
            f"{row.assessment_id}. A screening measurement, not a diagnosis."
        }
    ]
    reference = _reference_range(test, person, row.unit)
    if reference is not None:
        resource["referenceRange"] = [reference]
    return resource


def _code(test_id: str, name: str) -> dict[str, Any]:
    codings = []
    if test_id in LOINC_CODES:
        code, display = LOINC_CODES[test_id]
        codings.append({"system": LOINC, "code": code, "display": display})
    codings.append({"system": TESTS_SYSTEM, "code": test_id, "display": name})
    return {"coding": codings, "text": name}


def _is_sign(row: StoredTestResult, test: TestDef | None) -> bool:
    return row.unit == SIGN_UNIT or (test is not None and test.direction == "flag")


def _value(row: StoredTestResult, test: TestDef | None) -> dict[str, Any]:
    if _is_sign(row, test):
        return {"valueBoolean": row.value >= 0.5}
    if not math.isfinite(row.value):  # the store never holds one; FHIR has no NaN
        return {"dataAbsentReason": {"text": "not a finite number"}}
    return {"valueQuantity": quantity(row.value, row.unit)}


def quantity(value: float, unit: str) -> dict[str, Any]:
    """Return a FHIR Quantity with its UCUM code (plain ``unit`` text when unknown).

    Examples
    --------
    >>> quantity(20.0, "deg")
    {'value': 20.0, 'unit': '°', 'system': 'http://unitsofmeasure.org', 'code': 'deg'}
    >>> quantity(3.0, "furlongs")
    {'value': 3.0, 'unit': 'furlongs'}

    """
    if unit not in UCUM_UNITS:
        return {"value": value, "unit": unit} if unit.strip() else {"value": value}
    code, shown = UCUM_UNITS[unit]
    return {"value": value, "unit": shown, "system": UCUM, "code": code}


def _reference_range(
    test: TestDef | None, person: PersonRecord, unit: str
) -> dict[str, Any] | None:
    from hiplab.assess.evaluate import select_norm
    from hiplab.records.intake import Person
    from hiplab.report._format import number

    if test is None or test.direction == "flag":
        return None
    norm = select_norm(test, Person(age=person.age, sex=person.sex))
    if norm is None:
        return None
    higher = test.direction == "higher_is_better"
    bound = "low" if higher else "high"
    symbol = "≥" if higher else "≤"
    return {
        bound: quantity(norm.limit, unit),
        "text": f"hiplab screening norm: normal {symbol} {number(norm.limit, unit)}",
    }


def _person_uuid(person: PersonRecord) -> uuid.UUID:
    # The creation time makes ids from two installations (both with a person 1) differ.
    return uuid.uuid5(ID_NAMESPACE, f"person/{person.id}/{person.created_at.isoformat()}")


def _patient(person: PersonRecord, patient_id: uuid.UUID) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": str(patient_id)}
    if person.name.strip():
        patient["name"] = [{"text": person.name.strip()}]
    patient["gender"] = GENDERS[person.sex.value]
    return patient


def _entry(resource_id: uuid.UUID, resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource_id}", "resource": resource}
