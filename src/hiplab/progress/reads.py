"""The one store read progress needs that the store does not offer: assessment inputs alone.

Progress uses an assessment's date, its person (for the norms) and its symptoms (for
pain), never its result. :meth:`~hiplab.store.Store.assessments` loads and validates
both documents of every assessment, and the result is most of the work (about 0.3 ms
an assessment: 170 ms at 500). :func:`assessment_inputs` reads the date and the input
only, about 60 times less. It belongs in the store (``Store.assessment_inputs``);
until the store has it, it runs here, inside the store's own read transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import select

from hiplab.errors import NotFoundError, StoreError
from hiplab.records.intake import AssessmentInput
from hiplab.store import tables

if TYPE_CHECKING:
    from hiplab.store import Store


@dataclass(frozen=True)
class AssessedInput:
    """One saved assessment's date and validated input (no result)."""

    id: int
    taken_on: date
    data: AssessmentInput


def assessment_inputs(
    store: Store, *, person_name: str | None = None, person_id: int | None = None
) -> list[AssessedInput]:
    """Read a person's assessment inputs with their dates, oldest first.

    Parameters
    ----------
    store : Store
        An open store.
    person_name : str, optional
        The person's name, as saved (surrounding spaces ignored, as the store does).
    person_id : int, optional
        The person's id; give this or ``person_name`` (a name several people share is
        refused by the store, never read as all of them).

    Returns
    -------
    list of AssessedInput
        Ordered by date, then by id; empty when nobody has the name (the store's
        own reads say who is missing).

    Raises
    ------
    StoreError
        If a stored input no longer validates against the current models.

    """
    if person_id is None:
        try:
            person_id = store.find_person(name=str(person_name)).id
        except NotFoundError:
            return []
    assessment = tables.Assessment
    query = (
        select(assessment.id, assessment.taken_on, assessment.input_json)
        .where(assessment.person_id == person_id)
        .order_by(assessment.taken_on, assessment.id)
    )
    with store._transaction("read the assessment inputs") as session:
        rows = session.execute(query).all()
    return [AssessedInput(id=i, taken_on=day, data=_input(i, raw)) for i, day, raw in rows]


def _input(assessment_id: int, raw: object) -> AssessmentInput:
    try:
        return AssessmentInput.model_validate(raw)
    except ValidationError as exc:
        raise StoreError(
            f"assessment {assessment_id} was stored in a form this hiplab cannot read: {exc}"
        ) from exc
