"""Logins: table ``login_session``, one row per signed-in browser of a login.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

A session cookie carries a random token whose SHA-256 digest is the row's id; logout
ends that row only, so a copy of the cookie taken before logout no longer works while
the login's other browsers stay signed in. Cookies issued before this table existed
name no session and are refused (their holders sign in again).

Only a new table: ``app_user`` is not altered, so no SQLite table rebuild (which would
fire the cascades of its children) is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_login_session_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
    )
    op.create_index("ix_login_session_user_id", "login_session", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_login_session_user_id", table_name="login_session")
    op.drop_table("login_session")
