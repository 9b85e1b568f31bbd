"""Logins: ``app_user.session_epoch``, the generation of the login's sessions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

A signed session cookie carries the epoch its login had when it was issued; bumping the
epoch (a password change, "log out everywhere") ends every older session. Existing
logins start at 0, as do the cookies issued before this column existed.

Only a column is added, with a default (``ALTER TABLE … ADD COLUMN``): no SQLite table
rebuild, so no cascade of ``app_user``'s children (``coach_client``, ``job``) fires.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column("session_epoch", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch rebuild of app_user would
    # drop the table and fire the cascades of coach_client and job.
    op.drop_column("app_user", "session_epoch")
