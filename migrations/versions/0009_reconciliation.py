"""reconciliations: read-only QuickBooks queries and the documents they returned

Revision ID: 0009_reconciliation
Revises: 0008_company_binding
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_reconciliation"
down_revision = "0008_company_binding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_reconciliations_user_id", "reconciliations", ["user_id"])
    op.create_table(
        "reconcile_queries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reconciliation_id", sa.Integer(),
                  sa.ForeignKey("reconciliations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("txn_type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("iterator_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("qbwc_sessions.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
    )
    op.create_index("ix_reconcile_queries_reconciliation_id", "reconcile_queries",
                    ["reconciliation_id"])
    op.create_table(
        "reconcile_docs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reconciliation_id", sa.Integer(),
                  sa.ForeignKey("reconciliations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("txn_type", sa.String(length=32), nullable=False),
        sa.Column("txn_id", sa.String(length=40), nullable=False),
        sa.Column("ref_number", sa.String(length=40), nullable=False),
        sa.Column("txn_date", sa.Date(), nullable=True),
        sa.Column("party", sa.String(length=255), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=True),
        sa.UniqueConstraint("reconciliation_id", "txn_type", "txn_id", name="uq_reconcile_doc"),
    )
    op.create_index("ix_reconcile_docs_reconciliation_id", "reconcile_docs", ["reconciliation_id"])


def downgrade() -> None:
    op.drop_table("reconcile_docs")
    op.drop_table("reconcile_queries")
    op.drop_table("reconciliations")
