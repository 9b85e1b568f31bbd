"""Plans and session logs: tables plan and session_log.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("programme_json", sa.JSON(), nullable=False),
        sa.CheckConstraint("block >= 1", name=op.f("ck_plan_block")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_plan_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_plan_assessment_id_assessment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    op.create_index("ix_plan_person_created_at", "plan", ["person_id", "created_at", "id"])
    op.create_index("ix_plan_assessment_id", "plan", ["assessment_id"])
    op.create_table(
        "session_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completion", sa.Float(), nullable=False),
        sa.Column("discomfort", sa.Integer(), nullable=True),
        sa.Column("effort", sa.Integer(), nullable=True),
        sa.Column("quit_early", sa.Boolean(), nullable=False),
        sa.Column("log_json", sa.JSON(), nullable=False),
        sa.CheckConstraint("week >= 1", name=op.f("ck_session_log_week")),
        sa.CheckConstraint(
            "completion >= 0 AND completion <= 1", name=op.f("ck_session_log_completion")
        ),
        sa.CheckConstraint(
            "discomfort IS NULL OR discomfort BETWEEN 0 AND 10",
            name=op.f("ck_session_log_discomfort"),
        ),
        sa.CheckConstraint(
            "effort IS NULL OR effort BETWEEN 0 AND 10", name=op.f("ck_session_log_effort")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_session_log_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_session_log_plan_id_plan"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_log")),
    )
    op.create_index(
        "ix_session_log_person_started_at", "session_log", ["person_id", "started_at", "id"]
    )
    op.create_index("ix_session_log_plan_id", "session_log", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_session_log_plan_id", table_name="session_log")
    op.drop_index("ix_session_log_person_started_at", table_name="session_log")
    op.drop_table("session_log")
    op.drop_index("ix_plan_assessment_id", table_name="plan")
    op.drop_index("ix_plan_person_created_at", table_name="plan")
    op.drop_table("plan")
