"""Web app: tables app_user (logins), coach_client (ownership) and job (background work).

Revision ID: 0003
Revises: 0002
Create Date: 2026-01-12

Only new tables: no existing table is altered, so no SQLite table rebuild (which would
fire the ON DELETE cascades of ``person``'s children) is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('coach', 'client')", name=op.f("ck_app_user_role")),
        sa.CheckConstraint(
            "(role = 'coach' AND person_id IS NULL) OR (role = 'client' AND person_id IS NOT NULL)",
            name=op.f("ck_app_user_client_person"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_app_user_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
        sa.UniqueConstraint("person_id", name=op.f("uq_app_user_person_id")),
    )
    op.create_table(
        "coach_client",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_coach_client_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["app_user.id"],
            name=op.f("fk_coach_client_coach_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_coach_client")),
    )
    op.create_index("ix_coach_client_coach_id", "coach_client", ["coach_id"])
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("payload_json", sa.JSON(), nullable=False),
        sa.Column("result_json", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'failed', 'done')", name=op.f("ck_job_state")
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name=op.f("ck_job_progress")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_job_attempts")),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["app_user.id"],
            name=op.f("fk_job_owner_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_job_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index("ix_job_state_created_at", "job", ["state", "created_at", "id"])
    op.create_index("ix_job_owner_id", "job", ["owner_id"])
    op.create_index("ix_job_person_id", "job", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_job_person_id", table_name="job")
    op.drop_index("ix_job_owner_id", table_name="job")
    op.drop_index("ix_job_state_created_at", table_name="job")
    op.drop_table("job")
    op.drop_index("ix_coach_client_coach_id", table_name="coach_client")
    op.drop_table("coach_client")
    op.drop_table("app_user")
