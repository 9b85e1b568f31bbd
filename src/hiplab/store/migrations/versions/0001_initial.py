"""Initial tables: person, assessment, test_result, report.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROVENANCE_CHECK = "provenance IN ('self', 'clinician', 'video')"


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("name", name=op.f("uq_person_name")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provenance", sa.String(length=16), nullable=False),
        sa.Column("refer", sa.Boolean(), nullable=False),
        sa.Column("input_json", sa.JSON(), nullable=False),
        sa.Column("result_json", sa.JSON(), nullable=False),
        sa.CheckConstraint(_PROVENANCE_CHECK, name=op.f("ck_assessment_provenance")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_assessment_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    op.create_index("ix_assessment_person_taken_on", "assessment", ["person_id", "taken_on", "id"])
    op.create_index("ix_assessment_taken_on", "assessment", ["taken_on"])
    op.create_table(
        "test_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("test", sa.String(length=80), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("provenance", sa.String(length=16), nullable=False),
        sa.CheckConstraint(_PROVENANCE_CHECK, name=op.f("ck_test_result_provenance")),
        sa.CheckConstraint(
            "side IS NULL OR side IN ('left', 'right')", name=op.f("ck_test_result_side")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_test_result_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_result")),
    )
    op.create_index("ix_test_result_assessment_id", "test_result", ["assessment_id"])
    op.create_index("ix_test_result_test", "test_result", ["test"])
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(text IS NULL) <> (data IS NULL)", name=op.f("ck_report_one_content")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_report_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    op.create_index("ix_report_assessment_id", "report", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_report_assessment_id", table_name="report")
    op.drop_table("report")
    op.drop_index("ix_test_result_test", table_name="test_result")
    op.drop_index("ix_test_result_assessment_id", table_name="test_result")
    op.drop_table("test_result")
    op.drop_index("ix_assessment_taken_on", table_name="assessment")
    op.drop_index("ix_assessment_person_taken_on", table_name="assessment")
    op.drop_table("assessment")
    op.drop_table("person")
