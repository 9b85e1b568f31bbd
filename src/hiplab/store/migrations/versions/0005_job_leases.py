"""Jobs: ``job.lease_owner`` and ``job.lease_expires_at``, the claim of a running job.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

A worker that claims a job holds it for a lease: its owner id and an expiry it renews
while it works (the heartbeat). Only a job whose lease has expired (its worker died) is
claimed again, so several servers on one store never run a job twice and a restarting
server no longer re-queues the jobs another live server is running. Jobs left running
before this column existed have no lease and count as expired.

Only columns are added (``ALTER TABLE … ADD COLUMN``): no SQLite table rebuild, so no
cascade fires.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job", sa.Column("lease_owner", sa.String(length=80), nullable=True))
    op.add_column("job", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), no batch rebuild (see 0004).
    op.drop_column("job", "lease_expires_at")
    op.drop_column("job", "lease_owner")
