"""Programmes saved for people: ``store.plans``."""

from __future__ import annotations

from collections.abc import Callable

from hiplab.errors import InputError, NotFoundError
from hiplab.records.programme import Programme
from hiplab.records.refs import PersonRef
from hiplab.store import tables
from hiplab.store.core import Repository, UnitOfWork, get_record, insert, owner_of
from hiplab.store.models import StoredPlan
from hiplab.store.people import check_owned, find, newest_of
from hiplab.store.rows import stored_plan


class PlanRepository(Repository):
    """Plans: save, read, change in place (``store.plans``)."""

    def save(
        self,
        *,
        person: PersonRef,
        programme: Programme,
        assessment_id: int | None,
        uow: UnitOfWork | None = None,
    ) -> int:
        """Save a programme for a person who is already in the store; return its id.

        Parameters
        ----------
        person : PersonRef
            Whose plan it is; the person must exist (plans follow an assessment).
        programme : Programme
            The programme; stored whole, ``programme.block`` is the block number.
        assessment_id : int or None
            The assessment the plan was made from; it must be this person's.
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Raises
        ------
        NotFoundError
            If there is no such person (close names are suggested) or the assessment
            does not exist.
        InputError
            If the assessment belongs to someone else.
        StoreError
            If the database fails; then nothing of this plan is stored.

        """
        with self._db.writes(uow, "save the plan") as session:
            who = find(session, person)
            if assessment_id is not None:
                check_owned(session, tables.Assessment, assessment_id, "assessment", who)
            row = tables.Plan(
                person_id=who.id,
                assessment_id=assessment_id,
                block=programme.block,
                programme_json=programme.model_dump(mode="json"),
            )
            return insert(session, row)

    def get(self, *, plan_id: int, uow: UnitOfWork | None = None) -> StoredPlan:
        """Load a saved plan with its programme as a validated model.

        Raises
        ------
        NotFoundError
            If there is no plan with that id.
        StoreError
            If the stored programme no longer validates against the current models.

        """
        with self._db.reads(uow, "read the plan") as session:
            return stored_plan(get_record(session, tables.Plan, plan_id, "plan"))

    def owner(self, *, plan_id: int, uow: UnitOfWork | None = None) -> int:
        """Return the id of the person a plan belongs to, or raise NotFoundError."""
        with self._db.reads(uow, "read the plan") as session:
            return owner_of(session, tables.Plan, plan_id, "plan")

    def update(
        self,
        *,
        plan_id: int,
        change: Callable[[Programme], Programme],
        uow: UnitOfWork | None = None,
    ) -> StoredPlan:
        """Replace a plan's programme in place by ``change(programme)``, as one writer.

        The plan keeps its id, person, assessment, block and ``created_at`` (so the
        session logs stored against it and its adherence weeks stay as they were).
        ``change`` runs inside the transaction with the row locked (SQLite: the write
        lock; PostgreSQL: ``SELECT … FOR UPDATE``), so two edits never lose each other.

        Parameters
        ----------
        plan_id : int
            The plan to change.
        change : callable
            Returns the new programme from the stored one; an exception it raises
            leaves the plan untouched and propagates.
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Returns
        -------
        StoredPlan
            The plan as now stored.

        Raises
        ------
        NotFoundError
            If there is no plan with that id.
        InputError
            If the new programme has another block number than the plan.
        StoreError
            If the database fails; then the plan is unchanged.

        """
        with self._db.writes(uow, "update the plan") as session:
            row = get_record(session, tables.Plan, plan_id, "plan", for_update=True)
            before = stored_plan(row)
            programme = change(before.programme)
            if programme.block != row.block:
                raise InputError(
                    f"block {programme.block} differs from plan {plan_id}'s block {row.block}"
                )
            row.programme_json = programme.model_dump(mode="json")
            session.flush()
            return before.model_copy(update={"programme": programme})

    def latest(self, *, person: PersonRef, uow: UnitOfWork | None = None) -> StoredPlan:
        """Load a person's newest plan (latest ``created_at``, then highest id).

        Raises
        ------
        NotFoundError
            If there is no such person, or the person has no plan.

        """
        table = tables.Plan
        with self._db.reads(uow, "read the latest plan") as session:
            who = find(session, person)
            row = newest_of(session, table, table.created_at, [who.id]).get(who.id)
            if row is None:
                raise NotFoundError(f"no plan saved for {who.name!r}")
            return stored_plan(row)

    def of_person(self, *, person: PersonRef, uow: UnitOfWork | None = None) -> list[StoredPlan]:
        """List a person's plans, oldest first (by ``created_at``, then id); maybe none.

        Raises
        ------
        NotFoundError
            If there is no such person.

        """
        with self._db.reads(uow, "read the plans") as session:
            return [stored_plan(row) for row in find(session, person).plans]
