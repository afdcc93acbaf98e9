"""name map: the QuickBooks name or RefNumber of each JobBOSS2 record that needs one

Revision ID: 0004_name_map
Revises: 0003_message_sizes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_name_map"
down_revision = "0003_message_sizes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "name_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("source_value", sa.Text(), nullable=False),
        sa.Column("namespace", sa.String(length=40), nullable=False),
        sa.Column("qb_name", sa.String(length=100), nullable=False),
        sa.Column("qb_name_key", sa.String(length=100), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", "source_key", name="uq_name_map"),
        sa.UniqueConstraint("user_id", "namespace", "qb_name_key", name="uq_name_map_name"),
    )


def downgrade() -> None:
    op.drop_table("name_map")
