"""People: names unique per coach (``person.owner_id``), not in the whole store.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

A person's name was unique in the store, so a coach creating "Alex K." learned that
another coach has a client of that name. Now ``person.owner_id`` names the coach whose
client list the name belongs to (the coach of the ``coach_client`` link; the store keeps
the two equal), ``uq_person_owner_id`` makes ``(owner_id, name)`` unique and the partial
index ``uq_person_name_unowned`` keeps the names of the people without a coach (the
command line's) unique. Existing people get their coach from ``coach_client``.

Dropping ``uq_person_name`` needs a rebuild of ``person`` on SQLite, and dropping the
old table would run the ``ON DELETE CASCADE`` of every child (assessments, plans,
session logs, logins, links, jobs). :func:`hiplab.store.engine.upgrade` runs migrations
with foreign keys off (and checks them before committing); this migration refuses to
run on an SQLite connection that has them on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNOWNED = sa.text("owner_id IS NULL")


def _refuse_cascades() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migration 0007 rebuilds the person table; with SQLite foreign keys on that "
            "would delete every person's records: run it through hiplab.store.engine.upgrade"
        )


def upgrade() -> None:
    _refuse_cascades()
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.drop_constraint("uq_person_name", type_="unique")
        batch.create_unique_constraint("uq_person_owner_id", ["owner_id", "name"])
        batch.create_foreign_key(
            "fk_person_owner_id_app_user",
            "app_user",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE person SET owner_id = "
        "(SELECT coach_id FROM coach_client WHERE coach_client.person_id = person.id)"
    )
    op.create_index(
        "uq_person_name_unowned",
        "person",
        ["name"],
        unique=True,
        sqlite_where=_UNOWNED,
        postgresql_where=_UNOWNED,
    )


def downgrade() -> None:
    _refuse_cascades()
    shared = op.get_bind().execute(
        sa.text("SELECT name FROM person GROUP BY name HAVING COUNT(*) > 1 ORDER BY name")
    )
    names = [row[0] for row in shared]
    if names:
        raise RuntimeError(
            f"cannot go back to names unique in the whole store: {len(names)} names are "
            "used by more than one person"
        )
    op.drop_index("uq_person_name_unowned", table_name="person")
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint("fk_person_owner_id_app_user", type_="foreignkey")
        batch.drop_constraint("uq_person_owner_id", type_="unique")
        batch.drop_column("owner_id")
        batch.create_unique_constraint("uq_person_name", ["name"])
